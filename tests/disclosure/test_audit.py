"""The auditor finds the leaks of issue 9 in the old outputs, and nothing in today's.

Cases: three ordinary councils beside one, two or three tiny ones (``cases.py``); and the demo
database. Every public output is rebuilt from each database and attacked.
"""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from pipeline import analysis
from pipeline.disclosure import audit as auditor
from tests.disclosure import old_outputs
from tests.disclosure.cases import SMALL_QUESTION, TINY, WAVE, build_case


@pytest.fixture(scope="module", params=[1, 2, 3], ids=["one-tiny", "two-tiny", "three-tiny"])
def case(request, tmp_path_factory) -> tuple[int, Path]:
    folder = tmp_path_factory.mktemp(f"tiny{request.param}")
    return request.param, build_case(folder, request.param)


@pytest.fixture
def con(case):
    connection = analysis.open_database(case[1])
    yield connection
    connection.close()


def recovered_labels(result: auditor.AuditResult) -> str:
    return " | ".join(cell.label for cell in result.recovered)


def test_pooled_benchmark_subtraction_is_found_in_the_old_open_data(case, con, tmp_path) -> None:
    tiny, _ = case
    old_outputs.write_open_data(con, tmp_path, WAVE)
    result = auditor.audit_folder(tmp_path)
    labels = recovered_labels(result)
    # each council's benchmark leaves only itself out, so it holds every other hidden council:
    # its benchmark minus the visible counts gives the others back, however many are hidden
    for council in TINY[:tiny]:
        assert f"{council} {SMALL_QUESTION} count" in labels
    assert result.narrowest.width == 0


def test_p_values_beside_a_hidden_count_are_found_in_the_old_command_output(case, con) -> None:
    evidence = auditor.Evidence()
    auditor.cli_results_evidence(evidence, old_outputs.compare_records(con, WAVE))
    result = auditor.audit(evidence)
    labels = recovered_labels(result)
    for council in TINY[: case[0]]:
        assert f"{council} {SMALL_QUESTION} count" in labels


def test_overall_share_of_councils_compared_is_found_in_the_old_dashboard(case, con) -> None:
    evidence = auditor.Evidence()
    frame = old_outputs.council_comparison(con, WAVE, SMALL_QUESTION)
    auditor.comparison_evidence(evidence, frame, "old compare")
    result = auditor.audit(evidence)
    if case[0] == 1:
        assert f"{TINY[0]} {SMALL_QUESTION} count" in recovered_labels(result)
    else:
        assert result.cells  # several hidden: only their sum is pinned
        assert sum(c.width for c in result.cells) > 0


def test_budget_band_share_and_total_are_found_in_the_old_budgets_page(case, con) -> None:
    evidence = auditor.Evidence()
    for council in TINY[: case[0]]:
        auditor.budget_evidence(evidence, council, old_outputs.budget_tables(con, council), "old")
    result = auditor.audit(evidence)
    labels = recovered_labels(result)
    for council in TINY[: case[0]]:
        assert f"old:{council}:distribution {council}" in labels


def test_every_public_output_of_the_tiny_council_cases_gives_nothing_away(case, tmp_path) -> None:
    from pipeline.commands.audit import gather_evidence

    logging.disable(logging.WARNING)  # Streamlit's "no runtime" chatter outside a server
    try:
        evidence = gather_evidence(case[1], tmp_path, dashboard=True)
    finally:
        logging.disable(logging.NOTSET)
    result = auditor.audit(evidence)
    print(result.summary())
    assert result.cells, "the tiny councils' small counts must be hidden somewhere"
    assert result.passed, "\n".join(auditor.describe(result))
    assert result.narrowest.width >= result.threshold


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory) -> Path:
    from pipeline.demo import build_demo

    folder = tmp_path_factory.mktemp("demo-audit")
    build_demo(folder / "demo.duckdb", folder / "files", progress=False)
    return folder / "demo.duckdb"


@pytest.mark.slow
def test_audit_disclosure_passes_on_the_demo(demo_db, tmp_path) -> None:
    from typer.testing import CliRunner

    from pipeline.cli import app

    result = CliRunner().invoke(
        app, ["audit-disclosure", "--db", str(demo_db), "--keep", str(tmp_path)]
    )
    print(result.stdout)
    assert result.exit_code == 0, result.stdout
    assert " 0 recovered" in result.stdout
    assert list(tmp_path.rglob("*-open-data.csv")), "the reports were built and read"


def test_audit_disclosure_exits_1_when_a_count_is_recovered(tmp_path, monkeypatch) -> None:
    from typer.testing import CliRunner

    import pipeline.commands.audit as command
    from pipeline.cli import app

    (tmp_path / "db").mkdir()
    case = build_case(tmp_path / "db", 1)
    con = analysis.open_database(case)
    try:
        leaky = old_outputs.compare_records(con, WAVE)
    finally:
        con.close()

    def old_evidence(*_args, **_kwargs):
        evidence = auditor.Evidence()
        auditor.cli_results_evidence(evidence, leaky)
        return evidence

    monkeypatch.setattr(command, "gather_evidence", old_evidence)
    result = CliRunner().invoke(app, ["audit-disclosure", "--db", str(case)])
    assert result.exit_code == 1
    assert "RECOVERED" in result.stdout


def test_the_installed_command_audits_from_any_folder(tmp_path) -> None:
    """`outcomes audit-disclosure` as a council runs it: the console script, outside the clone.

    Tests run from the repository, where `dashboards` imports from the working folder; the
    installed command must find it too (it once failed with "No module named 'dashboards'").
    """
    import os
    import subprocess
    import sys

    (tmp_path / "db").mkdir()
    case = build_case(tmp_path / "db", 1)
    command = Path(sys.executable).parent / "outcomes"
    env = {**os.environ, "COLUMNS": "200"}
    env.pop("PYTHONPATH", None)
    finished = subprocess.run(
        [str(command), "audit-disclosure", "--db", str(case)],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )
    assert "ModuleNotFoundError" not in finished.stderr, finished.stderr[-2000:]
    assert finished.returncode == 0, finished.stdout[-2000:] + finished.stderr[-2000:]
    assert " 0 recovered" in finished.stdout


def test_dashboard_overview_process_and_outcomes_pages_give_nothing_away(case) -> None:
    """The Overview, Process and Outcomes pages of every council, read back by the auditor,
    hide the tiny councils' small count and let none be pinned (issue 9 items 1-2)."""
    import os

    os.environ["OUTCOMES_DB"] = str(case[1])
    from dashboards.state import Filters
    from dashboards.views import outcomes, overview, process
    from pipeline.commands.audit import _shown

    logging.disable(logging.WARNING)
    try:
        evidence = auditor.Evidence()
        for council in ("Ashby", "Brill", "Corfe", *TINY[: case[0]]):
            filters = Filters(council=council, wave=WAVE, instrument="poet-holder")
            for name, view in (
                ("overview", overview.build(filters, "public")),
                ("process", process.build(filters, "public", SMALL_QUESTION, "Paid job")),
            ):
                for chart in view.charts:
                    shown = _shown(chart)
                    if {"question_code", "n", "count"} <= set(shown.columns):
                        auditor.trends_evidence(
                            evidence, shown.assign(council=council, wave=WAVE), name
                        )
            spread = outcomes.distribution(filters, "public", SMALL_QUESTION)
            if council in TINY:
                better = spread[spread["answer_code"].astype(str) == "better"]
                assert better["count"].isna().all(), "the small count must be hidden"
    finally:
        logging.disable(logging.NOTSET)
    result = auditor.audit(evidence)
    print(result.summary())
    assert result.cells, "the tiny councils' small counts must be hidden on the Overview"
    assert result.passed, "\n".join(auditor.describe(result))
