"""Record a commissioner's decision on a comment: approve (with the text to publish) or reject.

Decisions live in ``quote_moderation`` (migration 007), one row per comment. Approval is refused
while the text to publish still holds a detail found with near certainty (phone number, email,
postcode, NHS number, client reference) or when the comment's group is under
``THRESHOLDS.comments_group_below`` returns, so what a commissioner approves is what may be
published.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import duckdb

from pipeline.config import THRESHOLDS
from pipeline.moderation.patterns import load_rules
from pipeline.moderation.redact import redact

STATUSES = ("pending", "approved", "rejected")
_SQL = Path(__file__).parent / "sql"


class ModerationError(ValueError):
    """A decision that cannot be recorded, with what to do about it."""


@dataclass(frozen=True)
class CommentKey:
    """How ``comments`` identifies a comment: one respondent's answer to one free-text question."""

    respondent_key: str
    instrument: str
    council: str
    wave: int
    question_code: str

    def params(self) -> dict:
        return {
            "respondent_key": self.respondent_key,
            "instrument": self.instrument,
            "council": self.council,
            "wave": int(self.wave),
            "question_code": self.question_code,
        }


def comment_text(con: duckdb.DuckDBPyConnection, key: CommentKey) -> str:
    rows = con.execute(
        "SELECT comment_text FROM comments WHERE respondent_key = $respondent_key "
        "AND instrument = $instrument AND council = $council AND wave = $wave "
        "AND question_code = $question_code",
        key.params(),
    ).fetchall()
    if not rows:
        raise ModerationError(
            f"no {key.question_code} comment from respondent {key.respondent_key} for "
            f"{key.council}, {key.wave} ({key.instrument}): it may have been unloaded"
        )
    return str(rows[0][0])


def group_returns(con: duckdb.DuckDBPyConnection, key: CommentKey) -> int:
    return int(
        con.execute(
            "SELECT count(*) FROM respondents WHERE council = $council AND wave = $wave "
            "AND instrument = $instrument",
            {"council": key.council, "wave": int(key.wave), "instrument": key.instrument},
        ).fetchall()[0][0]
    )


def decide(
    con: duckdb.DuckDBPyConnection,
    key: CommentKey,
    *,
    status: str,
    by: str,
    text: str | None = None,
    notes: str | None = None,
) -> str:
    """Record ``status`` for the comment, with ``text`` to publish (default: the automatic
    redaction); returns a sentence saying what was recorded. Raises ModerationError."""
    if status not in STATUSES:
        raise ModerationError(f"status {status!r}: choose one of {', '.join(STATUSES)}")
    if not by or not by.strip():
        raise ModerationError("a decision needs the name of who made it")
    original = comment_text(con, key)
    rules = load_rules()
    automatic = redact(
        original,
        client_reference_patterns=rules.client_references_for(key.council),
        rules=rules,
    )
    chosen = automatic.text if text is None else text.strip()
    if status == "approved":
        if not chosen:
            raise ModerationError("the text to publish is empty: reject the comment instead")
        left = redact(
            chosen, client_reference_patterns=rules.client_references_for(key.council), rules=rules
        ).blocking
        if left:
            details = ", ".join(f"{span.label} '{span.text}'" for span in left)
            raise ModerationError(
                f"the text to publish still holds {details}: replace it with a placeholder "
                "such as [phone number] before approving"
            )
        returns = group_returns(con, key)
        if returns < THRESHOLDS.comments_group_below:
            raise ModerationError(
                f"{key.council}, {key.wave} has {returns} returns: comments are never published "
                f"for groups under {THRESHOLDS.comments_group_below}"
            )
    con.execute(
        (_SQL / "record_decision.sql").read_text(encoding="utf-8"),
        {**key.params(), "status": status, "redacted_text": chosen, "by": by, "notes": notes},
    )
    return f"{status} the {key.question_code} comment from {key.respondent_key} (by {by})"
