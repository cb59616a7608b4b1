"""The Quotes page under AppTest: a commissioner sees each comment with its details marked and
the redacted text to publish, edits it and approves or rejects; the public never sees it."""

from __future__ import annotations

import shutil

import duckdb
import pytest
from streamlit.testing.v1 import AppTest

from pipeline.store import connect
from tests.dashboards.conftest import APP

PAGE = "app_pages/11_Quotes.py"
QUERY = {"council": "Brightwater", "wave": "2024", "instrument": "poet-holder"}
PLANTED = "My reference is NS112295, call me on 07700 900123. Tracey was brilliant."
KEY = "Brightwater-2024-0"
WIDGET = f"{KEY}_comment_best"


@pytest.fixture
def db(dashboard_db, tmp_path):
    path = tmp_path / "quotes-page.duckdb"
    shutil.copy(dashboard_db, path)
    con = connect(path)
    comments = [(KEY, PLANTED), ("Brightwater-2024-1", "Having control over my own support.")]
    for respondent, text in comments:
        con.execute(
            "INSERT INTO comments VALUES (?, 'poet-holder', 'Brightwater', 2024, "
            "'comment_best', ?, 1)",
            [respondent, text],
        )
    con.close()
    return path


def open_quotes_page(db, monkeypatch, *, signed_in: bool = True) -> AppTest:
    monkeypatch.setenv("OUTCOMES_DB", str(db))
    at = AppTest.from_file(str(APP), default_timeout=120)
    if signed_in:
        at.session_state["signed_in_user"] = "tester"
    at.query_params.update(QUERY)
    at.run()
    at.switch_page(PAGE).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _decision(db) -> tuple | None:
    con = duckdb.connect(str(db), read_only=True)
    try:
        rows = con.execute(
            "SELECT status, redacted_text, approved_by, approved_at FROM quote_moderation "
            "WHERE respondent_key = ?",
            [KEY],
        ).fetchall()
    finally:
        con.close()
    return rows[0] if rows else None


def test_the_page_marks_details_and_offers_the_redacted_text(db, monkeypatch) -> None:
    at = open_quotes_page(db, monkeypatch)
    markdown = " ".join(str(m.value) for m in at.markdown)
    assert "<mark" in markdown and "07700 900123</mark>" in markdown
    assert "client reference" in markdown
    captions = " ".join(str(c.value) for c in at.caption)
    assert "phone number “07700 900123”" in captions
    text = at.text_area(key=f"quote_{WIDGET}").value
    assert (
        text
        == "My reference is [client reference], call me on [phone number]. [name] was brilliant."
    )
    assert [m.label for m in at.metric] == ["Pending", "Approved", "Rejected"]
    assert at.metric[0].value == "2"


def test_approving_records_the_signed_in_user_and_the_edited_text(db, monkeypatch) -> None:
    at = open_quotes_page(db, monkeypatch)
    edited = "My reference is [client reference], call me on [phone number]. She was brilliant."
    at.text_area(key=f"quote_{WIDGET}").set_value(edited)
    at.button(key=f"approve_{WIDGET}").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert any("Approved the comment_best comment" in str(s.value) for s in at.success)
    status, text, by, when = _decision(db)
    assert (status, text, by) == ("approved", edited, "tester") and when is not None
    assert [m.value for m in at.metric] == ["1", "1", "0"]  # the page shows the new state


def test_approval_is_refused_while_a_phone_number_is_left(db, monkeypatch) -> None:
    at = open_quotes_page(db, monkeypatch)
    at.text_area(key=f"quote_{WIDGET}").set_value("Call me on 07700 900123.")
    at.button(key=f"approve_{WIDGET}").click().run()
    assert any("phone number '07700 900123'" in str(e.value) for e in at.error)
    assert _decision(db) is None


def test_rejecting_records_the_decision(db, monkeypatch) -> None:
    at = open_quotes_page(db, monkeypatch)
    at.button(key=f"reject_{WIDGET}").click().run()
    assert _decision(db)[0] == "rejected"
    at.radio(key="quotes_status").set_value("rejected").run()
    assert not at.exception
    assert any("rejected by tester" in str(m.value) for m in at.markdown)


def test_the_public_view_has_no_quotes_page(db, monkeypatch) -> None:
    monkeypatch.setenv("OUTCOMES_DB", str(db))
    at = AppTest.from_file(str(APP), default_timeout=120)
    at.query_params.update(QUERY)
    at.run()
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        at.switch_page(PAGE)
