"""In a real headless Chromium: a commissioner undoes a load from the Load data page.

The server runs over a copy of the demo database (the other browser tests share the original).
Run with ``pytest -m browser``; a screenshot of the page is kept under /tmp/unload-shots/.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.dashboards.test_browser import (  # noqa: F401 - fixtures
    USER,
    browser,
    demo_db,
    page,
    serve,
    sign_in,
    wait_for_app,
)

pytestmark = [pytest.mark.browser, pytest.mark.slow]
SHOTS = Path("/tmp/unload-shots")


@pytest.fixture
def copied_db(demo_db, tmp_path) -> Path:  # noqa: F811 - the fixture imported above
    path = tmp_path / "unload.duckdb"
    shutil.copy(demo_db, path)
    return path


@pytest.fixture
def unload_server(copied_db, tmp_path):
    yield from serve(copied_db, tmp_path)


def test_a_commissioner_unloads_a_load_with_keyboard_and_mouse(
    page,  # noqa: F811 - the fixture imported above
    unload_server,
    copied_db,
) -> None:
    from pipeline.store import read_only_connection

    con = read_only_connection(copied_db)
    load_id, file_name, council = con.execute(
        "SELECT load_id, file_name, council FROM loads WHERE kind = 'survey' "
        "ORDER BY load_id DESC LIMIT 1"
    ).fetchall()[0]
    con.close()

    sign_in(page, unload_server)
    page.locator('[data-testid="stSidebarNav"]').get_by_role("link", name="Load data").click()
    page.wait_for_url("**/load-data*")
    wait_for_app(page)
    page.get_by_text("Loads in this database").click()
    page.get_by_text("Load to remove").wait_for()
    choice = page.locator('[data-testid="stSelectbox"]').filter(has_text="Load to remove")
    choice.locator("input").click()
    page.keyboard.type(f"Load {load_id}: ")  # the options narrow to that load
    page.get_by_role("option", name=f"Load {load_id}: {file_name}").click()
    page.get_by_text(f"Removing load {load_id} ({file_name}").wait_for()
    wait_for_app(page)

    reason = page.get_by_role("textbox", name="Why (kept in the audit of unloads)")
    reason.fill("loaded for the wrong council")
    reason.press("Tab")  # commit the text as a person leaving the box would
    wait_for_app(page)
    button = page.get_by_role("button", name=f"Unload load {load_id}")
    assert button.is_disabled()
    confirm = page.get_by_role("checkbox", name="I understand")
    confirm.focus()
    page.keyboard.press("Space")
    page.wait_for_function(
        "(name) => [...document.querySelectorAll('button')]"
        ".some(b => b.innerText.trim() === name && !b.disabled)",
        arg=f"Unload load {load_id}",
    )
    SHOTS.mkdir(parents=True, exist_ok=True)
    button.scroll_into_view_if_needed()
    page.screenshot(path=str(SHOTS / "load-data-unload-confirm.png"))

    button.click()
    page.get_by_text(f"Removed load {load_id} ({file_name}").wait_for()
    wait_for_app(page)
    assert f"Load {load_id}:" not in choice.inner_text()  # a fresh choice, not the removed load
    page.screenshot(path=str(SHOTS / "load-data-unload-done.png"))

    con = read_only_connection(copied_db)
    try:
        assert con.execute(
            "SELECT count(*) FROM loads WHERE load_id = ?", [load_id]
        ).fetchall() == [(0,)]
        assert con.execute(
            "SELECT council, removed_by, reason FROM unloads WHERE load_id = ?", [load_id]
        ).fetchall() == [(council, USER, "loaded for the wrong council")]
    finally:
        con.close()
