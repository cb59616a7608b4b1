"""The `outcomes` command as an analyst uses it: ingest, status, quarantine, failures."""

from __future__ import annotations

import csv

from typer.testing import CliRunner

from pipeline.cli import app
from tests.conftest import FIXTURES
from tests.fixtures import make_fixtures as fx

runner = CliRunner()


def invoke(*args: str):
    return runner.invoke(app, list(args), catch_exceptions=False)


def test_ingest_status_and_quarantine_export(tmp_path):
    db = str(tmp_path / "cli.duckdb")
    result = invoke(
        "ingest",
        "budgets",
        str(FIXTURES / fx.BUDGETS),
        "--council",
        "Northshire",
        "--new-council",
        "--db",
        db,
    )
    assert result.exit_code == 0, result.output
    assert "loaded 40 of 40 budget records" in result.output
    result = invoke(
        "ingest",
        "surveys",
        str(FIXTURES / fx.HOLDER_XLSX),
        "--instrument",
        "poet-holder",
        "--council",
        "Northshire",
        "--wave",
        "2025",
        "--db",
        db,
    )
    assert result.exit_code == 0, result.output
    assert "Internal notes" in result.output  # the unmatched column is reported
    again = invoke(
        "ingest",
        "surveys",
        str(FIXTURES / fx.HOLDER_XLSX),
        "--instrument",
        "poet-holder",
        "--council",
        "Northshire",
        "--wave",
        "2025",
        "--db",
        db,
    )
    # nothing added: a distinct exit code so a script notices
    assert again.exit_code == 3 and "already loaded" in again.output

    status = runner.invoke(app, ["status", "--db", db], env={"COLUMNS": "200"})
    assert status.exit_code == 0
    assert (
        "Northshire" in status.output
        and "poet-holder" in status.output
        and "budgets" in status.output
    )

    out = tmp_path / "quarantine.csv"
    listing = invoke("quarantine", "--db", db, "--csv", str(out))
    assert listing.exit_code == 0
    with out.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert {int(r["source_row"]) for r in rows if r["file_name"] == fx.BUDGETS} == set(
        fx.BUDGETS_BAD
    )
    assert all(r["reason"] for r in rows)


def test_failure_exits_non_zero_with_a_one_line_reason(tmp_path):
    db = str(tmp_path / "cli.duckdb")
    result = runner.invoke(
        app,
        [
            "ingest",
            "surveys",
            str(FIXTURES / "truncated.xlsx"),
            "--instrument",
            "poet-holder",
            "--council",
            "Northshire",
            "--new-council",
            "--wave",
            "2025",
            "--db",
            db,
        ],
    )
    assert result.exit_code == 1
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1 and "truncated.xlsx" in lines[0]


def test_unknown_instrument_is_a_clear_error(tmp_path):
    result = runner.invoke(
        app,
        [
            "ingest",
            "surveys",
            str(FIXTURES / fx.HOLDER_UTF8),
            "--instrument",
            "poet-nope",
            "--council",
            "N",
            "--wave",
            "2025",
            "--db",
            str(tmp_path / "x.duckdb"),
        ],
    )
    assert result.exit_code == 1
    assert "unknown instrument 'poet-nope'" in result.output and "poet-holder" in result.output


def test_help_lists_the_commands():
    result = invoke("--help")
    for command in ("ingest", "status", "quarantine", "demo"):
        assert command in result.output


def _survey(db: str, council: str, wave: str, path=FIXTURES / fx.HOLDER_UTF8):
    return runner.invoke(
        app,
        ["ingest", "surveys", str(path), "-i", "poet-holder", "-c", council, "-w", wave]
        + ["--new-council", "--db", db],
    )


def test_implausible_waves_are_refused_and_store_nothing(tmp_path):
    from pipeline.store import connect

    db = str(tmp_path / "w.duckdb")
    for wave in ("0", "-5", "25", "3025"):
        result = _survey(db, "Northshire", wave)
        assert result.exit_code == 1, (wave, result.output)
        assert f"--wave {wave} is not a survey year" in result.output
    con = connect(db)
    assert con.execute("SELECT count(*) FROM loads").fetchall()[0][0] == 0
    con.close()


def test_same_bytes_for_another_council_or_wave_is_refused_not_already_loaded(tmp_path):
    db = str(tmp_path / "same.duckdb")
    assert _survey(db, "Northshire", "2025").exit_code == 0
    for council, wave, differs in (
        ("Eastbrook", "2025", "council"),
        ("Northshire", "2024", "wave"),
    ):
        result = _survey(db, council, wave)
        assert result.exit_code == 1, result.output
        assert "already loaded as load 1" in result.output and differs in result.output
    again = _survey(db, "Northshire", "2025")
    assert again.exit_code == 3 and "already loaded" in again.output


def test_square_brackets_in_values_are_shown_not_swallowed(tmp_path):
    path = tmp_path / "brackets.csv"
    path.write_text(
        "respondent_id,out_dignity,out_control\nR1,[c],better\nR2,better,[x]\n", encoding="utf-8"
    )
    db = str(tmp_path / "b.duckdb")
    assert _survey(db, "Northshire", "2025", path).exit_code == 0
    listing = runner.invoke(app, ["quarantine", "--db", db], env={"COLUMNS": "250"})
    assert listing.exit_code == 0
    assert "[c]" in listing.output and "[x]" in listing.output


def test_thousands_of_quarantined_values_are_summarised_not_listed(tmp_path):
    path = tmp_path / "many_bad.csv"
    lines = ["respondent_id,out_dignity,out_control,out_safe_home"]
    lines += [f"R{i},banana [c],Better,{'Worse' if i % 2 else 'Maybe'}" for i in range(3000)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = runner.invoke(
        app,
        ["ingest", "surveys", str(path), "-i", "poet-holder", "-c", "Leeds", "-w", "2025"]
        + ["--db", str(tmp_path / "q.duckdb")],
        env={"COLUMNS": "200"},
    )
    assert result.exit_code == 0, result.output
    assert len(result.output.splitlines()) < 30  # a summary, not 4,500 lines
    assert "4,500 quarantined" in result.output
    assert "outcomes quarantine --load 1" in result.output
    assert "out_dignity" in result.output and "3,000" in result.output
    assert "'banana [c]'" in result.output  # square brackets shown as written
    assert "1,500" in result.output  # out_safe_home's "Maybe" half


def test_the_load_report_names_the_lines_read_as_windows_1252(tmp_path):
    path = tmp_path / "mixed.csv"
    path.write_bytes(
        "respondent_id,out_dignity,comment_change\nR1,Better,£5 a week\n".encode()
        + "R2,Worse,£6 – pasted from Word\n".encode("cp1252")
        + "R3,Better,café\n".encode()
    )
    result = runner.invoke(
        app,
        ["ingest", "surveys", str(path), "-i", "poet-holder", "-c", "Leeds", "-w", "2025"]
        + ["--db", str(tmp_path / "m.duckdb")],
        env={"COLUMNS": "200"},
    )
    assert result.exit_code == 0, result.output
    assert "loaded 3 of 3 rows" in result.output
    notes = [line for line in result.output.splitlines() if line.startswith("note:")]
    assert any("Windows-1252" in line and "3" in line for line in notes), result.output
