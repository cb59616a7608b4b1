"""The survey site over HTTP, as a browser without JavaScript uses it: code entry, the pages,
save and resume, submit once, CSRF, the attempt limit, headers, and paper keying."""

from __future__ import annotations

import time
import urllib.error
import urllib.request

import duckdb
import pytest

from benchmarks.survey_site import CSRF, Refused, Respondent
from pipeline.collect import codes
from pipeline.collect.merge import merge_until_done
from tests.collect.site.conftest import STAFF


def _same_process_connection(db) -> duckdb.DuckDBPyConnection:
    """The site's merger thread holds the file open for writing in this process at times, and
    DuckDB refuses a read-only connection beside it here; another process would use
    read_only_connection."""
    return duckdb.connect(str(db))


def _start(person: Respondent, typed: str, version: str = "standard") -> tuple[str, str]:
    _, page = person.get("/")
    token = CSRF.search(page).group(1)
    try:
        return person.post("/start", [("csrf", token), ("code", typed), ("version", version)])
    except Refused as refused:
        return "refused", str(refused)


def test_start_page_headers_are_strict(live_site) -> None:
    with urllib.request.urlopen(live_site.url + "/") as response:
        headers = response.headers
        assert "default-src 'self'" in headers["Content-Security-Policy"]
        assert "script-src 'none'" in headers["Content-Security-Policy"]
        assert headers["X-Frame-Options"] == "DENY"
        assert headers["Cache-Control"] == "no-store"
        cookie = headers["Set-Cookie"]
        # a session cookie only: no Expires or Max-Age, not readable by scripts
        assert cookie.startswith("survey_session=") and "httponly" in cookie.lower()
        assert "expires" not in cookie.lower() and "max-age" not in cookie.lower()


def test_a_mistyped_code_gets_the_checksum_words(live_site) -> None:
    good = live_site.sampled.codes[0]
    slip = good[:3] + ("A" if good[3] != "A" else "B") + good[4:]
    _, page = _start(Respondent(live_site.url), slip)
    assert "a character may have been mistyped" in page
    assert '<a href="#code">' in page  # the error summary links to the field


def test_an_unknown_code_says_nothing_about_where_it_exists(live_site) -> None:
    _, page = _start(Respondent(live_site.url), codes.display(codes.new_code()))
    assert "We cannot find that code" in page
    assert "council" in page and "another" not in page


def test_a_post_without_the_token_is_refused(live_site) -> None:
    person = Respondent(live_site.url)
    person.get("/")
    with pytest.raises(Refused, match="400"):
        person.post("/start", [("csrf", "forged"), ("code", live_site.sampled.codes[1])])


def test_answer_save_resume_submit_once_and_merge(live_site) -> None:
    code = live_site.sampled.codes[2]
    person = Respondent(live_site.url)
    url, page = _start(person, code.lower())  # case and dashes are forgiven
    assert url.endswith("/survey/1") and "Who filled in this survey?" in page
    token = CSRF.search(page).group(1)
    url, page = person.post(
        "/survey/1",
        [
            ("csrf", token),
            ("completed_by", "someone_else"),
            ("gender", "female"),
            ("action", "later"),
        ],
    )
    assert "Your answers are saved" in page and codes.display(code) in page
    # come back in a new browser with the code: the answers are there
    again = Respondent(live_site.url)
    url, page = _start(again, codes.display(code))
    assert "We have kept the answers you saved" in page
    assert 'value="someone_else" checked' in page
    token = CSRF.search(page).group(1)
    url, page = again.post(
        "/survey/1", [("csrf", token), ("completed_by", "someone_else"), ("action", "next")]
    )
    url, page = again.post(
        "/survey/2", [("csrf", token), ("proc_planning", "easy"), ("action", "next")]
    )
    url, page = again.post(
        "/survey/3", [("csrf", token), ("out_dignity", "much_better"), ("action", "next")]
    )
    url, page = again.post(
        "/survey/4", [("csrf", token), ("comment_best", "My PA."), ("action", "next")]
    )
    assert url.endswith("/survey/check") and "Got a lot better" in page
    url, page = again.post("/survey/send", [("csrf", token)])
    assert url.endswith("/thank-you") and "Your answers have been sent" in page
    # the same code again: refused kindly
    url, page = _start(Respondent(live_site.url), code)
    assert "already been sent" in page
    merge_until_done(live_site.sampled.db, live_site.store)
    con = _same_process_connection(live_site.sampled.db)
    try:
        row = con.execute(
            "SELECT r.channel, r.completed_by, r.gender FROM respondents AS r JOIN samples AS s "
            "ON r.respondent_key = s.person_key WHERE s.invitation_code = ?",
            [code],
        ).fetchall()
    finally:
        con.close()
    # gender was cleared on resubmitting page 1 without it; completed_by kept
    assert row == [("online", "someone_else", None)]


def test_an_answer_that_is_not_offered_is_an_error_on_its_field(live_site) -> None:
    person = Respondent(live_site.url)
    url, page = _start(person, live_site.sampled.codes[3])
    token = CSRF.search(page).group(1)
    with pytest.raises(Refused) as refused:
        person.post("/survey/1", [("csrf", token), ("gender", "martian"), ("action", "next")])
    page = str(refused.value)
    assert "400" in page and "There is a problem" in page and '<a href="#gender">' in page


def test_paper_keying_of_a_code_answered_online_is_a_duplicate(live_site) -> None:
    code = live_site.sampled.codes[4]
    Respondent(live_site.url).answer(code, __import__("random").Random(1))
    staff = Respondent(live_site.url)
    _, page = staff.get("/staff/key")
    assert "Sign in to key paper returns" in page
    token = CSRF.search(page).group(1)
    _, page = staff.post(
        "/staff/sign-in", [("csrf", token), ("name", STAFF[0]), ("password", STAFF[1])]
    )
    assert "Key a paper return" in page and "autofocus" in page
    token = CSRF.search(page).group(1)
    _, page = staff.post("/staff/key", [("csrf", token), ("code", codes.display(code))])
    assert "1 Got a lot worse" in page
    with pytest.raises(Refused) as refused:
        staff.post(
            "/staff/key",
            [("csrf", token), ("code", code), ("action", "save"), ("out_dignity", "9")],
        )
    page = str(refused.value)
    assert "type a number from 1 to 7" in page
    _, page = staff.post(
        "/staff/key",
        [
            ("csrf", token),
            ("code", code),
            ("action", "save"),
            ("out_dignity", "5"),
            ("completed_by", "2"),
        ],
    )
    assert "saved with 2 answers" in page and "duplicate" in page
    merge_until_done(live_site.sampled.db, live_site.store)
    con = _same_process_connection(live_site.sampled.db)
    try:
        kept = con.execute(
            "SELECT r.channel FROM respondents AS r JOIN samples AS s ON r.respondent_key = "
            "s.person_key WHERE s.invitation_code = ?",
            [code],
        ).fetchall()
        quarantined = con.execute(
            "SELECT q.reason FROM survey_submissions AS u JOIN quarantine AS q "
            "ON q.load_id = u.load_id AND q.source_row = u.source_row "
            "WHERE u.invitation_code = ? AND u.channel = 'paper'",
            [code],
        ).fetchall()
    finally:
        con.close()
    assert kept == [("online",)]
    assert quarantined and quarantined[0][0].startswith("duplicate return")


def test_wrong_codes_are_limited_per_client(live_site) -> None:
    live_site.app.state.site.limiter._failures.clear()  # earlier tests' wrong codes
    person = Respondent(live_site.url)
    statuses = []
    for _ in range(11):
        _, page = _start(person, codes.display(codes.new_code()))
        statuses.append("429" if "Too many wrong codes" in page else "400")
    assert statuses[:10] == ["400"] * 10 and statuses[10] == "429"
    # even the right code is refused until the window passes
    _, page = _start(person, live_site.sampled.codes[5])
    assert "Too many wrong codes" in page
    live_site.app.state.site.limiter._failures.clear()  # let the other tests on


def test_the_merger_thread_moves_returns_in(live_site) -> None:
    code = live_site.sampled.codes[6]
    Respondent(live_site.url).answer(code, __import__("random").Random(2), "easy_read")
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and live_site.store.counts()["waiting"]:
        time.sleep(0.2)
    assert live_site.store.counts()["waiting"] == 0


def test_staff_pages_need_a_sign_in(live_site) -> None:
    with urllib.request.urlopen(live_site.url + "/staff/key") as response:
        assert response.geturl().endswith("/staff/sign-in")
    before = live_site.store.counts()["stored"]
    posted = urllib.request.Request(
        live_site.url + "/staff/key",
        data=f"code={live_site.sampled.codes[7]}&out_dignity=5".encode(),
    )
    with urllib.request.urlopen(posted) as response:
        assert response.geturl().endswith("/staff/sign-in")
    assert live_site.store.counts()["stored"] == before
