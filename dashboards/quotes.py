"""The Quotes page's logic: show a comment with its personal details marked, record a decision.

Decisions are written by ``python -m pipeline.moderation`` (the function behind it is
``pipeline.moderation.decide``) in a process of its own, as the Load data page loads files: the
dashboard's pages hold read-only connections and DuckDB lets one process write the file.
"""

from __future__ import annotations

import html
import subprocess
import sys
from pathlib import Path

import pandas as pd

from dashboards.writer import json_answer
from pipeline.moderation import CommentKey, ModerationError

PER_PAGE = 10
STATUS_CHOICES = ("pending", "approved", "rejected", "all")


def as_html_block(html_text: str) -> str:
    """One HTML block for ``st.markdown(..., unsafe_allow_html=True)``: inside a block-level
    element markdown is not applied, so an email is not made a mailto link and ``*`` or ``#``
    in a comment stay as written. Line breaks become <br>, so no blank line ends the block."""
    return "<div>" + html_text.replace("\r\n", "\n").replace("\n", "<br>") + "</div>"


def highlighted(text: str, details: list[tuple[str, str]]) -> str:
    """The comment as HTML (escaped) with each detail found in a <mark> saying its kind."""
    out, position = [], 0
    for label, found in details:
        start = text.find(found, position)
        if start < 0:
            continue
        out.append(html.escape(text[position:start]))
        out.append(
            f'<mark title="{html.escape(label)}">{html.escape(found)}</mark>'
            f"<sub> {html.escape(label)}</sub>"
        )
        position = start + len(found)
    out.append(html.escape(text[position:]))
    return "".join(out)


def details_line(details: list[tuple[str, str]]) -> str:
    """What was found, as escaped HTML (see :func:`as_html_block`)."""
    if not details:
        return "No personal details were found automatically: read it before approving."
    found = "; ".join(f"{html.escape(label)} “{html.escape(text)}”" for label, text in details)
    return f"Found: {found}."


def shown(queue: pd.DataFrame, status: str) -> pd.DataFrame:
    """The comments with ``status`` (or all), those with details found first: they are the ones
    whose text to publish most needs reading."""
    chosen = queue if status == "all" else queue[queue["status"] == status]
    flagged = chosen["details"].map(len) > 0
    return pd.concat([chosen[flagged], chosen[~flagged]]).reset_index(drop=True)


def record(
    db_path: Path,
    key: CommentKey,
    *,
    status: str,
    by: str,
    text: str | None = None,
    notes: str | None = None,
) -> str:
    """Record a decision in a process of its own; the sentence saying what was recorded.

    Raises ModerationError with the refusal (details left in the text, a small group).
    """
    command = [
        sys.executable,
        "-m",
        "pipeline.moderation",
        "--db",
        str(db_path),
        "--respondent-key",
        key.respondent_key,
        "--instrument",
        key.instrument,
        "--council",
        key.council,
        "--wave",
        str(int(key.wave)),
        "--question",
        key.question_code,
        "--status",
        status,
        "--by",
        by,
    ]
    if text is not None:
        command += ["--text", text]
    if notes and notes.strip():
        command += ["--notes", notes.strip()]
    finished = subprocess.run(command, capture_output=True, text=True, check=False)
    payload = json_answer(finished, ModerationError, "the decision was not recorded")
    return str(payload["message"])
