"""'You said, we did' in the report set (issue 13 item 2): public actions with the next wave's
result on the results page, the easy-read page and the workbook; private ones nowhere; figures
through the disclosure rule (the auditor still passes, axe finds nothing serious)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pandas as pd
import pytest

from pipeline import analysis
from pipeline.collect.actions import add_action, update_action
from pipeline.disclosure import audit as auditor
from pipeline.disclosure.you_said import publish_you_said
from pipeline.reports.builder import build_all_councils, build_council_report
from pipeline.store import connect
from tests.dashboards.conftest import build_dashboard_database

PUBLIC = "run drop-in sessions on getting support in every library"
PRIVATE = "quietly restructure the brokerage contract"
UPDATE = "Twelve sessions held so far"


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("you-said")
    path = build_dashboard_database(folder)
    con = connect(path)
    try:
        public = add_action(
            con, council="Avonford", wave=2023, question="out_support", action=PUBLIC,
            owner="Jo Smith", due="2024-03", by="alice", public=True,
        )  # fmt: skip
        update_action(con, public, by="bob", status="under_way", public_update=UPDATE)
        add_action(
            con, council="Avonford", wave=2023, question="proc_review", action=PRIVATE,
            owner="Reviews team", due="2024-06-30", by="alice",
        )  # fmt: skip
        add_action(
            con, council="Avonford", wave=2024, question="Having support reviewed",
            action="We will write to everyone before their review", owner="Reviews team",
            due="2025-03-31", by="alice", public=True,
        )  # fmt: skip
    finally:
        con.close()
    return path


@pytest.fixture(scope="module")
def report(db: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    con = analysis.open_database(db)
    try:
        return build_council_report(
            con, "Avonford", 2024, tmp_path_factory.mktemp("report"),
            formats=("html", "xlsx", "easy_read", "csv"),
        )  # fmt: skip
    finally:
        con.close()


def test_results_page_says_what_was_promised_and_whether_it_moved(db, report) -> None:
    html = report["html"].read_text(encoding="utf-8")
    assert 'id="you-said"' in html and "You said, we did" in html
    assert "You said getting the support you need was not getting better for enough people." in (
        html
    )
    assert f"We said we would {PUBLIC}. By March 2024." in html
    assert "Under way." in html and UPDATE + "." in html
    con = analysis.open_database(db)
    try:
        change = analysis.wave_changes(con, council="Avonford", wave=2024, previous=2023)
    finally:
        con.close()
    row = change.set_index("question_code").loc["out_support"]
    words = {
        "improved": "a real improvement",
        "no change": "no real change",
        "worse": "a real fall",
    }
    expected = (
        f"In 2024, {round(row['value']):.0f}% said it got better, compared with "
        f"{round(row['previous_value']):.0f}% in 2023: {words[row['verdict']]}."
    )
    assert expected in html  # the Trends verdict, between the action's wave and this one
    # agreed at this wave: no result yet, said so
    assert "We said we would write to everyone before their review." in html
    assert "The next survey will show whether this made a difference." in html
    # Making it Real (item 3): results grouped under the framework's statements
    assert 'id="making-it-real"' in html and "I am accepted for who I am." in html
    assert "Our survey has no evidence about this yet." in html


def test_private_actions_and_owners_appear_in_no_report_file(report) -> None:
    for key in ("html", "easy_read", "csv"):
        text = report[key].read_text(encoding="utf-8")
        assert PRIVATE not in text and "Jo Smith" not in text and "alice" not in text, key
    sheets = pd.read_excel(report["xlsx"], sheet_name=None, engine="openpyxl")
    every_cell = " ".join(
        str(v) for sheet in sheets.values() for v in sheet.astype(str).to_numpy().ravel()
    )
    assert PRIVATE not in every_cell and "Jo Smith" not in every_cell


def test_easy_read_and_workbook_carry_the_same_actions(report) -> None:
    easy = report["easy_read"].read_text(encoding="utf-8")
    assert "We would run drop-in sessions" in easy and "We are doing this now." in easy
    sheet = pd.read_excel(report["xlsx"], sheet_name="You said, we did", engine="openpyxl")
    assert list(sheet["Topic"]) == ["Having support reviewed", "Getting the support you need"]
    support = sheet.set_index("Topic").loc["Getting the support you need"]
    assert support["Progress"] == "Under way" and support["Result year"] == 2024
    assert support["Percent now"] > 0 and support["Did it move?"] in ("improved", "no change",
                                                                    "worse")  # fmt: skip


def test_a_report_of_the_action_wave_shows_no_later_result(db, tmp_path) -> None:
    con = analysis.open_database(db)
    try:
        files = build_council_report(con, "Avonford", 2023, tmp_path, formats=("html",))
    finally:
        con.close()
    html = files["html"].read_text(encoding="utf-8")
    assert PUBLIC in html and "write to everyone" not in html  # a 2024 action is not yet made
    assert "The next survey will show" in html


def test_a_small_base_in_either_wave_hides_the_comparison() -> None:
    frame = pd.DataFrame(
        {
            "action_id": [1, 2],
            "question_code": ["out_support", "out_dignity"],
            "verdict": ["no change", "improved"],
            "value": [50.0, 80.0],
            "previous_value": [46.0, 50.0],
            "difference": [4.0, 30.0],
            "n": [130, 130],
            "previous_n": [130, 6],
            "count": [65, 104],
            "previous_count": [60, 3],
            "p_value": [0.5, 0.01],
            "p_adjusted": [0.5, 0.02],
            "suppressed": [False, False],
            "suppression_reason": ["", ""],
        }
    )
    shown = publish_you_said(frame)
    assert not shown.loc[0, "suppressed"] and shown.loc[0, "value"] == 50.0
    assert shown.loc[1, "suppressed"]
    assert shown.loc[1, ["value", "previous_value", "count", "previous_count"]].isna().all()
    assert shown.loc[1, "verdict"] is None
    published = pd.DataFrame({"question_code": ["out_support"], "suppressed": [True]})
    assert publish_you_said(frame, published).loc[0, "suppressed"]


def test_the_disclosure_auditor_passes_on_every_report_with_actions(db, tmp_path) -> None:
    con = analysis.open_database(db)
    try:
        for wave in (2023, 2024):
            build_all_councils(con, wave, tmp_path / str(wave), formats=("csv", "xlsx"),
                               progress=False, workers=1)  # fmt: skip
    finally:
        con.close()
    assert any("You said, we did" in pd.ExcelFile(p, engine="openpyxl").sheet_names
               for p in tmp_path.rglob("avonford*.xlsx"))  # fmt: skip
    result = auditor.audit_folder(tmp_path)
    assert result.passed, result.summary()


@pytest.mark.browser
def test_the_you_said_section_passes_axe(report) -> None:
    from tests.reports.test_accessibility import _axe_report

    for key in ("html", "easy_read"):
        with ThreadPoolExecutor(max_workers=1) as pool:
            results, _ = pool.submit(_axe_report, report[key]).result()
        bad = [v for v in results.response["violations"] if v["impact"] in ("serious",
                                                                            "critical")]  # fmt: skip
        assert not bad, [(v["id"], v["help"]) for v in bad]


def test_every_you_said_figure_the_public_sees_is_read_by_the_auditor(db, tmp_path) -> None:
    """``outcomes audit-disclosure`` reads the workbook's You said sheet and the dashboard's You
    said and People like me pages, and still finds nothing recoverable."""
    import logging

    from pipeline.commands.audit import gather_evidence

    logging.disable(logging.WARNING)  # Streamlit's "no runtime" chatter outside a server
    try:
        evidence = gather_evidence(db, tmp_path, dashboard=True)
    finally:
        logging.disable(logging.NOTSET)
    for name in ("report you said", "dashboard you said"):
        shown = evidence.tables[name].frame
        assert set(shown["question_code"]) == {"out_support"}, name
        assert set(shown["council"]) == {"Avonford"} and shown["value"].notna().all(), name
    assert any(name.startswith("dashboard people like me") for name in evidence.tables)
    result = auditor.audit(evidence)
    assert result.passed, "\n".join(auditor.describe(result))


def test_the_auditor_catches_a_you_said_share_of_a_hidden_count() -> None:
    """A results table hides 3 of 40; a You said section giving the same result's 7.5% would
    pin it: the auditor must say so (the leak the section's publishing rule prevents)."""
    key = {"wave": [2024], "council": ["Avonford"], "question_code": ["out_support"]}
    evidence = auditor.Evidence()
    auditor.trends_evidence(
        evidence,
        pd.DataFrame({**key, "n": [40.0], "count": [float("nan")], "value": [float("nan")]}),
        "results page",
    )
    shown = pd.DataFrame({**key, "n": [float("nan")], "count": [float("nan")], "value": [7.5]})
    auditor.you_said_evidence(evidence, [shown], "report you said")
    result = auditor.audit(evidence)
    assert not result.passed
    assert [(cell.low, cell.high) for cell in result.recovered] == [(3, 3)]
