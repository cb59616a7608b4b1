"""Loading a real budget register: UK dates, £ amounts, national labels, quarantine, linking."""

from __future__ import annotations

from decimal import Decimal

import pytest

from pipeline.ingest import IngestError, load_budget_file
from pipeline.store import connect
from tests.conftest import FIXTURES
from tests.fixtures import make_fixtures as fx


@pytest.fixture
def con(tmp_path):
    connection = connect(tmp_path / "outcomes.duckdb")
    yield connection
    connection.close()


def test_register_loads_with_bad_values_quarantined_and_rows_kept(con):
    result = load_budget_file(con, FIXTURES / fx.BUDGETS, council="Northshire", new_council=True)
    assert result.rows_read == fx.BUDGETS_ROWS
    assert result.rows_loaded == fx.BUDGETS_ROWS  # bad values never drop the record
    assert result.values_quarantined == len(fx.BUDGETS_BAD)
    quarantined = {
        row[0]: row
        for row in con.execute(
            "SELECT source_row, column_name, raw_value, reason FROM quarantine WHERE load_id = ?",
            [result.load_id],
        ).fetchall()
    }
    assert set(quarantined) == set(fx.BUDGETS_BAD)
    for row, (column, raw, _why) in fx.BUDGETS_BAD.items():
        assert quarantined[row][1] == column and quarantined[row][2] == raw
    assert "not a date" in quarantined[5][3]
    assert "not an amount" in quarantined[12][3]
    assert "outside the accepted range" in quarantined[20][3]
    # the bad fields are missing, the rest of the record is there
    start, agreed = con.execute(
        "SELECT start_date, agreed_annual FROM budgets WHERE source_row = 5"
    ).fetchall()[0]
    assert start is None and agreed is not None


def test_amounts_dates_and_labels_are_parsed(con):
    load_budget_file(con, FIXTURES / fx.BUDGETS, council="Northshire", new_council=True)
    amounts = [
        r[0]
        for r in con.execute(
            "SELECT agreed_annual FROM budgets WHERE agreed_annual IS NOT NULL"
        ).fetchall()
    ]
    assert all(isinstance(a, Decimal) and 1 <= a <= 1_000_000 for a in amounts)
    assert len(amounts) == fx.BUDGETS_ROWS - 1
    options = {
        r[0] for r in con.execute("SELECT DISTINCT management_option FROM budgets").fetchall()
    }
    assert options <= {
        "direct_payment",
        "part_direct_payment",
        "council_managed",
        "provider_managed",
        "commissioned",
        "mixed",
        "dont_know",
        None,
    }
    labels = {r[0] for r in con.execute("SELECT DISTINCT management_label FROM budgets").fetchall()}
    assert labels and not (labels & options)  # the national label kept as given beside the code
    reviews = con.execute("SELECT count(last_review) FROM budgets").fetchall()[0][0]
    assert reviews > 20  # ISO and UK dates both read
    ethnicity = con.execute("SELECT DISTINCT ethnicity FROM budgets").fetchall()
    assert ("white",) in ethnicity  # "White – British" with a cp1252 en dash


def test_register_and_survey_link_through_the_pseudonym(con):
    from pipeline.ingest import load_survey_file

    load_budget_file(con, FIXTURES / fx.BUDGETS, council="Northshire", new_council=True)
    load_survey_file(
        con,
        FIXTURES / fx.HOLDER_CP1252,
        instrument="poet-holder",
        council="Northshire",
        wave=2025,
        new_council=True,
    )
    linked = con.execute(
        "SELECT count(DISTINCT person_key) FROM budgets JOIN respondents ON respondent_key = person_key"
    ).fetchall()[0][0]
    assert linked == len(fx.BUDGETS_LINKED_IDS)


def test_same_ids_in_another_council_do_not_link(con, tmp_path):
    load_budget_file(con, FIXTURES / fx.BUDGETS, council="Eastbrook", new_council=True)
    from pipeline.ingest import load_survey_file

    load_survey_file(
        con,
        FIXTURES / fx.HOLDER_CP1252,
        instrument="poet-holder",
        council="Northshire",
        wave=2025,
        new_council=True,
    )
    assert (
        con.execute(
            "SELECT count(*) FROM budgets JOIN respondents ON respondent_key = person_key"
        ).fetchall()[0][0]
        == 0
    )


def test_register_without_a_person_id_is_refused(con, tmp_path):
    path = tmp_path / "no_ids.csv"
    path.write_text("Start Date,Agreed Annual Budget\n01/01/2024,£100\n", encoding="utf-8")
    with pytest.raises(IngestError, match="no person id column"):
        load_budget_file(con, path, council="Northshire", new_council=True)
    assert con.execute("SELECT count(*) FROM loads").fetchall()[0][0] == 0


def test_rows_without_a_person_id_are_quarantined_whole(con, tmp_path):
    path = tmp_path / "gaps.csv"
    path.write_text(
        "Person ID,Agreed Annual Budget,Management Option\nA1,£1000,Direct payment only\n,£200,Mixed\n",
        encoding="utf-8",
    )
    result = load_budget_file(con, path, council="Northshire", new_council=True)
    assert (result.rows_loaded, result.rows_quarantined) == (1, 1)
    assert con.execute("SELECT source_row, whole_row FROM quarantine").fetchall() == [(3, True)]
    again = load_budget_file(con, path, council="Northshire", new_council=True)
    assert again.status == "already_loaded"
    assert con.execute("SELECT count(*) FROM budgets").fetchall()[0][0] == 1
