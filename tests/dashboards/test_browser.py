"""End to end in a real headless Chromium: sign in, filter, download, public view, accessibility,
unloading a load, approving a quote.

Starts ``streamlit run dashboards/app.py`` on a free port over the demo database and drives it
with Playwright's Python client against Debian's ``/usr/bin/chromium`` (never a downloaded
browser). Run with ``pytest -m browser``. The unload test serves a copy of the demo database
(a second server), so the others keep theirs unchanged; its screenshots go to /tmp/unload-shots/.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pandas as pd
import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from tests.dashboards.conftest import APP

pytestmark = [pytest.mark.browser, pytest.mark.slow]
CHROMIUM = "/usr/bin/chromium"
SHOTS = Path("/tmp/unload-shots")  # screenshots of the Load data page's unload, to look at
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
USER, PASSWORD = "commissioner", "correct horse battery staple"
PAGES = {
    "overview": "Overview",
    "outcomes": "Outcomes",
    "trends": "Trends",
    "process": "Process",
    "budgets": "Budgets",
    "carers": "Carers",
    "compare": "Compare councils",
    "data-quality": "Data quality",
    "load-data": "Load data",
    "downloads": "Downloads",
}

if not Path(CHROMIUM).exists():
    pytest.skip("Debian's chromium is not installed (.ci/run installs it)", allow_module_level=True)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="session")
def demo_db(tmp_path_factory) -> Path:
    from pipeline.demo import build_demo

    folder = tmp_path_factory.mktemp("demo")
    build_demo(folder / "demo.duckdb", out_dir=folder / "files", progress=False)
    return folder / "demo.duckdb"


@pytest.fixture(scope="session")
def server(demo_db, tmp_path_factory):
    """The dashboard served by ``streamlit run`` on a free port; yields its base URL."""
    yield from serve(demo_db, tmp_path_factory.mktemp("users"))


def serve(demo_db: Path, folder: Path):
    """Serve ``demo_db`` with USER able to sign in; yields the base URL, then stops the server."""
    from dashboards.auth import add_user

    users = folder / "users.toml"
    add_user(users, USER, PASSWORD)
    port = _free_port()
    environment = {**os.environ, "OUTCOMES_DB": str(demo_db), "OUTCOMES_USERS_FILE": str(users)}
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "streamlit",
            "run",
            str(APP),
            "--server.headless",
            "true",
            "--server.address",
            "127.0.0.1",
            "--server.port",
            str(port),
            "--browser.gatherUsageStats",
            "false",
        ],
        env=environment,
        cwd=APP.parents[1],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                if response.status == 200:
                    break
        except OSError:
            time.sleep(0.3)
    else:
        process.terminate()
        raise RuntimeError("streamlit did not start: " + process.stderr.read().decode()[-2000:])
    yield url
    process.terminate()
    process.wait(timeout=20)


@pytest.fixture
def page(browser):
    context = browser.new_context(accept_downloads=True, viewport={"width": 1400, "height": 1000})
    tab = context.new_page()
    tab.set_default_timeout(60_000)
    yield tab
    context.close()


def wait_for_app(tab) -> None:
    """Wait until the script has finished running: the app says its script is not running
    (Streamlit's ``data-test-script-state``; the 'Running...' widget appears only after a delay,
    so its absence alone let a slow page be checked half drawn) and the page has its title."""
    tab.locator('[data-testid="stApp"]').wait_for()
    tab.wait_for_function(
        "() => document.querySelector('[data-testid=\"stApp\"]')"
        "?.getAttribute('data-test-script-state') === 'notRunning'"
        " && !document.querySelector('[data-testid=\"stStatusWidget\"]')"
        " && document.querySelector('[data-testid=\"stMain\"] h1')"
    )


def sign_in(tab, url: str) -> None:
    """Sign in from the home page (a commissioner-only URL opened signed out is 'not found')."""
    tab.goto(url)
    wait_for_app(tab)
    link = tab.get_by_text("Commissioner sign in")
    narrow = not link.is_visible()
    if narrow:  # on a phone the sidebar starts collapsed: open it as a person would
        tab.locator('[data-testid="stExpandSidebarButton"]').click()
    link.click()
    tab.get_by_role("textbox", name="User name").fill(USER)
    tab.get_by_role("textbox", name="Password").fill(PASSWORD)
    tab.get_by_role("button", name="Sign in").click()
    tab.get_by_text(f"Signed in as {USER}").wait_for()
    wait_for_app(tab)
    if narrow:  # and close it again, so the page is not hidden behind it
        tab.locator('[data-testid="stSidebarCollapseButton"]').click(force=True)


def first_chart_data(tab) -> str:
    """The first chart's plotted data, once Plotly has drawn it (its HTML is empty until then)."""
    script = "() => { const c = document.querySelector('.js-plotly-plot'); return c && c.data && c.data.length; }"
    tab.wait_for_function(script)
    return tab.evaluate(
        "() => JSON.stringify(document.querySelector('.js-plotly-plot').data.map(t => [t.x, t.y]))"
    )


def domain_table_text(tab) -> str:
    grid = tab.locator('[data-testid="stExpander"]').filter(has_text="Data table").first
    return grid.inner_text()


def test_sign_in_filter_chart_table_and_download(page, server, demo_db) -> None:
    import pipeline.analysis as analysis

    sign_in(page, server)
    page.get_by_role("link", name="Load data").wait_for()
    heading = page.locator('[data-testid="stMain"] h1').first.inner_text()
    council = heading.split(",")[1].strip()
    other = next(c for c in ("Eastbrook", "Northshire", "Westmere") if c != council)
    chart_before = first_chart_data(page)

    page.locator('[data-testid="stSidebar"] [data-testid="stSelectbox"]').filter(
        has_text="Council"
    ).click()
    page.get_by_role("option", name=other).click()
    page.locator('[data-testid="stMain"] h1').filter(has_text=other).wait_for()
    wait_for_app(page)
    assert f"council={other}" in page.url
    page.wait_for_function(
        "(before) => { const c = document.querySelector('.js-plotly-plot');"
        " return c && c.data && JSON.stringify(c.data.map(t => [t.x, t.y])) !== before; }",
        arg=chart_before,
    )
    assert first_chart_data(page) != chart_before  # the chart now plots the other council

    with page.expect_download() as download_info:
        page.get_by_role(
            "button", name="Download Share better in each outcome domain (unweighted) (CSV)"
        ).first.click()
    path = download_info.value.path()
    downloaded = pd.read_csv(path, encoding="utf-8-sig")
    wave = int(page.url.split("wave=")[1].split("&")[0])
    con = analysis.open_database(demo_db)
    try:
        expected = analysis.results(
            con, council=other, wave=wave, instrument="poet-holder", benchmark="national"
        ).set_index("question_code")
    finally:
        con.close()
    downloaded = downloaded.set_index("question_code")
    assert set(downloaded.index) == set(expected.index)
    pd.testing.assert_series_equal(
        downloaded["value"].sort_index(),
        expected.loc[downloaded.index, "value"].sort_index().astype(float),
        check_names=False,
        rtol=1e-9,
    )

    # The link reproduces the view in a fresh session.
    fresh = page.context.new_page()
    fresh.goto(page.url)
    wait_for_app(fresh)
    assert other in fresh.locator('[data-testid="stMain"] h1').first.inner_text()


def test_public_view_hides_loading_and_quarantine(page, server) -> None:
    page.goto(server)
    wait_for_app(page)
    navigation = page.locator('[data-testid="stSidebarNav"]').inner_text()
    assert "Overview" in navigation and "Downloads" in navigation
    assert "Load data" not in navigation and "Data quality" not in navigation
    page.goto(f"{server}/load-data")
    wait_for_app(page)
    assert page.get_by_text("Survey file").count() == 0
    assert "Load data" not in page.locator('[data-testid="stMain"] h1').first.inner_text()
    page.goto(f"{server}/downloads")
    wait_for_app(page)
    text = page.locator('[data-testid="stMain"]').inner_text().lower()
    assert "quarantine" not in text and "lineage" not in text


@pytest.mark.parametrize("path", list(PAGES))
def test_every_page_has_no_serious_accessibility_violations(page, server, path) -> None:
    from axe_playwright_python.sync_playwright import Axe

    sign_in(page, server)
    if path != "overview":
        page.locator('[data-testid="stSidebarNav"]').get_by_role("link", name=PAGES[path]).click()
        page.wait_for_url(f"**/{path}*")
        wait_for_app(page)
    results = Axe().run(page)
    serious = [
        (v["id"], v["impact"], v["help"], [n["target"] for n in v["nodes"]][:3])
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]
    assert serious == [], serious


@pytest.fixture
def copied_db(demo_db, tmp_path) -> Path:
    """A copy of the demo database for a test that changes it (the others share the original)."""
    path = tmp_path / "unload.duckdb"
    shutil.copy(demo_db, path)
    return path


@pytest.fixture
def unload_server(copied_db, tmp_path):
    yield from serve(copied_db, tmp_path)


def test_a_commissioner_unloads_a_load_with_keyboard_and_mouse(
    page, unload_server, copied_db
) -> None:
    """Load data page: choose a load, tick the confirmation with the keyboard, click Unload."""
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
    option = page.get_by_role("option", name=f"Load {load_id}: {file_name}")
    for attempt in range(3):  # under CI load a rerun can swallow keys typed into the box
        box = choice.locator("input")
        box.click()
        box.fill(f"Load {load_id}: ")  # the options narrow to that load (focus set by fill)
        try:
            option.wait_for(timeout=20_000)
            break
        except PlaywrightTimeout:
            if attempt == 2:
                raise
            page.keyboard.press("Escape")
            wait_for_app(page)
    option.click()
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


QUOTE_SHOTS = Path("/tmp/quotes-shots")  # the Quotes page, to look at
QUOTE_PLANTED = (
    "My reference is NS112295, call me on 07700 900123 or email jo.bloggs@example.com. "
    "Tracey at 12 Acacia Road, LS1 4AB was brilliant."
)


@pytest.fixture
def planted_db(demo_db, tmp_path) -> Path:
    """A copy of the demo database with one comment of every group holding planted details."""
    from pipeline.store import connect

    path = tmp_path / "quotes.duckdb"
    shutil.copy(demo_db, path)
    con = connect(path)
    con.execute(
        "UPDATE comments SET comment_text = ? WHERE question_code = 'comment_best' "
        "AND respondent_key IN (SELECT min(respondent_key) FROM comments "
        "WHERE instrument = 'poet-holder' AND question_code = 'comment_best' "
        "GROUP BY council, wave)",
        [QUOTE_PLANTED],
    )
    con.close()
    return path


@pytest.fixture
def quotes_server(planted_db, tmp_path):
    yield from serve(planted_db, tmp_path)


def test_a_commissioner_approves_a_redacted_quote(page, quotes_server, planted_db) -> None:
    """Quotes page: approve the planted comment's redaction; screenshots go to /tmp/quotes-shots/."""
    from axe_playwright_python.sync_playwright import Axe

    from pipeline.store import read_only_connection

    sign_in(page, quotes_server)
    page.locator('[data-testid="stSidebarNav"]').get_by_role("link", name="Quotes").click()
    page.wait_for_url("**/quotes*")
    wait_for_app(page)
    page.get_by_text("07700 900123").first.wait_for()  # details found come first
    wait_for_app(page)
    QUOTE_SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(QUOTE_SHOTS / "quotes-pending.png"), full_page=True)

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
    page.screenshot(path=str(QUOTE_SHOTS / "quotes-approved.png"), full_page=True)

    con = read_only_connection(planted_db)
    try:
        rows = con.execute(
            "SELECT approved_by, redacted_text FROM quote_moderation WHERE status = 'approved'"
        ).fetchall()
    finally:
        con.close()
    assert len(rows) == 1 and rows[0][0] == "commissioner"
    assert "07700" not in rows[0][1] and "[email]" in rows[0][1]
