"""Results broken down by who the respondents are: management option, support reason, age...

Each row is one question x one value of one respondent characteristic, with its own base,
share and Wilson interval, so a council can see whether, say, people with council-managed budgets
report worse outcomes than direct-payment holders. Blank or "don't know" characteristics are
kept as their own row, "Not known", rather than dropped: leaving them out would quietly change the
base. The counting is one GROUP BY in DuckDB (``sql/subgroup_counts.sql``).
"""

from __future__ import annotations

from collections.abc import Sequence

import duckdb
import pandas as pd

from pipeline.analysis.benchmarks import BENCHMARK_COLUMNS
from pipeline.analysis.compare import compare_with_benchmark
from pipeline.analysis.intervals import share_percent, wilson_percent
from pipeline.analysis.results import NoDataError, results
from pipeline.analysis.sql_files import run_sql
from pipeline.analysis.weighting import (
    NOT_KNOWN,
    NOT_KNOWN_LABEL,
    cell_expression,
    weighted_results,
)
from pipeline.config import THRESHOLDS
from pipeline.disclosure import suppression_flags
from pipeline.instruments import get_instrument

SUBGROUPS = (
    "management_option",
    "support_reason",
    "age_band",
    "gender",
    "ethnicity",
    "budget_band",
    "held_for",
)

SUBGROUP_TITLES = {
    "management_option": "How the budget is managed",
    "support_reason": "Main reason for support",
    "age_band": "Age band",
    "gender": "Gender",
    "ethnicity": "Ethnic group",
    "budget_band": "Budget a year",
    "held_for": "Time with a budget",
}

_WEIGHTED_COLUMNS = [
    "value_weighted",
    "moe_weighted",
    "lower_weighted",
    "upper_weighted",
    "cells_without_respondents",
    "note",
]


def subgroup_labels(by: str, instrument: str = "poet-holder") -> tuple[dict[str, str], dict]:
    """Plain labels and display order of a subgroup column's codes (from the scale YAML)."""
    scale = get_instrument(instrument).scales.get(by)
    labels: dict[str, str] = {NOT_KNOWN: NOT_KNOWN_LABEL}
    order: dict[str, int] = {NOT_KNOWN: 10_000}
    if scale is not None:
        for answer in scale.codes:
            if not answer.missing:
                labels[answer.code] = answer.label
                order[answer.code] = answer.order
    return labels, order


def subgroups(
    con: duckdb.DuckDBPyConnection,
    *,
    council: str | None,
    wave: int,
    instrument: str = "poet-holder",
    by: str | Sequence[str] = "management_option",
    section: str = "outcomes",
    weighted: bool = False,
    cells: Sequence[str] | None = None,
    confidence: float = THRESHOLDS.confidence,
    benchmark: str = "auto",
    min_base: int = THRESHOLDS.minimum_base,
) -> pd.DataFrame:
    """Every question of ``section`` broken down by ``by`` (one column or several, stacked).

    Returns the common result columns plus ``subgroup`` (the column), ``subgroup_title``,
    ``subgroup_value`` (the code, ``not_known`` for blanks and missing codes),
    ``subgroup_label`` and ``subgroup_order``; ``council`` None pools every council
    ("All councils"). With ``weighted=True`` (one council only) the post-stratified share of each
    subgroup is added beside it (``value_weighted``, ``moe_weighted``, ``lower_weighted``,
    ``upper_weighted``, ``cells_without_respondents``, ``note``), using the reference's rule for
    a demographic supergroup.
    """
    columns = [by] if isinstance(by, str) else list(by)
    unknown = [c for c in columns if c not in SUBGROUPS]
    if unknown:
        raise ValueError(f"cannot break down by {unknown}; choose from {SUBGROUPS}")
    if weighted and council is None:
        raise ValueError("weighted subgroups need one council: weights come from its register")
    counts = subgroup_counts(
        con, council=council, wave=wave, instrument=instrument, section=section, by=columns
    )
    frames = [
        _one_subgroup(
            con,
            counts[counts["subgroup"] == column].drop(columns="subgroup"),
            council=council,
            wave=wave,
            instrument=instrument,
            by=column,
            section=section,
            weighted=weighted,
            cells=cells,
            confidence=confidence,
        )
        for column in columns
    ]
    frame = pd.concat(frames, ignore_index=True)
    return _attach_benchmark(
        con,
        frame,
        council=council,
        wave=wave,
        instrument=instrument,
        section=section,
        benchmark=benchmark,
        confidence=confidence,
        min_base=min_base,
    )


def subgroup_counts(
    con: duckdb.DuckDBPyConnection,
    *,
    council: str | None,
    wave: int,
    instrument: str,
    section: str,
    by: Sequence[str],
) -> pd.DataFrame:
    """``[question_code, domain, subgroup, subgroup_value, n, count]`` for every column of ``by``
    in one pass over the answers (one grouping set per column)."""
    for column in by:
        if column not in SUBGROUPS:
            raise ValueError(f"cannot break down by {column!r}; choose from {SUBGROUPS}")
    return run_sql(
        con,
        "subgroup_counts",
        {"council": council, "wave": int(wave), "instrument": instrument, "section": section},
        folded=", ".join(cell_expression(column, instrument) for column in by),
        subgroup_name="CASE "
        + " ".join(f"WHEN grouping(p.{c}) = 0 THEN '{c}'" for c in by)
        + " END",
        subgroup_value=f"coalesce({', '.join(f'p.{c}' for c in by)})",
        grouping_sets=", ".join(f"(a.question_code, p.{c})" for c in by),
    )


def _one_subgroup(
    con: duckdb.DuckDBPyConnection,
    counts: pd.DataFrame,
    *,
    council: str | None,
    wave: int,
    instrument: str,
    by: str,
    section: str,
    weighted: bool,
    cells: Sequence[str],
    confidence: float,
) -> pd.DataFrame:
    spec = get_instrument(instrument)
    labels, order = subgroup_labels(by, instrument)
    question_order = {q.code: i for i, q in enumerate(spec.questions)}
    frame = counts.assign(
        instrument=instrument,
        council=council if council is not None else "All councils",
        wave=int(wave),
        section=section,
        measure=counts["question_code"].map(
            lambda code: spec.question(code).scale.positive if code in question_order else None
        ),
        subgroup=by,
        subgroup_title=SUBGROUP_TITLES[by],
        subgroup_label=counts["subgroup_value"].map(lambda code: labels.get(code, code)),
        subgroup_order=counts["subgroup_value"].map(lambda code: order.get(code, 5_000)),
    )
    frame["n"] = frame["n"].astype(int)
    frame["count"] = frame["count"].astype(int)
    frame["value"] = share_percent(frame["count"], frame["n"])
    frame["lower"], frame["upper"] = wilson_percent(frame["count"], frame["n"], confidence)
    if weighted:
        assert council is not None
        weighted_frame = weighted_results(
            con,
            council=council,
            wave=wave,
            instrument=instrument,
            section=section,
            cells=cells,
            by=by,
            confidence=confidence,
        )
        frame = frame.merge(
            weighted_frame[["question_code", "subgroup_value", *_WEIGHTED_COLUMNS]],
            on=["question_code", "subgroup_value"],
            how="left",
        )
    frame["_question_order"] = frame["question_code"].map(question_order)
    frame = frame.sort_values(["_question_order", "subgroup_order", "subgroup_value"])
    frame = frame.drop(columns="_question_order").reset_index(drop=True)
    return suppression_flags(
        frame,
        count_columns=("count",),
        base_column="n",
        value_columns=("value", "lower", "upper"),
        group_columns=("question_code",),
    )


def _attach_benchmark(
    con: duckdb.DuckDBPyConnection,
    frame: pd.DataFrame,
    *,
    council: str | None,
    wave: int,
    instrument: str,
    section: str,
    benchmark: str,
    confidence: float,
    min_base: int,
) -> pd.DataFrame:
    """Give each subgroup row its question's benchmark and compare the subgroup with it.

    The comparator is the one the council's own results use (``results``), so a subgroup reads
    "worse than the national figure" on the same footing as the whole council; pooled councils
    use national figures (a pooled leave-one-out benchmark has no meaning for all councils).
    The comparison uses the unweighted share; Benjamini-Hochberg adjusts across the rows of one
    breakdown.
    """
    out = frame.copy()
    out["unit"] = "percent"
    out["confidence"] = confidence
    benchmarks = pd.DataFrame(columns=["question_code", *BENCHMARK_COLUMNS])
    if not out.empty and benchmark != "none":
        try:
            overall = results(
                con,
                council=council,
                wave=wave,
                instrument=instrument,
                section=section,
                benchmark="national" if council is None else benchmark,
                confidence=confidence,
                min_base=min_base,
            )
        except NoDataError:
            overall = None
        if overall is not None:
            benchmarks = overall[["question_code", *BENCHMARK_COLUMNS]].drop_duplicates(
                "question_code"
            )
    out = out.merge(benchmarks, on="question_code", how="left")
    return compare_with_benchmark(
        out, confidence=confidence, min_base=min_base, family=["council", "subgroup"]
    )
