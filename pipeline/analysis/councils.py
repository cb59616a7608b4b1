"""Council against council: a funnel-plot-ready table for one question and wave.

Each council's share is set against the overall (pooled) share p0 of the councils compared (all
loaded, or a chosen peer group). Control limits at a council's base n are drawn at 95% and
99.8%, clipped to 0-100 (docs/methods.md, "Funnel plots"). A council outside the 95% limits is
"better" / "worse"; ``outside_998`` marks the stricter limits.

The limits are exact binomial ones by default (``method="exact"``): council bases here are often
small (30-100), where the normal approximation is a few points off and flips verdicts. They
follow Spiegelhalter (2005, "Funnel plots for comparing institutional performance", appendix):
for Binomial(n, p0) and tail probability q, r_q is the smallest count with F(r_q) >= q,
alpha = (F(r_q) - q) / (F(r_q) - F(r_q - 1)) interpolates between whole counts so the funnel is
smooth, and the limit is (r_q - alpha) / n. ``method="normal"`` keeps the approximation.
"""

from __future__ import annotations

import duckdb
import numpy as np
import pandas as pd

from pipeline.config import THRESHOLDS
from pipeline.disclosure import suppression_flags
from pipeline.instruments import get_instrument

from .intervals import share_percent, wilson_percent, z_value
from .results import NoDataError
from .sql_files import run_sql

FUNNEL_METHODS = ("exact", "normal")


def _exact_limit(p0: float, n: np.ndarray, q: float) -> np.ndarray:
    """Spiegelhalter's interpolated binomial quantile (r_q - alpha) / n at probability ``q``."""
    from scipy.stats import binom  # here, not above: only funnel plots need scipy (issue 12)

    r = binom.ppf(q, n, p0)  # smallest r with F(r) >= q
    f_r = binom.cdf(r, n, p0)
    f_below = binom.cdf(r - 1, n, p0)
    with np.errstate(divide="ignore", invalid="ignore"):
        alpha = np.where(f_r > f_below, (f_r - q) / (f_r - f_below), 0.0)
        return np.where(n > 0, (r - alpha) / n, np.nan)


def funnel_limits(
    overall: float,
    n: np.ndarray | pd.Series | float,
    confidence: float,
    method: str = "exact",
) -> tuple:
    """(lower, upper) control limits in percent around ``overall`` (percent) at base(s) ``n``.

    ``method="exact"`` (default) gives Spiegelhalter's interpolated binomial limits,
    ``"normal"`` the approximation p0 +/- z sqrt(p0 (1 - p0) / n); both clipped to 0-100.
    """
    if method not in FUNNEL_METHODS:
        raise ValueError(f"method must be one of {FUNNEL_METHODS}, not {method!r}")
    p0 = overall / 100
    n = np.asarray(n, dtype=float)
    if method == "exact":
        tail = (1 - confidence) / 2
        if p0 <= 0 or p0 >= 1:  # a degenerate centre line: every council sits on it
            flat = np.where(n > 0, p0, np.nan)
            return flat * 100, flat * 100
        lower = _exact_limit(p0, n, tail)
        upper = _exact_limit(p0, n, 1 - tail)
        return np.clip(lower * 100, 0, 100), np.clip(upper * 100, 0, 100)
    z = z_value(confidence)
    with np.errstate(divide="ignore", invalid="ignore"):
        half = np.where(n > 0, z * np.sqrt(p0 * (1 - p0) / n), np.nan)
    return np.clip((p0 - half) * 100, 0, 100), np.clip((p0 + half) * 100, 0, 100)


def compare_councils(
    con: duckdb.DuckDBPyConnection,
    *,
    wave: int,
    instrument: str = "poet-holder",
    question_code: str,
    peers: list[str] | None = None,
    confidence: float = THRESHOLDS.confidence,
    min_base: int = THRESHOLDS.minimum_base,
    method: str = "exact",
) -> pd.DataFrame:
    """One row per council: ``instrument, wave, question_code, domain, council, n, count, value,
    lower, upper, overall, lower_95, upper_95, lower_998, upper_998, verdict, outside_998, rank,
    in_group, suppressed, suppression_reason``.

    ``peers`` restricts the comparison to that group of councils (the overall share is theirs).
    ``verdict`` is ``better`` / ``similar`` / ``worse`` (outside the 95% limits, high is good) or
    ``not compared`` below ``min_base``; ``rank`` 1 is the highest share among compared councils.
    ``method`` is ``exact`` (binomial limits, the default) or ``normal``; the ``limits`` column
    says which.
    """
    question = get_instrument(instrument).question(question_code)
    frame = run_sql(
        con,
        "council_question_shares",
        {"instrument": instrument, "wave": wave, "question": question_code},
    )
    if peers is not None:
        unknown = sorted(set(peers) - set(frame["council"]))
        if unknown:
            raise NoDataError(
                f"no answers to {question_code} in wave {wave} for: {', '.join(unknown)}"
            )
        frame = frame[frame["council"].isin(peers)].reset_index(drop=True)
    frame = frame[frame["n"] > 0].reset_index(drop=True)
    if frame.empty:
        raise NoDataError(f"no answers to {question_code} in wave {wave} ({instrument})")
    overall = float(frame["count"].sum() / frame["n"].sum() * 100)
    frame["value"] = share_percent(frame["count"], frame["n"])
    frame["lower"], frame["upper"] = wilson_percent(frame["count"], frame["n"], confidence)
    frame["overall"] = overall
    frame["lower_95"], frame["upper_95"] = funnel_limits(overall, frame["n"], 0.95, method)
    frame["lower_998"], frame["upper_998"] = funnel_limits(
        overall, frame["n"], THRESHOLDS.strict_confidence, method
    )
    compared = frame["n"] >= min_base
    frame["verdict"] = np.select(
        [~compared, frame["value"] > frame["upper_95"], frame["value"] < frame["lower_95"]],
        ["not compared", "better", "worse"],
        default="similar",
    )
    frame["outside_998"] = compared & (
        (frame["value"] > frame["upper_998"]) | (frame["value"] < frame["lower_998"])
    )
    frame["rank"] = (
        frame["value"].where(compared).rank(ascending=False, method="min").astype("Int64")
    )
    frame = frame.assign(
        instrument=instrument,
        wave=wave,
        question_code=question_code,
        domain=question.domain,
        in_group=peers is not None,
        limits=method,
    )
    frame = suppression_flags(frame, group_columns=(), complement=True)
    return (
        frame[
            [
                "instrument",
                "wave",
                "question_code",
                "domain",
                "council",
                "n",
                "count",
                "value",
                "lower",
                "upper",
                "overall",
                "lower_95",
                "upper_95",
                "lower_998",
                "upper_998",
                "verdict",
                "outside_998",
                "limits",
                "rank",
                "in_group",
                "suppressed",
                "suppression_reason",
            ]
        ]
        .sort_values("council")
        .reset_index(drop=True)
    )
