"""Budgets: who holds a personal budget, how it is held, what it costs, and reviews.

Everything is computed in DuckDB over the council's *current* episodes on an as-of date
(``sql/budget_current.sql``): an episode open on that date, one per person (the latest-starting
one), so a register that keeps old episodes does not count people twice. The as-of date defaults
to the latest start or review date in that council's register, so an extract taken months ago is
described as it stood rather than as of today.

Definitions (docs/methods.md, "Budgets"):

- spend: the sum of agreed annual budgets (gross, before client contributions);
- direct payment share: direct payment + part direct payment over people whose management option
  is known;
- reviewed within 12 months: of people who have held the budget for at least 365 days (so a yearly
  review was due), the share whose last review falls in the 365 days up to the as-of date;
- days from start to first review: the register keeps only the latest review, so this uses
  episodes that started in the two years before the as-of date (at most one yearly review falls
  due in that time, so the latest review is the first);
- linked: survey respondents whose pseudonymous key equals a register person key of the same
  council (both are the same keyed hash), with outcomes by the management option the *register*
  records, which is more reliable than people's own answer to "how is your budget managed?".
"""

from __future__ import annotations

from datetime import date

import duckdb
import numpy as np
import pandas as pd

from pipeline.analysis.intervals import share_percent, wilson_percent
from pipeline.analysis.sql_files import run_sql, sql_text
from pipeline.analysis.weighting import NOT_KNOWN, NOT_KNOWN_LABEL, cell_expression
from pipeline.config import THRESHOLDS
from pipeline.disclosure import suppression_flags
from pipeline.instruments import get_instrument

BANDS = ("under_5k", "5k_10k", "10k_20k", "20k_50k", "50k_plus", "not_recorded")
BAND_LABELS = {
    "under_5k": "Under £5,000",
    "5k_10k": "£5,000 to £9,999",
    "10k_20k": "£10,000 to £19,999",
    "20k_50k": "£20,000 to £49,999",
    "50k_plus": "£50,000 or more",
    "not_recorded": "Not recorded",
}
SUMMARY_KEYS = (
    "headline",
    "by_option",
    "by_reason",
    "distribution",
    "indicative_vs_agreed",
    "linked",
)


def _labels(column: str, instrument: str) -> dict[str, str]:
    scale = get_instrument(instrument).scales.get(column)
    labels = {NOT_KNOWN: NOT_KNOWN_LABEL}
    if scale is not None:
        labels |= {a.code: a.label for a in scale.codes if not a.missing}
    return labels


def _order(column: str, instrument: str) -> dict[str, int]:
    scale = get_instrument(instrument).scales.get(column)
    order = {NOT_KNOWN: 10_000}
    if scale is not None:
        order |= {a.code: a.order for a in scale.codes if not a.missing}
    return order


def default_as_of(con: duckdb.DuckDBPyConnection, council: str) -> date | None:
    """The latest start or review date in the council's register (None if it has no records)."""
    return con.execute(sql_text("budget_as_of"), {"council": council}).fetchall()[0][0]


def _current_sql(instrument: str) -> str:
    return sql_text("budget_current").format(
        option=cell_expression("management_option", instrument),
        reason=cell_expression("support_reason", instrument),
    )


def _run(con, name: str, params: dict, instrument: str, **extra: str) -> pd.DataFrame:
    return run_sql(con, name, params, current=_current_sql(instrument), **extra)


def _by_group(con, column: str, params: dict, instrument: str) -> pd.DataFrame:
    frame = _run(con, "budget_by_group", params, instrument, group=column)
    labels = _labels(column, instrument)
    order = _order(column, instrument)
    frame.insert(1, f"{column}_label", frame[column].map(lambda c: labels.get(c, c)))
    frame["people"] = frame["people"].astype(int)
    frame["share_people"] = share_percent(
        frame["people"], np.full(len(frame), frame["people"].sum())
    )
    total_spend = frame["spend"].sum()
    frame["share_spend"] = share_percent(frame["spend"].fillna(0), np.full(len(frame), total_spend))
    frame["_order"] = frame[column].map(lambda c: order.get(c, 5_000))
    frame = frame.sort_values(["_order", column]).drop(columns="_order").reset_index(drop=True)
    return suppression_flags(
        frame, count_columns=("people",), base_column=None, value_columns=(), group_columns=()
    )


def _distribution(con, params: dict, instrument: str) -> pd.DataFrame:
    counted = _run(con, "budget_distribution", params, instrument)
    frame = pd.DataFrame({"band": list(BANDS)}).merge(counted, on="band", how="left")
    frame = frame[(frame["band"] != "not_recorded") | frame["people"].notna()]
    frame["people"] = frame["people"].fillna(0).astype(int)
    frame.insert(1, "band_label", frame["band"].map(BAND_LABELS))
    frame["share_people"] = share_percent(
        frame["people"], np.full(len(frame), frame["people"].sum())
    )
    return suppression_flags(
        frame.reset_index(drop=True),
        count_columns=("people",),
        base_column=None,
        value_columns=(),
        group_columns=(),
    )


def _indicative(con, params: dict, instrument: str) -> pd.DataFrame:
    frame = _run(con, "budget_indicative", params, instrument)
    labels = _labels("management_option", instrument)
    order = _order("management_option", instrument)
    frame["management_option"] = frame["management_option"].where(~frame["is_total"], "all")
    frame.insert(
        1,
        "management_label",
        frame["management_option"].map(lambda c: "All" if c == "all" else labels.get(c, c)),
    )
    for column in ("people", "agreed_above", "agreed_equal", "agreed_below"):
        frame[column] = frame[column].astype(int)
    for side in ("above", "equal", "below"):
        frame[f"share_agreed_{side}"] = share_percent(frame[f"agreed_{side}"], frame["people"])
    frame["_order"] = frame["management_option"].map(lambda c: -1 if c == "all" else order.get(c))
    frame = frame.sort_values("_order").drop(columns=["_order", "is_total"]).reset_index(drop=True)
    return suppression_flags(
        frame, count_columns=("people",), base_column=None, value_columns=(), group_columns=()
    )


def _headline(con, params: dict, instrument: str, council: str) -> pd.DataFrame:
    frame = _run(con, "budget_headline", params, instrument)
    row = frame.iloc[0]
    lower, upper = wilson_percent(
        [row["people_direct_payment"], row["people_reviewed_12m"]],
        [row["people_known_option"], row["people_due_review"]],
    )
    frame.insert(0, "council", council)
    frame.insert(1, "as_of", params["as_of"])
    frame["share_direct_payment"] = share_percent(
        frame["people_direct_payment"], frame["people_known_option"]
    )
    frame["share_direct_payment_lower"], frame["share_direct_payment_upper"] = lower[0], upper[0]
    frame["share_reviewed_12m"] = share_percent(
        frame["people_reviewed_12m"], frame["people_due_review"]
    )
    frame["share_reviewed_12m_lower"], frame["share_reviewed_12m_upper"] = lower[1], upper[1]
    for column in [c for c in frame.columns if c.startswith("people")]:
        frame[column] = frame[column].astype(int)
    return frame


def _linked(
    con, *, council: str, wave: int | None, instrument: str, section: str, confidence: float
) -> pd.DataFrame:
    columns = [
        "instrument", "council", "wave", "question_code", "domain", "management_option",
        "management_label", "n", "count", "value", "lower", "upper", "respondents",
        "linked_respondents", "suppressed", "suppression_reason",
    ]  # fmt: skip
    if wave is None:
        wave = con.execute(
            sql_text("budget_latest_wave"), {"council": council, "instrument": instrument}
        ).fetchall()[0][0]
    if wave is None:
        return pd.DataFrame(columns=columns)
    params = {"council": council, "wave": int(wave), "instrument": instrument}
    respondents, linked = con.execute(sql_text("budget_link_counts"), params).fetchall()[0]
    frame = run_sql(
        con,
        "budget_linked",
        {**params, "section": section},
        option=cell_expression("management_option", instrument),
    )
    spec = get_instrument(instrument)
    question_order = {q.code: i for i, q in enumerate(spec.questions)}
    labels = _labels("management_option", instrument)
    order = _order("management_option", instrument)
    frame["management_label"] = frame["management_option"].map(lambda c: labels.get(c, c))
    frame["n"] = frame["n"].astype(int)
    frame["count"] = frame["count"].astype(int)
    frame["value"] = share_percent(frame["count"], frame["n"])
    frame["lower"], frame["upper"] = wilson_percent(frame["count"], frame["n"], confidence)
    frame["instrument"], frame["council"], frame["wave"] = instrument, council, int(wave)
    frame["respondents"], frame["linked_respondents"] = int(respondents), int(linked)
    frame["_q"] = frame["question_code"].map(question_order)
    frame["_o"] = frame["management_option"].map(lambda c: order.get(c, 5_000))
    frame = frame.sort_values(["_q", "_o"]).drop(columns=["_q", "_o"]).reset_index(drop=True)
    frame = suppression_flags(
        frame,
        count_columns=("count",),
        base_column="n",
        value_columns=("value", "lower", "upper"),
        group_columns=("question_code",),
    )
    return frame[columns]


def budget_summary(
    con: duckdb.DuckDBPyConnection,
    *,
    council: str,
    as_of: date | str | None = None,
    wave: int | None = None,
    instrument: str = "poet-holder",
    section: str = "outcomes",
    confidence: float = THRESHOLDS.confidence,
) -> dict[str, pd.DataFrame]:
    """The budget register of one council, summarised; keys as in ``SUMMARY_KEYS``.

    - ``headline`` (one row): people, total_spend, share_direct_payment (+ Wilson interval),
      share_reviewed_12m (+ interval), median_days_to_first_review and the bases of each;
    - ``by_option`` / ``by_reason``: people, spend, their shares, median and mean agreed budget;
    - ``distribution``: people and spend per agreed-budget band (the survey's bands);
    - ``indicative_vs_agreed``: overall (``management_option == "all"``) and per option: people
      with both amounts, medians, median and mean difference (agreed - indicative), shares
      agreed above / equal to / below the indicative amount;
    - ``linked``: outcomes of the survey ``wave`` (default the latest) by the register's
      management option, for respondents found in the register.

    Counts of people carry ``suppressed`` flags; the publishing faces blank them via
    ``pipeline.disclosure.protect``.
    """
    as_of_date = pd.Timestamp(as_of).date() if as_of is not None else default_as_of(con, council)
    if as_of_date is None:
        empty = {key: pd.DataFrame() for key in SUMMARY_KEYS}
        empty["headline"] = pd.DataFrame([{"council": council, "as_of": None, "people": 0}])
        return empty
    params = {"council": council, "as_of": as_of_date}
    return {
        "headline": _headline(con, params, instrument, council),
        "by_option": _by_group(con, "management_option", params, instrument),
        "by_reason": _by_group(con, "support_reason", params, instrument),
        "distribution": _distribution(con, params, instrument),
        "indicative_vs_agreed": _indicative(con, params, instrument),
        "linked": _linked(
            con,
            council=council,
            wave=wave,
            instrument=instrument,
            section=section,
            confidence=confidence,
        ),
    }
