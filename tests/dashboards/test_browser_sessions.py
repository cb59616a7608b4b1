"""In a real headless Chromium: a commissioner's sign-in survives a reload, a new tab and a
bookmarked commissioner-only URL, ends with Sign out; `/overview` opens; a filter a page cannot
use is disabled with its reason. Screenshots go to /tmp/sessions-shots/ to be looked at.

Serves the page-test database (quicker to build than the demo) with sign-ins lasting 2 hours.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from tests.dashboards.test_browser import USER, serve, sign_in, wait_for_app

pytestmark = [pytest.mark.browser, pytest.mark.slow]
SHOTS = Path("/tmp/sessions-shots")


@pytest.fixture(scope="module")
def session_server(dashboard_db, tmp_path_factory):
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("OUTCOMES_SESSION_HOURS", "2")
        yield from serve(dashboard_db, tmp_path_factory.mktemp("session-users"))


@pytest.fixture
def context(browser):
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    context.set_default_timeout(60_000)
    yield context
    context.close()


def session_cookie(context) -> dict | None:
    return next((c for c in context.cookies() if c["name"] == "sds_outcomes_session"), None)


def heading(tab) -> str:
    return tab.locator('[data-testid="stMain"] h1').first.inner_text()


def test_sign_in_lasts_across_reload_new_tab_and_bookmark_until_sign_out(
    context, session_server
) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    tab = context.new_page()
    sign_in(tab, session_server)
    tab.wait_for_function("() => document.cookie.includes('sds_outcomes_session=')")
    cookie = session_cookie(context)
    assert cookie and cookie["sameSite"] == "Strict" and not cookie["httpOnly"]
    assert abs(cookie["expires"] - (time.time() + 2 * 3600)) < 120  # OUTCOMES_SESSION_HOURS=2
    assert "sds_outcomes_session" not in tab.url and cookie["value"] not in tab.url
    tab.get_by_text("Stays signed in on this browser until").wait_for()
    tab.locator('[data-testid="stSidebar"]').screenshot(path=str(SHOTS / "signed-in.png"))

    tab.reload()
    wait_for_app(tab)
    tab.get_by_text(f"Signed in as {USER}").wait_for()
    assert "Load data" in tab.locator('[data-testid="stSidebarNav"]').inner_text()

    bookmark = context.new_page()  # a new tab opening a commissioner-only bookmark
    bookmark.goto(f"{session_server}/data-quality?council=Brightwater&wave=2024")
    wait_for_app(bookmark)
    assert heading(bookmark) == "Data quality"
    bookmark.get_by_text(f"Signed in as {USER}").wait_for()
    bookmark.close()

    tab.get_by_role("button", name="Sign out").click()
    tab.get_by_text("Public view: published figures only.").wait_for()
    tab.wait_for_function("() => !document.cookie.includes('sds_outcomes_session=')")
    assert session_cookie(context) is None
    tab.reload()
    wait_for_app(tab)
    tab.get_by_text("Public view: published figures only.").wait_for()
    assert "Load data" not in tab.locator('[data-testid="stSidebarNav"]').inner_text()


def test_overview_opens_at_its_own_path_and_filters_say_where_they_apply(
    context, session_server
) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    tab = context.new_page()
    tab.goto(f"{session_server}/overview?council=Brightwater&wave=2024&weighted=1&by=gender")
    wait_for_app(tab)
    assert heading(tab).startswith("Overview: Personal budget holders, Brightwater, wave 2024")
    assert tab.get_by_text("Page not found").count() == 0
    sidebar = tab.locator('[data-testid="stSidebar"]')
    subgroup = sidebar.locator('[data-testid="stSelectbox"]').filter(has_text="Subgroup")
    assert subgroup.locator("input").is_disabled()
    sidebar.get_by_text("Subgroups apply to the Outcomes page").wait_for()
    sidebar.screenshot(path=str(SHOTS / "overview-subgroup-disabled.png"))

    tab.goto(f"{session_server}/outcomes?council=Brightwater&wave=2024&weighted=1&by=gender")
    wait_for_app(tab)
    assert tab.get_by_text("Page not found").count() == 0
    assert heading(tab) == "Outcomes"
    toggle = sidebar.locator('[data-testid="stCheckbox"]').filter(has_text="Weighted to")
    assert toggle.locator("input").is_disabled()
    sidebar.get_by_text("Weighting applies to the shares on Overview and Process only").wait_for()
    tab.screenshot(path=str(SHOTS / "outcomes-weighting-disabled.png"), full_page=True)
