"""The publications each face publishes, described once for the dashboards, reports and CLI.

Each function takes the analysis API's frames for one page or file, describes them as a
:class:`~pipeline.disclosure.publication.Publication` (tables, shares, pins and relations) and
returns them protected by :func:`~pipeline.disclosure.publication.publish`. The faces call these
and never decide themselves what may be shown.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from pipeline.disclosure.cells import protect
from pipeline.disclosure.publication import Publication, Relation, Table, group_relations, publish

RESULT_PINS = ("count", "n", "benchmark_count", "benchmark_n")


def results_table(frame: pd.DataFrame) -> Table:
    """A results frame (one row per council and question) as a published table."""
    frame = frame.copy()
    pooled = (
        frame["benchmark_kind"].astype(str).eq("pooled")
        if "benchmark_kind" in frame
        else pd.Series(False, index=frame.index)
    )
    for column in ("benchmark_count", "benchmark_n"):
        if column in frame:
            # a published (national) base is public already; only pooled sums are our figures
            frame[column] = pd.to_numeric(frame[column], errors="coerce").where(pooled)
    return Table(
        frame,
        counts=("count", "n", "benchmark_count", "benchmark_n"),
        base="n",
        shares={
            "value": ("count", "n"),
            "lower": ("count", "n"),
            "upper": ("count", "n"),
            "benchmark_value": ("benchmark_count", "benchmark_n"),
        },
        pins={
            "p_value": RESULT_PINS,
            "p_adjusted": RESULT_PINS,
            "comparison_note": RESULT_PINS,
            "benchmark_label": ("benchmark_count", "benchmark_n"),
            "difference": ("count", "n"),
        },
        primary=("count", "n"),
        expendable=("benchmark_count", "benchmark_n"),
    )


def pooled_relations(
    table: str, frame: pd.DataFrame, pools: Mapping[str, Sequence[str]] | None = None
) -> list[Relation]:
    """A pooled benchmark is the sum of its councils' counts and bases (leave-one-out by
    default, or ``pools[council]``)."""
    relations: list[Relation] = []
    if frame.empty or "benchmark_kind" not in frame:
        return relations
    pairs = zip(frame["council"], frame["question_code"], strict=True)
    index = {pair: i for i, pair in enumerate(pairs)}
    rows = list(frame.index)
    for row, council, question, kind in zip(
        rows, frame["council"], frame["question_code"], frame["benchmark_kind"], strict=True
    ):
        if kind != "pooled":
            continue
        members = (
            [c for c in pools[council] if c != council]
            if pools is not None and council in pools
            else [c for c in frame["council"].unique() if c != council]
        )
        places = [index.get((m, question)) for m in members]
        if any(p is None for p in places):
            continue  # a pool member is not in this publication: nothing to relate
        for column, total in (("n", "benchmark_n"), ("count", "benchmark_count")):
            parts = [(table, rows[p], column) for p in places]
            relations.append(Relation(parts, total=(table, row, total)))
    return relations


def publish_results(
    frames: Mapping[str, pd.DataFrame],
    pools: Mapping[str, Sequence[str]] | None = None,
    answers: Mapping[str, pd.DataFrame] | None = None,
) -> dict[str, pd.DataFrame]:
    """Results of every council of a wave (one frame per section), protected together.

    Every council's report is published at once, so a pooled benchmark of one council (the sum
    of the others) is related to the others' published counts: where that would give a hidden
    count away, the benchmark's count, base and share are withheld (and the p-values with them).
    ``answers`` maps a section to the answer spreads (``analysis.distribution`` of every council
    and question, valid answers only) published beside it: a question's answers add up to its
    base, and those of the measure's group (easy + very easy) to the result's count.
    """
    tables = {name: results_table(frame) for name, frame in frames.items()}
    relations = [r for name, t in tables.items() for r in pooled_relations(name, t.frame, pools)]
    for section, spread in (answers or {}).items():
        name = f"{section} answers"
        spread = spread.reset_index(drop=True)
        tables[name] = distribution_table(spread)
        relations += answer_relations(name, spread, ("council", "question_code"))
        relations += _measure_relations(section, tables[section].frame, name, spread)
    published = publish(Publication(tables, relations))
    out = {name: published.frame(name) for name in tables if name not in frames}
    for name, frame in frames.items():
        shown = published.frame(name)
        for column in ("benchmark_count", "benchmark_n"):  # national figures come back as given
            if column in frame:
                national = frame["benchmark_kind"].astype(str).ne("pooled")
                kept = pd.to_numeric(shown[column], errors="coerce")
                shown[column] = kept.where(~national, pd.to_numeric(frame[column], errors="coerce"))
        out[name] = shown
    return out


def _measure_relations(
    section: str, results: pd.DataFrame, name: str, spread: pd.DataFrame
) -> list[Relation]:
    relations = []
    if spread.empty or results.empty:
        return relations
    groups = spread.groupby(["council", "question_code", "answer_group"]).groups
    for row, council, question, measure in zip(
        results.index, results["council"], results["question_code"], results["measure"],
        strict=True,
    ):  # fmt: skip
        parts = groups.get((council, question, measure))
        if parts is not None and len(parts):
            relations.append(
                Relation([(name, r, "count") for r in parts], total=(section, row, "count"))
            )
    return relations


def publish_council_results(
    all_results: pd.DataFrame,
    council: str,
    pools: Mapping[str, Sequence[str]] | None = None,
) -> pd.DataFrame:
    """One council's rows of :func:`publish_results` (the CLI's ``outcomes compare``)."""
    published = publish_results({"results": all_results}, pools)["results"]
    return published[published["council"] == council].reset_index(drop=True)


def distribution_table(frame: pd.DataFrame) -> Table:
    """An answer distribution: counts of each answer, shares of the group's base."""
    return Table(
        frame,
        counts=("count", "n"),
        base="n",
        shares={"value": ("count", "n"), "lower": ("count", "n"), "upper": ("count", "n")},
        complement=False,
    )


def answer_relations(
    table: str, frame: pd.DataFrame, groups: Sequence[str] = ("question_code",)
) -> list[Relation]:
    """The valid answers of each group add up to its base."""
    if frame.empty:
        return []
    valid = frame[~frame.get("is_missing", pd.Series(False, index=frame.index)).fillna(False)]
    groups = [g for g in groups if g in valid.columns]
    return group_relations(table, valid, "count", groups, "n")


def publish_frame(
    frame: pd.DataFrame,
    *,
    count_columns: Sequence[str] = ("count",),
    base_column: str | None = "n",
    value_columns: Sequence[str] = ("value", "lower", "upper"),
    group_columns: Sequence[str] = (),
    complement: bool = True,
) -> pd.DataFrame:
    """One table on its own: the small-number rules, with group totals checked by the solver."""
    if frame.empty:
        return protect(frame)
    counts = tuple(c for c in count_columns if c in frame) + (
        (base_column,) if base_column and base_column in frame else ()
    )
    base = base_column if base_column in frame else None
    table = Table(
        frame,
        counts=counts,
        base=base,
        shares={c: (counts[0], base) for c in value_columns if base and counts[0] != base},
        pins={c: ("*",) for c in value_columns},
        complement=complement,
    )
    relations = []
    if group_columns and base and counts[0] != base:
        relations = group_relations("table", frame, counts[0], list(group_columns), base)
    return publish(Publication({"table": table}, relations)).frame("table")


BUDGET_PINS = ("spend", "share_spend", "median_agreed", "mean_agreed", "people_with_amount")


def publish_budget_summary(summary: Mapping[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """The budgets page (and ``outcomes budgets``): every table protected together."""
    published = publish(describe_budget_summary(summary))
    out = dict(summary)
    for name in published.tables:
        out[name] = published.frame(name)
    return out


def describe_budget_summary(summary: Mapping[str, pd.DataFrame]) -> Publication:
    """The budgets page as one publication (also how the auditor reads it back).

    Options, reasons and bands each add up to the headline's people; the indicative-vs-agreed
    rows add up to its "All" row; above + equal + below add up to each row's people.
    """
    tables: dict[str, Table] = {}
    relations: list[Relation] = []
    headline = summary.get("headline", pd.DataFrame())
    if not headline.empty:
        tables["headline"] = Table(
            headline,
            counts=(
                "people",
                "people_known_option",
                "people_direct_payment",
                "people_due_review",
                "people_reviewed_12m",
                "people_first_review",
            ),
            base=None,
            shares={
                "share_direct_payment": ("people_direct_payment", "people_known_option"),
                "share_reviewed_12m": ("people_reviewed_12m", "people_due_review"),
            },
            pins={
                "share_direct_payment_lower": ("people_direct_payment", "people_known_option"),
                "share_direct_payment_upper": ("people_direct_payment", "people_known_option"),
                "share_reviewed_12m_lower": ("people_reviewed_12m", "people_due_review"),
                "share_reviewed_12m_upper": ("people_reviewed_12m", "people_due_review"),
                "median_days_to_first_review": ("people_first_review",),
            },
            complement=False,
        )
    head = ("headline", headline.index[0], "people") if not headline.empty else None
    for name in ("by_option", "by_reason", "distribution"):
        frame = summary.get(name, pd.DataFrame())
        if frame.empty:
            continue
        tables[name] = Table(
            frame,
            counts=("people",),
            base=None,
            shares={"share_people": ("people", head)} if head else {},
            pins={c: ("people",) for c in BUDGET_PINS},
        )
        if head:
            relations.append(Relation([(name, r, "people") for r in frame.index], total=head))
    versus = summary.get("indicative_vs_agreed", pd.DataFrame())
    if not versus.empty:
        sides = ("agreed_above", "agreed_equal", "agreed_below")
        tables["indicative_vs_agreed"] = Table(
            versus,
            counts=("people", *sides),
            base="people",
            shares={f"share_{s}": (s, "people") for s in sides},
            pins={
                c: ("*",)
                for c in (
                    "median_indicative",
                    "median_agreed",
                    "median_difference",
                    "mean_difference",
                    "total_indicative",
                    "total_agreed",
                )
            },
            complement=False,
        )
        total = versus.index[versus["management_option"].astype(str).eq("all")]
        options = versus.index[versus["management_option"].astype(str).ne("all")]
        if len(total):
            for column in ("people", *sides):
                relations.append(
                    Relation(
                        [("indicative_vs_agreed", r, column) for r in options],
                        total=("indicative_vs_agreed", total[0], column),
                    )
                )
        for row in versus.index:
            relations.append(
                Relation(
                    [("indicative_vs_agreed", row, s) for s in sides],
                    total=("indicative_vs_agreed", row, "people"),
                )
            )
    linked = summary.get("linked", pd.DataFrame())
    if not linked.empty:
        tables["linked"] = Table(
            linked,
            counts=("count", "n"),
            base="n",
            shares={"value": ("count", "n"), "lower": ("count", "n"), "upper": ("count", "n")},
        )
    return Publication(tables, relations)


LIMIT_COLUMNS = ("lower_95", "upper_95", "lower_998", "upper_998")


def publish_council_comparison(frame: pd.DataFrame) -> pd.DataFrame:
    """Councils compared on one question: the overall share (and the funnel limits drawn round
    it) is a share of the column totals, so it is withheld when any council's count is hidden
    and otherwise given to one decimal place; a hidden council's rank and verdict go too."""
    if frame.empty:
        return protect(frame)
    table = Table(
        frame,
        counts=("count", "n"),
        base="n",
        shares={"value": ("count", "n"), "lower": ("count", "n"), "upper": ("count", "n")},
        pins={"rank": ("*",), "verdict": ("*",), "outside_998": ("*",)},
        total_shares={"overall": ("count", "n")},
    )
    shown = publish(Publication({"councils": table})).frame("councils")
    if "overall" in shown:
        overall = pd.to_numeric(shown["overall"], errors="coerce")
        shown["overall"] = np.sign(overall) * np.floor(np.abs(overall) * 10 + 0.5) / 10
        if overall.isna().any():
            for column in LIMIT_COLUMNS:
                if column in shown:
                    shown[column] = np.nan
    return shown


CHANGED = ("count", "previous_count", "value", "previous_value", "difference")


def publish_wave_changes(frame: pd.DataFrame) -> pd.DataFrame:
    """A wave-on-wave change needs both waves publishable: each wave's count and base are
    protected, and the whole row (both shares, the change, its p-values) is hidden if either
    wave's is. Reports, the Trends page and ``outcomes trends`` all use this rule."""
    if frame.empty:
        return frame.assign(suppressed=pd.Series(dtype=bool))
    options = {"value_columns": (), "group_columns": ("question_code",)}
    now = protect(frame, count_columns=("count",), base_column="n", **options)
    before = protect(frame, count_columns=("previous_count",), base_column="previous_n", **options)
    hidden = (
        now["suppressed"].fillna(False).astype(bool).to_numpy()
        | before["suppressed"].fillna(False).astype(bool).to_numpy()
    )
    data = frame.copy()
    data["suppressed"] = hidden
    data["suppression_reason"] = [
        "base or count too small in one wave" if h else "" for h in hidden
    ]
    for column in (*CHANGED, "lower", "upper", "p_value", "p_adjusted"):
        if column in data:
            data[column] = pd.to_numeric(data[column], errors="coerce").astype("float64")
            data.loc[hidden, column] = None
    for column in ("verdict", "finding"):
        if column in data:
            data[column] = data[column].astype(object)
            data.loc[hidden, column] = None
    return data


TREND_PINS = ("difference", "change_p_value", "change_p_adjusted", "verdict")
TREND_TEST = ("trend_chi2", "trend_p", "trend_p_adjusted", "trend_verdict")


def publish_trends(frame: pd.DataFrame) -> pd.DataFrame:
    """Every wave's results with the change since the previous wave (``analysis.trends``).

    Each wave's row is protected as a result; the change since the previous wave is shown only
    when both waves' rows are publishable (the wave-change rule of :func:`publish_wave_changes`),
    and the trend test of a question goes when any of its waves is hidden."""
    if frame.empty:
        return protect(frame)
    shown = publish(Publication({"trends": results_table(frame)})).frame("trends")
    hidden = shown["suppressed"].astype(bool)
    by_wave = {
        (q, int(w)): h
        for q, w, h in zip(shown["question_code"], shown["wave"], hidden, strict=True)
    }
    previous = pd.to_numeric(shown.get("previous_wave"), errors="coerce")
    earlier_hidden = pd.Series(
        [
            pd.notna(p) and by_wave.get((q, int(p)), True)
            for q, p in zip(shown["question_code"], previous, strict=True)
        ],
        index=shown.index,
    )
    question_hidden = hidden.groupby(shown["question_code"]).transform("any")
    for columns, rows in ((TREND_PINS, hidden | earlier_hidden), (TREND_TEST, question_hidden)):
        for column in columns:
            if column not in shown:
                continue
            if pd.api.types.is_numeric_dtype(shown[column]):
                shown[column] = shown[column].astype(float)
                shown.loc[rows, column] = np.nan
            else:
                shown[column] = shown[column].astype(object)
                shown.loc[rows, column] = None
    return shown


def publish_official_measures(frame: pd.DataFrame) -> pd.DataFrame:
    """The official measures table (page, CLI, reports): ASCOF figures are published aggregates
    with no survey counts of ours, so nothing is hidden, but it passes through :func:`publish`
    like every other table so the auditor reads the same publication."""
    table = Table(frame.reset_index(drop=True), counts=(), base=None)
    return publish(Publication({"official_measures": table})).frame("official_measures")


def publish_page_results(frame: pd.DataFrame) -> pd.DataFrame:
    """A dashboard page's results table (Overview, Carers, Process) under the whole-page rule:
    shares, intervals, p-values and notes go with any hidden count or base of their row, and
    the solver checks the page's figures together rather than one column at a time."""
    if frame.empty:
        return protect(frame)
    return publish(Publication({"results": results_table(frame)})).frame("results")


def publish_distribution(frame: pd.DataFrame, groups: Sequence[str] = ()) -> pd.DataFrame:
    """The Outcomes page's answer spread: each group's valid answers add up to its base, so a
    hidden answer is protected by secondary suppression within the group, not by the
    complement rule."""
    if frame.empty:
        return protect(frame)
    frame = frame.reset_index(drop=True)
    table = distribution_table(frame)
    relations = answer_relations("distribution", frame, tuple(groups))
    return publish(Publication({"distribution": table}, relations)).frame("distribution")
