"""Comparator group files in the layouts councils download (tests/fixtures/peers/)."""

from __future__ import annotations

import shutil

import pytest
from typer.testing import CliRunner

from pipeline.analysis import comparator_group, council_geography, loads
from pipeline.cli import app
from pipeline.council_register import councils_on, resolve_council
from pipeline.ingest.peer_files import PeerFileError, load_peer_file
from tests.conftest import FIXTURES
from tests.fixtures.make_peer_fixtures import DARLINGTON, HARTLEPOOL
from tests.seeding import new_database

PEERS = FIXTURES / "peers"
WIDE = PEERS / "cipfa_nearest_neighbours.xlsx"
LONG = PEERS / "cipfa_nearest_neighbours.csv"
CODES = PEERS / "nhs_nearest_neighbours_codes.csv"
runner = CliRunner()


def _names(texts) -> list[str]:
    return [resolve_council(t).name for t in texts]


def test_the_cipfa_workbook_loads_every_ranked_neighbour(tmp_path):
    con = new_database(tmp_path)
    result = load_peer_file(con, WIDE)
    assert (result.status, result.councils, result.pairs) == ("loaded", 2, 30)
    assert comparator_group(con, "Hartlepool") == ["Hartlepool", *_names(HARTLEPOOL)]
    ranks = con.execute(
        "SELECT peer_rank FROM peer_groups WHERE council = 'Darlington' ORDER BY peer_rank"
    ).fetchall()
    assert [r[0] for r in ranks] == list(range(1, 16))
    assert comparator_group(con, "E06000005")[1:] == _names(DARLINGTON)
    load = loads(con)
    assert load.loc[load["load_id"] == result.load_id, "kind"].item() == "peers"


def test_the_long_csv_and_the_code_only_list_resolve_the_same_councils(tmp_path):
    con = new_database(tmp_path)
    load_peer_file(con, LONG)
    group = comparator_group(con, "hartlepool")
    assert group == ["Hartlepool", *_names(HARTLEPOOL)]
    assert "St. Helens" in group and "Kingston upon Hull, City of" in group
    load_peer_file(con, CODES)
    assert comparator_group(con, "Darlington") == [
        "Darlington",
        "Middlesbrough",
        "Redcar and Cleveland",
        "Stockton-on-Tees",
    ]
    codes = con.execute("SELECT DISTINCT peer_code FROM peer_groups WHERE council = 'Darlington'")
    assert {r[0] for r in codes.fetchall()} == {"E06000002", "E06000003", "E06000004"}


def test_reloading_the_same_file_adds_nothing(tmp_path):
    con = new_database(tmp_path)
    first = load_peer_file(con, WIDE)
    count = con.execute("SELECT count(*) FROM peer_groups").fetchall()[0][0]
    again = load_peer_file(con, WIDE)
    assert again.status == "already_loaded" and again.load_id == first.load_id
    assert con.execute("SELECT count(*) FROM peer_groups").fetchall()[0][0] == count == 30
    assert con.execute("SELECT count(*) FROM loads WHERE kind = 'peers'").fetchall()[0][0] == 1


def test_an_unknown_council_refuses_the_whole_file_naming_row_and_value(tmp_path):
    con = new_database(tmp_path)
    bad = tmp_path / "neighbours.csv"
    rows = ["Authority,Rank,Nearest Neighbour", "Hartlepool,1,Middlesbrough"]
    rows += ["Hartlepool,2,Gotham City", "Hartlepool,3,Sunderland"]
    bad.write_text("\n".join(rows) + "\n", encoding="utf-8")
    with pytest.raises(PeerFileError) as error:
        load_peer_file(con, bad)
    message = str(error.value)
    assert "neighbours.csv" in message and "row 3" in message and "'Gotham City'" in message
    assert con.execute("SELECT count(*) FROM peer_groups").fetchall()[0][0] == 0
    assert con.execute("SELECT count(*) FROM loads WHERE kind = 'peers'").fetchall()[0][0] == 0


def test_a_file_without_a_comparator_column_is_refused(tmp_path):
    con = new_database(tmp_path)
    bad = tmp_path / "list.csv"
    bad.write_text("Authority,Population\nHartlepool,92000\n", encoding="utf-8")
    with pytest.raises(PeerFileError, match="list.csv: no comparator column"):
        load_peer_file(con, bad)


def test_region_and_type_groups_come_from_the_register(tmp_path):
    con = new_database(tmp_path)
    today = councils_on()
    north_east = sorted(c.name for c in today if c.region_code == "E12000001")
    region = comparator_group(con, "Hartlepool", "region")
    assert region[0] == "Hartlepool" and sorted(region) == north_east
    unitaries = [c.name for c in today if c.council_type == "unitary authority"]
    by_type = comparator_group(con, "Hartlepool", "type")
    assert sorted(by_type) == sorted(unitaries) and by_type[0] == "Hartlepool"
    # no file loaded: the council alone, never dropped
    assert comparator_group(con, "Hartlepool") == ["Hartlepool"]
    with pytest.raises(ValueError, match="unknown comparator group"):
        comparator_group(con, "Hartlepool", "cipfa")


def test_council_geography_lines_up_with_the_register(tmp_path):
    con = new_database(tmp_path)
    geography = council_geography(con, "Royal Borough of Windsor and Maidenhead")
    entry = resolve_council("Windsor and Maidenhead")
    assert geography["ons_code"] == entry.ons_code
    assert (geography["region_code"], geography["region_name"]) == ("E12000008", "South East")
    assert geography["council_type"] == "unitary authority" and geography["registered"]
    assert geography["loaded"] is False
    test_council = council_geography(con, "Test Borough")
    assert test_council["registered"] is False and test_council["ons_code"] is None


def test_the_cli_loads_and_reports_an_already_loaded_file(tmp_path):
    db = tmp_path / "cli.duckdb"
    copy = tmp_path / WIDE.name
    shutil.copy(WIDE, copy)
    first = runner.invoke(app, ["ingest", "peers", str(copy), "--db", str(db)])
    assert first.exit_code == 0, first.output
    assert "2 council(s), 30 pairs" in first.output
    again = runner.invoke(app, ["ingest", "peers", str(copy), "--db", str(db)])
    assert again.exit_code == 0 and "already loaded" in again.output
    bad = tmp_path / "bad.csv"
    bad.write_text("Council,Comparator\nNowhere Shire,Hartlepool\n", encoding="utf-8")
    refused = runner.invoke(app, ["ingest", "peers", str(bad), "--db", str(db)])
    assert refused.exit_code == 1
    assert "bad.csv: row 2" in refused.output and "Nowhere Shire" in refused.output


def test_unloading_a_peers_load_removes_its_pairs(tmp_path):
    from pipeline.ingest.unload import unload

    con = new_database(tmp_path)
    result = load_peer_file(con, WIDE)
    unload(con, result.load_id, by="tester", reason="wrong model year")
    assert con.execute("SELECT count(*) FROM peer_groups").fetchall()[0][0] == 0
    assert comparator_group(con, "Hartlepool") == ["Hartlepool"]
