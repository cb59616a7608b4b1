"""Migrations apply once, in order, and the public contract's columns exist."""

from __future__ import annotations

from pipeline.ingest import load_budget_file
from pipeline.store import connect
from pipeline.store.connection import apply_migrations, migrations
from tests.conftest import FIXTURES
from tests.fixtures import make_fixtures as fx

CONTRACT = {
    "loads": ["load_id", "sha256"],
    "respondents": ["respondent_key", "instrument", "council", "wave", "load_id", "source_row"],
    "answers": ["respondent_key", "question_code", "answer_code"],
    "budgets": [
        "person_key",
        "council",
        "agreed_annual",
        "indicative",
        "management_option",
        "load_id",
    ],
    "quarantine": ["load_id", "source_row", "column_name", "raw_value", "reason"],
    "benchmarks": ["measure_id", "source", "year", "value"],
}


def test_migrations_apply_once_and_contract_columns_exist(tmp_path):
    con = connect(tmp_path / "a.duckdb")
    versions = [v for v, _, _ in migrations()]
    assert versions == sorted(versions) and versions[0] == 1
    applied = [
        r[0] for r in con.execute("SELECT version FROM schema_migrations ORDER BY 1").fetchall()
    ]
    assert applied == versions
    assert apply_migrations(con) == []  # nothing left to do
    for table, columns in CONTRACT.items():
        have = {
            r[0]
            for r in con.execute(
                "SELECT column_name FROM information_schema.columns WHERE table_name = ?", [table]
            ).fetchall()
        }
        assert set(columns) <= have, (table, set(columns) - have)
    con.close()
    again = connect(tmp_path / "a.duckdb")  # re-opening does not re-apply
    assert again.execute("SELECT count(*) FROM schema_migrations").fetchall()[0][0] == len(versions)


def test_question_scales_mark_missing_and_positive_codes(tmp_path):
    con = connect(tmp_path / "b.duckdb")
    rows = dict(
        ((r[0], r[1]), (r[2], r[3]))
        for r in con.execute(
            "SELECT answer_code, question_code, is_missing, is_positive FROM question_scales "
            "WHERE instrument = 'poet-holder' AND question_code IN ('out_dignity', 'proc_review')"
        ).fetchall()
    )
    assert rows[("much_better", "out_dignity")] == (False, True)
    assert rows[("same", "out_dignity")] == (False, False)
    assert rows[("dont_know", "out_dignity")] == (True, False)
    assert rows[("very_easy", "proc_review")] == (False, True)
    assert rows[("not_applicable", "proc_review")] == (True, False)


def test_key_fingerprint_migration_applies_to_a_fresh_and_an_existing_database(tmp_path):
    fresh = connect(tmp_path / "fresh.duckdb")
    assert fresh.execute("SELECT count(*) FROM pseudonym_key").fetchall() == [(0,)]
    fresh.close()
    # an existing database from before 003: data loaded, no fingerprint table
    path = tmp_path / "existing.duckdb"
    con = connect(path)
    load_budget_file(con, FIXTURES / fx.BUDGETS, council="Northshire", new_council=True)
    con.execute("DROP TABLE pseudonym_key")
    con.execute("DELETE FROM schema_migrations WHERE version = 3")
    con.close()
    again = connect(path)
    assert 3 in {r[0] for r in again.execute("SELECT version FROM schema_migrations").fetchall()}
    assert again.execute("SELECT count(*) FROM pseudonym_key").fetchall() == [(0,)]
    assert again.execute("SELECT count(*) FROM budgets").fetchall() == [(40,)]
    again.close()
