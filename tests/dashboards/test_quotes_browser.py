"""The Quotes page in a real headless Chromium: a commissioner approves a redacted quote, the page
has no serious accessibility violations, and screenshots go to /tmp/quotes-shots/ to look at.
Run with ``pytest -m browser``."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from pipeline.store import connect, read_only_connection
from tests.dashboards.test_browser import (  # noqa: F401 (fixtures)
    browser,
    demo_db,
    page,
    serve,
    sign_in,
    wait_for_app,
)

pytestmark = [pytest.mark.browser, pytest.mark.slow]
SHOTS = Path("/tmp/quotes-shots")
PLANTED = (
    "My reference is NS112295, call me on 07700 900123 or email jo.bloggs@example.com. "
    "Tracey at 12 Acacia Road, LS1 4AB was brilliant."
)


@pytest.fixture
def planted_db(demo_db, tmp_path) -> Path:  # noqa: F811
    """A copy of the demo database with one comment of every group holding planted details."""
    path = tmp_path / "quotes.duckdb"
    shutil.copy(demo_db, path)
    con = connect(path)
    con.execute(
        "UPDATE comments SET comment_text = ? WHERE question_code = 'comment_best' "
        "AND respondent_key IN (SELECT min(respondent_key) FROM comments "
        "WHERE instrument = 'poet-holder' AND question_code = 'comment_best' "
        "GROUP BY council, wave)",
        [PLANTED],
    )
    con.close()
    return path


@pytest.fixture
def quotes_server(planted_db, tmp_path):
    yield from serve(planted_db, tmp_path)


def test_a_commissioner_approves_a_redacted_quote(page, quotes_server, planted_db) -> None:  # noqa: F811
    from axe_playwright_python.sync_playwright import Axe

    sign_in(page, quotes_server)
    page.locator('[data-testid="stSidebarNav"]').get_by_role("link", name="Quotes").click()
    page.wait_for_url("**/quotes*")
    wait_for_app(page)
    page.get_by_text("07700 900123").first.wait_for()  # details found come first
    wait_for_app(page)
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "quotes-pending.png"), full_page=True)

    results = Axe().run(page)
    serious = [
        (v["id"], v["impact"], v["help"], [n["target"] for n in v["nodes"]][:3])
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]
    assert serious == [], serious

    # the planted comment is the first card (details found come first)
    box = page.get_by_role("textbox", name="Text to publish").first
    assert "[phone number]" in box.input_value() and "07700" not in box.input_value()
    page.get_by_role("button", name="Approve").first.click()
    page.get_by_text("Approved the comment_best comment").wait_for()
    metrics = page.locator('[data-testid="stMetricValue"]')
    metrics.filter(has_text="165").wait_for()  # one fewer pending: the page shows the new state
    page.get_by_text("Approved", exact=True).last.click()  # the Show choice
    page.get_by_text("approved by commissioner").wait_for()
    wait_for_app(page)
    page.screenshot(path=str(SHOTS / "quotes-approved.png"), full_page=True)

    con = read_only_connection(planted_db)
    try:
        rows = con.execute(
            "SELECT approved_by, redacted_text FROM quote_moderation WHERE status = 'approved'"
        ).fetchall()
    finally:
        con.close()
    assert len(rows) == 1 and rows[0][0] == "commissioner"
    assert "07700" not in rows[0][1] and "[email]" in rows[0][1]
