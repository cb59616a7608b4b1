"""Undoing a load: every row it wrote goes in one transaction, an audit row stays, and the same
file loads again exactly as the first time."""

from __future__ import annotations

import json
import shutil

import duckdb
import pandas as pd
import pytest

import pipeline.analysis as analysis
from pipeline.ingest import (
    IngestError,
    load_benchmark_file,
    load_budget_file,
    load_survey_file,
)
from pipeline.ingest import unload as unload_module
from pipeline.ingest.unload import UnloadError, delete_statements, unload, unload_plan
from pipeline.store import connect
from tests.conftest import FIXTURES
from tests.fixtures import make_fixtures as fx

DATA_TABLES = (
    "loads",
    "respondents",
    "answer_values",
    "comments",
    "budgets",
    "quarantine",
    "benchmarks",
)
ASCOF = FIXTURES / "benchmarks" / "ascof-2023-24.csv"


@pytest.fixture
def con(tmp_path):
    connection = connect(tmp_path / "outcomes.duckdb")
    yield connection
    connection.close()


def snapshot(con: duckdb.DuckDBPyConnection) -> dict[str, list]:
    """Every row of every table a load can write to, and of the views analysts read."""
    tables = (*DATA_TABLES, "answers", "answers_scored", "survey_returns")
    return {t: sorted(map(repr, con.execute(f"SELECT * FROM {t}").fetchall())) for t in tables}


def load_cp1252(con, path=FIXTURES / fx.HOLDER_CP1252, **target):
    target = {"council": "Northshire", "wave": 2025, "new_council": True, **target}
    return load_survey_file(con, path, instrument="poet-holder", **target)


def load_others(con) -> None:
    """Other councils' and kinds' loads, which an unload must leave alone."""
    load_survey_file(
        con,
        FIXTURES / fx.HOLDER_XLSX,
        instrument="poet-holder",
        council="Northshire",
        wave=2024,
        sheet=fx.HOLDER_XLSX_SHEET,
        new_council=True,
    )
    load_budget_file(con, FIXTURES / fx.BUDGETS, council="Northshire", new_council=True)
    load_benchmark_file(con, ASCOF)


def test_unload_removes_every_row_of_the_load_and_nothing_else(con) -> None:
    load_others(con)
    before = snapshot(con)
    loaded = load_cp1252(con)
    plan = unload_plan(con, loaded.load_id)
    assert plan.rows["respondents"] == loaded.rows_loaded
    assert plan.rows["quarantine"] == loaded.rows_quarantined + loaded.values_quarantined
    assert plan.rows["comments"] > 0 and plan.rows["answer_values"] > 0
    assert plan.rows["budgets"] == plan.rows["benchmarks"] == 0

    result = unload(con, loaded.load_id, by="alice", reason="sent for the wrong council")

    assert snapshot(con) == before
    assert result.rows_removed == plan.rows
    assert f"removed load {loaded.load_id} (holder_cp1252.csv" in result.message


def test_the_audit_row_says_what_went_who_removed_it_why_and_when(con) -> None:
    loaded = load_cp1252(con)
    loaded_at = con.execute(
        "SELECT loaded_at FROM loads WHERE load_id = ?", [loaded.load_id]
    ).fetchall()[0][0]
    result = unload(con, loaded.load_id, by="alice", reason="  sent for the wrong council ")
    audit = con.execute("SELECT * FROM unloads").df()
    assert len(audit) == 1
    row = audit.iloc[0]
    assert row["load_id"] == loaded.load_id and row["kind"] == "survey"
    assert (row["instrument"], row["council"], row["wave"]) == ("poet-holder", "Northshire", 2025)
    assert row["file_name"] == fx.HOLDER_CP1252 and row["sha256"] == loaded.sha256
    assert row["rows_loaded"] == loaded.rows_loaded
    assert row["rows_quarantined"] == loaded.rows_quarantined
    assert row["values_quarantined"] == loaded.values_quarantined
    assert row["removed_by"] == "alice" and row["reason"] == "sent for the wrong council"
    assert row["loaded_at"] == pd.Timestamp(loaded_at)
    assert row["removed_at"] >= row["loaded_at"] and row["removed_at"] == result.removed_at
    removed = json.loads(row["rows_removed"])
    assert removed == result.rows_removed
    assert removed["respondents"] == loaded.rows_loaded and removed["loads"] == 1


def test_the_same_file_loads_again_and_gives_the_same_numbers(con) -> None:
    load_others(con)
    first = load_cp1252(con)
    where = [first.load_id]
    keys = con.execute(
        "SELECT respondent_key, source_row FROM respondents WHERE load_id = ? ORDER BY 2", where
    ).fetchall()
    problems = con.execute(
        "SELECT source_row, column_name, raw_value, reason, whole_row FROM quarantine "
        "WHERE load_id = ? ORDER BY ALL",
        where,
    ).fetchall()
    results = analysis.results(con, council="Northshire", wave=2025, instrument="poet-holder")
    inventory = analysis.available(con)

    unload(con, first.load_id, by="alice")
    assert analysis.available(con).query("wave == 2025").empty
    again = load_cp1252(con)

    assert again.status == "loaded" and again.load_id != first.load_id
    for count in ("rows_read", "rows_loaded", "rows_quarantined", "values_quarantined"):
        assert getattr(again, count) == getattr(first, count), count
    assert (
        con.execute(
            "SELECT respondent_key, source_row FROM respondents WHERE load_id = ? ORDER BY 2",
            [again.load_id],
        ).fetchall()
        == keys
    )
    assert (
        con.execute(
            "SELECT source_row, column_name, raw_value, reason, whole_row FROM quarantine "
            "WHERE load_id = ? ORDER BY ALL",
            [again.load_id],
        ).fetchall()
        == problems
    )
    pd.testing.assert_frame_equal(
        analysis.results(con, council="Northshire", wave=2025, instrument="poet-holder"), results
    )
    pd.testing.assert_frame_equal(analysis.available(con), inventory)


def test_budget_and_benchmark_loads_unload_and_reload(con) -> None:
    budgets = load_budget_file(con, FIXTURES / fx.BUDGETS, council="Northshire", new_council=True)
    benchmark = load_benchmark_file(con, ASCOF)
    shipped = con.execute("SELECT count(*) FROM benchmarks WHERE load_id IS NULL").fetchall()
    assert unload(con, budgets.load_id, by="alice").rows_removed["budgets"] == 40
    assert unload(con, benchmark.load_id, by="alice").rows_removed["benchmarks"] == benchmark.rows
    assert con.execute("SELECT count(*) FROM budgets").fetchall() == [(0,)]
    assert con.execute("SELECT count(*) FROM benchmarks WHERE load_id IS NOT NULL").fetchall() == [
        (0,)
    ]
    assert (
        con.execute("SELECT count(*) FROM benchmarks WHERE load_id IS NULL").fetchall() == shipped
    )
    assert (
        load_budget_file(
            con, FIXTURES / fx.BUDGETS, council="Northshire", new_council=True
        ).rows_loaded
        == 40
    )
    assert load_benchmark_file(con, ASCOF).status == "loaded"


def test_every_table_with_a_load_id_is_emptied_by_unload(con) -> None:
    """A table added later with a load_id column must be added to unload_delete.sql too."""
    with_load_id = {
        row[0]
        for row in con.execute(
            "SELECT c.table_name FROM information_schema.columns AS c "
            "JOIN information_schema.tables AS t USING (table_schema, table_name) "
            "WHERE c.column_name = 'load_id' AND t.table_type = 'BASE TABLE'"
        ).fetchall()
    }
    covered = {table for table, _ in delete_statements()} | {"loads", "unloads"}
    assert with_load_id - covered == set()
    assert "answer_values" in covered  # linked through respondents.return_id, not a load_id


def test_an_unknown_or_already_removed_load_is_refused_by_id(con) -> None:
    with pytest.raises(UnloadError, match=r"load 42 is not in this database; `outcomes loads`"):
        unload(con, 42, by="alice")
    loaded = load_cp1252(con)
    unload(con, loaded.load_id, by="alice")
    with pytest.raises(
        UnloadError,
        match=rf"load {loaded.load_id} \(holder_cp1252.csv\) was already removed by alice",
    ):
        unload(con, loaded.load_id, by="bob")
    with pytest.raises(UnloadError, match="say who"):
        unload(con, 1, by=" ")
    assert isinstance(UnloadError("x"), IngestError)  # the CLI and page catch IngestError


def test_a_failure_half_way_leaves_everything_as_it_was(con, monkeypatch) -> None:
    load_others(con)
    loaded = load_cp1252(con)
    before = snapshot(con)
    real_delete = unload_module._delete
    calls = []

    def delete_then_fail(connection, statement, load_id):
        calls.append(statement)
        if len(calls) == 2:  # answer_values already deleted
            raise RuntimeError("disk full")
        return real_delete(connection, statement, load_id)

    monkeypatch.setattr(unload_module, "_delete", delete_then_fail)
    with pytest.raises(RuntimeError, match="disk full"):
        unload(con, loaded.load_id, by="alice")
    assert snapshot(con) == before
    assert con.execute("SELECT count(*) FROM unloads").fetchall() == [(0,)]
    monkeypatch.undo()
    unload(con, loaded.load_id, by="alice")  # the connection is still usable


def test_a_load_whose_returns_a_later_load_set_aside_as_copies_is_refused(con, tmp_path) -> None:
    first = load_cp1252(con)
    copy = tmp_path / "re-export.csv"  # the same returns, other bytes: every row is a copy
    copy.write_bytes((FIXTURES / fx.HOLDER_CP1252).read_bytes() + b"\r\n")
    later = load_cp1252(con, copy)
    assert later.rows_loaded == 0
    plan = unload_plan(con, first.load_id)
    assert plan.dependents == [(later.load_id, "re-export.csv", later.rows_quarantined)]
    before = snapshot(con)
    with pytest.raises(
        UnloadError, match=rf"Unload the later load first \(`outcomes unload {later.load_id}`\)"
    ):
        unload(con, first.load_id, by="alice")
    assert snapshot(con) == before

    # Nothing depends on the later load: it goes first, then the first one.
    assert unload_plan(con, later.load_id).dependents == []
    unload(con, later.load_id, by="alice")
    unload(con, first.load_id, by="alice")
    assert load_cp1252(con, copy).rows_loaded == first.rows_loaded  # now the first copy


def test_same_bytes_for_another_council_point_at_unload_and_then_load(con, tmp_path) -> None:
    wrong = load_cp1252(con, council="Southshire")
    renamed = tmp_path / "northshire.csv"
    shutil.copy(FIXTURES / fx.HOLDER_CP1252, renamed)
    with pytest.raises(IngestError, match=rf"`outcomes unload {wrong.load_id}`"):
        load_cp1252(con, renamed)
    unload(con, wrong.load_id, by="alice", reason="wrong council")
    assert load_cp1252(con, renamed).rows_loaded == wrong.rows_loaded


def test_the_unload_process_prints_json(tmp_path, capsys) -> None:
    db = tmp_path / "process.duckdb"
    con = connect(db)
    loaded = load_cp1252(con)
    con.close()
    assert unload_module.main(["--db", str(db), "--load-id", "999", "--by", "alice"]) == 1
    assert "load 999 is not in this database" in json.loads(capsys.readouterr().out)["error"]
    args = ["--db", str(db), "--load-id", str(loaded.load_id), "--by", "alice", "--reason", "r"]
    assert unload_module.main(args) == 0
    payload = json.loads(capsys.readouterr().out)
    assert payload["plan"]["rows"]["respondents"] == loaded.rows_loaded
    assert payload["removed_by"] == "alice" and payload["reason"] == "r"
