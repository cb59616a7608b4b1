"""Peer responses in a real Chromium: a commissioner types the council's reply and approves a
response on the Peer responses page; the public You said, we did page then shows it as
moderated (never the contact, the rejected one or the planted phone number) and both pages pass
axe. Screenshots go to /tmp/responses-shots/ to be looked at."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from pipeline.collect.merge import merge_pending
from pipeline.collect.responses import decide
from pipeline.collect.submissions import SubmissionStore, store_path_for
from pipeline.store import connect
from tests.dashboards.test_browser import serve, sign_in, wait_for_app
from tests.dashboards.test_browser_actions import _axe_serious, page  # noqa: F401 - fixture

pytestmark = [pytest.mark.browser, pytest.mark.slow]
SHOTS = Path("/tmp/responses-shots")
QUERY = "?council=Avonford&wave=2024&instrument=poet-holder"
PHONE, CONTACT = "07700 900654", "browser-contact@example.org"
REPLY = "Thank you: we are changing how reviews are booked."


@pytest.fixture
def responses_db(dashboard_db, tmp_path) -> Path:
    path = tmp_path / "browser-responses.duckdb"
    shutil.copy(dashboard_db, path)
    store = SubmissionStore(store_path_for(path))
    store.add_peer_response(
        "Avonford", 2024, "Avonford Peer Network", CONTACT,
        f"Reviews come too late for our members. Ring Lee on {PHONE}.",
    )  # fmt: skip
    rejected = store.add_peer_response("Avonford", 2024, "Rejected Peers", CONTACT, "No.")
    merge_pending(path, store)
    con = connect(path)
    try:
        decide(con, rejected, status="rejected", by="alice")
    finally:
        con.close()
    return path


@pytest.fixture
def responses_server(responses_db, tmp_path):
    yield from serve(responses_db, tmp_path)


def test_approved_with_a_reply_then_public_and_accessible(page, responses_server) -> None:  # noqa: F811
    SHOTS.mkdir(parents=True, exist_ok=True)
    sign_in(page, responses_server + "/" + QUERY)
    page.goto(responses_server + "/peer-responses" + QUERY)
    wait_for_app(page)
    page.get_by_text("Contact (never published)").first.wait_for()
    page.screenshot(path=str(SHOTS / "peer-responses-pending.png"), full_page=True)
    assert _axe_serious(page) == []
    reply = page.get_by_role("textbox", name="The council's reply (published with it)").first
    reply.fill(REPLY)
    reply.press("Control+Enter")  # a text area keeps its value once it loses focus or on Ctrl+Enter
    page.get_by_role("button", name="Approve").first.click()
    page.get_by_text("by commissioner").first.wait_for()
    wait_for_app(page)
    page.screenshot(path=str(SHOTS / "peer-responses-page.png"), full_page=True)
    assert _axe_serious(page) == []

    public = page.context.browser.new_context(viewport={"width": 1400, "height": 1000})
    tab = public.new_page()
    tab.set_default_timeout(60_000)
    try:
        tab.goto(responses_server + "/you-said" + QUERY)
        wait_for_app(tab)
        tab.get_by_text("Avonford Peer Network said").wait_for()
        body = tab.locator('[data-testid="stMain"]').inner_text()
        assert REPLY in body and "[phone number]" in body
        for secret in (PHONE, CONTACT, "Rejected Peers", "commissioner"):
            assert secret not in body
        tab.screenshot(path=str(SHOTS / "you-said-peer-responses.png"), full_page=True)
        assert _axe_serious(tab) == []
    finally:
        public.close()
