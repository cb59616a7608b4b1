"""Disclosure control: small counts hidden, and a hidden cell cannot be worked back from totals."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd

from pipeline.config import Thresholds
from pipeline.disclosure import protect, suppression_flags


def _feasible_values(published: pd.DataFrame, full: pd.DataFrame, column: str, total: int):
    """Every assignment of the hidden cells of ``column`` consistent with what is published.

    An attacker knows the published cells, the group total and that each hidden cell is a
    whole number from 0 to the total; the hidden cell is safe if more than one value fits.
    """
    hidden = published.index[published[column].isna()].tolist()
    shown = int(published[column].dropna().sum())
    solutions = []
    for values in itertools.product(range(total + 1), repeat=len(hidden)):
        if shown + sum(values) == total:
            solutions.append(dict(zip(hidden, values, strict=True)))
    truth = {i: int(full.at[i, column]) for i in hidden}
    assert truth in solutions  # the real values are among the candidates
    return hidden, solutions


def test_small_subgroup_is_hidden_and_cannot_be_derived_from_the_total():
    # one question broken down by management option; the total (n=120, count=70) is published
    # elsewhere, so a single hidden subgroup could be recovered by subtraction
    table = pd.DataFrame(
        {
            "question_code": "out_dignity",
            "subgroup_value": ["direct_payment", "council_managed", "provider_managed", "mixed"],
            "n": [60, 35, 22, 3],
            "count": [40, 18, 10, 2],
        }
    )
    table["value"] = table["count"] / table["n"] * 100
    published = protect(table, group_columns=("question_code",), value_columns=("value",))

    small = published["subgroup_value"] == "mixed"
    assert published.loc[small, "suppressed"].item()
    assert pd.isna(published.loc[small, "n"].item())
    assert pd.isna(published.loc[small, "count"].item())
    assert pd.isna(published.loc[small, "value"].item())
    # the next smallest subgroup is hidden too (secondary suppression)
    partner = published["subgroup_value"] == "provider_managed"
    assert "secondary suppression" in published.loc[partner, "suppression_reason"].item()

    for column, total in (("n", 120), ("count", 70)):
        hidden, solutions = _feasible_values(published, table, column, total)
        assert len(hidden) >= 2
        for index in hidden:
            assert len({s[index] for s in solutions}) > 1, f"{column} of row {index} derivable"


def test_primary_rules_counts_complements_and_bases():
    frame = pd.DataFrame(
        {
            "n": [100, 100, 100, 100, 8, 4, 0],
            "count": [0, 3, 5, 97, 0, 2, 0],
            "value": [0.0, 3.0, 5.0, 97.0, 0.0, 50.0, np.nan],
        }
    )
    out = protect(frame, value_columns=("value",))
    assert out["suppressed"].tolist() == [False, True, False, True, True, True, False]
    assert out.loc[1, "suppression_reason"] == "count under 5"
    assert out.loc[3, "suppression_reason"] == "complement under 5"  # 97 of 100: 3 said otherwise
    assert out.loc[4, "suppression_reason"] == "base under 10: percentage withheld"
    assert out.loc[4, "count"] == 0 and pd.isna(out.loc[4, "value"])  # count kept, share withheld
    assert pd.isna(out.loc[5, "n"]) and "base under 5" in out.loc[5, "suppression_reason"]
    assert out.loc[2, "count"] == 5 and out.loc[2, "value"] == 5.0


def test_flags_only_leaves_values_and_thresholds_are_configurable():
    frame = pd.DataFrame({"n": [50, 50], "count": [3, 25], "value": [6.0, 50.0]})
    flagged = suppression_flags(frame)
    assert flagged["suppressed"].tolist() == [True, False]
    assert flagged["count"].tolist() == [3, 25]  # nothing blanked
    lenient = protect(frame, thresholds=Thresholds(suppress_count_below=3))
    assert not lenient["suppressed"].any()


def test_distribution_secondary_suppression_within_one_question():
    counts = [2, 9, 30, 41, 18]  # much_worse .. much_better, n = 100
    frame = pd.DataFrame({"question_code": "q", "n": 100, "count": counts})
    out = protect(frame, group_columns=("question_code",), complement=False, value_columns=())
    assert out["count"].isna().tolist() == [True, True, False, False, False]
    hidden, solutions = _feasible_values(out, frame, "count", 100)
    assert len(solutions) > 1 and len({s[0] for s in solutions}) > 1


def test_several_count_columns_in_one_row_protect_each_other():
    frame = pd.DataFrame({"n": [60], "better": [50], "same": [7], "worse": [3]})
    out = protect(frame, count_columns=("better", "same", "worse"), complement=False)
    assert pd.isna(out.loc[0, "worse"]) and pd.isna(out.loc[0, "same"])
    assert out.loc[0, "better"] == 50


def test_rounding_to_five_half_away_from_zero():
    frame = pd.DataFrame({"n": [52, 57, 125], "count": [12, 27, 62]})
    out = protect(frame, value_columns=(), round_to=5)
    assert out["n"].tolist() == [50, 55, 125]
    assert out["count"].tolist() == [10, 25, 60]
    assert protect(pd.DataFrame({"n": [22], "count": [7.5]}), value_columns=(), round_to=5)[
        "count"
    ].tolist() == [10]
