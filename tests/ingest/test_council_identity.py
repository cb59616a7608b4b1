"""One council, however it is typed: loads resolve --council through the council register.

Seen before this: "NORTHSHIRE" and "Northshire" were two councils holding the same people twice.
"""

from __future__ import annotations

import shutil

import duckdb
import pytest
from typer.testing import CliRunner

from pipeline.cli import app
from pipeline.ingest import IngestError, load_budget_file, load_survey_file
from pipeline.store import connect
from tests.conftest import FIXTURES
from tests.fixtures import make_fixtures as fx
from tests.ingest.test_load_surveys import snapshot


@pytest.fixture
def con(tmp_path):
    connection = connect(tmp_path / "outcomes.duckdb")
    yield connection
    connection.close()


def survey(con, council: str, path=FIXTURES / fx.HOLDER_CP1252, wave: int = 2025, **kwargs):
    return load_survey_file(
        con, path, instrument="poet-holder", council=council, wave=wave, **kwargs
    )


def stored_councils(con) -> set[tuple]:
    return set(con.execute("SELECT DISTINCT council, council_code FROM loads").fetchall())


def test_a_registered_council_in_any_case_or_variant_is_one_council(con, tmp_path):
    first = survey(con, "LEEDS")
    assert first.status == "loaded"
    # the same returns in a file with other bytes, for the council by its long name
    copy = tmp_path / "again.csv"
    copy.write_bytes((FIXTURES / fx.HOLDER_CP1252).read_bytes() + b"\r\n")
    second = survey(con, "  leeds city council ", path=copy)
    assert stored_councils(con) == {("Leeds", "E08000035")}
    # every return in the second file repeats one in the first: same council, same pseudonyms
    assert second.rows_loaded == 0
    assert second.rows_quarantined == second.rows_read
    respondents = con.execute("SELECT DISTINCT council FROM respondents").fetchall()
    assert respondents == [("Leeds",)]


def test_an_ons_code_stores_the_register_name(con):
    survey(con, "e08000035")
    assert stored_councils(con) == {("Leeds", "E08000035")}


def test_an_unknown_council_is_refused_with_suggestions_and_changes_nothing(con):
    before = snapshot(con)
    with pytest.raises(IngestError) as refused:
        survey(con, "Northshire")
    message = str(refused.value)
    assert fx.HOLDER_CP1252 in message and "unknown council 'Northshire'" in message
    assert "North Yorkshire" in message and "--new-council" in message
    assert snapshot(con) == before


def test_a_new_council_is_remembered_and_found_later_in_any_case(con, tmp_path):
    first = survey(con, "Test  Council", new_council=True)
    assert first.status == "loaded"
    copy = tmp_path / "again.csv"
    copy.write_bytes((FIXTURES / fx.HOLDER_CP1252).read_bytes() + b"\r\n")
    second = survey(con, "TEST COUNCIL", path=copy)  # no flag needed the second time
    assert stored_councils(con) == {("Test Council", None)}
    assert second.rows_loaded == 0  # the same people, not new ones
    registered = con.execute("SELECT name, registered FROM councils").fetchall()
    assert registered == [("Test Council", False)]


def test_new_council_never_copies_a_registered_one(con):
    survey(con, "kirklees council", new_council=True)
    assert stored_councils(con) == {("Kirklees", "E08000034")}


def test_budgets_and_surveys_typed_differently_still_link(con):
    load_budget_file(con, FIXTURES / fx.BUDGETS, council="sheffield")
    survey(con, "SHEFFIELD CITY COUNCIL")
    linked = con.execute(
        "SELECT count(DISTINCT person_key) FROM budgets "
        "JOIN respondents ON respondent_key = person_key"
    ).fetchall()[0][0]
    assert linked == len(fx.BUDGETS_LINKED_IDS)
    assert stored_councils(con) == {("Sheffield", "E08000019")}


def test_the_wave_decides_which_north_yorkshire(con, tmp_path):
    survey(con, "North Yorkshire", wave=2022)
    copy = tmp_path / "later.csv"
    shutil.copy(FIXTURES / fx.HOLDER_CP1252, copy)
    copy.write_bytes(copy.read_bytes() + b"\r\n")
    survey(con, "North Yorkshire", wave=2024, path=copy)
    codes = con.execute("SELECT wave, council_code FROM loads ORDER BY wave").fetchall()
    assert codes == [(2022, "E10000023"), (2024, "E06000065")]


def test_a_council_that_did_not_exist_that_year_loads_with_a_note(con):
    result = survey(con, "Cumbria", wave=2024)
    assert result.status == "loaded"
    assert "abolished on 2023-04-01" in result.message
    assert "Cumberland" in result.message and "Westmorland and Furness" in result.message


def test_the_command_line_refuses_an_unknown_council_and_accepts_new_council(tmp_path):
    runner = CliRunner()
    db = str(tmp_path / "cli.duckdb")
    args = ["ingest", "surveys", str(FIXTURES / fx.HOLDER_CP1252), "-i", "poet-holder"]
    args += ["-w", "2025", "--db", db]
    refused = runner.invoke(app, [*args, "-c", "NORTHSHIRE"], env={"COLUMNS": "300"})
    assert refused.exit_code == 1
    assert "unknown council 'NORTHSHIRE'" in refused.output and "--new-council" in refused.output
    loaded = runner.invoke(app, [*args, "-c", "Northshire", "--new-council"])
    assert loaded.exit_code == 0, loaded.output
    again = runner.invoke(app, [*args, "-c", "NORTHSHIRE"])  # known now; same bytes
    assert again.exit_code == 3 and "already loaded" in again.output
    con = duckdb.connect(db, read_only=True)
    try:
        assert stored_councils(con) == {("Northshire", None)}
    finally:
        con.close()


def test_the_analysis_faces_find_the_stored_council_however_typed(con, tmp_path):
    from pipeline.analysis import loaded_council

    survey(con, "LEEDS")
    survey(con, "Test Council", path=FIXTURES / fx.HOLDER_UTF8, new_council=True)
    assert loaded_council(con, "Leeds City Council") == "Leeds"
    assert loaded_council(con, "E08000035") == "Leeds"
    assert loaded_council(con, "test   council") == "Test Council"
    with pytest.raises(ValueError, match="no data for council 'Bradford'; loaded: Leeds"):
        loaded_council(con, "Bradford")
    con.close()
    db = str(tmp_path / "outcomes.duckdb")
    shown = CliRunner().invoke(
        app, ["compare", "-c", "leeds", "-w", "2025", "--db", db], env={"COLUMNS": "200"}
    )
    assert shown.exit_code == 0, shown.output
    assert "Leeds, 2025" in shown.output
    refused = CliRunner().invoke(app, ["compare", "-c", "Bradford", "-w", "2025", "--db", db])
    assert refused.exit_code == 1 and "Bradford" in refused.output and "Leeds" in refused.output


def test_a_loaded_council_links_to_its_region_and_type(con):
    from pipeline.analysis import council_geography

    survey(con, "Leeds City Council")
    row = con.execute(
        "SELECT ons_code, region_code, council_type FROM councils WHERE name = 'Leeds'"
    ).fetchall()
    assert row == [("E08000035", "E12000003", "metropolitan district")]
    geography = council_geography(con, "Leeds")
    assert geography["region_name"] == "Yorkshire and The Humber" and geography["loaded"]
    # the region's ASCOF rows carry the same code the councils table stores
    assert geography["region_code"] == row[0][1]
