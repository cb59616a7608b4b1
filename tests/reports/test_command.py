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


def test_report_without_a_browser_says_what_to_install(demo_db: Path, tmp_path: Path) -> None:
    """The PDF and PNG charts need Chromium: without one the command says so and stops (a
    fresh process, since this one may have a browser running already)."""
    import os
    import subprocess
    import sys

    outcomes = Path(sys.executable).parent / "outcomes"
    result = subprocess.run(
        [str(outcomes), "report", "-c", "Northshire", "-w", "2025", "-o", str(tmp_path),
         "--db", str(demo_db), "--formats", "html,pdf"],
        env={**os.environ, "OUTCOMES_CHROMIUM": str(tmp_path / "no-such-chromium")},
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert result.returncode == 1, result.stdout + result.stderr
    message = " ".join(result.stderr.split())
    assert "did not start" in message and "no-such-chromium" in message
    assert "Traceback" not in result.stderr
    assert not list(tmp_path.glob("*.pdf"))
