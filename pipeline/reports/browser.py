"""One headless Chromium per process for the report set's PDF and PNG charts.

Issue 12 asked for one browser per worker reused for every chart and PDF. WeasyPrint laid a
council's 19-page results page out in about 2.5 s of Python; Chromium prints the same page in
about 0.4 s, as a tagged PDF (headings, lists and tables marked for screen readers) with an
outline of the sections, and draws each chart's PNG from the very SVG the report set publishes,
so the two pictures cannot differ. It is Debian's ``chromium`` (``pipeline.config.chromium_path``)
driven by Playwright's Python client; nothing is downloaded.

Playwright's synchronous API must be used from the thread that started it, so the browser lives
on one thread of its own and every call is handed to it: :func:`start` can then run while the
caller gathers a report, and the first PDF waits only for what is left of the start.

The pages are rendered with JavaScript off and every network request refused: a report is one
self-contained HTML document, and a crafted link in the data is never fetched.
"""

from __future__ import annotations

import atexit
import contextlib
import threading
from concurrent.futures import Future, ThreadPoolExecutor

from pipeline.config import chromium_path

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"]

_thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="report-browser")
_state: dict = {}
_lock = threading.Lock()
_started: Future | None = None


class BrowserUnavailable(RuntimeError):
    """Chromium could not be started: the message says what to install."""


def _launch() -> None:
    from playwright.sync_api import Error, sync_playwright

    executable = chromium_path()
    if executable is None:
        raise BrowserUnavailable(
            "the report's PDF and PNG charts need Debian's chromium: install it with "
            "'apt-get install chromium' (make demo and make test do), or set OUTCOMES_CHROMIUM "
            "to a Chromium executable"
        )
    playwright = sync_playwright().start()
    try:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
    except Error as error:
        playwright.stop()
        first_line = str(error).strip().splitlines()[0]
        raise BrowserUnavailable(
            f"Chromium at {executable} did not start ({first_line}). The report's PDF and PNG "
            "charts need it: install Debian's chromium ('apt-get install chromium'; make demo "
            "and make test do), set OUTCOMES_CHROMIUM to a Chromium executable, or leave pdf "
            "and charts out of --formats."
        ) from error
    pages = {}
    for name, scale in (("pdf", 1), ("png", 2)):
        context = browser.new_context(java_script_enabled=False, device_scale_factor=scale)
        context.route("**/*", lambda route: route.abort())  # nothing is ever fetched
        pages[name] = context.new_page()
    _state.update(playwright=playwright, browser=browser, pages=pages)


def start() -> Future:
    """Start the browser on its own thread (once per process); returns when it is up."""
    global _started
    with _lock:
        if _started is None:
            _started = _thread.submit(_launch)
            atexit.register(stop)
        return _started


def _call(function, *args):  # noqa: ANN001, ANN202 - a private relay to the browser thread
    start().result()
    return _thread.submit(function, *args).result()


def _pdf(html: str) -> bytes:
    page = _state["pages"]["pdf"]
    page.set_content(html, wait_until="load")
    # the page's own print stylesheet sets A4, the margins and the "Page n of m" footer
    return page.pdf(prefer_css_page_size=True, print_background=True, outline=True, tagged=True)


def _png(svg: str) -> bytes:
    page = _state["pages"]["png"]
    page.set_content(
        "<!DOCTYPE html><html><head><style>html,body{margin:0;background:#fff}"
        "svg{display:block}</style></head><body>" + svg + "</body></html>",
        wait_until="load",
    )
    return page.locator("svg").first.screenshot(type="png")


def html_to_pdf(html: str) -> bytes:
    """A self-contained HTML page printed to PDF with its print stylesheet."""
    return _call(_pdf, html)


def svg_to_png(svg: str) -> bytes:
    """An SVG picture as PNG at twice its size (sharp in print)."""
    return _call(_png, svg)


def _close() -> None:
    browser, playwright = _state.pop("browser", None), _state.pop("playwright", None)
    _state.clear()
    if browser is not None:
        browser.close()
    if playwright is not None:
        playwright.stop()


def stop() -> None:
    """Close the browser (also done at exit); the next call starts a new one."""
    global _started
    with _lock:
        if _started is None:
            return
        started, _started = _started, None
    if started.exception() is None:
        # at exit the thread may be gone already: Playwright's driver then ends Chromium
        with contextlib.suppress(RuntimeError):
            _thread.submit(_close).result()
