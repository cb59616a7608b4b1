"""Comparisons with the pooled (leave-one-out) benchmark: two-proportion tests and BH adjustment."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from statsmodels.stats.proportion import proportions_ztest

from pipeline.analysis import results
from tests.seeding import new_database, seed_returns

WAVE = 2024
# (better, not better) per council for three outcome questions
COUNTS = {
    "A": {"out_dignity": (85, 15), "out_control": (52, 48), "out_independence": (20, 5)},
    "B": {"out_dignity": (60, 40), "out_control": (55, 45), "out_independence": (70, 30)},
    "C": {"out_dignity": (58, 42), "out_control": (50, 50), "out_independence": (66, 34)},
    "D": {"out_dignity": (63, 37), "out_control": (57, 43), "out_independence": (64, 36)},
}


def _council_returns(council: str, counts: dict[str, tuple[int, int]]) -> pd.DataFrame:
    size = max(a + b for a, b in counts.values())
    frame = pd.DataFrame(
        {
            "respondent_key": [f"{council}-{i}" for i in range(size)],
            "council": council,
            "wave": WAVE,
            "instrument": "poet-holder",
        }
    )
    for code, (good, other) in counts.items():
        frame[code] = ["better"] * good + ["same"] * other + [None] * (size - good - other)
    return frame


def _bh(p_values: list[float]) -> np.ndarray:
    """Benjamini-Hochberg by hand: p * m / rank, made monotone from the largest down."""
    p = np.asarray(p_values)
    m = len(p)
    order = np.argsort(p)
    scaled = p[order] * m / np.arange(1, m + 1)
    adjusted = np.minimum.accumulate(scaled[::-1])[::-1]
    out = np.empty(m)
    out[order] = np.minimum(adjusted, 1)
    return out


@pytest.fixture(scope="module")
def con(tmp_path_factory):
    con = new_database(tmp_path_factory.mktemp("compare"))
    for council, counts in COUNTS.items():
        seed_returns(con, _council_returns(council, counts))
    return con


def test_pooled_benchmark_leaves_the_council_out_and_is_tested(con):
    frame = results(con, council="A", wave=WAVE)  # auto: three others are loaded
    compared = frame[frame["question_code"].isin(["out_dignity", "out_control"])].set_index(
        "question_code"
    )
    expected_p = []
    for code in ["out_dignity", "out_control"]:
        row = compared.loc[code]
        others = [COUNTS[c][code] for c in "BCD"]
        good = sum(g for g, _ in others)
        base = sum(g + o for g, o in others)
        assert row["benchmark_kind"] == "pooled"
        assert (row["benchmark_n"], row["benchmark_count"]) == (base, good)
        assert row["benchmark_value"] == pytest.approx(good / base * 100)
        local = COUNTS["A"][code]
        _, p_value = proportions_ztest([local[0], good], [sum(local), base])
        assert row["p_value"] == pytest.approx(p_value)
        expected_p.append(p_value)
    # independence has a base of 25 in A: not compared and not part of the adjustment
    independence = frame[frame["question_code"] == "out_independence"].iloc[0]
    assert independence["comparison"] == "not compared" and pd.isna(independence["p_value"])
    adjusted = _bh(expected_p)
    assert compared.loc["out_dignity", "p_adjusted"] == pytest.approx(adjusted[0])
    assert compared.loc["out_control", "p_adjusted"] == pytest.approx(adjusted[1])
    assert compared.loc["out_dignity", "comparison"] == "better"  # 85% against about 60%
    assert compared.loc["out_control", "comparison"] == "similar"


def test_adjustment_runs_within_each_council_when_all_are_compared(con):
    everyone = results(con, council=None, wave=WAVE)
    for council in COUNTS:
        alone = results(con, council=council, wave=WAVE)
        mine = everyone[everyone["council"] == council].reset_index(drop=True)
        pd.testing.assert_series_equal(mine["p_adjusted"], alone["p_adjusted"])
        assert mine["comparison"].tolist() == alone["comparison"].tolist()


def test_fewer_than_three_others_falls_back_to_the_national_figure(tmp_path):
    con = new_database(tmp_path)
    for council in "AB":
        seed_returns(con, _council_returns(council, COUNTS[council]))
    row = results(con, council="A", wave=WAVE)
    dignity = row[row["question_code"] == "out_dignity"].iloc[0]
    assert dignity["benchmark_kind"] == "over"  # the 2014 national "over 80%"
    pooled = results(con, council="A", wave=WAVE, benchmark="pooled")
    assert pooled.loc[pooled["question_code"] == "out_dignity", "benchmark_n"].item() == 100


def test_a_chosen_peer_group_is_pooled_without_the_council_itself(con):
    frame = results(con, council="A", wave=WAVE, peers=["A", "B", "C"])
    dignity = frame[frame["question_code"] == "out_dignity"].iloc[0]
    assert (dignity["benchmark_n"], dignity["benchmark_count"]) == (200, 118)
    assert "2 peer councils" in dignity["benchmark_label"]
    single = results(con, council="A", wave=WAVE, peers=["D"])  # council against council
    row = single[single["question_code"] == "out_dignity"].iloc[0]
    _, p_value = proportions_ztest([85, 63], [100, 100])
    assert row["p_value"] == pytest.approx(p_value)


def test_stricter_confidence_needs_stronger_evidence(con):
    strict = results(con, council="A", wave=WAVE, confidence=0.998)
    dignity = strict[strict["question_code"] == "out_dignity"].iloc[0]
    expected = "better" if dignity["p_adjusted"] < 0.002 else "similar"
    assert dignity["comparison"] == expected
    assert "significant below 0.002" in dignity["comparison_note"]
