"""Free-text comments to quote, and the council's area code: small reads the faces need.

Comments are personal data: none are returned for a council, wave and instrument with fewer
returns than ``THRESHOLDS.comments_group_below`` (methods.md), and the sample is fixed by a hash
of the pseudonym, so a report quotes the same comments each time rather than hand-picked ones.
"""

from __future__ import annotations

import duckdb
import pandas as pd

from pipeline.analysis.sql_files import run_sql
from pipeline.config import THRESHOLDS
from pipeline.instruments import get_instrument

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


def area_code(con: duckdb.DuckDBPyConnection, council: str) -> str:
    """The council's area (CASSR/ONS) code as its budget register gives it, or ""."""
    frame = run_sql(con, "area_code", {"council": council})
    value = frame["area_code"].iloc[0] if len(frame) else None
    return "" if value is None or pd.isna(value) else str(value)
