"""Signed-in pages in headless Chromium: the on-screen tables are plain, and small numbers the
public does not see are marked "*" with the footnote. Screenshots go to /tmp/signed-in-shots/."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.dashboards.test_browser import CHROMIUM, serve, sign_in, wait_for_app

if not Path(CHROMIUM).exists():
    pytest.skip("Debian's chromium is not installed (.ci/run installs it)", allow_module_level=True)

SHOTS = Path("/tmp/signed-in-shots")


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory) -> Path:
    from pipeline.demo import build_demo

    folder = tmp_path_factory.mktemp("demo")
    build_demo(folder / "demo.duckdb", out_dir=folder / "files", progress=False)
    return folder / "demo.duckdb"


@pytest.fixture(scope="module")
def server(demo_db, tmp_path_factory):
    yield from serve(demo_db, tmp_path_factory.mktemp("users"))


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    tab = context.new_page()
    tab.set_default_timeout(60_000)
    yield tab
    context.close()


def _table_text(tab) -> str:
    tab.locator('[data-testid="stDataFrame"]').first.wait_for()
    return tab.locator('[data-testid="stMain"]').inner_text()


def test_signed_in_pages_are_plain_in_the_browser(page, server) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    sign_in(page, server)
    for slug, name in (("overview", "overview"), ("outcomes?by=ethnicity", "outcomes")):
        page.goto(f"{server}/{slug}")
        wait_for_app(page)
        text = _table_text(page)
        # Streamlit scrolls inside its own container, so a full-page shot stops at the chart:
        # scroll to the first table and take the page there.
        table = page.locator('[data-testid="stDataFrame"]').first
        table.scroll_into_view_if_needed()
        page.wait_for_timeout(800)
        page.screenshot(path=str(SHOTS / f"signed-in-{name}.png"))
        assert "question_code" not in text and "p_adjusted" not in text
        assert not re.search(r"\bNone\b|\bnan\b", text)
        if name == "outcomes":
            assert "hidden in the public view of this page" in text
