"""Confidence intervals and tests for shares: the statistics every result table shares.

Kept apart from the SQL so each formula is written once (docs/methods.md gives them with worked
examples). Shares are percentages (0-100) throughout the API; these helpers take counts.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.stats import chi2 as chi2_distribution
from scipy.stats import norm
from statsmodels.stats.multitest import multipletests
from statsmodels.stats.proportion import proportion_confint, proportions_ztest


def z_value(confidence: float) -> float:
    """Two-sided normal quantile for a confidence level (0.95 -> 1.96, 0.998 -> 3.09)."""
    if not 0 < confidence < 1:
        raise ValueError(f"confidence must lie between 0 and 1, not {confidence!r}")
    return float(norm.ppf(1 - (1 - confidence) / 2))


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
        low, high = proportion_confint(count[ok], n[ok], alpha=1 - confidence, method="wilson")
        lower[ok] = np.asarray(low) * 100
        upper[ok] = np.asarray(high) * 100
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
    _, p_value = proportions_ztest([count_a, count_b], [n_a, n_b])
    return float(p_value)


def bh_adjust(p_values: pd.Series) -> pd.Series:
    """Benjamini-Hochberg adjusted p-values for the non-missing entries; NaN stays NaN."""
    adjusted = pd.Series(np.nan, index=p_values.index, dtype=float)
    present = p_values.notna()
    if present.any():
        adjusted[present] = multipletests(p_values[present].to_numpy(), method="fdr_bh")[1]
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
    return float(chi2), float(chi2_distribution.sf(chi2, 1))
