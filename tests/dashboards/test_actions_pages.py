"""The Actions page (commissioners), and the public You said, we did and Making it Real pages,
under AppTest and in a real Chromium: a commissioner adds and updates an action by keyboard, the
change is kept with their name, and the public page never shows an unpublished action."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from pipeline import analysis
from pipeline.collect.actions import add_action
from pipeline.store import connect
from tests.dashboards.conftest import APP

QUERY = {"council": "Avonford", "wave": "2024", "instrument": "poet-holder"}
PUBLIC = "run drop-in sessions on getting support in every library"
PRIVATE = "quietly restructure the brokerage contract"
SHOTS = Path("/tmp/actions-shots")


@pytest.fixture
def db(dashboard_db, tmp_path) -> Path:
    path = tmp_path / "actions-page.duckdb"
    shutil.copy(dashboard_db, path)
    con = connect(path)
    try:
        add_action(con, council="Avonford", wave=2023, question="out_support", action=PUBLIC,
                   owner="Jo Smith", due="2024-03", by="alice", public=True)  # fmt: skip
        add_action(con, council="Avonford", wave=2023, question="proc_review", action=PRIVATE,
                   owner="Reviews team", due="2024-06-30", by="alice")  # fmt: skip
    finally:
        con.close()
    return path


def open_page(db: Path, monkeypatch, page: str, *, signed_in: bool) -> AppTest:
    monkeypatch.setenv("OUTCOMES_DB", str(db))
    at = AppTest.from_file(str(APP), default_timeout=120)
    if signed_in:
        at.session_state["signed_in_user"] = "tester"
    at.query_params.update(QUERY)
    at.run()
    at.switch_page(page).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _text(at: AppTest) -> str:
    parts = [m.value for m in at.markdown] + [s.value for s in at.subheader]
    parts += [d.value.astype(str).to_string() for d in at.dataframe]
    return " ".join(parts)


def test_public_you_said_page_shows_only_the_public_action(db, monkeypatch) -> None:
    at = open_page(db, monkeypatch, "app_pages/14_You_said.py", signed_in=False)
    text = _text(at)
    assert f"We said we would {PUBLIC}." in text and "By March 2024." in text
    assert "compared with" in text  # the 2024 result beside the 2023 action
    assert PRIVATE not in text and "Jo Smith" not in text


def test_actions_page_is_for_commissioners_only(db, monkeypatch) -> None:
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        open_page(db, monkeypatch, "app_pages/13_Actions.py", signed_in=False)


def test_actions_page_adds_and_updates_with_the_signed_in_name(db, monkeypatch) -> None:
    at = open_page(db, monkeypatch, "app_pages/13_Actions.py", signed_in=True)
    assert PRIVATE in _text(at)  # a commissioner sees every action
    at.selectbox[0].set_value("out_dignity")
    at.text_area[0].input("ask people what dignity means to them")
    at.text_input[0].input("Quality team")
    at.button[0].click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert any("recorded by tester" in s.value for s in at.success)
    con = analysis.open_database(db)
    try:
        actions = analysis.actions(con, council="Avonford")
        history = analysis.action_history(con)
    finally:
        con.close()
    added = actions[actions["action_text"] == "ask people what dignity means to them"].iloc[0]
    assert added["wave"] == 2024 and not added["public"] and added["created_by"] == "tester"
    assert set(history[history["action_id"] == added["action_id"]]["changed_by"]) == {"tester"}


def test_making_it_real_page_groups_results_and_names_statements_without_evidence(
    db, monkeypatch
) -> None:
    at = open_page(db, monkeypatch, "app_pages/15_Making_it_Real.py", signed_in=False)
    text = _text(at)
    assert "Wellbeing and independence" in text and "Workforce" in text
    assert "I am accepted for who I am." in text
    assert "Our survey has no evidence about this yet." in text
    assert "No evidence yet" in text


def test_the_update_form_changes_status_update_and_publishing_and_keeps_each_change(
    db, monkeypatch
) -> None:
    at = open_page(db, monkeypatch, "app_pages/13_Actions.py", signed_in=True)
    chooser = next(s for s in at.selectbox if s.label == "Action to update")
    private = next(o for o in chooser.options if PRIVATE[:40] in o)
    chooser.set_value(int(private.split(":")[0])).run()
    assert not at.exception, [e.value for e in at.exception]
    status = next(r for r in at.radio if r.label == "Status")
    status.set_value("done")
    next(t for t in at.text_input if t.label == "Public update").input("Brokerage now monthly")
    boxes = [c for c in at.checkbox if c.label == "Show on the public pages"]
    boxes[-1].check()  # the update form's box (the add form's comes first)
    next(b for b in at.button if b.label == "Save changes").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert any("changed" in s.value and "by tester" in s.value for s in at.success)

    con = analysis.open_database(db)
    try:
        row = analysis.actions(con, council="Avonford").set_index("action_text").loc[PRIVATE]
        history = analysis.action_history(con, action_id=int(row["action_id"]))
    finally:
        con.close()
    assert row["status"] == "done" and row["public"]
    assert row["public_update"] == "Brokerage now monthly"
    changes = history[history["changed_by"] == "tester"]
    assert {"status", "public", "public_update"} <= set(changes["field"])
    assert set(history["changed_by"]) == {"alice", "tester"}  # the creation is kept too

    public = open_page(db, monkeypatch, "app_pages/14_You_said.py", signed_in=False)
    text = _text(public)
    assert f"We said we would {PRIVATE}." in text and "Brokerage now monthly" in text
    assert "Reviews team" not in text  # the owner is never published
