"""Free-text comments to quote, and the council's area code: small reads the faces need.

Comments are personal data: none are returned for a council, wave and instrument with fewer
returns than ``THRESHOLDS.comments_group_below`` (methods.md). What a report publishes is
:func:`approved_quotes`: only comments a commissioner approved, as the redacted text they
approved. :func:`moderation_queue` is the commissioner's view of every comment with its
automatic redaction; :func:`comments` is the raw, repeatable sample (analysts only).
"""

from __future__ import annotations

import duckdb
import pandas as pd

from pipeline.analysis.sql_files import run_sql
from pipeline.config import THRESHOLDS
from pipeline.instruments import get_instrument
from pipeline.moderation.patterns import load_rules
from pipeline.moderation.redact import redact

COMMENTS_PER_QUESTION = 5


def comments(
    con: duckdb.DuckDBPyConnection,
    *,
    council: str,
    wave: int,
    instrument: str = "poet-holder",
    per_question: int = COMMENTS_PER_QUESTION,
) -> pd.DataFrame:
    """[question_code, question, comment_text]: a repeatable sample per free-text question."""
    frame = run_sql(
        con,
        "comments_sample",
        {
            "council": council,
            "wave": wave,
            "instrument": instrument,
            "min_group": THRESHOLDS.comments_group_below,
            "per_question": per_question,
        },
    )
    wording = {q.code: q.wording for q in get_instrument(instrument).questions}
    frame["question"] = frame["question_code"].map(wording).fillna(frame["question_code"])
    return frame[["question_code", "question", "comment_text"]]


def _has_moderation(con: duckdb.DuckDBPyConnection) -> bool:
    """Whether the database has ``quote_moderation`` (a file from before migration 007 opened
    read-only does not, and then nothing has been approved)."""
    rows = con.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_name = 'quote_moderation'"
    ).fetchall()
    return bool(rows[0][0])


def _with_wording(frame: pd.DataFrame, instrument: str) -> pd.DataFrame:
    wording = {q.code: q.wording for q in get_instrument(instrument).questions}
    frame["question"] = frame["question_code"].map(wording).fillna(frame["question_code"])
    return frame


def approved_quotes(
    con: duckdb.DuckDBPyConnection,
    *,
    council: str,
    wave: int,
    instrument: str = "poet-holder",
) -> pd.DataFrame:
    """[question_code, question, comment_text, approved_by, approved_at]: the quotes that may
    be published, each as approved (redacted); none for groups under the threshold."""
    columns = ["question_code", "question", "comment_text", "approved_by", "approved_at"]
    if not _has_moderation(con):
        return pd.DataFrame(columns=columns)
    frame = run_sql(
        con,
        "approved_quotes",
        {
            "council": council,
            "wave": wave,
            "instrument": instrument,
            "min_group": THRESHOLDS.comments_group_below,
        },
    )
    return _with_wording(frame, instrument)[columns]


def moderation_queue(
    con: duckdb.DuckDBPyConnection,
    *,
    council: str,
    wave: int,
    instrument: str = "poet-holder",
) -> pd.DataFrame:
    """Every comment of the group with its moderation state, for commissioners only.

    Columns: respondent_key, question_code, question, comment_text (as written), automatic
    (the redacted text), details (list of (label, text) found), to_publish (the saved text, or
    the automatic redaction while none is saved), status, approved_by, approved_at, decided_by,
    decided_at, notes, group_returns.
    """
    if not _has_moderation(con):
        raise ValueError(
            "this database has no quote_moderation table yet: open it once for writing "
            "(any `outcomes` command that loads data) to apply migration 007"
        )
    frame = run_sql(
        con, "moderation_queue", {"council": council, "wave": wave, "instrument": instrument}
    )
    rules = load_rules()
    patterns = rules.client_references_for(council)
    found = [
        redact(text, client_reference_patterns=patterns, rules=rules)
        for text in frame["comment_text"]
    ]
    frame["automatic"] = [r.text for r in found]
    frame["details"] = [[(s.label, s.text) for s in r.spans] for r in found]
    frame["to_publish"] = frame["saved_text"].where(frame["saved_text"].notna(), frame["automatic"])
    frame = _with_wording(frame, instrument)
    return frame[
        [
            "respondent_key",
            "question_code",
            "question",
            "comment_text",
            "automatic",
            "details",
            "to_publish",
            "status",
            "approved_by",
            "approved_at",
            "decided_by",
            "decided_at",
            "notes",
            "group_returns",
        ]
    ]


def area_code(con: duckdb.DuckDBPyConnection, council: str) -> str:
    """The council's area (CASSR/ONS) code as its budget register gives it, or ""."""
    frame = run_sql(con, "area_code", {"council": council})
    value = frame["area_code"].iloc[0] if len(frame) else None
    return "" if value is None or pd.isna(value) else str(value)
