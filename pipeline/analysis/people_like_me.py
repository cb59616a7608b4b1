"""People like me: how people in one situation said things changed, here and in similar councils.

A budget holder (or their peer network) picks their situation: how the budget is managed, the
main reason for support, their age band and how long they have had a budget. For each of those
four, this gives the share of people sharing it who said each outcome got better, in the council
and, pooled, in its comparator group (:func:`pipeline.analysis.peers.comparator_group`, the
group's members with returns loaded for the wave, the council itself left out).

Situations are shown one characteristic at a time, never combined (decision D75): a group of
"direct payment, aged 18-24, under 6 months" would almost always be a handful of people, and
groups that overlap can be subtracted from each other to reveal them. Each characteristic's
values (with "Not known" for blanks) add up to the council's whole base for the question, which
is what lets the disclosure rule check the page as one publication
(:mod:`pipeline.disclosure.people_like_me`).

Counting is one GROUPING SETS query for every council of the wave (``sql/people_like_me_counts.sql``);
pandas adds scale values nobody in a council had (a zero row, so the page can say so), the
comparator pools, intervals and flags.
"""

from __future__ import annotations

import duckdb
import numpy as np
import pandas as pd

from pipeline.analysis.intervals import share_percent, wilson_percent
from pipeline.analysis.peers import comparator_group
from pipeline.analysis.sql_files import run_sql
from pipeline.analysis.subgroups import SUBGROUP_TITLES, subgroup_labels
from pipeline.analysis.weighting import NOT_KNOWN, cell_expression
from pipeline.config import THRESHOLDS
from pipeline.disclosure import suppression_flags
from pipeline.instruments import get_instrument

SITUATIONS = ("management_option", "support_reason", "age_band", "held_for")
# The question a person answers to pick their situation, in their words.
SITUATION_QUESTIONS = {
    "management_option": "How is your personal budget managed?",
    "support_reason": "What is the main reason you need support?",
    "age_band": "How old are you?",
    "held_for": "How long have you had your personal budget?",
}
AREAS = ("council", "comparator")
COLUMNS = [
    "instrument",
    "wave",
    "council",
    "area",
    "comparator_councils",
    "situation",
    "situation_title",
    "situation_value",
    "situation_label",
    "situation_order",
    "question_code",
    "domain",
    "n",
    "count",
    "value",
    "lower",
    "upper",
    "too_small",
    "suppressed",
    "suppression_reason",
]


def situation_choices(situation: str, instrument: str = "poet-holder") -> list[tuple[str, str]]:
    """``(code, label)`` of every value a person can pick for ``situation``, in scale order
    ("Not known" is not a situation anyone picks)."""
    labels, order = subgroup_labels(situation, instrument)
    codes = sorted((c for c in labels if c != NOT_KNOWN), key=lambda c: order.get(c, 5_000))
    return [(code, labels[code]) for code in codes]


def _counts(con: duckdb.DuckDBPyConnection, wave: int, instrument: str) -> pd.DataFrame:
    return run_sql(
        con,
        "people_like_me_counts",
        {"wave": int(wave), "instrument": instrument},
        folded=", ".join(cell_expression(column, instrument) for column in SITUATIONS),
        situation_name="CASE "
        + " ".join(f"WHEN grouping(p.{c}) = 0 THEN '{c}'" for c in SITUATIONS)
        + " END",
        situation_value=f"coalesce({', '.join(f'p.{c}' for c in SITUATIONS)})",
        grouping_sets=", ".join(f"(a.council, a.question_code, p.{c})" for c in SITUATIONS),
    )


def _complete(counts: pd.DataFrame, instrument: str) -> pd.DataFrame:
    """Every council x question x situation value of the scale, zero where nobody had it, so a
    person whose situation nobody shared is told so rather than not finding it."""
    spec = get_instrument(instrument)
    questions = [q for q in spec.section("outcomes") if q.type == "coded"]
    domains = {q.code: q.domain for q in questions}
    keys = []
    for council in sorted(counts["council"].unique()):
        for situation in SITUATIONS:
            values = [code for code, _ in situation_choices(situation, instrument)]
            values += [NOT_KNOWN]
            found = counts[(counts["council"] == council) & (counts["situation"] == situation)]
            values += [v for v in found["situation_value"].unique() if v not in values]
            for question in domains:
                keys += [(council, question, situation, value) for value in values]
    grid = pd.DataFrame(keys, columns=["council", "question_code", "situation", "situation_value"])
    frame = grid.merge(
        counts.drop(columns="domain"),
        on=["council", "question_code", "situation", "situation_value"],
        how="left",
    )
    frame["domain"] = frame["question_code"].map(domains)
    frame[["n", "count"]] = frame[["n", "count"]].fillna(0).astype(int)
    order = {code: i for i, code in enumerate(domains)}
    frame["_question"] = frame["question_code"].map(order)
    return frame


def _comparator_rows(
    con: duckdb.DuckDBPyConnection, own: pd.DataFrame, councils: list[str], group: str
) -> pd.DataFrame:
    """Each council's comparator pool: the sum over its group's members loaded for the wave."""
    frames = []
    keys = ["question_code", "situation", "situation_value"]
    for council in councils:
        members = [m for m in comparator_group(con, council, group)[1:] if m in councils]
        if not members:
            continue
        pooled = (
            own[own["council"].isin(members)]
            .groupby(keys, as_index=False, sort=False)
            .agg(
                n=("n", "sum"),
                count=("count", "sum"),
                domain=("domain", "first"),
                _question=("_question", "first"),
            )  # fmt: skip
        )
        pooled = pooled[pooled["situation_value"] != NOT_KNOWN]
        frames.append(
            pooled.assign(
                council=council, area="comparator", comparator_councils="; ".join(members)
            )
        )
    if not frames:
        return own.iloc[0:0]  # no council has a group: no pools, same columns
    return pd.concat(frames, ignore_index=True)


def people_like_me(
    con: duckdb.DuckDBPyConnection,
    *,
    wave: int,
    council: str | None = None,
    instrument: str = "poet-holder",
    group: str = "comparator",
    confidence: float = THRESHOLDS.confidence,
    min_base: int = THRESHOLDS.minimum_base,
) -> pd.DataFrame:
    """How people in each situation said each outcome changed, in each council and its group.

    One row per council, area (``council``: its own returns; ``comparator``: its comparator
    group's returns pooled, the council left out), situation column (:data:`SITUATIONS`),
    situation value and outcome question. ``council=None`` gives every council of the wave (what
    a publication needs: a pool is the sum of other councils' rows); a council gives its rows
    only. ``comparator_councils`` names the pooled councils ("; "-separated; empty for own rows);
    a council with no comparator group loaded, or none of whose group has returns for the wave,
    has no comparator rows. ``value`` is the percent saying "got better" or "got a lot better"
    with its Wilson interval; ``too_small`` marks a base under ``min_base`` (a share the page
    does not put into words); ``suppressed`` flags the disclosure rule on the group's own row
    (the published page applies :func:`pipeline.disclosure.people_like_me.publish_people_like_me`).
    """
    counts = _counts(con, wave, instrument)
    if counts.empty:
        return pd.DataFrame(columns=COLUMNS)
    own = _complete(counts, instrument)
    councils = sorted(own["council"].unique())
    own = own.assign(area="council", comparator_councils="")
    targets = councils if council is None else [council]
    frame = pd.concat(
        [
            own,
            _comparator_rows(con, own, councils, group).pipe(
                lambda f: f[f["council"].isin(targets)]
            ),
        ],
        ignore_index=True,
    )
    if council is not None:
        frame = frame[frame["council"] == council]
    frame = frame.assign(
        instrument=instrument,
        wave=int(wave),
        situation_title=frame["situation"].map(SUBGROUP_TITLES),
    )
    labels = {s: subgroup_labels(s, instrument) for s in SITUATIONS}
    frame["situation_label"] = [
        labels[s][0].get(v, v)
        for s, v in zip(frame["situation"], frame["situation_value"], strict=True)
    ]
    frame["situation_order"] = [
        labels[s][1].get(v, 5_000)
        for s, v in zip(frame["situation"], frame["situation_value"], strict=True)
    ]
    frame["n"] = frame["n"].astype(int)
    frame["count"] = frame["count"].astype(int)
    frame["value"] = share_percent(frame["count"], frame["n"])
    frame["lower"], frame["upper"] = wilson_percent(frame["count"], frame["n"], confidence)
    frame["too_small"] = frame["n"] < min_base
    situation_rank = {s: i for i, s in enumerate(SITUATIONS)}
    frame["_situation"] = frame["situation"].map(situation_rank)
    frame["_area"] = frame["area"].map({a: i for i, a in enumerate(AREAS)})
    frame = frame.sort_values(
        ["council", "_situation", "situation_order", "situation_value", "_question", "_area"]
    ).reset_index(drop=True)
    frame = suppression_flags(
        frame,
        count_columns=("count",),
        base_column="n",
        value_columns=("value", "lower", "upper"),
        group_columns=("council", "area", "situation", "question_code"),
    )
    frame["too_small"] = frame["too_small"].astype(bool)
    frame["value"] = frame["value"].astype(float).replace({np.inf: np.nan})
    return frame[COLUMNS].reset_index(drop=True)
