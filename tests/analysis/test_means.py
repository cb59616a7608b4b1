"""Mean scores with normal intervals, recomputed independently with scipy."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from pipeline.analysis import mean_scores
from tests.seeding import new_database, seed_returns

CHANGE5 = ["much_worse", "worse", "same", "better", "much_better"]


def test_mean_and_normal_interval_match_scipy(tmp_path):
    con = new_database(tmp_path)
    rng = np.random.default_rng(7)
    answers = rng.choice(CHANGE5, size=120, p=[0.05, 0.1, 0.25, 0.4, 0.2]).tolist()
    answers[:6] = ["dont_know", "not_applicable", None, "dont_know", None, "not_applicable"]
    seed_returns(
        con,
        pd.DataFrame(
            {
                "respondent_key": [f"r{i}" for i in range(120)],
                "council": "Northshire",
                "wave": 2025,
                "instrument": "poet-holder",
                "out_dignity": answers,
                "gender": "female",  # nominal: never averaged
            }
        ),
    )
    table = mean_scores(con, council="Northshire", wave=2025)
    row = table.set_index("question_code").loc["out_dignity"]
    scores = np.array([CHANGE5.index(a) + 1 for a in answers if a in CHANGE5])
    assert row["n"] == len(scores) == 114
    assert row["value"] == pytest.approx(scores.mean())
    low, high = stats.norm.interval(0.95, loc=scores.mean(), scale=stats.sem(scores))
    assert (row["lower"], row["upper"]) == (pytest.approx(low), pytest.approx(high))
    assert row["scale_points"] == 5 and not row["suppressed"]
    assert "gender" not in table["question_code"].tolist()


def test_small_bases_are_flagged(tmp_path):
    con = new_database(tmp_path)
    seed_returns(
        con,
        pd.DataFrame(
            {
                "respondent_key": ["a", "b", "c"],
                "council": "Tiny",
                "wave": 2025,
                "instrument": "poet-holder",
                "out_control": ["better", "same", "much_better"],
            }
        ),
    )
    row = mean_scores(con, council="Tiny").iloc[0]
    assert row["suppressed"] and row["value"] == pytest.approx(4.0)
