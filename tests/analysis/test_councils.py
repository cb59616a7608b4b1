"""Council against council: the funnel-plot table, its limits recomputed by hand."""

from __future__ import annotations

import math

import pandas as pd
import pytest
from scipy.stats import norm

from pipeline.analysis import NoDataError, compare_councils
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
    frame = compare_councils(con, wave=WAVE, question_code="out_quality_of_life").set_index(
        "council"
    )
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
