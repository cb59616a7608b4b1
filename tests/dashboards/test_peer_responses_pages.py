"""Peer responses on the dashboard (issue 13 item 5) under AppTest: a commissioner approves a
response with the council's reply on the Peer responses page (written by the collect module in
its own process, recorded with their sign-in), and the public You said, we did page then shows
it as moderated, never a pending or rejected response, the contact or a planted detail."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from pipeline import analysis
from pipeline.collect.merge import merge_pending
from pipeline.collect.responses import decide
from pipeline.collect.submissions import SubmissionStore, store_path_for
from pipeline.store import connect
from tests.dashboards.test_actions_pages import _text, open_page

PHONE, EMAIL, CONTACT = "07700 900321", "lee.m@example.com", "peer-contact@example.org"
REPLY = "Thank you: reviews will be booked a month ahead."


@pytest.fixture
def db(dashboard_db, tmp_path) -> Path:
    path = tmp_path / "responses-page.duckdb"
    shutil.copy(dashboard_db, path)
    store = SubmissionStore(store_path_for(path))
    store.add_peer_response(
        "Avonford", 2024, "Avonford Peer Network", CONTACT,
        f"Reviews come too late. Ring Lee on {PHONE} or {EMAIL}.",
    )  # fmt: skip
    rejected = store.add_peer_response("Avonford", 2024, "Rejected Peers", CONTACT, "No.")
    assert merge_pending(path, store).responses == 2
    con = connect(path)
    try:
        decide(con, rejected, status="rejected", by="alice")
    finally:
        con.close()
    return path


def test_public_page_shows_nothing_before_approval(db, monkeypatch) -> None:
    at = open_page(db, monkeypatch, "app_pages/14_You_said.py", signed_in=False)
    text = _text(at)
    assert "No responses to the 2024 results have been published yet." in " ".join(
        i.value for i in at.info
    )
    for secret in ("Avonford Peer Network", "Rejected Peers", PHONE, EMAIL, CONTACT):
        assert secret not in text


def test_peer_responses_page_is_for_commissioners_only(db, monkeypatch) -> None:
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        open_page(db, monkeypatch, "app_pages/16_Peer_responses.py", signed_in=False)


def test_a_commissioner_approves_with_a_reply_and_the_public_page_shows_it(db, monkeypatch) -> None:
    at = open_page(db, monkeypatch, "app_pages/16_Peer_responses.py", signed_in=True)
    text = _text(at) + " ".join(c.value for c in at.caption)
    assert CONTACT in text and "phone number" in text  # the commissioner sees what was sent
    reply = next(a for a in at.text_area if a.label.startswith("The council's reply"))
    reply.input(REPLY)
    next(b for b in at.button if b.label == "Approve").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert any("Approved peer response" in s.value and "by tester" in s.value for s in at.success)
    con = analysis.open_database(db)
    try:
        row = analysis.peer_responses(con, status="approved").iloc[0]
    finally:
        con.close()
    assert row["approved_by"] == "tester" and row["council_reply"] == REPLY

    public = open_page(db, monkeypatch, "app_pages/14_You_said.py", signed_in=False)
    text = _text(public)
    assert "Avonford Peer Network said" in text and REPLY in text and "[phone number]" in text
    assert "Ring [name] on" in text and "Lee" not in text
    for secret in ("Rejected Peers", PHONE, EMAIL, CONTACT, "tester"):
        assert secret not in text
