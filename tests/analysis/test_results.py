"""Outcome and process results: bases, shares and intervals recomputed from the seeded answers."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from statsmodels.stats.proportion import proportion_confint

from pipeline.analysis import (
    NoDataError,
    answer_groups,
    available,
    councils,
    distribution,
    domains,
    results,
    waves,
)
from tests.seeding import new_database, seed_returns

WAVE = 2024
# out_dignity answers for council A: 40 + 10 "better", 85 valid, 10 missing codes, 5 blanks
DIGNITY = (
    ["much_better"] * 10
    + ["better"] * 40
    + ["same"] * 20
    + ["worse"] * 10
    + ["much_worse"] * 5
    + ["not_applicable"] * 6
    + ["dont_know"] * 4
    + [None] * 5
)


def _holder_returns(council: str, answers: dict[str, list], wave: int = WAVE) -> pd.DataFrame:
    size = len(next(iter(answers.values())))
    frame = pd.DataFrame(
        {
            "respondent_key": [f"{council}-{wave}-{i}" for i in range(size)],
            "council": council,
            "wave": wave,
            "instrument": "poet-holder",
            "age_band": np.where(np.arange(size) % 2 == 0, "25-34", "65-74"),
        }
    )
    for code, values in answers.items():
        frame[code] = values
    return frame


@pytest.fixture(scope="module")
def con(tmp_path_factory):
    con = new_database(tmp_path_factory.mktemp("results"))
    rng = np.random.default_rng(7)
    seed_returns(
        con,
        _holder_returns(
            "A",
            {
                "out_dignity": DIGNITY,
                "out_control": (["better"] * 12 + ["same"] * 8 + [None] * 80),  # base 20
                "knew_amount": (["yes"] * 60 + ["no"] * 30 + ["dont_know"] * 10),
                "views_included": (["fully"] * 45 + ["partly"] * 35 + ["not_at_all"] * 20),
                "proc_planning": (["very_easy"] * 30 + ["easy"] * 25 + ["difficult"] * 45),
            },
        ),
    )
    seed_returns(
        con,
        _holder_returns(
            "B", {"out_dignity": list(rng.choice(["better", "same", "worse"], size=120))}
        ),
    )
    carers = pd.DataFrame(
        {
            "respondent_key": [f"C-{i}" for i in range(50)],
            "council": "A",
            "wave": WAVE,
            "instrument": "poet-carer",
            "carer_quality_of_life": ["much_better"] * 31 + ["worse"] * 15 + ["dont_know"] * 4,
            "carer_views_included": ["fully"] * 20 + ["partly"] * 30,
        }
    )
    seed_returns(con, carers)
    return con


def _row(frame: pd.DataFrame, code: str, council: str = "A") -> pd.Series:
    return frame[(frame["question_code"] == code) & (frame["council"] == council)].iloc[0]


def test_share_excludes_missing_codes_and_blanks_with_wilson_interval(con):
    frame = results(con, council="A", wave=WAVE, benchmark="none")
    row = _row(frame, "out_dignity")
    assert (row["n"], row["count"]) == (85, 50)
    assert row["value"] == pytest.approx(50 / 85 * 100)
    low, high = proportion_confint(50, 85, alpha=0.05, method="wilson")
    assert row["lower"] == pytest.approx(low * 100)
    assert row["upper"] == pytest.approx(high * 100)
    assert row["measure"] == "better" and row["domain"] == "Dignity and respect"
    assert list(frame["question_code"]) == list(domains("poet-holder", "outcomes")["question_code"])


def test_stricter_confidence_widens_the_interval(con):
    row = _row(
        results(con, council="A", wave=WAVE, benchmark="none", confidence=0.998), "out_dignity"
    )
    low, high = proportion_confint(50, 85, alpha=0.002, method="wilson")
    assert (row["lower"], row["upper"]) == (pytest.approx(low * 100), pytest.approx(high * 100))


def test_below_minimum_base_is_not_compared(con):
    frame = results(con, council="A", wave=WAVE, benchmark="national")
    control = _row(frame, "out_control")
    assert control["n"] == 20
    assert control["comparison"] == "not compared"
    assert "below the minimum of 30" in control["comparison_note"]
    dignity = _row(frame, "out_dignity")
    assert dignity["comparison"] != "not compared"
    relaxed = _row(
        results(con, council="A", wave=WAVE, benchmark="national", min_base=10), "out_control"
    )
    assert relaxed["comparison"] != "not compared"


def test_process_items_use_their_own_scales(con):
    frame = results(con, council="A", wave=WAVE, section="process", benchmark="none")
    knew = _row(frame, "knew_amount")
    assert (knew["measure"], knew["n"], knew["count"]) == ("yes", 90, 60)
    views = _row(frame, "views_included")
    assert (views["measure"], views["n"], views["count"]) == ("fully", 100, 45)
    planning = _row(frame, "proc_planning")
    assert (planning["measure"], planning["count"]) == ("easy", 55)
    assert "planning_help" not in set(frame["question_code"])  # no headline share


def test_carer_instrument_has_its_own_questions(con):
    frame = results(con, council="A", wave=WAVE, instrument="poet-carer", benchmark="national")
    assert set(frame["question_code"]) == set(domains("poet-carer")["question_code"])
    qol = _row(frame, "carer_quality_of_life")
    assert (qol["n"], qol["count"]) == (46, 31)
    # the third national survey reported "more than two-thirds" of carers: a bound
    assert qol["benchmark_kind"] == "over" and qol["benchmark_value"] == pytest.approx(66.7)
    assert "bound" in qol["benchmark_label"]


def test_every_council_at_once(con):
    frame = results(con, council=None, wave=WAVE, benchmark="none")
    assert set(frame["council"]) == {"A", "B"}
    one = results(con, council="B", wave=WAVE, benchmark="none")
    pd.testing.assert_frame_equal(
        frame[frame["council"] == "B"].reset_index(drop=True)[
            ["question_code", "n", "count", "value"]
        ],
        one[["question_code", "n", "count", "value"]],
    )


def test_unknown_council_says_what_is_loaded(con):
    with pytest.raises(NoDataError, match="Loaded: A 2024"):
        results(con, council="Nowhere", wave=WAVE)


def test_small_counts_are_flagged(con):
    frame = results(con, council="A", wave=WAVE, benchmark="none")
    assert not _row(frame, "out_dignity")["suppressed"]
    # carers: 15 "worse" of 46 is fine, but a council with 3 "better" of 40 is not
    assert frame.loc[frame["n"] == 0, "suppressed"].eq(False).all()


def test_distribution_lists_every_point_with_missing_codes_outside_the_base(con):
    frame = distribution(
        con, council="A", wave=WAVE, instrument="poet-holder", question_code="out_dignity"
    )
    assert list(frame["answer_code"]) == [
        "much_worse", "worse", "same", "better", "much_better", "not_applicable", "dont_know",
    ]  # fmt: skip
    assert frame["n"].unique().tolist() == [85]
    counts = dict(zip(frame["answer_code"], frame["count"], strict=True))
    assert counts == {
        "much_worse": 5, "worse": 10, "same": 20, "better": 40, "much_better": 10,
        "not_applicable": 6, "dont_know": 4,
    }  # fmt: skip
    same = frame[frame["answer_code"] == "same"].iloc[0]
    low, high = proportion_confint(20, 85, method="wilson")
    assert same["value"] == pytest.approx(20 / 85 * 100)
    assert (same["lower"], same["upper"]) == (pytest.approx(low * 100), pytest.approx(high * 100))
    assert frame.loc[frame["is_missing"], "value"].isna().all()


def test_distribution_by_subgroup_hides_small_cells_and_their_partner(con):
    frame = distribution(
        con,
        council="A",
        wave=WAVE,
        instrument="poet-holder",
        question_code="out_dignity",
        by="age_band",
    )
    assert set(frame["subgroup_value"]) == {"25-34", "65-74"}
    expected = pd.Series(DIGNITY[0::2]).value_counts()
    young = frame[(frame["subgroup_value"] == "25-34")].set_index("answer_code")
    for code, count in expected.items():
        assert young.loc[code, "count"] == count
    valid = young[~young["is_missing"]]
    hidden = valid[valid["suppressed"]]
    assert len(hidden) != 1  # never a lone hidden cell among the answers that make up n


def test_answer_groups_better_same_worse(con):
    frame = answer_groups(con, council="A", wave=WAVE)
    dignity = frame[frame["question_code"] == "out_dignity"].set_index("answer_group")
    assert dignity["count"].to_dict() == {"better": 50, "same": 20, "worse": 15}
    assert dignity["n"].unique().tolist() == [85]
    assert dignity.loc["worse", "value"] == pytest.approx(15 / 85 * 100)


def test_inventory(con):
    assert councils(con) == ["A", "B"]
    assert waves(con, council="A") == [WAVE]
    listing = available(con)
    assert set(zip(listing["council"], listing["instrument"], strict=True)) == {
        ("A", "poet-holder"), ("B", "poet-holder"), ("A", "poet-carer"),
    }  # fmt: skip
