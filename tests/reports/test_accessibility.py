"""Automated accessibility check (axe-core in headless Chromium) of the published pages."""

from __future__ import annotations

import re
from concurrent.futures import ThreadPoolExecutor

import pytest

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.mark.browser
@pytest.mark.parametrize("page_key", ["html", "easy_read"])
def test_axe_finds_no_serious_or_critical_violations(demo_reports, page_key) -> None:
    # Playwright's sync API refuses to start where an asyncio loop is running in this thread
    # (earlier tests such as Streamlit's AppTest can leave one), so the browser runs in a fresh one.
    with ThreadPoolExecutor(max_workers=1) as pool:
        results, requests = pool.submit(_axe_report, demo_reports[page_key]).result()
    violations = results.response["violations"]
    bad = [v for v in violations if v["impact"] in ("serious", "critical")]
    assert not bad, [(v["id"], v["help"], len(v["nodes"])) for v in bad]
    # self-contained: the page asked for nothing beyond its own file
    assert all(url.startswith("file://") for url in requests), requests


def _axe_report(path):
    from axe_playwright_python.sync_playwright import Axe
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        page = browser.new_page()
        requests: list[str] = []
        page.on("request", lambda request: requests.append(request.url))
        page.goto(path.as_uri())
        page.get_by_role("heading", level=1).wait_for()
        results = Axe().run(page)
        browser.close()
    return results, requests


def test_headings_are_in_order_and_charts_are_labelled(demo_reports) -> None:
    html = demo_reports["html"].read_text(encoding="utf-8")
    levels = [int(level) for level in re.findall(r"<h([1-6])\b", html)]
    assert levels[0] == 1 and levels.count(1) == 1
    assert all(b - a <= 1 for a, b in zip(levels, levels[1:], strict=False))
    charts = re.findall(r"<svg[^>]*>", html)
    assert charts and all('role="img"' in c and "aria-labelledby" in c for c in charts)
    # every chart has its data table beside it
    assert html.count("<table") >= len(charts)
