"""Peer responses (issue 13 item 5): from the site's store through the merger into moderation,
then publication, from the command line as a commissioner would use it, on the dashboards'
seeded database (four councils, waves 2023 and 2024). An unapproved or rejected response, the
contact given and a planted phone number or email never reach ``published_responses``, the one
door the public faces use."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from pipeline import analysis
from pipeline.cli import app
from pipeline.collect.merge import merge_pending
from pipeline.collect.submissions import SubmissionStore, store_path_for
from tests.dashboards.conftest import build_dashboard_database

runner = CliRunner()
WIDE = {"COLUMNS": "250"}
PHONE, EMAIL, CONTACT = "07700 900123", "jo.bloggs@example.com", "network@example.org"
TEXT = (
    f"Our members read the results. Reviews were hard for most of us: ring Jo on {PHONE} or "
    f"write to {EMAIL} to hear more."
)


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_dashboard_database(tmp_path_factory.mktemp("responses-seed"))


@pytest.fixture
def db(seeded: Path, tmp_path: Path) -> Path:
    path = tmp_path / "responses.duckdb"
    shutil.copy(seeded, path)
    return path


def send(db: Path, text: str = TEXT, organisation: str = "Avonford Budget Holders") -> int:
    """What the /respond form does, then a merge (as the site's merger thread would)."""
    store = SubmissionStore(store_path_for(db))
    response_id = store.add_peer_response("Avonford", 2024, organisation, CONTACT, text)
    report = merge_pending(db, store)
    assert report.responses == 1
    return response_id


def published(db: Path) -> str:
    con = analysis.open_database(db)
    try:
        return analysis.published_responses(con, council="Avonford", wave=2024).to_csv()
    finally:
        con.close()


def run(*arguments: str):  # noqa: ANN201 - a click Result
    return runner.invoke(app, ["responses", *arguments], env=WIDE)


def test_merge_copies_once_redacts_and_lists_the_councils_with_results(db: Path) -> None:
    response_id = send(db)
    store = SubmissionStore(store_path_for(db))
    assert merge_pending(db, store).responses == 0  # marked in the store: never copied twice
    assert dict(store.result_councils())["Avonford"] == 2024
    con = analysis.open_database(db)
    try:
        queue = analysis.peer_responses(con, council="Avonford")
    finally:
        con.close()
    row = queue.set_index("response_id").loc[response_id]
    assert row["status"] == "pending" and row["contact"] == CONTACT
    assert PHONE not in row["published_text"] and EMAIL not in row["published_text"]
    assert "[phone number]" in row["published_text"] and "[email]" in row["published_text"]
    assert {"phone number", "email"} <= {label for label, _ in row["details"]}


def test_submit_moderate_publish_with_the_reply_and_who_approved(db: Path) -> None:
    response_id = send(db)
    assert "Avonford Budget Holders" not in published(db)  # pending: not public

    listed = run("list", "--council", "avonford", "--status", "pending", "--db", str(db))
    assert listed.exit_code == 0, listed.output
    assert "[phone number]" in listed.output and PHONE not in listed.output
    assert CONTACT not in listed.output  # only with --contact
    assert CONTACT in run("list", "--contact", "--db", str(db)).output

    refused = run("approve", str(response_id), "--text", f"Call {PHONE}", "--db", str(db))
    assert refused.exit_code != 0 and "phone number" in refused.output
    refused = run("approve", str(response_id), "--reply", f"Email {EMAIL}", "--db", str(db))
    assert refused.exit_code != 0 and "reply still holds email" in refused.output
    assert "Avonford Budget Holders" not in published(db)

    reply = "Thank you. We are changing how reviews are booked from April."
    done = run("approve", str(response_id), "--reply", reply, "--by", "alice", "--db", str(db))
    assert done.exit_code == 0, done.output
    public = published(db)
    assert "Avonford Budget Holders" in public and reply in public
    assert "[phone number]" in public
    for secret in (PHONE, EMAIL, CONTACT, "alice"):
        assert secret not in public
    con = analysis.open_database(db)
    try:
        row = analysis.peer_responses(con, status="approved").iloc[0]
    finally:
        con.close()
    assert row["approved_by"] == "alice" and row["approved_at"] is not None


def test_rejected_and_pending_responses_are_never_published(db: Path) -> None:
    rejected = send(db, text="Please publish this.", organisation="Rejected Group")
    send(db, text="Still waiting.", organisation="Pending Group")
    done = run("reject", str(rejected), "--notes", "not about the results", "--db", str(db))
    assert done.exit_code == 0, done.output
    public = published(db)
    assert "Rejected Group" not in public and "Pending Group" not in public
    approved = run("approve", str(rejected), "--by", "bob", "--db", str(db))
    assert approved.exit_code == 0
    run("reject", str(rejected), "--by", "bob", "--db", str(db))  # withdrawn again
    assert "Rejected Group" not in published(db)
