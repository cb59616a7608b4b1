"""Approving and rejecting quotes: only approved, redacted text from groups of 10+ is published."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from pipeline import analysis
from pipeline.moderation import CommentKey, ModerationError, decide
from tests.seeding import new_database, seed_returns

PLANTED = "My reference is NS112295, call me on 07700 900123. Sarah Jones was lovely."
CLEAN = "Having control over my own support."


def _returns(council: str, n: int) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "council": council,
            "wave": 2025,
            "instrument": "poet-holder",
            "respondent_key": [f"{council[:3]}{i:03d}" for i in range(n)],
            "out_control": "better",
        }
    )


def _comment(con: duckdb.DuckDBPyConnection, council: str, key: str, text: str) -> CommentKey:
    con.execute(
        "INSERT INTO comments VALUES (?, 'poet-holder', ?, 2025, 'comment_best', ?, 1)",
        [key, council, text],
    )
    return CommentKey(key, "poet-holder", council, 2025, "comment_best")


@pytest.fixture()
def con(tmp_path: Path) -> duckdb.DuckDBPyConnection:
    con = new_database(tmp_path)
    seed_returns(con, _returns("Bigtown", 12))
    seed_returns(con, _returns("Tiny", 4))
    yield con
    con.close()


def _published(con: duckdb.DuckDBPyConnection, council: str = "Bigtown") -> list[str]:
    quotes = analysis.approved_quotes(con, council=council, wave=2025)
    return list(quotes["comment_text"])


def test_nothing_is_published_until_approved(con) -> None:
    _comment(con, "Bigtown", "Big000", PLANTED)
    _comment(con, "Bigtown", "Big001", CLEAN)
    assert _published(con) == []
    queue = analysis.moderation_queue(con, council="Bigtown", wave=2025)
    assert set(queue["status"]) == {"pending"}
    planted = queue.set_index("respondent_key").loc["Big000"]
    assert planted["automatic"] == (
        "My reference is [client reference], call me on [phone number]. [name] was lovely."
    )
    assert ("phone number", "07700 900123") in planted["details"]
    assert planted["to_publish"] == planted["automatic"]
    assert int(planted["group_returns"]) == 12


def test_approval_publishes_the_redacted_text_and_records_who(con) -> None:
    key = _comment(con, "Bigtown", "Big000", PLANTED)
    message = decide(con, key, status="approved", by="alice")
    assert "approved" in message
    quotes = analysis.approved_quotes(con, council="Bigtown", wave=2025)
    assert list(quotes["comment_text"]) == [
        "My reference is [client reference], call me on [phone number]. [name] was lovely."
    ]
    assert quotes["approved_by"].iloc[0] == "alice"
    assert pd.notna(quotes["approved_at"].iloc[0])
    queue = analysis.moderation_queue(con, council="Bigtown", wave=2025)
    assert queue["status"].iloc[0] == "approved" and queue["decided_by"].iloc[0] == "alice"


def test_an_edited_redaction_is_what_is_published(con) -> None:
    key = _comment(con, "Bigtown", "Big000", "May was better. Grace at the office helped.")
    edited = "May was better. [name] at the office helped."
    decide(con, key, status="approved", by="alice", text=edited, notes="Grace is a person")
    assert _published(con) == [edited]
    # approving again with different text replaces the decision
    decide(con, key, status="approved", by="bob", text="May was better.")
    quotes = analysis.approved_quotes(con, council="Bigtown", wave=2025)
    assert list(quotes["comment_text"]) == ["May was better."]
    assert quotes["approved_by"].iloc[0] == "bob"


def test_approval_is_refused_while_a_certain_detail_remains(con) -> None:
    key = _comment(con, "Bigtown", "Big000", PLANTED)
    with pytest.raises(ModerationError, match="phone number '07700 900123'"):
        decide(con, key, status="approved", by="alice", text="call me on 07700 900123")
    with pytest.raises(ModerationError, match="empty"):
        decide(con, key, status="approved", by="alice", text="  ")
    assert _published(con) == []


def test_rejected_and_pending_quotes_are_not_published(con) -> None:
    first = _comment(con, "Bigtown", "Big000", CLEAN)
    second = _comment(con, "Bigtown", "Big001", "I feel much more independent.")
    decide(con, first, status="approved", by="alice")
    decide(con, first, status="rejected", by="bob")
    decide(con, second, status="pending", by="alice", text="I feel more independent.")
    assert _published(con) == []
    queue = analysis.moderation_queue(con, council="Bigtown", wave=2025).set_index("respondent_key")
    assert queue.loc["Big000", "status"] == "rejected"
    assert pd.isna(queue.loc["Big000", "approved_by"])
    assert queue.loc["Big001", "to_publish"] == "I feel more independent."


def test_groups_under_ten_are_never_published(con) -> None:
    key = _comment(con, "Tiny", "Tin000", CLEAN)
    with pytest.raises(ModerationError, match="4 returns"):
        decide(con, key, status="approved", by="alice")
    # even an approval written straight into the table (or one made before an unload shrank
    # the group) is not published
    con.execute(
        "INSERT INTO quote_moderation (respondent_key, instrument, council, wave, question_code, "
        "comment_sha256, status, redacted_text, approved_by, decided_by) "
        "SELECT respondent_key, instrument, council, wave, question_code, sha256(comment_text), "
        "'approved', comment_text, 'alice', 'alice' FROM comments WHERE council = 'Tiny'"
    )
    assert _published(con, "Tiny") == []


def test_a_decision_does_not_carry_over_to_changed_text(con) -> None:
    key = _comment(con, "Bigtown", "Big000", CLEAN)
    decide(con, key, status="approved", by="alice")
    con.execute("UPDATE comments SET comment_text = 'Call 07700 900123' WHERE council = 'Bigtown'")
    assert _published(con) == []
    assert analysis.moderation_queue(con, council="Bigtown", wave=2025)["status"].iloc[0] == (
        "pending"
    )


def test_a_missing_comment_or_status_is_a_clear_error(con) -> None:
    key = CommentKey("nobody", "poet-holder", "Bigtown", 2025, "comment_best")
    with pytest.raises(ModerationError, match="unloaded"):
        decide(con, key, status="approved", by="alice")
    real = _comment(con, "Bigtown", "Big000", CLEAN)
    with pytest.raises(ModerationError, match="choose one of"):
        decide(con, real, status="published", by="alice")
    with pytest.raises(ModerationError, match="who made it"):
        decide(con, real, status="approved", by=" ")


def test_the_module_records_a_decision_in_its_own_process(tmp_path: Path) -> None:
    con = new_database(tmp_path)
    seed_returns(con, _returns("Bigtown", 12))
    _comment(con, "Bigtown", "Big000", PLANTED)
    con.close()
    base = [sys.executable, "-m", "pipeline.moderation", "--db", str(tmp_path / "test.duckdb")]
    base += ["--respondent-key", "Big000", "--instrument", "poet-holder", "--council", "Bigtown"]
    base += ["--wave", "2025", "--question", "comment_best", "--by", "alice"]
    done = subprocess.run(
        [*base, "--status", "approved", "--text", "call me on 07700 900123"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 1 and "phone number" in json.loads(done.stdout)["error"]
    done = subprocess.run([*base, "--status", "approved"], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert "approved" in json.loads(done.stdout.splitlines()[-1])["message"]
    check = duckdb.connect(str(tmp_path / "test.duckdb"), read_only=True)
    assert "07700" not in _published(check)[0]
    check.close()
