"""Council against council: a funnel-plot-ready table for one question and wave.

Each council's share is set against the overall (pooled) share p0 of the councils compared (all
loaded, or a chosen peer group). Control limits at a council's base n are the normal
approximation p0 +/- z * sqrt(p0 (1 - p0) / n) for 95% (z = 1.96) and 99.8% (z = 3.09),
clipped to 0-100 (docs/methods.md, "Funnel plots"). A council outside the 95% limits is
"better" / "worse"; ``outside_998`` marks the stricter limits.
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


def funnel_limits(overall: float, n: np.ndarray | pd.Series | float, confidence: float) -> tuple:
    """(lower, upper) control limits in percent around ``overall`` (percent) at base(s) ``n``."""
    p0 = overall / 100
    z = z_value(confidence)
    n = np.asarray(n, dtype=float)
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
) -> pd.DataFrame:
    """One row per council: ``instrument, wave, question_code, domain, council, n, count, value,
    lower, upper, overall, lower_95, upper_95, lower_998, upper_998, verdict, outside_998, rank,
    in_group, suppressed, suppression_reason``.

    ``peers`` restricts the comparison to that group of councils (the overall share is theirs).
    ``verdict`` is ``better`` / ``similar`` / ``worse`` (outside the 95% limits, high is good) or
    ``not compared`` below ``min_base``; ``rank`` 1 is the highest share among compared councils.
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
    frame["lower_95"], frame["upper_95"] = funnel_limits(overall, frame["n"], 0.95)
    frame["lower_998"], frame["upper_998"] = funnel_limits(
        overall, frame["n"], THRESHOLDS.strict_confidence
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
                "rank",
                "in_group",
                "suppressed",
                "suppression_reason",
            ]
        ]
        .sort_values("council")
        .reset_index(drop=True)
    )
