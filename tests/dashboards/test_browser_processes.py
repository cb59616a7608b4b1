"""Several dashboard processes behind one address (docs/deployment.md): two ``streamlit run``
processes on two ports serve the same database read-only at the same time, show the same
figures, and a sign-in made on one is honoured by the other (they share the users file and
the session secret), so a proxy that moves a reader to another process does not sign them out.

Run with ``pytest -m browser tests/dashboards/test_browser_processes.py``.
"""

from __future__ import annotations

import threading

import pytest

from tests.dashboards.test_browser import (
    CHROMIUM,
    CHROMIUM_ARGS,
    USER,
    domain_table_text,
    first_chart_data,
    serve,
    sign_in,
    wait_for_app,
)

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture
def two_servers(dashboard_db, tmp_path):
    """The same database served by two processes (one users file, as deployed)."""
    first = serve(dashboard_db, tmp_path)
    second = serve(dashboard_db, tmp_path)
    urls = [next(first), next(second)]
    yield urls
    for server in (first, second):
        next(server, None)  # stops the process


def test_two_processes_serve_the_same_database_read_only(two_servers, dashboard_db) -> None:
    from playwright.sync_api import sync_playwright

    before = dashboard_db.stat().st_mtime_ns, dashboard_db.stat().st_size
    shown: dict[str, tuple[str, str, str]] = {}
    errors: list[BaseException] = []

    def read(url: str) -> None:
        # Each thread its own Playwright and browser (the sync API allows one per thread), so
        # both processes are asked at the same moment and each opens the database read-only.
        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
                tab = browser.new_page(viewport={"width": 1400, "height": 1000})
                tab.set_default_timeout(120_000)
                tab.goto(url)
                wait_for_app(tab)
                title = tab.locator('[data-testid="stMain"] h1').first.inner_text()
                shown[url] = (title, first_chart_data(tab), domain_table_text(tab))
                browser.close()
        except BaseException as error:  # reported by the main thread
            errors.append(error)

    threads = [threading.Thread(target=read, args=(url,)) for url in two_servers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    assert not errors, errors
    first, second = (shown[url] for url in two_servers)
    assert first == second  # the same title, plotted data and table from either process
    after = dashboard_db.stat().st_mtime_ns, dashboard_db.stat().st_size
    assert after == before  # both only read


def test_a_sign_in_on_one_process_holds_on_the_other(two_servers, browser) -> None:
    first, second = two_servers
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    context.set_default_timeout(120_000)
    page = context.new_page()
    sign_in(page, first)
    page.goto(second)  # the same browser, now served by the other process
    wait_for_app(page)
    page.get_by_text(f"Signed in as {USER}").wait_for()
    page.goto(f"{second}/load-data")  # a commissioner-only page, from the second process
    wait_for_app(page)
    assert "Load data" in page.locator('[data-testid="stMain"] h1').first.inner_text()
    context.close()
