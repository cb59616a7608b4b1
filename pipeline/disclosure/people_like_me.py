"""The "people like me" pages of a wave as one publication (dashboard page and report pages).

Every council's page is published at once, because the figures tie together across pages:

- the values of one situation (each management option, and "Not known") add up to the council's
  whole base and count for the question, which its results page publishes;
- a comparator pool is the sum of the other councils' own rows for the same situation.

So the publication holds every council's own rows (``groups``), every comparator pool
(``comparator``) and the councils' overall results as their results page published them
(``totals``: fixed here, since they are published already; a total that page hid is a hidden
cell here too, so these pages cannot give it back). :func:`~pipeline.disclosure.publication.publish`
then hides small counts and bases and whatever would let a reader work them out. The auditor
reads the published CSV back into the same tables and relations
(:func:`pipeline.disclosure.audit.people_like_me_evidence`).
"""

from __future__ import annotations

import math

import pandas as pd

from pipeline.disclosure.publication import Publication, Relation, Table, publish

SHARES = {"value": ("count", "n"), "lower": ("count", "n"), "upper": ("count", "n")}
HIDDEN_ELSEWHERE = "hidden on the results page"


def group_table(frame: pd.DataFrame, *, pooled: bool = False) -> Table:
    """A council's own rows, or the comparator pools: people's counts under the whole rule.

    A pool is hidden first when a hidden cell needs a partner (``expendable``): withholding one
    pooled figure protects a council's small group without spreading blanks through every
    other council's page, as hiding a member's own row would.
    """
    expendable = ("count", "n") if pooled else ()
    return Table(frame, counts=("count", "n"), base="n", shares=dict(SHARES), expendable=expendable)


def describe(groups: pd.DataFrame, comparator: pd.DataFrame, totals: pd.DataFrame) -> Publication:
    """The publication of ``groups`` (own rows), ``comparator`` (pools) and ``totals``
    (``council, question_code, n, count`` as published beside them; blank = hidden there).

    Also how the auditor reads the published figures back, so both see the same relations.
    """
    groups = groups.reset_index(drop=True)
    comparator = comparator.reset_index(drop=True)
    totals = totals.reset_index(drop=True)
    tables = {
        "groups": group_table(groups),
        "comparator": group_table(comparator, pooled=True),
        "totals": Table(totals, counts=("count", "n"), base="n", fixed=("count", "n")),
    }
    relations: list[Relation] = []
    total_row = {(c, q): row for row, c, q in zip(totals.index, totals["council"],
                                                   totals["question_code"], strict=True)}  # fmt: skip
    parts = groups.groupby(["council", "situation", "question_code"], sort=False).groups
    for (council, _, question), rows in parts.items():
        row = total_row.get((council, question))
        if row is None:
            continue
        for column in ("n", "count"):
            relations.append(
                Relation([("groups", r, column) for r in rows], total=("totals", row, column))
            )
    own = {
        key: row
        for row, key in zip(
            groups.index,
            zip(groups["council"], groups["situation"], groups["situation_value"],
                groups["question_code"], strict=True),
            strict=True,
        )
    }  # fmt: skip
    for row, council_members, situation, value, question in zip(
        comparator.index, comparator["comparator_councils"], comparator["situation"],
        comparator["situation_value"], comparator["question_code"], strict=True,
    ):  # fmt: skip
        members = [m.strip() for m in str(council_members).split(";") if m.strip()]
        places = [own.get((m, situation, value, question)) for m in members]
        if not members or any(p is None for p in places):
            continue  # a member this publication does not hold: nothing to relate
        for column in ("n", "count"):
            relations.append(
                Relation([("groups", p, column) for p in places], total=("comparator", row, column))
            )
    hidden = {
        ("totals", row, column): HIDDEN_ELSEWHERE
        for row in totals.index
        for column in ("n", "count")
        if _blank(totals.at[row, column])
    }
    return Publication(tables, relations, hidden=hidden)


def _blank(value: object) -> bool:
    try:
        return math.isnan(float(value))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return True


def publish_people_like_me(frame: pd.DataFrame, totals: pd.DataFrame) -> pd.DataFrame:
    """``analysis.people_like_me`` of every council of a wave as it may be published.

    ``totals`` is the councils' outcome results as their results pages publish them
    (``pipeline.disclosure.pages.publish_results``: ``council, question_code, n, count``).
    Returns the same rows with hidden counts, bases, shares and intervals blank and
    ``suppressed`` / ``suppression_reason`` set.
    """
    if frame.empty:
        return frame.copy()
    frame = frame.reset_index(drop=True)
    keep = totals[["council", "question_code", "n", "count"]].copy()
    keep = keep[keep["council"].isin(set(frame["council"]))]
    parts = []
    for rows, shown_totals in _pieces(frame, keep):
        own = rows["area"].eq("council")
        groups, comparator = rows[own], rows[~own]
        published = publish(describe(groups, comparator, shown_totals))
        parts.append(published.frame("groups").set_axis(groups.index))
        parts.append(published.frame("comparator").set_axis(comparator.index))
    shown = pd.concat(parts).sort_index()
    return shown[frame.columns]


def _pieces(frame: pd.DataFrame, totals: pd.DataFrame):
    """The independent parts of the publication, each published on its own (the same answer as
    one publication, with far smaller systems to solve): no relation crosses questions (a base,
    a total and a pool are each of one question), and where every council's total of a question
    is published the situations do not meet either (only a hidden total ties them)."""
    for question, rows in frame.groupby("question_code", sort=False):
        question_totals = totals[totals["question_code"] == question]
        if question_totals[["n", "count"]].map(_blank).to_numpy().any():
            yield rows, question_totals
            continue
        for _, part in rows.groupby("situation", sort=False):
            yield part, question_totals
