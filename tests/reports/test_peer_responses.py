"""Peer responses on the results page (issue 13 item 5): an approved response, as moderated, with
the council's reply; never a pending or rejected one, the contact given, the words as sent, who
approved it, or a phone number or email planted in the text; and the section passes axe."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pandas as pd
import pytest

from pipeline import analysis
from pipeline.collect.merge import merge_pending
from pipeline.collect.responses import decide
from pipeline.collect.submissions import SubmissionStore, store_path_for
from pipeline.reports.builder import build_council_report
from pipeline.store import connect
from tests.dashboards.conftest import build_dashboard_database

PHONE, EMAIL, CONTACT = "07700 900789", "kim.p@example.com", "peers@example.org"
REPLY = "Thank you. Reviews will be booked a month ahead from April."
SECRETS = (PHONE, EMAIL, CONTACT, "Pending Peers", "Rejected Peers", "carol")


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = build_dashboard_database(tmp_path_factory.mktemp("peer-responses"))
    store = SubmissionStore(store_path_for(path))
    approved = store.add_peer_response(
        "Avonford", 2024, "Avonford Peer Network", CONTACT,
        f"Reviews come too late.\nCall Kim on {PHONE} or write to {EMAIL}.",
    )  # fmt: skip
    rejected = store.add_peer_response("Avonford", 2024, "Rejected Peers", CONTACT, "No.")
    store.add_peer_response("Avonford", 2024, "Pending Peers", CONTACT, "Waiting.")
    assert merge_pending(path, store).responses == 3
    con = connect(path)
    try:
        decide(con, approved, status="approved", by="carol", reply=REPLY)
        decide(con, rejected, status="rejected", by="carol")
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


def test_the_results_page_shows_the_approved_response_and_the_reply(report) -> None:
    page = report["html"].read_text(encoding="utf-8")
    assert "Responses from peer networks" in page
    assert "Avonford Peer Network said" in page and REPLY in page
    assert "<p>Reviews come too late.</p>" in page and "[phone number]" in page


def test_the_easy_read_page_and_the_workbook_carry_it_too(report) -> None:
    easy = report["easy_read"].read_text(encoding="utf-8")
    assert "What groups said back to us" in easy and "Avonford Peer Network said" in easy
    assert f"We said back:</strong> {REPLY}" in easy
    assert "Call [name] on [phone number]" in easy  # moderated words, as on the results page
    sheet = pd.read_excel(report["xlsx"], sheet_name="Peer responses", engine="openpyxl")
    assert list(sheet.columns) == ["Organisation", "Response", "Council's reply"]
    assert sheet.to_dict("records") == [
        {
            "Organisation": "Avonford Peer Network",
            "Response": "Reviews come too late.\nCall [name] on [phone number] or write to [email].",
            "Council's reply": REPLY,
        }
    ]


def test_nothing_unapproved_or_private_reaches_any_report_file(report) -> None:
    for key in ("html", "easy_read", "csv"):
        text = report[key].read_text(encoding="utf-8")
        for secret in SECRETS:
            assert secret not in text, (key, secret)
    sheets = pd.read_excel(report["xlsx"], sheet_name=None, engine="openpyxl")
    every_cell = " ".join(
        str(v) for sheet in sheets.values() for v in sheet.astype(str).to_numpy().ravel()
    )
    for secret in SECRETS:
        assert secret not in every_cell


def test_another_wave_and_council_show_none(db) -> None:
    con = analysis.open_database(db)
    try:
        assert analysis.published_responses(con, council="Avonford", wave=2023).empty
        others = [c for c in analysis.councils(con) if c != "Avonford"]
        assert analysis.published_responses(con, council=others[0], wave=2024).empty
    finally:
        con.close()


@pytest.mark.browser
def test_the_section_passes_axe(report) -> None:
    from tests.reports.test_accessibility import _axe_report

    with ThreadPoolExecutor(max_workers=1) as pool:
        results, _ = pool.submit(_axe_report, report["html"]).result()
    bad = [v for v in results.response["violations"] if v["impact"] in ("serious", "critical")]
    assert not bad, [(v["id"], v["help"]) for v in bad]


def test_the_form_link_needs_the_sites_public_address(monkeypatch) -> None:
    from pipeline.config import peer_response_address

    monkeypatch.delenv("OUTCOMES_SURVEY_SITE_URL", raising=False)
    assert peer_response_address("Avonford") is None  # no dead loopback link on a public page
    monkeypatch.setenv("OUTCOMES_SURVEY_SITE_URL", "https://survey.example.gov.uk/")
    assert peer_response_address("Bath and North East Somerset") == (
        "https://survey.example.gov.uk/respond/Bath%20and%20North%20East%20Somerset"
    )
