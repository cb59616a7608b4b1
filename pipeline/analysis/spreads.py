"""Every council's answer spread of some questions in one query, for publishing every council.

:func:`pipeline.analysis.distribution` answers one council and question at a time, which is
right for a page. A wave's reports protect every council's spreads together (they are one
publication), and asking one question of one council at a time cost 150 councils x 5 steps
queries, each scanning the answers again: minutes at national scale, paid again by every
report worker. :func:`every_council_distribution` counts them all in one GROUP BY and returns
the rows :func:`~pipeline.analysis.distribution` would, council by council and question by
question in the order asked, with the same bases, intervals and suppression flags.
"""

from __future__ import annotations

import duckdb
import pandas as pd

from pipeline.config import THRESHOLDS
from pipeline.disclosure import suppression_flags
from pipeline.instruments import get_instrument

from .results import DISTRIBUTION_COLUMNS, add_answer_shares
from .sql_files import run_sql


def every_council_distribution(
    con: duckdb.DuckDBPyConnection,
    *,
    wave: int,
    instrument: str,
    question_codes: list[str],
    confidence: float = THRESHOLDS.confidence,
) -> pd.DataFrame:
    """``distribution(council=c, question_code=q)`` for every council ``c`` with answers in the
    wave and every ``q`` in ``question_codes``, concatenated (councils sorted, then questions in
    the order given). Columns: those of :func:`pipeline.analysis.distribution`."""
    definition = get_instrument(instrument)
    frame = run_sql(
        con,
        "distribution_every_council",
        {"wave": wave, "instrument": instrument, "questions": list(question_codes)},
    )
    if frame.empty:
        return pd.DataFrame(columns=DISTRIBUTION_COLUMNS)
    order = {code: position for position, code in enumerate(question_codes)}
    frame = frame.assign(question_position=frame["question_code"].map(order))
    frame = frame.sort_values(
        ["council", "question_position", "answer_order"], kind="stable"
    ).reset_index(drop=True)
    frame["subgroup_value"] = "All respondents"
    frame["subgroup"] = "all"
    frame = add_answer_shares(frame, [frame["council"], frame["question_code"]], confidence)
    domains = {q.code: q.domain for q in definition.questions}
    frame = frame.assign(
        instrument=instrument, wave=wave, domain=frame["question_code"].map(domains)
    )
    # as distribution(): valid answers add up to n, so they are one group, the missing codes
    # another, here within each council and question
    frame = suppression_flags(
        frame,
        group_columns=("council", "question_code", "subgroup_value", "is_missing"),
        complement=False,
    )
    return frame[DISTRIBUTION_COLUMNS].reset_index(drop=True)


PROCESS_SPREAD_COLUMNS = [
    "council",
    "question_code",
    "domain",
    "answer_label",
    "answer_order",
    "answer_group",
    "n",
    "count",
    "value",
]


def process_answer_spreads(
    con: duckdb.DuckDBPyConnection,
    *,
    wave: int,
    instrument: str = "poet-holder",
    councils: list[str] | tuple[str, ...] | None = None,
) -> pd.DataFrame:
    """Every council's answer spread of the ease5 process steps, valid answers only: what the
    results pages publish beside the process results, and so part of the wave's publication
    that "people like me" is published with (the report set and the dashboard page alike).
    ``councils`` keeps those councils only (None: every council with answers). Counted in one
    query for all councils (one query per council and step took minutes nationally)."""
    steps = [
        question.code
        for question in get_instrument(instrument).section("process")
        if question.type == "coded"
        and question.scale is not None
        and question.scale.name == "ease5"
    ]
    if (councils is not None and not len(councils)) or not steps:
        return pd.DataFrame(columns=PROCESS_SPREAD_COLUMNS)
    spreads = every_council_distribution(
        con, wave=wave, instrument=instrument, question_codes=steps
    )
    if councils is not None:
        spreads = spreads[spreads["council"].isin(list(councils))]
    spreads = spreads[~spreads["is_missing"].fillna(False).astype(bool)]
    if spreads.empty:
        return pd.DataFrame(columns=PROCESS_SPREAD_COLUMNS)
    return spreads.reset_index(drop=True)
