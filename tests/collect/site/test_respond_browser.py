"""The peer response form in a real headless Chromium: axe (WCAG 2.2 AA) on the empty form, the
form with errors and the thank-you page; sent by keyboard with JavaScript off; no request to any
other host. Screenshots go to ``$OUTCOMES_SCREENSHOTS`` (or the test's temporary folder)."""

from __future__ import annotations

import pytest

from tests.collect.site.test_browser import Tab, browser, shots  # noqa: F401 - fixtures

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def test_the_form_passes_axe_with_and_without_errors(browser, results_site, shots) -> None:  # noqa: F811
    tab = Tab(browser, results_site, shots)
    page = tab.page
    page.goto(results_site.url + "/respond")
    page.get_by_role("heading", name="Respond to a council's results").wait_for()
    tab.check("respond-form")
    page.get_by_role("button", name="Send your response").click()
    page.get_by_text("There is a problem").wait_for()
    tab.check("respond-errors")
    page.goto(results_site.url + "/respond/avonford")
    page.get_by_text("Your response to Avonford").wait_for()
    tab.check("respond-one-council")
    tab.close()


def test_sent_by_keyboard_without_javascript(browser, results_site, shots) -> None:  # noqa: F811
    tab = Tab(browser, results_site, shots, javascript=False, phone=True)
    page = tab.page
    page.goto(results_site.url + "/respond")
    page.get_by_label("Which council's results are you responding to?").select_option("Avonford")
    page.get_by_label("Name of your organisation or group").fill("Keyboard Network")
    page.keyboard.press("Tab")
    page.keyboard.type("keys@example.org")
    page.keyboard.press("Tab")
    page.keyboard.type("The results match what our members told us.")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    page.get_by_text("Thank you: your response has reached Avonford").wait_for()
    tab.check("respond-thanks-no-js")
    tab.close()
    js = Tab(browser, results_site, shots)
    js.page.goto(results_site.url + "/respond/thank-you")
    js.page.get_by_role("heading", name="Thank you").wait_for()
    js.check("respond-thanks")
    js.close()
