"""Council against council: the funnel-plot table, its limits recomputed by hand."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy.stats import binom, norm

from pipeline.analysis import NoDataError, compare_councils, funnel_limits
from tests.seeding import new_database, seed_returns

WAVE = 2024
# council: (better, other) for out_quality_of_life
COUNTS = {
    "North": (180, 20),
    "South": (60, 60),
    "East": (70, 30),
    "West": (15, 10),
    "Mid": (140, 60),
}


@pytest.fixture(scope="module")
def con(tmp_path_factory):
    con = new_database(tmp_path_factory.mktemp("councils"))
    for council, (good, other) in COUNTS.items():
        seed_returns(
            con,
            pd.DataFrame(
                {
                    "respondent_key": [f"{council}-{i}" for i in range(good + other)],
                    "council": council,
                    "wave": WAVE,
                    "instrument": "poet-holder",
                    "out_quality_of_life": ["much_better"] * good + ["same"] * other,
                }
            ),
        )
    return con


def test_funnel_limits_around_the_pooled_share(con):
    frame = compare_councils(
        con, wave=WAVE, question_code="out_quality_of_life", method="normal"
    ).set_index("council")
    assert (frame["limits"] == "normal").all()
    p0 = sum(g for g, _ in COUNTS.values()) / sum(g + o for g, o in COUNTS.values())
    assert frame["overall"].unique() == pytest.approx([p0 * 100])
    for council, (good, other) in COUNTS.items():
        n = good + other
        row = frame.loc[council]
        assert (row["n"], row["count"]) == (n, good)
        for z, low, high in (
            (norm.ppf(0.975), "lower_95", "upper_95"),
            (norm.ppf(0.999), "lower_998", "upper_998"),
        ):
            half = z * math.sqrt(p0 * (1 - p0) / n)
            assert row[low] == pytest.approx(max(0, p0 - half) * 100)
            assert row[high] == pytest.approx(min(1, p0 + half) * 100)
    assert frame.loc["North", "verdict"] == "better" and frame.loc["North", "outside_998"]
    assert frame.loc["South", "verdict"] == "worse"
    assert frame.loc["West", "verdict"] == "not compared"  # base 25
    assert pd.isna(frame.loc["West", "rank"])
    assert frame.loc["North", "rank"] == 1 and frame.loc["South", "rank"] == 4


def test_a_peer_group_sets_its_own_overall_share(con):
    frame = compare_councils(
        con, wave=WAVE, question_code="out_quality_of_life", peers=["South", "East", "Mid"]
    )
    assert set(frame["council"]) == {"South", "East", "Mid"}
    assert frame["overall"].iloc[0] == pytest.approx((60 + 70 + 140) / (120 + 100 + 200) * 100)
    assert frame["in_group"].all()
    with pytest.raises(NoDataError, match="Nowhere"):
        compare_councils(con, wave=WAVE, question_code="out_quality_of_life", peers=["Nowhere"])


def _spiegelhalter(p0: float, n: int, q: float) -> float:
    """The interpolated quantile worked out count by count from binom's pmf (no ppf)."""
    cumulative = 0.0
    for r in range(n + 1):
        below = cumulative
        cumulative += binom.pmf(r, n, p0)
        if cumulative >= q:
            return (r - (cumulative - q) / (cumulative - below)) / n
    return 1.0


@pytest.mark.parametrize("theta", [0.15, 0.5, 0.62, 0.9])
@pytest.mark.parametrize("n", [12, 30, 47, 100, 400])
def test_exact_limits_are_spiegelhalters_interpolated_binomial_quantiles(n, theta):
    for confidence in (0.95, 0.998):
        tail = (1 - confidence) / 2
        lower, upper = funnel_limits(theta * 100, n, confidence)
        want_lower = np.clip(_spiegelhalter(theta, n, tail) * 100, 0, 100)
        want_upper = np.clip(_spiegelhalter(theta, n, 1 - tail) * 100, 0, 100)
        assert float(lower) == pytest.approx(want_lower, abs=1e-9)
        assert float(upper) == pytest.approx(want_upper, abs=1e-9)
        # each limit lies within one count below scipy's whole-count quantile
        for limit, q in ((lower, tail), (upper, 1 - tail)):
            r = binom.ppf(q, n, theta)
            assert max(r - 1, 0) <= float(limit) * n / 100 <= r


def test_exact_limits_differ_from_the_normal_ones_most_at_small_bases():
    n = np.array([30, 3000])
    exact = funnel_limits(62.0, n, 0.998)
    normal = funnel_limits(62.0, n, 0.998, method="normal")
    gap = np.abs(exact[0] - normal[0])
    assert gap[0] > 1 and gap[1] < gap[0] / 5
    with pytest.raises(ValueError, match="method"):
        funnel_limits(62.0, n, 0.95, method="poisson")


def test_small_council_verdicts_follow_the_exact_limits(tmp_path):
    """A council whose share falls between the exact and the normal limit is judged by the
    exact one, and the normal method still gives the approximation's verdict."""
    con = new_database(tmp_path)
    # a large pool fixes p0 near 62%; "Small" has 27 of 35 (77.1%), between the exact upper 95%
    # limit (about 76.6) and the normal one (about 78.3)
    counts = {"Big": (1240, 760), "Small": (27, 8)}
    for council, (good, other) in counts.items():
        seed_returns(
            con,
            pd.DataFrame(
                {
                    "respondent_key": [f"{council}-{i}" for i in range(good + other)],
                    "council": council,
                    "wave": WAVE,
                    "instrument": "poet-holder",
                    "out_quality_of_life": ["much_better"] * good + ["same"] * other,
                }
            ),
        )
    for method in ("exact", "normal"):
        frame = compare_councils(
            con, wave=WAVE, question_code="out_quality_of_life", method=method
        ).set_index("council")
        row = frame.loc["Small"]
        p0 = row["overall"] / 100
        tail_upper = (
            _spiegelhalter(p0, 35, 0.975)
            if method == "exact"
            else p0 + norm.ppf(0.975) * math.sqrt(p0 * (1 - p0) / 35)
        )
        assert row["upper_95"] == pytest.approx(tail_upper * 100)
        expected = "better" if row["value"] > tail_upper * 100 else "similar"
        assert row["verdict"] == expected
        assert row["limits"] == method
    exact = compare_councils(con, wave=WAVE, question_code="out_quality_of_life")
    normal = compare_councils(con, wave=WAVE, question_code="out_quality_of_life", method="normal")
    small = exact["council"] == "Small"
    assert exact.loc[small, "verdict"].item() == "better"
    assert normal.loc[small, "verdict"].item() == "similar"
