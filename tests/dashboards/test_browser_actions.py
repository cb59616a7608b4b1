"""Issue 13 in a real Chromium: a commissioner records and publishes an action on the Actions
page by keyboard; the public You said, we did page shows it (and never the unpublished one) and
passes axe. Screenshots go to /tmp/actions-shots/ to be looked at."""

from __future__ import annotations

import shutil
from contextlib import contextmanager
from pathlib import Path

import pytest

from pipeline import analysis
from pipeline.collect.actions import add_action
from pipeline.store import connect
from tests.dashboards.test_browser import serve, sign_in, wait_for_app

pytestmark = [pytest.mark.browser, pytest.mark.slow]
SHOTS = Path("/tmp/actions-shots")
PRIVATE = "quietly restructure the brokerage contract"
TYPED = "write to everyone before their review"
QUERY = "?council=Avonford&wave=2024&instrument=poet-holder"


@pytest.fixture
def actions_db(dashboard_db, tmp_path) -> Path:
    path = tmp_path / "browser-actions.duckdb"
    shutil.copy(dashboard_db, path)
    con = connect(path)
    try:
        add_action(con, council="Avonford", wave=2023, question="proc_review", action=PRIVATE,
                   owner="Reviews team", due="2024-06-30", by="alice")  # fmt: skip
    finally:
        con.close()
    return path


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    tab = context.new_page()
    tab.set_default_timeout(60_000)
    yield tab
    context.close()


@pytest.fixture
def actions_server(actions_db, tmp_path):
    yield from serve(actions_db, tmp_path)


def _axe_serious(tab) -> list:
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(tab)
    return [
        (v["id"], v["help"], [n["target"] for n in v["nodes"]][:3])
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def test_an_action_added_by_keyboard_reaches_the_public_page_and_a_private_one_never(
    page, actions_server, actions_db
) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    sign_in(page, actions_server + "/" + QUERY)
    page.goto(actions_server + "/actions" + QUERY)  # the sign-in cookie carries over
    wait_for_app(page)
    page.get_by_text("Actions for Avonford (1)").wait_for()
    page.get_by_text(PRIVATE).first.wait_for(state="attached")  # commissioners see every action

    # the form by keyboard: the question box, then tab through the fields
    page.get_by_role("combobox", name="Finding (question or process step)").focus()
    page.keyboard.press("Enter")
    page.keyboard.type("Having support reviewed")
    page.keyboard.press("Enter")
    page.get_by_role("textbox", name="What we will do").focus()
    page.keyboard.type(TYPED)
    page.keyboard.press("Tab")
    page.keyboard.type("Reviews team")
    page.get_by_role("textbox", name="Public update (optional)").focus()
    page.keyboard.type("Letters drafted")
    page.get_by_role("checkbox", name="Show on the public pages").first.focus()
    page.keyboard.press("Space")
    page.get_by_role("button", name="Add action").focus()
    page.keyboard.press("Enter")
    page.get_by_text("recorded by commissioner").wait_for()
    wait_for_app(page)
    page.screenshot(path=str(SHOTS / "actions-page.png"), full_page=True)
    assert _axe_serious(page) == []

    con = analysis.open_database(actions_db)
    try:
        actions = analysis.actions(con, council="Avonford")
        history = analysis.action_history(con)
    finally:
        con.close()
    added = actions[actions["action_text"] == TYPED].iloc[0]
    assert added["question_code"] == "proc_review" and added["public"]
    assert added["public_update"] == "Letters drafted"
    assert set(history[history["action_id"] == added["action_id"]]["changed_by"]) == {
        "commissioner"
    }

    with _public_you_said(page, actions_server, f"We said we would {TYPED}.") as (tab, body):
        assert PRIVATE not in body and "Reviews team" not in body
        assert "The next survey will show whether this made a difference." in body
        tab.screenshot(path=str(SHOTS / "you-said-public.png"), full_page=True)
        assert _axe_serious(tab) == []
        tab.goto(actions_server + "/making-it-real" + QUERY)
        wait_for_app(tab)
        tab.get_by_text("Statements our results speak to").wait_for()
        tab.screenshot(path=str(SHOTS / "making-it-real.png"), full_page=True)
        assert _axe_serious(tab) == []
        tab.goto(actions_server + "/actions" + QUERY)  # commissioner-only: not served
        wait_for_app(tab)
        assert PRIVATE not in tab.locator('[data-testid="stMain"]').inner_text()


@contextmanager
def _public_you_said(page, server: str, action: str):  # noqa: ANN202
    """The You said page in a fresh context (not signed in), once ``action`` shows: yields the
    tab and the page's text, and closes the context afterwards."""
    public = page.context.browser.new_context(viewport={"width": 1400, "height": 1000})
    tab = public.new_page()
    tab.set_default_timeout(60_000)
    try:
        tab.goto(server + "/you-said" + QUERY)
        wait_for_app(tab)
        tab.get_by_text(action).first.wait_for()
        yield tab, tab.locator('[data-testid="stMain"]').inner_text()
    finally:
        public.close()


def test_an_action_updated_in_the_form_is_kept_with_its_history_and_goes_public(
    page, actions_server, actions_db
) -> None:
    """The update form by mouse and keyboard: the private action marked done, given a public
    note and published; every change kept under the signed-in name; the public page shows it."""
    sign_in(page, actions_server + "/" + QUERY)
    page.goto(actions_server + "/actions" + QUERY)
    wait_for_app(page)
    page.get_by_text("Every change to action 1").wait_for()  # the only action, chosen already
    form = page.locator('[data-testid="stForm"]').filter(has_text="Save changes")
    form.get_by_text("Done", exact=True).click()
    note = form.get_by_role("textbox", name="Public update")
    note.fill("Every review is now booked a month ahead")
    form.get_by_role("checkbox", name="Show on the public pages").focus()
    page.keyboard.press("Space")
    form.get_by_role("button", name="Save changes").focus()
    page.keyboard.press("Enter")
    page.get_by_text("Action 1: changed").wait_for()
    wait_for_app(page)
    page.screenshot(path=str(SHOTS / "actions-updated.png"), full_page=True)

    con = analysis.open_database(actions_db)
    try:
        row = analysis.actions(con, council="Avonford").set_index("action_id").loc[1]
        history = analysis.action_history(con, action_id=1)
    finally:
        con.close()
    assert row["status"] == "done" and row["public"]
    assert row["public_update"] == "Every review is now booked a month ahead"
    changed = history[history["changed_by"] == "commissioner"]
    assert {"status", "public", "public_update"} <= set(changed["field"])

    with _public_you_said(page, actions_server, f"We said we would {PRIVATE}.") as (_, body):
        assert "Every review is now booked a month ahead" in body and "Reviews team" not in body
