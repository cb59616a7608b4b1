"""Actions against findings (issue 13 item 1): add, update, publish and the audit trail, from the
command line as a commissioner would use it, on the dashboards' seeded database (four councils,
waves 2023 and 2024)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from pipeline import analysis
from pipeline.cli import app
from tests.dashboards.conftest import build_dashboard_database

runner = CliRunner()
WIDE = {"COLUMNS": "250"}


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_dashboard_database(tmp_path_factory.mktemp("actions-seed"))


@pytest.fixture
def db(seeded: Path, tmp_path: Path) -> str:
    path = tmp_path / "actions.duckdb"
    shutil.copy(seeded, path)
    return str(path)


def run(*arguments: str):  # noqa: ANN201 - a click Result
    return runner.invoke(app, ["actions", *arguments], env=WIDE)


def add(db: str, *extra: str, question: str = "out_support", council: str = "avonford"):  # noqa: ANN201
    return run(
        "add", "--council", council, "--wave", "2023", "--question", question,
        "--action", "run drop-in sessions on getting support in every library",
        "--owner", "Jo Smith, commissioning", "--due", "2024-03", "--db", db, *extra,
    )  # fmt: skip


def test_add_records_the_finding_resolved_through_the_council_register(db: str) -> None:
    done = add(db, "--by", "alice")
    assert done.exit_code == 0, done.output
    assert "Action 1 recorded for Avonford, 2023, out_support" in done.output
    con = analysis.open_database(db)
    try:
        actions = analysis.actions(con)
        results = analysis.results(con, council="Avonford", wave=2023, section="outcomes")
    finally:
        con.close()
    row = actions.iloc[0]
    expected = results.set_index("question_code").loc["out_support"]
    assert row["council"] == "Avonford" and row["domain"] == "Getting the support you need"
    assert row["finding_comparison"] == expected["comparison"]
    assert row["finding_value"] == pytest.approx(expected["value"])
    assert row["finding_n"] == expected["n"]
    assert str(row["due"]) == "2024-03-31"  # a month means its last day
    assert row["status"] == "not_started" and not row["public"]
    assert row["created_by"] == "alice"


def test_a_process_step_by_its_label_and_a_later_wave_records_the_change(db: str) -> None:
    done = run(
        "add", "--council", "Avonford", "--wave", "2024",
        "--question", "having support REVIEWED", "--action", "review everyone within a year",
        "--owner", "Reviews team", "--due", "2025-06-30", "--db", db,
    )  # fmt: skip
    assert done.exit_code == 0, done.output
    con = analysis.open_database(db)
    try:
        row = analysis.actions(con).iloc[0]
        change = analysis.wave_changes(
            con, council="Avonford", wave=2024, section="process"
        ).set_index("question_code")
    finally:
        con.close()
    assert row["question_code"] == "proc_review" and row["section"] == "process"
    assert row["finding_change"] == change.loc["proc_review", "verdict"]


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (("--question", "out_nothing"), "not an outcome question or process step"),
        (("--due", "next spring"), "give it as YYYY-MM-DD"),
        (("--status", "finished"), "choose one of not_started, under_way, done"),
    ],
)
def test_bad_input_is_refused_with_what_to_do(db: str, arguments, message: str) -> None:
    base = ["add", "--council", "Avonford", "--wave", "2023", "--question", "out_support",
            "--action", "a", "--owner", "b", "--due", "2024-01-01", "--db", db]  # fmt: skip
    for option, value in zip(arguments[::2], arguments[1::2], strict=True):
        if option in base:
            base[base.index(option) + 1] = value
        else:
            base += [option, value]
    refused = run(*base)
    assert refused.exit_code == 1 and message in refused.output


def test_unknown_council_and_wave_are_refused(db: str) -> None:
    assert "no data for council 'Nowhere'" in add(db, council="Nowhere").output
    later = run("add", "--council", "Avonford", "--wave", "2031", "--question", "out_support",
                "--action", "a", "--owner", "b", "--due", "2032-01-01", "--db", db)  # fmt: skip
    assert later.exit_code == 1 and "loaded waves: 2023, 2024" in later.output


def test_public_words_with_personal_details_are_refused(db: str) -> None:
    refused = run(
        "add", "--council", "Avonford", "--wave", "2023", "--question", "out_dignity",
        "--action", "Call Sarah on 07700 900123", "--owner", "x", "--due", "2024-01-01",
        "--public", "--db", db,
    )  # fmt: skip
    assert refused.exit_code == 1
    assert "phone number '07700 900123'" in refused.output and "name 'Sarah'" in refused.output
    assert add(db).exit_code == 0  # private: the owner may name a person
    update = run("update", "1", "--update", "Ask Mark Wilson", "--public", "--db", db)
    assert update.exit_code == 1 and "name 'Mark Wilson'" in update.output
    con = analysis.open_database(db)
    try:
        assert not analysis.actions(con)["public"].any()
        assert len(analysis.actions(con)) == 1  # the refused add stored nothing
    finally:
        con.close()


def test_update_and_publish_keep_every_change_with_who_and_when(db: str) -> None:
    assert add(db, "--by", "alice").exit_code == 0
    changed = run("update", "1", "--status", "under_way", "--update", "Sessions booked",
                  "--public", "--by", "bob", "--db", db)  # fmt: skip
    assert changed.exit_code == 0, changed.output
    assert "changed status, public_update, public" in changed.output
    assert "nothing changed" in run("update", "1", "--status", "under_way", "--db", db).output
    assert run("update", "1", "--private", "--by", "carol", "--db", db).exit_code == 0
    assert run("update", "9", "--status", "done", "--db", db).exit_code == 1

    listing = run("list", "--council", "AVONFORD", "--format", "json", "--db", db)
    assert listing.exit_code == 0, listing.output
    (record,) = json.loads(listing.output)
    assert record["status"] == "under_way" and record["public"] is False
    history = json.loads(run("history", "1", "--format", "json", "--db", db).output)
    created = [h for h in history if h["change"] == "created"]
    assert {h["field"] for h in created} >= {"action_text", "owner", "due", "status", "public"}
    assert {h["changed_by"] for h in created} == {"alice"}
    updates = [(h["changed_by"], h["field"], h["old_value"], h["new_value"])
               for h in history if h["change"] == "updated"]  # fmt: skip
    assert updates == [
        ("bob", "status", "not_started", "under_way"),
        ("bob", "public_update", None, "Sessions booked"),
        ("bob", "public", "false", "true"),
        ("carol", "public", "true", "false"),
    ]
    assert all(h["changed_at"] for h in history)
    public = run("list", "--public-only", "--format", "json", "--db", db)
    assert json.loads(public.output) == []


@pytest.mark.parametrize(("width", "blocks"), [(80, True), (250, False)])
def test_the_list_reads_as_one_block_per_action_on_a_narrow_terminal(monkeypatch, width, blocks):
    import io

    import pandas as pd
    from rich.console import Console

    from pipeline.commands import actions as command

    screen = Console(width=width, file=io.StringIO(), record=True)
    monkeypatch.setattr(command, "console", screen)
    frame = pd.DataFrame(
        [{c: f"value of {c}" for c in command.LIST_COLUMNS}, dict.fromkeys(command.LIST_COLUMNS)]
    )
    command._emit(frame, command.Format.table, command.LIST_COLUMNS, "Actions (2)")
    text = screen.export_text()
    assert "Actions (2)" in text
    action = command.LIST_COLUMNS["action_text"]
    if blocks:  # every field on its own line, its value whole beside it
        assert f"{action}" in text and "value of action_text" in text
        assert "┃" not in text
    else:
        assert "┃" in text and "value of action_text" in text
