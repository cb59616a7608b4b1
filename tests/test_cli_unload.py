"""`outcomes loads` and `outcomes unload` as an analyst uses them after loading a file wrongly."""

from __future__ import annotations

import getpass

from typer.testing import CliRunner

from pipeline.cli import app
from pipeline.store import connect
from tests.conftest import FIXTURES
from tests.fixtures import make_fixtures as fx

runner = CliRunner()
WIDE = {"COLUMNS": "250"}


def _survey(db: str, council: str, path=FIXTURES / fx.HOLDER_UTF8):
    return runner.invoke(
        app,
        ["ingest", "surveys", str(path), "-i", "poet-holder", "-c", council, "-w", "2025"]
        + ["--db", db],
    )


def _count(db: str, sql: str) -> int:
    con = connect(db)
    try:
        return con.execute(sql).fetchall()[0][0]
    finally:
        con.close()


def test_a_load_for_the_wrong_council_is_listed_unloaded_and_loaded_again(tmp_path):
    db = str(tmp_path / "cli.duckdb")
    assert _survey(db, "Leeds").exit_code == 0  # the wrong council
    refused = _survey(db, "Bradford")
    assert refused.exit_code == 1 and "`outcomes unload 1`" in refused.output

    listing = runner.invoke(app, ["loads", "--db", db], env=WIDE)
    assert listing.exit_code == 0
    assert fx.HOLDER_UTF8 in listing.output and "Leeds" in listing.output

    answered_no = runner.invoke(app, ["unload", "1", "--db", db], input="n\n", env=WIDE)
    assert answered_no.exit_code == 1 and "not removed" in answered_no.output
    assert "respondents" in answered_no.output and "Leeds" in answered_no.output
    assert _count(db, "SELECT count(*) FROM loads") == 1

    done = runner.invoke(
        app, ["unload", "1", "--db", db, "--reason", "wrong council"], input="y\n", env=WIDE
    )
    assert done.exit_code == 0, done.output
    assert "removed load 1" in done.output and "loaded again" in done.output
    assert _count(db, "SELECT count(*) FROM respondents") == 0
    con = connect(db)
    audit = con.execute("SELECT load_id, council, removed_by, reason FROM unloads").fetchall()
    con.close()
    assert audit == [(1, "Leeds", getpass.getuser(), "wrong council")]

    again = _survey(db, "Bradford")
    assert again.exit_code == 0 and "as load 2" in again.output


def test_unknown_load_and_a_load_others_depend_on_are_refused(tmp_path):
    db = str(tmp_path / "refused.duckdb")
    unknown = runner.invoke(app, ["unload", "7", "--yes", "--db", db])
    assert unknown.exit_code == 1 and "no database here" in unknown.output
    assert _survey(db, "Bradford").exit_code == 0
    unknown = runner.invoke(app, ["unload", "7", "--yes", "--db", db], env=WIDE)
    assert unknown.exit_code == 1
    assert "load 7 is not in this database" in unknown.output and "outcomes loads" in unknown.output

    copy = tmp_path / "re-export.csv"
    copy.write_bytes((FIXTURES / fx.HOLDER_UTF8).read_bytes() + b"\n\n")
    assert _survey(db, "Bradford", copy).exit_code == 0  # every return a copy of load 1's
    refused = runner.invoke(app, ["unload", "1", "--yes", "--db", db], env=WIDE)
    assert refused.exit_code == 1 and "outcomes unload 2" in refused.output
    assert _count(db, "SELECT count(*) FROM unloads") == 0
    assert runner.invoke(app, ["unload", "2", "--yes", "--db", db]).exit_code == 0
    assert runner.invoke(app, ["unload", "1", "--yes", "--db", db]).exit_code == 0


def test_help_lists_unload_and_loads():
    result = runner.invoke(app, ["--help"])
    assert "unload" in result.output and "loads" in result.output


def test_loads_lists_budget_loads_which_have_no_wave(tmp_path):
    db = str(tmp_path / "b.duckdb")
    loaded = runner.invoke(
        app, ["ingest", "budgets", str(FIXTURES / fx.BUDGETS), "-c", "Leeds", "--db", db]
    )
    assert loaded.exit_code == 0, loaded.output
    assert _survey(db, "Leeds").exit_code == 0
    listing = runner.invoke(app, ["loads", "--db", db], env=WIDE)
    assert listing.exit_code == 0, listing.output
    assert fx.BUDGETS in listing.output and fx.HOLDER_UTF8 in listing.output
