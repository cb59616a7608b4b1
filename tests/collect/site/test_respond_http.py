"""Peer responses on the survey site over HTTP, as a browser without JavaScript sends them: the
council chooser, errors, CSRF, the per-client limit, and submit -> store -> merger -> moderation,
with the contact and planted details kept out of what is published."""

from __future__ import annotations

import time
import urllib.request

import duckdb
import pytest

from benchmarks.survey_site import CSRF, Refused, Respondent
from pipeline import analysis
from pipeline.collect.responses import decide
from pipeline.collect.site.respond import RESPONSES_PER_WINDOW

PHONE, EMAIL = "07700 900456", "sam.reader@example.net"


def _send(site, fields: list[tuple[str, str]], path: str = "/respond") -> tuple[str, str]:
    person = Respondent(site.url)
    _, page = person.get(path)
    token = CSRF.search(page).group(1)
    try:
        return person.post("/respond", [("csrf", token), *fields])
    except Refused as refused:
        return "refused", str(refused)


def _in_duckdb(site, organisation: str) -> dict:
    """The response as merged (the site's merger thread copies it within a second or so)."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        con = duckdb.connect(str(site.db))  # same process as the merger: see test_site_http
        try:
            queue = analysis.peer_responses(con)
        finally:
            con.close()
        found = queue[queue["organisation"] == organisation]
        if not found.empty:
            return found.iloc[0].to_dict()
        time.sleep(0.2)
    raise AssertionError(f"{organisation} never reached DuckDB")


def test_the_form_offers_councils_with_results_under_the_sites_headers(results_site) -> None:
    with urllib.request.urlopen(results_site.url + "/respond") as response:
        page = response.read().decode()
        assert "script-src 'none'" in response.headers["Content-Security-Policy"]
        assert response.headers["Cache-Control"] == "no-store"
    assert '<option value="Avonford">Avonford (2024 results)</option>' in page
    assert 'name="csrf"' in page and 'for="contact"' in page and "never published" in page
    _, one = Respondent(results_site.url).get("/respond/AVONFORD")  # any case
    assert '<input type="hidden" name="council" value="Avonford">' in one
    assert "Your response to Avonford" in one


def test_missing_fields_are_named_and_what_was_typed_is_kept(results_site) -> None:
    _, page = _send(results_site, [("council", ""), ("organisation", "Our group")])
    assert page.startswith("/respond: 400")
    for field in ("council", "contact", "response"):
        assert f'<a href="#{field}">' in page  # the error summary links to each field
    assert 'value="Our group"' in page


def test_a_post_without_the_token_is_refused(results_site) -> None:
    person = Respondent(results_site.url)
    person.get("/respond")
    with pytest.raises(Refused, match="400"):
        person.post("/respond", [("council", "Avonford"), ("organisation", "x")])


def test_submit_moderate_publish_never_the_contact_or_planted_details(results_site) -> None:
    text = f"Reviews are slow. Ring Sam on {PHONE} or email {EMAIL}."
    url, page = _send(
        results_site,
        [("council", "Avonford"), ("organisation", "Avonford Peer Network"),
         ("contact", "network@example.org"), ("response", text)],
        path="/respond/avonford",
    )  # fmt: skip
    assert url.endswith("/respond/thank-you"), page
    assert "Thank you: your response has reached Avonford" in page
    row = _in_duckdb(results_site, "Avonford Peer Network")
    assert row["status"] == "pending" and row["wave"] == 2024
    assert PHONE not in row["published_text"] and EMAIL not in row["published_text"]
    con = duckdb.connect(str(results_site.db))
    try:
        assert analysis.published_responses(con, council="Avonford", wave=2024).empty
        decide(con, row["response_id"], status="approved", by="alice", reply="Thank you.")
        public = analysis.published_responses(con, council="Avonford", wave=2024)
    finally:
        con.close()
    written = public.to_csv()
    assert "Avonford Peer Network" in written and "[phone number]" in written
    for secret in (PHONE, EMAIL, "network@example.org", "alice"):
        assert secret not in written


def test_each_client_may_send_a_few_responses_then_waits(results_site) -> None:
    results_site.app.state.site.extra.clear()  # a fresh limiter for this test
    council = results_site.store.result_councils()[0][0]
    fields = [("council", council), ("organisation", "Flood"), ("contact", "a@b.org"),
              ("response", "again")]  # fmt: skip
    for _ in range(RESPONSES_PER_WINDOW):
        url, _ = _send(results_site, fields)
        assert url.endswith("/respond/thank-you")
    url, page = _send(results_site, fields)
    assert url == "refused" and "429" in page and "Too many responses" in page


def test_the_start_page_links_to_the_form(results_site) -> None:
    _, page = Respondent(results_site.url).get("/")
    assert '<a class="govuk-link" href="/respond">' in page
