"""Outcome and process results: the headline share of each question with its interval,
benchmark, verdict and suppression flag; and the full distribution over a question's scale.

Counting runs in DuckDB (``sql/shares_by_council.sql``: one GROUP BY over ``answers_scored`` for
every council at once); pandas adds intervals, benchmarks and verdicts to the few rows that come
back. The base of every share excludes the scale's missing codes and blanks.
"""

from __future__ import annotations

import duckdb
import pandas as pd

from pipeline.config import THRESHOLDS
from pipeline.disclosure import suppression_flags
from pipeline.instruments import RESPONDENT_FIELDS, get_instrument

from .benchmarks import attach_benchmarks
from .compare import compare_with_benchmark
from .intervals import share_percent, wilson_percent
from .inventory import domains
from .sql_files import run_sql

RESULT_COLUMNS = [
    "instrument",
    "council",
    "wave",
    "question_code",
    "domain",
    "section",
    "measure",
    "unit",
    "n",
    "count",
    "value",
    "lower",
    "upper",
    "confidence",
    "benchmark_value",
    "benchmark_kind",
    "benchmark_source",
    "benchmark_year",
    "benchmark_n",
    "benchmark_count",
    "benchmark_label",
    "benchmark_margin",
    "comparison",
    "comparison_note",
    "p_value",
    "p_adjusted",
    "suppressed",
    "suppression_reason",
]


class NoDataError(LookupError):
    """No survey answers for what was asked; the message lists what is loaded."""


def council_shares(
    con: duckdb.DuckDBPyConnection, *, wave: int, instrument: str, section: str
) -> pd.DataFrame:
    """``[council, question_code, measure, domain, n, count, others_n, others_count,
    other_councils]`` for every council and every reported question of the section.

    Questions a council has no answers to appear with ``n = 0`` so tables keep their shape.
    """
    wanted = domains(instrument, section)
    counted = run_sql(
        con, "shares_by_council", {"instrument": instrument, "wave": wave, "section": section}
    )
    if counted.empty:
        return counted.assign(measure=None, domain=None)
    grid = pd.MultiIndex.from_product(
        [sorted(counted["council"].unique()), wanted["question_code"]],
        names=["council", "question_code"],
    ).to_frame(index=False)
    frame = grid.merge(counted, on=["council", "question_code"], how="left")
    others = (
        frame.groupby("question_code")[["n", "count"]].transform("sum").fillna(0)
    )  # fill the leave-one-out sums for questions a council did not answer at all
    for column in ("n", "count"):
        frame[column] = frame[column].fillna(0).astype(int)
    frame["others_n"] = frame["others_n"].fillna(others["n"] - frame["n"]).astype(int)
    frame["others_count"] = (
        frame["others_count"].fillna(others["count"] - frame["count"]).astype(int)
    )
    councils_answering = frame.assign(answered=frame["n"] > 0).groupby("question_code")["answered"]
    frame["other_councils"] = (
        councils_answering.transform("sum") - (frame["n"] > 0).astype(int)
    ).astype(int)
    frame = frame.merge(wanted[["question_code", "domain", "measure"]], on="question_code")
    return frame


def results(
    con: duckdb.DuckDBPyConnection,
    *,
    council: str | None,
    wave: int,
    instrument: str = "poet-holder",
    section: str = "outcomes",
    weighted: bool = False,
    confidence: float = THRESHOLDS.confidence,
    benchmark: str = "auto",
    min_base: int = THRESHOLDS.minimum_base,
    peers: list[str] | None = None,
) -> pd.DataFrame:
    """One row per question of the section (per council when ``council`` is None).

    Columns: see ``RESULT_COLUMNS`` and docs/analysis-api.md. ``council=None`` gives every
    council at once (each against its own leave-one-out benchmark). ``peers`` compares with a
    chosen group of councils pooled (the council itself left out), e.g. its nearest neighbours
    or a single other council. ``weighted=True`` uses the post-stratified shares of
    :mod:`.weighting` (compared by interval, since a weighted share has no simple base).
    """
    shares = council_shares(con, wave=wave, instrument=instrument, section=section)
    if shares.empty:
        raise NoDataError(_nothing_loaded(con, council, wave, instrument))
    all_councils = shares
    if council is not None:
        shares = shares[shares["council"] == council]
        if shares.empty or shares["n"].sum() == 0:
            raise NoDataError(_nothing_loaded(con, council, wave, instrument))
    frame = shares.reset_index(drop=True).assign(
        instrument=instrument, wave=wave, section=section, unit="percent", confidence=confidence
    )
    frame["value"] = share_percent(frame["count"], frame["n"])
    frame["lower"], frame["upper"] = wilson_percent(frame["count"], frame["n"], confidence)
    if weighted:
        frame = _use_weighted(con, frame, council, wave, instrument, section, confidence)
    frame = attach_benchmarks(
        con,
        frame,
        instrument=instrument,
        wave=wave,
        benchmark=benchmark,
        peers=peers,
        all_councils=all_councils,
    )
    if weighted:  # a weighted share is compared by its interval, never by a count-based test
        frame["benchmark_n"] = pd.array([pd.NA] * len(frame), dtype="Int64")
        frame.loc[frame["benchmark_kind"].isin(["pooled", "loaded"]), "benchmark_kind"] = "exact"
    frame = compare_with_benchmark(frame, confidence=confidence, min_base=min_base)
    frame = suppression_flags(frame, group_columns=(), complement=True)
    return (
        frame[RESULT_COLUMNS]
        .sort_values(["council", "question_code"], key=_question_order(instrument))
        .reset_index(drop=True)
    )


def _question_order(instrument: str):
    order = {q.code: i for i, q in enumerate(get_instrument(instrument).questions)}

    def key(column: pd.Series) -> pd.Series:
        return column.map(order) if column.name == "question_code" else column

    return key


def _use_weighted(
    con: duckdb.DuckDBPyConnection,
    frame: pd.DataFrame,
    council: str | None,
    wave: int,
    instrument: str,
    section: str,
    confidence: float,
) -> pd.DataFrame:
    """Swap in the weighted share and interval for one council (part of :mod:`.weighting`)."""
    if council is None:
        raise ValueError("weighted results are per council: name the council")
    from .weighting import weighted_results

    weighted = weighted_results(
        con,
        council=council,
        wave=wave,
        instrument=instrument,
        section=section,
        confidence=confidence,
    ).set_index("question_code")
    out = frame.copy()
    codes = out["question_code"]
    out["value"] = codes.map(weighted["value_weighted"]).astype(float)
    out["lower"] = codes.map(weighted["lower_weighted"]).astype(float)
    out["upper"] = codes.map(weighted["upper_weighted"]).astype(float)
    return out


def _nothing_loaded(
    con: duckdb.DuckDBPyConnection, council: str | None, wave: int, instrument: str
) -> str:
    loaded = con.execute(
        "SELECT council || ' ' || wave || ' (' || instrument || ')' FROM survey_returns "
        "ORDER BY ALL"
    ).fetchall()
    what = f"{council or 'any council'}, wave {wave}, {instrument}"
    listing = (
        ", ".join(row[0] for row in loaded) or "nothing yet (run `outcomes demo` or load files)"
    )
    return f"no survey answers for {what}. Loaded: {listing}"


def answer_groups(
    con: duckdb.DuckDBPyConnection,
    *,
    council: str | None,
    wave: int,
    instrument: str = "poet-holder",
    section: str = "outcomes",
    confidence: float = THRESHOLDS.confidence,
) -> pd.DataFrame:
    """Counts and shares of every reporting group: better / same / worse (outcomes), easy /
    neither / difficult (process) and so on, one row per council, question and group.

    Columns: ``instrument, council, wave, question_code, domain, section, answer_group, n,
    count, value, lower, upper, suppressed, suppression_reason``.
    """
    counted = run_sql(
        con,
        "group_counts",
        {"instrument": instrument, "wave": wave, "section": section, "council": council},
    )
    spec = get_instrument(instrument)
    wanted = domains(instrument, section)
    rows = []
    for question in spec.section(section):
        if question.code not in set(wanted["question_code"]) or question.scale is None:
            continue
        for council_name in sorted(counted["council"].unique()):
            for group in question.scale.groups:
                rows.append((council_name, question.code, question.domain, group))
    grid = pd.DataFrame(rows, columns=["council", "question_code", "domain", "answer_group"])
    frame = grid.merge(counted, on=["council", "question_code", "answer_group"], how="left")
    frame["count"] = frame["count"].fillna(0).astype(int)
    frame["n"] = frame.groupby(["council", "question_code"])["count"].transform("sum")
    frame["value"] = share_percent(frame["count"], frame["n"])
    frame["lower"], frame["upper"] = wilson_percent(frame["count"], frame["n"], confidence)
    frame = frame.assign(instrument=instrument, wave=wave, section=section)
    frame = suppression_flags(frame, group_columns=("council", "question_code"), complement=False)
    return frame[
        [
            "instrument",
            "council",
            "wave",
            "question_code",
            "domain",
            "section",
            "answer_group",
            "n",
            "count",
            "value",
            "lower",
            "upper",
            "suppressed",
            "suppression_reason",
        ]
    ]


# The columns of distribution(), in order (pipeline.analysis.spreads returns the same).
DISTRIBUTION_COLUMNS = [
    "instrument",
    "council",
    "wave",
    "question_code",
    "domain",
    "subgroup",
    "subgroup_value",
    "answer_code",
    "answer_label",
    "answer_order",
    "answer_group",
    "is_missing",
    "n",
    "count",
    "value",
    "lower",
    "upper",
    "suppressed",
    "suppression_reason",
]


def add_answer_shares(
    frame: pd.DataFrame, groups: list[pd.Series], confidence: float
) -> pd.DataFrame:
    """Base, share and Wilson interval of each answer count within its group (``groups``):
    the valid answers make the base ``n``; missing codes ("don't know") keep their count but get
    no share or interval (their count can exceed ``n``)."""
    valid = ~frame["is_missing"].astype(bool)
    frame["n"] = frame["count"].where(valid, 0).groupby(groups).transform("sum").astype(int)
    frame["value"] = share_percent(frame["count"].where(valid), frame["n"])
    lower, upper = wilson_percent(frame["count"].where(valid, 0), frame["n"], confidence)
    frame["lower"] = pd.Series(lower, index=frame.index).where(valid)
    frame["upper"] = pd.Series(upper, index=frame.index).where(valid)
    return frame


def distribution(
    con: duckdb.DuckDBPyConnection,
    *,
    council: str,
    wave: int,
    instrument: str,
    question_code: str,
    by: str | None = None,
    weighted: bool = False,
    confidence: float = THRESHOLDS.confidence,
) -> pd.DataFrame:
    """Every point of a question's scale, optionally by a respondent subgroup.

    Missing codes (not applicable, don't know) are listed with their counts but are not part of
    ``n`` and get no share. Columns: ``instrument, council, wave, question_code, domain,
    subgroup, subgroup_value, answer_code, answer_label, answer_order, answer_group,
    is_missing, n, count, value, lower, upper, suppressed, suppression_reason``.
    """
    if weighted:
        raise ValueError(
            "a weighted distribution is not offered; use weighted_results for weighted shares"
        )
    question = get_instrument(instrument).question(question_code)
    if by is not None and by not in RESPONDENT_FIELDS:
        raise ValueError(f"by must be one of {', '.join(RESPONDENT_FIELDS)}, not {by!r}")
    subgroup_sql = f"r.{by}" if by else "'All respondents'"
    frame = run_sql(
        con,
        "distribution",
        {"council": council, "wave": wave, "instrument": instrument, "question": question_code},
        subgroup=subgroup_sql,
    )
    frame["subgroup"] = by or "all"
    frame["subgroup_value"] = frame["subgroup_value"].fillna("not known")
    frame = add_answer_shares(frame, [frame["subgroup_value"]], confidence)
    frame = frame.assign(
        instrument=instrument,
        council=council,
        wave=wave,
        question_code=question_code,
        domain=question.domain,
    )
    # valid answers add up to n, so they are one group; the missing codes are another
    frame = suppression_flags(
        frame, group_columns=("subgroup_value", "is_missing"), complement=False
    )
    return frame[DISTRIBUTION_COLUMNS].reset_index(drop=True)
