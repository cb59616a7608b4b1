"""`outcomes report`: one council's set, every council's set with an index, and clear errors."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from pipeline.cli import app

runner = CliRunner()


def test_report_all_councils_writes_each_set_and_an_index(demo_db: Path, tmp_path: Path) -> None:
    result = runner.invoke(
        app,
        [
            "report",
            "--all-councils",
            "--wave",
            "2025",
            "--out",
            str(tmp_path),
            "--db",
            str(demo_db),
            "--formats",
            "html,csv,xlsx",
            "--workers",
            "1",
        ],
    )
    assert result.exit_code == 0, result.output
    index = (tmp_path / "index.html").read_text(encoding="utf-8")
    for council in ("Eastbrook", "Northshire", "Westmere"):
        folder = tmp_path / council.lower()
        assert (folder / f"{council.lower()}-2025-poet-holder-results.html").exists()
        assert f"{council.lower()}/{council.lower()}-2025-poet-holder-open-data.csv" in index


def test_report_unknown_council_says_what_is_loaded(demo_db: Path, tmp_path: Path) -> None:
    result = runner.invoke(
        app,
        ["report", "--council", "Nowhere", "--wave", "2025", "--out", str(tmp_path)]
        + ["--db", str(demo_db)],
    )
    assert result.exit_code == 1
    assert "Eastbrook" in result.output
