"""Has it improved? Wave against wave within a council, and the trend across three or more waves.

- :func:`wave_changes`: each question's share this wave against an earlier wave, by the
  two-proportion z-test, Benjamini-Hochberg adjusted across the section's questions; "not
  compared" when either base is under the minimum.
- :func:`trends`: every wave's results (with benchmarks) plus the verdict against the previous
  wave and a Cochran-Armitage chi-square test for a linear trend over all waves (scores are the
  wave years, so a gap year is spaced correctly), BH-adjusted across the questions.
"""

from __future__ import annotations

import duckdb
import numpy as np
import pandas as pd

from pipeline.config import THRESHOLDS
from pipeline.disclosure import suppression_flags

from .compare import compare_two_samples
from .intervals import bh_adjust, share_percent, trend_chi_square
from .inventory import domains
from .results import NoDataError, results
from .sql_files import run_sql

MIN_TREND_WAVES = 3


def _wave_shares(
    con: duckdb.DuckDBPyConnection, council: str, instrument: str, section: str
) -> pd.DataFrame:
    counted = run_sql(
        con,
        "shares_by_wave",
        {"council": council, "instrument": instrument, "section": section},
    )
    wanted = domains(instrument, section)
    return counted.merge(wanted[["question_code", "domain"]], on="question_code")


def wave_changes(
    con: duckdb.DuckDBPyConnection,
    *,
    council: str,
    wave: int,
    instrument: str = "poet-holder",
    section: str = "outcomes",
    previous: int | None = None,
    confidence: float = THRESHOLDS.confidence,
    min_base: int = THRESHOLDS.minimum_base,
) -> pd.DataFrame:
    """One row per question: this wave against ``previous`` (default: the latest earlier wave).

    Columns: ``instrument, council, question_code, domain, wave, previous_wave, value,
    previous_value, difference, n, previous_n, count, previous_count, p_value, p_adjusted,
    verdict, verdict_note, suppressed, suppression_reason``; verdict is ``improved``,
    ``no change``, ``worse`` or ``not compared``.
    """
    shares = _wave_shares(con, council, instrument, section)
    if shares.empty or wave not in set(shares["wave"]):
        raise NoDataError(f"no survey answers for {council}, wave {wave}, {instrument}")
    if previous is None:
        earlier = sorted(w for w in shares["wave"].unique() if w < wave)
        previous = int(earlier[-1]) if earlier else None
    wanted = domains(instrument, section)
    now = shares[shares["wave"] == wave].set_index("question_code")
    before = (
        shares[shares["wave"] == previous].set_index("question_code")
        if previous is not None
        else pd.DataFrame(columns=["n", "count"])
    )
    frame = wanted[["question_code", "domain"]].copy()
    codes = frame["question_code"]
    frame["n"] = codes.map(now["n"]).fillna(0).astype(int)
    frame["count"] = codes.map(now["count"]).fillna(0).astype(int)
    frame["previous_n"] = codes.map(before["n"]).fillna(0).astype(int)
    frame["previous_count"] = codes.map(before["count"]).fillna(0).astype(int)
    frame["value"] = share_percent(frame["count"], frame["n"])
    frame["previous_value"] = share_percent(frame["previous_count"], frame["previous_n"])
    frame = compare_two_samples(frame, confidence=confidence, min_base=min_base)
    if previous is None:
        frame["verdict_note"] = "no earlier wave is loaded for this council"
    frame = frame.assign(
        instrument=instrument,
        council=council,
        wave=wave,
        previous_wave=pd.array([previous] * len(frame), dtype="Int64"),
    )
    frame = suppression_flags(frame, group_columns=(), complement=True)
    previous_flags = suppression_flags(
        frame[["previous_n", "previous_count"]].rename(
            columns={"previous_n": "n", "previous_count": "count"}
        ),
        value_columns=(),
    )
    hidden_before = previous_flags["suppressed"] & (frame["previous_n"] > 0)
    frame["suppressed"] = frame["suppressed"] | hidden_before
    frame.loc[hidden_before, "suppression_reason"] = [
        "; ".join(filter(None, [now_reason, f"previous wave: {then}"]))
        for now_reason, then in zip(
            frame.loc[hidden_before, "suppression_reason"],
            previous_flags.loc[hidden_before, "suppression_reason"],
            strict=True,
        )
    ]
    return frame[
        [
            "instrument",
            "council",
            "question_code",
            "domain",
            "wave",
            "previous_wave",
            "value",
            "previous_value",
            "difference",
            "n",
            "previous_n",
            "count",
            "previous_count",
            "p_value",
            "p_adjusted",
            "verdict",
            "verdict_note",
            "suppressed",
            "suppression_reason",
        ]
    ]


def trends(
    con: duckdb.DuckDBPyConnection,
    *,
    council: str,
    instrument: str = "poet-holder",
    section: str = "outcomes",
    confidence: float = THRESHOLDS.confidence,
    min_base: int = THRESHOLDS.minimum_base,
    benchmark: str = "auto",
    peers: list[str] | None = None,
) -> pd.DataFrame:
    """One row per question and wave: the common result columns plus ``previous_wave,
    difference, change_p_value, change_p_adjusted, verdict`` (against the previous wave) and
    ``trend_chi2, trend_p, trend_p_adjusted, trend_verdict`` (same on every wave of a question;
    ``improving`` / ``declining`` / ``no clear trend`` / ``not tested`` with fewer than three
    waves of at least ``min_base`` answers). ``peers`` pools that group as each wave's
    benchmark, as in :func:`results`.
    """
    wave_list = sorted(
        int(w) for w in _wave_shares(con, council, instrument, section)["wave"].unique()
    )
    if not wave_list:
        raise NoDataError(f"no survey answers for {council}, {instrument}")
    frames = [
        results(
            con,
            council=council,
            wave=wave,
            instrument=instrument,
            section=section,
            confidence=confidence,
            min_base=min_base,
            benchmark=benchmark,
            peers=peers,
        )
        for wave in wave_list
    ]
    frame = pd.concat(frames, ignore_index=True).sort_values(["question_code", "wave"])
    grouped = frame.groupby("question_code")
    frame["previous_wave"] = grouped["wave"].shift(1).astype("Int64")
    frame["previous_n"] = grouped["n"].shift(1)
    frame["previous_count"] = grouped["count"].shift(1)
    frame["previous_value"] = grouped["value"].shift(1)
    changes = compare_two_samples(
        frame.fillna({"previous_n": 0, "previous_count": 0}),
        confidence=confidence,
        min_base=min_base,
        family=["wave"],
    )
    frame["difference"] = changes["difference"]
    frame["change_p_value"] = changes["p_value"]
    frame["change_p_adjusted"] = changes["p_adjusted"]
    frame["verdict"] = np.where(frame["previous_wave"].isna(), "first wave", changes["verdict"])
    trend = _trend_tests(frame, min_base, confidence)
    frame = frame.merge(trend, on="question_code", how="left")
    frame = frame.drop(columns=["previous_n", "previous_count", "previous_value"])
    order = {code: i for i, code in enumerate(domains(instrument, section)["question_code"])}
    return frame.sort_values(
        ["question_code", "wave"], key=lambda c: c.map(order) if c.name == "question_code" else c
    ).reset_index(drop=True)


def _trend_tests(frame: pd.DataFrame, min_base: int, confidence: float) -> pd.DataFrame:
    rows = []
    for code, part in frame.groupby("question_code"):
        usable = part[part["n"] >= min_base]
        if len(usable) < MIN_TREND_WAVES:
            rows.append((code, np.nan, np.nan, 0.0))
            continue
        counts = usable["count"].to_numpy(float)
        bases = usable["n"].to_numpy(float)
        scores = usable["wave"].to_numpy(float)
        chi2, p_value = trend_chi_square(counts, bases, scores)
        pooled = counts.sum() / bases.sum()
        slope_sign = np.sign(
            ((counts - bases * pooled) * (scores - np.average(scores, weights=bases))).sum()
        )
        rows.append((code, chi2, p_value, slope_sign))
    trend = pd.DataFrame(rows, columns=["question_code", "trend_chi2", "trend_p", "slope_sign"])
    trend["trend_p_adjusted"] = bh_adjust(trend["trend_p"])
    significant = trend["trend_p_adjusted"] < (1 - confidence)
    trend["trend_verdict"] = np.select(
        [
            trend["trend_p"].isna(),
            significant & (trend["slope_sign"] > 0),
            significant & (trend["slope_sign"] < 0),
        ],
        ["not tested", "improving", "declining"],
        default="no clear trend",
    )
    return trend.drop(columns=["slope_sign"])
