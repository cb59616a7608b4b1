"""Confidence intervals and tests for shares: the statistics every result table shares.

Kept apart from the SQL so each formula is written once (docs/methods.md gives them with worked
examples). Shares are percentages (0-100) throughout the API; these helpers take counts.

Each formula is written out here with the standard library's normal distribution and ``math.erfc``
rather than called from statsmodels and scipy: importing those two took about a second of every
command that shows a share (issue 12), for formulas of a few lines. The arithmetic follows
statsmodels' own (``proportion_confint(method="wilson")``, ``proportions_ztest``,
``multipletests(method="fdr_bh")``) step for step, and ``tests/analysis/test_intervals.py``
checks the results agree with theirs to within rounding (1e-12).
"""

from __future__ import annotations

import math
from statistics import NormalDist

import numpy as np
import pandas as pd

_STANDARD_NORMAL = NormalDist()


def z_value(confidence: float) -> float:
    """Two-sided normal quantile for a confidence level (0.95 -> 1.96, 0.998 -> 3.09)."""
    if not 0 < confidence < 1:
        raise ValueError(f"confidence must lie between 0 and 1, not {confidence!r}")
    return _STANDARD_NORMAL.inv_cdf(1 - (1 - confidence) / 2)


def normal_two_sided_p(z: float) -> float:
    """P(|Z| >= |z|) for a standard normal Z: ``2 * norm.sf(abs(z))``."""
    return math.erfc(abs(z) / math.sqrt(2))


def chi_square_1df_p(statistic: float) -> float:
    """Upper tail of the chi-square distribution with one degree of freedom (the square of a
    standard normal): ``chi2.sf(statistic, 1)``."""
    return math.erfc(math.sqrt(statistic / 2))


def wilson_percent(
    count: pd.Series | np.ndarray, n: pd.Series | np.ndarray, confidence: float = 0.95
) -> tuple[np.ndarray, np.ndarray]:
    """Wilson score interval in percent for each (count, n); NaN where n is zero."""
    count = np.asarray(count, dtype=float)
    n = np.asarray(n, dtype=float)
    lower = np.full(count.shape, np.nan)
    upper = np.full(count.shape, np.nan)
    ok = n > 0
    if ok.any():
        # statsmodels' Wilson interval, term by term: the centre and half-width of the score
        # interval around the observed share q.
        crit = z_value(confidence)
        crit2 = crit**2
        nobs = n[ok]
        q = count[ok] / nobs
        denom = 1 + crit2 / nobs
        center = (q + crit2 / (2 * nobs)) / denom
        dist = crit * np.sqrt(q * (1.0 - q) / nobs + crit2 / (4.0 * nobs**2))
        dist /= denom
        lower[ok] = (center - dist) * 100
        upper[ok] = (center + dist) * 100
    return lower, upper


def share_percent(count: pd.Series | np.ndarray, n: pd.Series | np.ndarray) -> np.ndarray:
    """count / n * 100, NaN where n is zero."""
    count = np.asarray(count, dtype=float)
    n = np.asarray(n, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(n > 0, count / n * 100, np.nan)


def two_proportion_p(count_a: float, n_a: float, count_b: float, n_b: float) -> float:
    """Two-sided p-value of the pooled two-proportion z-test (statsmodels ``proportions_ztest``).

    When both groups are all-positive or all-negative the test is undefined; there is then no
    evidence of a difference, so 1.0 is returned rather than NaN.
    """
    if n_a <= 0 or n_b <= 0:
        return float("nan")
    pooled = (count_a + count_b) / (n_a + n_b)
    if pooled in (0.0, 1.0):
        return 1.0
    # statsmodels' pooled test: the difference of shares over its standard error under H0.
    p_pooled = (count_a + count_b) * 1.0 / (n_a + n_b)
    std_diff = math.sqrt(p_pooled * (1 - p_pooled) * (1.0 / n_a + 1.0 / n_b))
    z = (count_a * 1.0 / n_a - count_b * 1.0 / n_b) / std_diff
    return normal_two_sided_p(z)


def bh_adjust(p_values: pd.Series) -> pd.Series:
    """Benjamini-Hochberg adjusted p-values for the non-missing entries; NaN stays NaN."""
    adjusted = pd.Series(np.nan, index=p_values.index, dtype=float)
    present = p_values.notna()
    if present.any():
        adjusted[present] = _benjamini_hochberg(p_values[present].to_numpy(dtype=float))
    return adjusted


def _benjamini_hochberg(p_values: np.ndarray) -> np.ndarray:
    """Step-up adjusted p-values: p_(i) * m / i, made monotone from the largest down, capped at 1."""
    order = np.argsort(p_values)
    ranked = p_values[order]
    step_up = ranked / (np.arange(1, len(ranked) + 1) / float(len(ranked)))
    monotone = np.minimum.accumulate(step_up[::-1])[::-1]
    monotone[monotone > 1] = 1
    adjusted = np.empty_like(monotone)
    adjusted[order] = monotone
    return adjusted


def trend_chi_square(
    counts: np.ndarray, bases: np.ndarray, scores: np.ndarray
) -> tuple[float, float]:
    """Cochran-Armitage chi-square test for a linear trend in proportions: (chi2, p-value).

    Armitage's form: chi2 = [sum n_i (p_i - p)(x_i - x)]^2 / [p (1 - p) sum n_i (x_i - x)^2], with
    x the scores (here the wave years, so unequal gaps between waves are respected), p the pooled
    proportion and x the n-weighted mean score; one degree of freedom.
    """
    counts = np.asarray(counts, dtype=float)
    bases = np.asarray(bases, dtype=float)
    scores = np.asarray(scores, dtype=float)
    total = bases.sum()
    if total <= 0 or len(bases) < 2:
        return float("nan"), float("nan")
    pooled = counts.sum() / total
    mean_score = (bases * scores).sum() / total
    spread = (bases * (scores - mean_score) ** 2).sum()
    if pooled in (0.0, 1.0) or spread == 0:
        return 0.0, 1.0
    numerator = ((counts - bases * pooled) * (scores - mean_score)).sum() ** 2
    chi2 = numerator / (pooled * (1 - pooled) * spread)
    return float(chi2), chi_square_1df_p(float(chi2))
