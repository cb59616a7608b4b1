"""Wave against wave and trends across waves, checked against independent calculations."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from statsmodels.stats.contingency_tables import Table
from statsmodels.stats.proportion import proportions_ztest

from pipeline.analysis import trends, wave_changes
from pipeline.analysis.intervals import trend_chi_square
from tests.seeding import new_database, seed_returns

# (better, other) per wave; 2023 is missing on purpose: the trend uses the years as scores
DIGNITY = {2020: (50, 50), 2021: (55, 45), 2022: (62, 38), 2024: (75, 25)}
CONTROL = {2020: (60, 40), 2021: (58, 42), 2022: (61, 39), 2024: (59, 41)}
INDEPENDENCE = {2020: (10, 10), 2021: (12, 8), 2022: (30, 10), 2024: (35, 10)}


def _wave_returns(wave: int) -> pd.DataFrame:
    frame = pd.DataFrame(
        {
            "respondent_key": [f"A-{wave}-{i}" for i in range(100)],
            "council": "A",
            "wave": wave,
            "instrument": "poet-holder",
        }
    )
    for code, table in (
        ("out_dignity", DIGNITY),
        ("out_control", CONTROL),
        ("out_independence", INDEPENDENCE),
    ):
        good, other = table[wave]
        frame[code] = ["better"] * good + ["worse"] * other + [None] * (100 - good - other)
    return frame


@pytest.fixture(scope="module")
def con(tmp_path_factory):
    con = new_database(tmp_path_factory.mktemp("trends"))
    for wave in DIGNITY:
        seed_returns(con, _wave_returns(wave))
    return con


def _linear_by_linear_chi2(counts, bases, scores) -> float:
    """Cochran-Armitage chi-square from statsmodels' linear-by-linear association test.

    statsmodels uses the (N - 1) variance of Mantel's form; Armitage's uses N, so the
    statistics differ by the factor N / (N - 1).
    """
    counts, bases = np.asarray(counts), np.asarray(bases)
    table = Table(np.column_stack([counts, bases - counts]))
    result = table.test_ordinal_association(
        row_scores=np.asarray(scores), col_scores=np.array([1, 0])
    )
    total = bases.sum()
    return result.zscore**2 * total / (total - 1)


def test_trend_statistic_matches_an_independent_calculation():
    counts = [g for g, _ in DIGNITY.values()]
    bases = [g + o for g, o in DIGNITY.values()]
    chi2, p_value = trend_chi_square(np.array(counts), np.array(bases), np.array(list(DIGNITY)))
    assert chi2 == pytest.approx(_linear_by_linear_chi2(counts, bases, list(DIGNITY)), rel=1e-6)
    from scipy.stats import chi2 as chi2_distribution

    assert p_value == pytest.approx(chi2_distribution.sf(chi2, 1))


def test_wave_change_is_a_two_proportion_test_against_the_latest_earlier_wave(con):
    frame = wave_changes(con, council="A", wave=2024).set_index("question_code")
    dignity = frame.loc["out_dignity"]
    assert dignity["previous_wave"] == 2022
    _, expected = proportions_ztest([75, 62], [100, 100])
    assert dignity["p_value"] == pytest.approx(expected)
    assert dignity["difference"] == pytest.approx(75 - 62)
    _, control_p = proportions_ztest([59, 61], [100, 100])
    _, independence_p = proportions_ztest([35, 30], [45, 40])  # bases 45 and 40: tested
    codes = ["out_dignity", "out_control", "out_independence"]
    p = np.array([expected, control_p, independence_p])
    order = np.argsort(p)
    scaled = np.minimum.accumulate((p[order] * 3 / np.arange(1, 4))[::-1])[::-1]
    bh = np.empty(3)
    bh[order] = np.minimum(scaled, 1)
    assert frame.loc[codes, "p_adjusted"].tolist() == pytest.approx(bh.tolist())
    assert frame.loc["out_control", "verdict"] == "no change"
    assert frame.loc["out_dignity", "verdict"] == ("improved" if bh[0] < 0.05 else "no change")
    assert frame.loc["out_physical_health", "verdict"] == "not compared"
    earlier = wave_changes(con, council="A", wave=2024, previous=2020).set_index("question_code")
    _, vs_2020 = proportions_ztest([75, 50], [100, 100])
    assert earlier.loc["out_dignity", "p_value"] == pytest.approx(vs_2020)
    assert earlier.loc["out_dignity", "verdict"] == "improved"


def test_trends_give_every_wave_and_a_trend_verdict(con):
    frame = trends(con, council="A", benchmark="none")
    dignity = frame[frame["question_code"] == "out_dignity"]
    assert dignity["wave"].tolist() == [2020, 2021, 2022, 2024]
    assert dignity["verdict"].iloc[0] == "first wave"
    expected = _linear_by_linear_chi2(
        [g for g, _ in DIGNITY.values()], [g + o for g, o in DIGNITY.values()], list(DIGNITY)
    )
    assert dignity["trend_chi2"].iloc[0] == pytest.approx(expected, rel=1e-6)
    assert (dignity["trend_verdict"] == "improving").all()
    control = frame[frame["question_code"] == "out_control"]
    assert (control["trend_verdict"] == "no clear trend").all()
    # independence has only two waves with a base of 30 or more: not tested
    independence = frame[frame["question_code"] == "out_independence"]
    assert (independence["trend_verdict"] == "not tested").all()
    assert independence["trend_p"].isna().all()
    p_values = frame.drop_duplicates("question_code").dropna(subset=["trend_p"])
    assert len(p_values) == 2  # the adjustment covers the tested questions only
