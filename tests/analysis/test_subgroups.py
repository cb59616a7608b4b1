"""Subgroup breakdowns: bases, shares and Wilson intervals recomputed from the seeded frame."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from statsmodels.stats.proportion import proportion_confint

from pipeline.analysis.subgroups import SUBGROUPS, subgroups
from tests.seeding import new_database, seed_budgets, seed_returns

WAVE = 2024
OPTIONS = ["direct_payment", "council_managed", "provider_managed", None, "dont_know"]
OPTION_P_BETTER = {
    "direct_payment": 0.8,
    "council_managed": 0.5,
    "provider_managed": 0.6,
    None: 0.6,
    "dont_know": 0.6,
}
CHANGE = ["much_worse", "worse", "same", "better", "much_better"]


def _returns(council: str, size: int, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    option = rng.choice(np.array(OPTIONS, dtype=object), size=size, p=[0.4, 0.3, 0.2, 0.05, 0.05])
    p_better = np.array([OPTION_P_BETTER[o] for o in option])
    better = rng.random(size) < p_better
    quality = np.where(
        better, rng.choice(["better", "much_better"], size), rng.choice(CHANGE[:3], size)
    )
    # a few missing answers, which must leave the base
    quality = np.where(rng.random(size) < 0.05, "dont_know", quality)
    dignity = rng.choice(CHANGE + ["not_applicable"], size=size)
    return pd.DataFrame(
        {
            "respondent_key": [f"{council}-{i}" for i in range(size)],
            "council": council,
            "wave": WAVE,
            "instrument": "poet-holder",
            "management_option": option,
            "support_reason": rng.choice(["physical", "learning_disability"], size=size),
            "gender": rng.choice(["female", "male"], size=size),
            "out_quality_of_life": quality,
            "out_dignity": dignity,
        }
    )


def _expected(frame: pd.DataFrame, question: str, column: str) -> pd.DataFrame:
    """Base and count per subgroup computed in pandas, independently of the SQL."""
    value = frame[column].where(~frame[column].isin([None, "dont_know"]), "not_known")
    value = value.fillna("not_known")
    answer = frame[question]
    valid = answer.notna() & ~answer.isin(["dont_know", "not_applicable"])
    positive = answer.isin(["better", "much_better"])
    return (
        pd.DataFrame({"subgroup_value": value, "valid": valid, "positive": positive})
        .groupby("subgroup_value")
        .agg(n=("valid", "sum"), count=("positive", "sum"))
    )


@pytest.fixture
def seeded(tmp_path):
    con = new_database(tmp_path)
    frames = {
        "Northshire": _returns("Northshire", 400, 1),
        "Southshire": _returns("Southshire", 250, 2),
    }
    for frame in frames.values():
        seed_returns(con, frame)
    yield con, frames
    con.close()


def test_bases_shares_and_wilson_intervals_match_an_independent_count(seeded):
    con, frames = seeded
    table = subgroups(con, council="Northshire", wave=WAVE, by="management_option")
    got = table[table.question_code == "out_quality_of_life"].set_index("subgroup_value")
    expected = _expected(frames["Northshire"], "out_quality_of_life", "management_option")
    assert sorted(got.index) == sorted(expected.index)
    for value, row in expected.iterrows():
        assert got.loc[value, "n"] == row["n"]
        assert got.loc[value, "count"] == row["count"]
        assert got.loc[value, "value"] == pytest.approx(100 * row["count"] / row["n"])
        lower, upper = proportion_confint(row["count"], row["n"], method="wilson")
        assert got.loc[value, "lower"] == pytest.approx(100 * lower)
        assert got.loc[value, "upper"] == pytest.approx(100 * upper)


def test_blank_and_dont_know_become_one_not_known_row_with_labels(seeded):
    con, _ = seeded
    table = subgroups(con, council="Northshire", wave=WAVE, by="management_option")
    labels = dict(zip(table.subgroup_value, table.subgroup_label, strict=True))
    assert labels["not_known"] == "Not known"
    assert labels["direct_payment"] == "Direct payment"
    assert labels["council_managed"] == "Council-managed personal budget"
    assert "dont_know" not in labels
    one_question = table[table.question_code == "out_dignity"]
    assert one_question["subgroup_value"].iloc[-1] == "not_known"  # listed last
    assert set(table["subgroup"]) == {"management_option"}


def test_the_seeded_difference_between_options_shows(seeded):
    con, _ = seeded
    table = subgroups(con, council="Northshire", wave=WAVE, by="management_option")
    got = table[table.question_code == "out_quality_of_life"].set_index("subgroup_value")
    # direct payments were seeded at 80% better, council-managed at 50%
    assert got.loc["direct_payment", "lower"] > got.loc["council_managed", "upper"]


def test_all_councils_pool_and_several_columns_stack(seeded):
    con, frames = seeded
    table = subgroups(con, council=None, wave=WAVE, by=["gender", "support_reason"])
    assert set(table["council"]) == {"All councils"}
    both = pd.concat(frames.values())
    got = table[(table.subgroup == "gender") & (table.question_code == "out_dignity")]
    expected = _expected(both, "out_dignity", "gender")
    assert got.set_index("subgroup_value")["n"].to_dict() == expected["n"].to_dict()
    assert set(table["subgroup"]) == {"gender", "support_reason"}


def test_common_columns_are_present(seeded):
    con, _ = seeded
    table = subgroups(con, council="Northshire", wave=WAVE, by="gender")
    for column in [
        "instrument", "council", "wave", "question_code", "domain", "section", "measure",
        "n", "count", "value", "lower", "upper", "benchmark_value", "comparison",
        "suppressed", "suppression_reason", "subgroup", "subgroup_value", "subgroup_label",
    ]:  # fmt: skip
        assert column in table.columns, column
    assert set(table["measure"]) == {"better"}


def test_small_subgroups_are_flagged_for_suppression(tmp_path):
    con = new_database(tmp_path)
    frame = _returns("Tinyshire", 60, 3)
    frame.loc[:2, "gender"] = "other"  # three people: a base under 5
    seed_returns(con, frame)
    table = subgroups(con, council="Tinyshire", wave=WAVE, by="gender")
    other = table[(table.subgroup_value == "other")]
    assert other["suppressed"].all()
    assert other["suppression_reason"].str.len().gt(0).all()
    con.close()


def test_weighted_subgroups_carry_the_weighted_share(seeded):
    con, frames = seeded
    frame = frames["Northshire"]
    register = frame[["management_option", "support_reason"]].copy()
    register = pd.concat([register] * 5, ignore_index=True)  # the register is five times larger
    register["person_key"] = [f"p{i}" for i in range(len(register))]
    register["council"] = "Northshire"
    register["start_date"] = pd.Timestamp("2022-01-01").date()
    seed_budgets(con, register)
    table = subgroups(con, council="Northshire", wave=WAVE, by="gender", weighted=True)
    row = table[(table.question_code == "out_quality_of_life") & (table.subgroup_value == "female")]
    row = row.iloc[0]
    # N_hd = N_h x (cell h's respondents who are women / cell h's respondents) = 5 x women in h;
    # p_hd among women in h who gave a valid answer
    cell = ["management_option", "support_reason"]
    people = frame.assign(
        management_option=frame["management_option"]
        .fillna("not_known")
        .replace("dont_know", "not_known")
    )
    women = people[people.gender == "female"]
    valid = ~women["out_quality_of_life"].isin(["dont_know", "not_applicable"])
    positive = women["out_quality_of_life"].isin(["better", "much_better"])
    by_cell = (
        women.assign(valid=valid, positive=positive)
        .groupby(cell)
        .agg(people=("gender", "size"), n=("valid", "sum"), r=("positive", "sum"))
    )
    by_cell = by_cell[by_cell.n > 0]
    big_n = 5 * by_cell["people"]
    expected = 100 * (big_n * by_cell["r"] / by_cell["n"]).sum() / big_n.sum()
    assert row["value_weighted"] == pytest.approx(expected)
    assert row["n"] == by_cell["n"].sum()
    assert 0 < row["moe_weighted"] < row["upper"] - row["lower"]


def test_unknown_subgroup_column_is_refused(seeded):
    con, _ = seeded
    with pytest.raises(ValueError, match="cannot break down"):
        subgroups(con, council="Northshire", wave=WAVE, by="shoe_size")
    assert "held_for" in SUBGROUPS


def test_subgroups_share_the_councils_benchmark_and_are_compared_with_it(seeded):
    from pipeline.analysis.results import results

    con, _ = seeded
    table = subgroups(con, council="Northshire", wave=WAVE, by="management_option")
    overall = results(con, council="Northshire", wave=WAVE).set_index("question_code")
    quality = table[table.question_code == "out_quality_of_life"]
    expected = overall.loc["out_quality_of_life", "benchmark_value"]
    assert quality["benchmark_value"].tolist() == [expected] * len(quality)
    small = quality[quality.n < 30]
    assert (small["comparison"] == "not compared").all()
    compared = quality[quality.n >= 30]
    assert (
        compared["comparison"]
        .isin(["better", "similar", "worse", "below floor", "not below floor"])
        .all()
    )
    # two councils only, so the comparator is the published national figure (a bound), and the
    # verdict follows the subgroup's own interval
    assert set(quality["benchmark_kind"]) <= {"exact", "approx", "over", "at_least"}
    for row in compared.itertuples():
        below = "below floor" if row.benchmark_kind in ("over", "at_least") else "worse"
        assert (row.comparison == below) == (row.upper < row.benchmark_value)
    # a floor gives only "below floor" / "not below floor", never "better" (issue 10 item 5)
    assert set(compared["comparison"]) & {"worse", "below floor"}
    assert not set(compared["comparison"]) & {"better"}
