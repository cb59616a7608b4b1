"""Peer responses to a council's published results (issue 13 item 5): take them in, moderate them.

A peer network of budget holders sends a response through the survey site's form (``/respond``:
organisation, contact, text). The site writes it to its write-ahead store
(:class:`pipeline.collect.submissions.SubmissionStore`) before saying thank you, and the merger
copies it into ``peer_responses`` (migration 014) with :func:`merge_peer_responses`, keyed by
the store's id so it is never copied twice.

What a peer network writes is free text from the public, so it is treated as quotes are
(:mod:`pipeline.moderation`): the words to publish start as the automatic redaction, a
commissioner reads and may edit them, adds the council's reply and approves or rejects the
response, and approval is refused while the organisation, the text or the reply still holds a
phone number, email, postcode, NHS number or client reference. The contact given is kept for the
council to write back and is never published. Who approved a response, and when, is recorded.

The dashboard runs this module as ``python -m pipeline.collect.responses DB`` (JSON in, JSON
out) in a process of its own, because its pages hold read-only connections and DuckDB lets one
process write the file.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import duckdb

from pipeline.moderation import redact_for_council
from pipeline.store.transactions import transaction

if TYPE_CHECKING:
    from pipeline.collect.submissions import SubmissionStore

STATUSES = ("pending", "approved", "rejected")
# Form limits: long enough for a considered response, short enough to read beside the results.
LIMITS = {"organisation": 200, "contact": 200, "response": 5000}


class ResponseError(ValueError):
    """A response or decision that cannot be recorded, with what to do about it."""


def _clean(text: object) -> str:
    """Trim the ends and blank lines; keep the writer's own line breaks inside."""
    lines = [" ".join(line.split()) for line in str(text or "").replace("\r\n", "\n").split("\n")]
    return "\n".join(lines).strip()


def check_form(
    council: str, councils: list[str], organisation: str, contact: str, response: str
) -> dict[str, str]:
    """The form's problems by field (empty when it can be stored), in GOV.UK's error words."""
    errors: dict[str, str] = {}
    if council not in councils:
        errors["council"] = "Choose the council whose results you are responding to"
    for field, value, empty in (
        ("organisation", organisation, "Enter the name of your organisation or group"),
        ("contact", contact, "Enter an email address or phone number the council can use"),
        ("response", response, "Enter your response"),
    ):
        if not value:
            errors[field] = empty
        elif len(value) > LIMITS[field]:
            errors[field] = f"Your {field} must be {LIMITS[field]} characters or fewer"
    return errors


def merge_peer_responses(con: duckdb.DuckDBPyConnection, store: SubmissionStore) -> int:
    """Copy the store's new responses into ``peer_responses`` (pending, with the automatic
    redaction as the words to publish), then mark them in the store; how many were new.

    A response already in DuckDB (an earlier merge died before marking it) is only marked.
    """
    waiting = store.unmerged_peer_responses()
    if not waiting:
        return 0
    ids = [row["response_id"] for row in waiting]
    known = {
        int(row[0])
        for row in con.execute(
            "SELECT response_id FROM peer_responses WHERE list_contains(?, response_id)", [ids]
        ).fetchall()
    }
    new = [row for row in waiting if int(row["response_id"]) not in known]
    with transaction(con):  # committed before the store is told, so none is ever lost
        for row in new:
            _insert(con, row)
    store.mark_peer_responses_merged(ids)
    return len(new)


def _insert(con: duckdb.DuckDBPyConnection, row: dict) -> None:
    con.execute(
        "INSERT INTO peer_responses (response_id, council, wave, organisation, contact, "
        "response_text, submitted_at, published_organisation, published_text) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            int(row["response_id"]),
            row["council"],
            int(row["wave"]),
            row["organisation"],
            row["contact"],
            row["response_text"],
            row["submitted_at"],
            redact_for_council(row["organisation"], row["council"]).text,
            redact_for_council(row["response_text"], row["council"]).text,
        ],
    )


def refresh_result_councils(con: duckdb.DuckDBPyConnection, store: SubmissionStore) -> int:
    """Copy which councils have results loaded (and their latest wave) into the store, so the
    form can offer them while the site never opens DuckDB for a visitor."""
    rows = con.execute(
        "SELECT council, max(wave) FROM respondents GROUP BY council ORDER BY council"
    ).fetchall()
    return store.replace_result_councils(rows)


def _blocking(council: str, words: dict[str, str | None]) -> list[str]:
    problems = []
    for what, text in words.items():
        if not text:
            continue
        left = redact_for_council(text, council).blocking
        if left:
            details = ", ".join(f"{span.label} '{span.text}'" for span in left)
            problems.append(f"the {what} still holds {details}")
    return problems


def decide(
    con: duckdb.DuckDBPyConnection,
    response_id: int,
    *,
    status: str,
    by: str,
    text: str | None = None,
    organisation: str | None = None,
    reply: str | None = None,
    notes: str | None = None,
) -> str:
    """Record a commissioner's decision on a response; a sentence saying what was recorded.

    ``text`` and ``organisation`` replace the words to publish (default: those already held,
    the automatic redaction until someone edits them); ``reply`` is the council's public reply
    (default: the one held). Raises ResponseError.
    """
    if status not in STATUSES:
        raise ResponseError(f"status {status!r}: choose one of {', '.join(STATUSES)}")
    if not by or not by.strip():
        raise ResponseError("a decision needs the name of who made it")
    row = con.execute(
        "SELECT council, published_text, published_organisation, council_reply "
        "FROM peer_responses WHERE response_id = ?",
        [int(response_id)],
    ).fetchone()
    if row is None:
        raise ResponseError(
            f"no peer response {response_id}: `outcomes responses list` shows their ids"
        )
    council, held_text, held_organisation, held_reply = row
    chosen_text = held_text if text is None else _clean(text)
    chosen_organisation = held_organisation if organisation is None else _clean(organisation)
    chosen_reply = held_reply if reply is None else (_clean(reply) or None)
    if status == "approved":
        if not chosen_text or not chosen_organisation:
            raise ResponseError("the text or organisation to publish is empty: reject instead")
        problems = _blocking(
            council,
            {"text": chosen_text, "organisation": chosen_organisation, "reply": chosen_reply},
        )
        if problems:
            raise ResponseError(
                "; ".join(problems) + ": replace each with a placeholder such as "
                "[phone number] before approving (the contact given is never published)"
            )
    con.execute(
        "UPDATE peer_responses SET status = $status, published_text = $text, "
        "published_organisation = $organisation, council_reply = $reply, "
        "approved_by = CASE WHEN $status = 'approved' THEN $by END, "
        "approved_at = CASE WHEN $status = 'approved' THEN current_timestamp END, "
        "decided_by = $by, decided_at = current_timestamp, notes = coalesce($notes, notes) "
        "WHERE response_id = $response_id",
        {
            "status": status,
            "text": chosen_text,
            "organisation": chosen_organisation,
            "reply": chosen_reply,
            "by": by.strip(),
            "notes": _clean(notes) or None,
            "response_id": int(response_id),
        },
    )
    return f"{status} peer response {response_id} from {chosen_organisation} (by {by.strip()})"


def main(argv: list[str] | None = None) -> int:
    """``python -m pipeline.collect.responses DB`` with a JSON request on stdin (the keyword
    arguments of :func:`decide`, with ``response_id``); prints ``{"message": ...}`` or
    ``{"error": ...}``."""
    from pipeline.store import connect

    args = sys.argv[1:] if argv is None else argv
    request = dict(json.loads(sys.stdin.read()))
    try:
        con = connect(Path(args[0]))
        try:
            response_id = int(request.pop("response_id"))
            message = decide(con, response_id, **request)
        finally:
            con.close()
    except (ResponseError, ValueError, TypeError, KeyError) as error:
        print(json.dumps({"error": str(error)}))
        return 1
    print(json.dumps({"message": message}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
