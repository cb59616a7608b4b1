"""Mean scores on the ordinal scales, with normal (Wald) confidence intervals.

Shares ("83% said better") are the headline; a mean score (1 = got a lot worse ... 5 = got a lot
better) summarises the whole distribution in one number that moves when people shift between
"better" and "a lot better", which a share cannot show. The interval is mean +/- z * sd / sqrt(n)
(docs/methods.md).
"""

from __future__ import annotations

import duckdb
import numpy as np
import pandas as pd

from pipeline.analysis.intervals import z_value
from pipeline.analysis.sql_files import run_sql
from pipeline.config import THRESHOLDS
from pipeline.instruments import all_instruments, get_instrument


def _ordinal_scales(instrument: str) -> list[str]:
    scales = {q.scale.name for q in get_instrument(instrument).coded_questions if q.scale}
    known = {name: s for i in all_instruments().values() for name, s in i.scales.items()}
    return sorted(name for name in scales if known[name].kind == "ordinal")


def mean_scores(
    con: duckdb.DuckDBPyConnection,
    *,
    council: str | None = None,
    wave: int | None = None,
    instrument: str = "poet-holder",
    confidence: float = 0.95,
) -> pd.DataFrame:
    """[instrument, council, wave, question_code, domain, section, scale, n, value, sd, lower,
    upper, scale_points, unit, suppressed, suppression_reason] per ordinal question."""
    frame = run_sql(
        con,
        "mean_scores",
        {
            "instrument": instrument,
            "council": council,
            "wave": wave,
            "ordinal_scales": _ordinal_scales(instrument),
        },
    )
    definition = get_instrument(instrument)
    points = {
        q.code: len(q.scale.valid_codes) for q in definition.coded_questions if q.scale is not None
    }
    frame["n"] = frame["n"].astype(int)
    half_width = z_value(confidence) * frame["sd"] / np.sqrt(frame["n"])
    frame["lower"] = frame["value"] - half_width
    frame["upper"] = frame["value"] + half_width
    frame["scale_points"] = frame["question_code"].map(points)
    frame["unit"] = "mean score (1 = lowest answer)"
    small = frame["n"] < THRESHOLDS.withhold_percent_base_below
    frame["suppressed"] = small
    frame["suppression_reason"] = np.where(
        small, f"fewer than {THRESHOLDS.withhold_percent_base_below} answered", ""
    )
    return frame
