"""The interval and test formulas agree with statsmodels and scipy, which they replace.

``pipeline/analysis/intervals.py`` writes the formulas out so that a command need not import
statsmodels and scipy (issue 12); these tests hold it to the libraries' own results over many
random counts, so the published figures did not move.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy.stats import chi2, norm
from statsmodels.stats.multitest import multipletests
from statsmodels.stats.proportion import proportion_confint, proportions_ztest

from pipeline.analysis.intervals import (
    bh_adjust,
    chi_square_1df_p,
    trend_chi_square,
    two_proportion_p,
    wilson_percent,
    z_value,
)

RNG = np.random.default_rng(12)


@pytest.mark.parametrize("confidence", [0.8, 0.9, 0.95, 0.99, 0.998, 0.999999])
def test_z_value_is_the_normal_quantile(confidence: float) -> None:
    assert z_value(confidence) == pytest.approx(norm.ppf(1 - (1 - confidence) / 2), rel=1e-13)


@pytest.mark.parametrize("confidence", [0.95, 0.998])
def test_wilson_matches_statsmodels(confidence: float) -> None:
    n = RNG.integers(0, 3000, 2000).astype(float)
    count = np.floor(RNG.random(2000) * (n + 1))
    count[:5], n[:5] = [0, 3, 7, 0, 1], [10, 3, 7, 0, 1]  # all or nothing, and an empty base
    lower, upper = wilson_percent(count, n, confidence)
    ok = n > 0
    low, high = proportion_confint(count[ok], n[ok], alpha=1 - confidence, method="wilson")
    np.testing.assert_allclose(lower[ok], np.asarray(low) * 100, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(upper[ok], np.asarray(high) * 100, rtol=1e-12, atol=1e-12)
    assert np.isnan(lower[~ok]).all() and np.isnan(upper[~ok]).all()


def test_two_proportion_p_matches_statsmodels() -> None:
    for _ in range(2000):
        n_a, n_b = RNG.integers(1, 2000, 2)
        count_a, count_b = RNG.integers(0, n_a + 1), RNG.integers(0, n_b + 1)
        pooled = (count_a + count_b) / (n_a + n_b)
        expected = (
            1.0 if pooled in (0.0, 1.0) else proportions_ztest([count_a, count_b], [n_a, n_b])[1]
        )
        assert two_proportion_p(count_a, n_a, count_b, n_b) == pytest.approx(
            expected, rel=1e-12, abs=1e-300
        )


def test_bh_adjust_matches_statsmodels_and_keeps_missing() -> None:
    for size in (1, 2, 7, 40, 300):
        p_values = RNG.random(size) ** 3
        p_values[: size // 3] = p_values[0]  # ties
        expected = multipletests(p_values, method="fdr_bh")[1]
        np.testing.assert_allclose(bh_adjust(pd.Series(p_values)).to_numpy(), expected, rtol=1e-13)
    with_gaps = pd.Series([0.01, np.nan, 0.04, 0.03, np.nan], index=list("abcde"))
    adjusted = bh_adjust(with_gaps)
    assert adjusted.index.tolist() == list("abcde")
    assert adjusted.isna().tolist() == [False, True, False, False, True]
    np.testing.assert_allclose(
        adjusted.dropna().to_numpy(), multipletests([0.01, 0.04, 0.03], method="fdr_bh")[1]
    )


def test_chi_square_tail_matches_scipy() -> None:
    for statistic in [0.0, 1e-9, 0.5, 1.0, 3.84, 10.0, 50.0, 200.0, *RNG.random(200) * 30]:
        assert chi_square_1df_p(statistic) == pytest.approx(
            chi2.sf(statistic, 1), rel=1e-12, abs=1e-300
        )
    counts, bases = np.array([30, 45, 60]), np.array([100, 110, 105])
    statistic, p_value = trend_chi_square(counts, bases, np.array([2023, 2024, 2025]))
    assert p_value == pytest.approx(chi2.sf(statistic, 1), rel=1e-12)
