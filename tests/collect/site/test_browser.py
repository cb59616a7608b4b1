"""The survey site in a real headless Chromium: keyboard only, save and resume, a used code,
a mistyped code, axe on every page, no request to any other host, and no JavaScript at all.

Screenshots of each page go to ``$OUTCOMES_SCREENSHOTS`` (or the test's temporary folder).
"""

from __future__ import annotations

import os
import urllib.parse
from pathlib import Path

import pytest

from pipeline.collect import codes
from tests.collect.site.conftest import STAFF

pytestmark = [pytest.mark.browser, pytest.mark.slow]
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"]


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
        yield chromium
        chromium.close()


@pytest.fixture(scope="module")
def shots(tmp_path_factory) -> Path:
    folder = Path(os.environ.get("OUTCOMES_SCREENSHOTS") or tmp_path_factory.mktemp("shots"))
    folder.mkdir(parents=True, exist_ok=True)
    return folder


class Tab:
    """A page that records every host it asks for and checks axe on each page it shows."""

    def __init__(self, browser, site, shots: Path, *, javascript: bool = True, phone=False):
        size = {"width": 390, "height": 844} if phone else {"width": 1280, "height": 900}
        self.context = browser.new_context(java_script_enabled=javascript, viewport=size)
        self.page = self.context.new_page()
        self.hosts: set[str] = set()
        self.page.on("request", lambda r: self.hosts.add(urllib.parse.urlsplit(r.url).netloc))
        self.site = site
        self.shots = shots
        self.javascript = javascript

    def check(self, name: str) -> None:
        """Screenshot, then axe (which needs the page's JavaScript; skipped without it)."""
        self.page.screenshot(path=str(self.shots / f"{name}.png"), full_page=True)
        if self.javascript:  # axe runs as a script in the page
            from axe_playwright_python.sync_playwright import Axe

            results = Axe().run(
                self.page, options={"runOnly": {"type": "tag", "values": WCAG_TAGS}}
            )
            violations = [
                (v["id"], [n["target"] for n in v["nodes"]][:3])
                for v in results.response["violations"]
            ]
            assert violations == [], (name, violations)

    def close(self) -> None:
        self.context.close()
        own = urllib.parse.urlsplit(self.site.url).netloc
        assert self.hosts <= {own}, self.hosts


def _keyboard_answer_page(page, answers: int) -> None:
    """Tab to each radio group and choose with the arrow keys, as a keyboard user does."""
    for _ in range(answers):
        page.keyboard.press("Tab")
        page.keyboard.press("ArrowDown")  # selects the next option in the group


def _enter_code(tab: Tab, code: str, easy: bool = False) -> None:
    page = tab.page
    page.goto(tab.site.url + "/")
    page.get_by_label("Your invitation code").wait_for()
    page.keyboard.press("Tab")  # skip link
    page.keyboard.press("Tab")  # service name
    page.keyboard.press("Tab")  # the code field
    page.keyboard.type(code)
    if easy:
        page.keyboard.press("Tab")
        page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")


def test_standard_form_by_keyboard_with_save_and_resume(browser, live_site, shots) -> None:
    code = live_site.sampled.codes[10]
    tab = Tab(browser, live_site, shots)
    page = tab.page
    page.goto(live_site.url + "/")
    tab.check("01-start")
    _enter_code(tab, codes.display(code).lower())
    page.get_by_role("heading", name="About you").wait_for()
    tab.check("02-about-you")
    # Who filled it in: the first group on the page; choose "Me with help"
    page.keyboard.press("Tab")  # skip link
    page.keyboard.press("Tab")  # service name
    page.keyboard.press("Tab")  # back link
    page.keyboard.press("Tab")  # first radio of the first group
    page.keyboard.press("ArrowDown")
    assert page.get_by_label("Me with help").is_checked()
    page.get_by_role("button", name="Save and come back later").focus()
    page.keyboard.press("Enter")
    page.get_by_role("heading", name="Your answers are saved").wait_for()
    tab.check("03-saved")
    tab.close()

    again = Tab(browser, live_site, shots)
    _enter_code(again, codes.display(code))
    again.page.get_by_text("We have kept the answers you saved").wait_for()
    assert again.page.get_by_label("Me with help").is_checked()
    again.check("04-resumed")
    for heading in ("About you", "Getting your personal budget", "What has changed"):
        again.page.get_by_role("heading", name=heading).wait_for()
        again.page.get_by_role("button", name="Save and continue").focus()
        _keyboard_answer_page(again.page, 0)
        again.page.keyboard.press("Enter")
    again.page.get_by_role("heading", name="Your comments").wait_for()
    again.page.get_by_label("What is the best thing about having a personal budget?").focus()
    again.page.keyboard.type("Choosing my own PA.")
    again.page.get_by_role("button", name="Save and continue").focus()
    again.page.keyboard.press("Enter")
    again.page.get_by_role("heading", name="Check your answers before sending").wait_for()
    again.check("05-check")
    again.page.get_by_role("button", name="Send your answers").focus()
    again.page.keyboard.press("Enter")
    again.page.get_by_text("Your answers have been sent").wait_for()
    again.check("06-thank-you")
    again.close()

    used = Tab(browser, live_site, shots)
    _enter_code(used, code)
    used.page.get_by_role("heading", name="Your answers have already been sent").wait_for()
    used.check("07-used-code")
    used.close()


def test_easy_read_form_by_keyboard_on_a_phone(browser, live_site, shots) -> None:
    code = live_site.sampled.codes[11]
    tab = Tab(browser, live_site, shots, phone=True)
    _enter_code(tab, code, easy=True)
    page = tab.page
    page.get_by_role("heading", name="About you").wait_for()
    page.get_by_text("Who is filling in this survey?").wait_for()
    page.get_by_role("button", name="Next").focus()
    page.keyboard.press("Enter")
    page.get_by_role("heading", name="Getting your budget").wait_for()
    page.get_by_role("button", name="Next").focus()
    page.keyboard.press("Enter")
    page.get_by_role("heading", name="What has changed").wait_for()
    assert page.locator("svg.survey-face").count() >= 16 * 5  # a face beside each direction
    first = page.get_by_role("radio", name="A lot better").first
    first.focus()
    page.keyboard.press("Space")
    assert first.is_checked()
    tab.check("11-easy-read-outcomes-phone")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    page.get_by_role("button", name="Next").focus()
    page.keyboard.press("Enter")
    page.get_by_role("heading", name="Tell us more").wait_for()
    page.get_by_role("button", name="Next").focus()
    page.keyboard.press("Enter")
    page.get_by_role("button", name="Send your answers").click()
    page.get_by_text("Your answers have been sent").wait_for()
    tab.close()


def test_a_mistyped_code_is_caught_and_the_summary_links_to_the_field(
    browser, live_site, shots
) -> None:
    code = live_site.sampled.codes[12]
    swapped = code[0] + code[2] + code[1] + code[3:] if code[1] != code[2] else code[:-1] + "0"
    tab = Tab(browser, live_site, shots)
    _enter_code(tab, swapped)
    page = tab.page
    page.get_by_text("There is a problem").wait_for()
    assert page.title().startswith("Error:")
    tab.check("08-mistyped-code")
    page.get_by_role("link", name="a character may have been mistyped").click()
    assert page.evaluate("document.activeElement.id") == "code"
    tab.close()


def test_without_javascript_the_whole_journey_works(browser, live_site, shots) -> None:
    code = live_site.sampled.codes[13]
    tab = Tab(browser, live_site, shots, javascript=False)
    page = tab.page
    page.goto(live_site.url + "/")
    page.get_by_label("Your invitation code").fill(code)
    page.get_by_role("button", name="Start").click()
    page.get_by_label("Me", exact=True).check()
    for _ in range(4):
        page.get_by_role("button", name="Save and continue").click()
    page.get_by_role("button", name="Send your answers").click()
    page.get_by_text("Your answers have been sent").wait_for()
    tab.check("09-no-javascript-thank-you")
    tab.close()


def test_staff_key_a_paper_return_by_keyboard(browser, live_site, shots) -> None:
    code = live_site.sampled.codes[14]
    tab = Tab(browser, live_site, shots)
    page = tab.page
    page.goto(live_site.url + "/staff/key")
    page.get_by_label("Name").fill(STAFF[0])
    page.get_by_label("Password").fill(STAFF[1])
    page.keyboard.press("Enter")
    page.get_by_role("heading", name="Key a paper return").wait_for()
    assert page.evaluate("document.activeElement.id") == "code"  # autofocus: type at once
    tab.check("10-staff-key")
    page.keyboard.type(code)
    page.keyboard.press("Enter")
    page.get_by_label("Who filled in this survey?").wait_for()
    page.get_by_label("Who filled in this survey?").focus()
    page.keyboard.type("2")
    for _ in range(8):
        page.keyboard.press("Tab")
        page.keyboard.type("3")
    tab.check("12-staff-key-filled")
    page.keyboard.press("Enter")
    page.get_by_text("saved with 9 answers").wait_for()
    tab.close()
