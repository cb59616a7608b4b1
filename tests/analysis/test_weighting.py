"""Post-stratified weights and the stratified margin of error (reference/methods.md)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from statsmodels.stats.proportion import proportion_confint

from pipeline.analysis.weighting import (
    FLAG_NO_RESPONDENTS,
    FLAG_NOT_IN_POPULATION,
    FLAG_ONE_RESPONDENT,
    response_rates,
    stratified_estimate,
    weighted_results,
    weights,
)
from tests.seeding import new_database, seed_budgets, seed_returns

WAVE = 2024
# The worked check of methods.md: two strata of population 100; stratum 1 answers
# (1,1,2,2,3,3,3,3,3,3), stratum 2 answers (1,1,1,2,3).
STRATUM_1 = [1, 1, 2, 2, 3, 3, 3, 3, 3, 3]
STRATUM_2 = [1, 1, 1, 2, 3]
# Three outcome questions, each reporting a different response of the worked check as "better".
QUESTION_FOR_RESPONSE = {1: "out_quality_of_life", 2: "out_dignity", 3: "out_control"}


def _code(question_response: int, answer: int) -> str:
    return "much_better" if answer == question_response else "same"


def _register(council: str, cells: dict[tuple[str, str], int]) -> pd.DataFrame:
    rows = []
    for (option, reason), people in cells.items():
        for i in range(people):
            rows.append(
                {
                    "person_key": f"{council}-{option}-{reason}-{i}",
                    "council": council,
                    "start_date": pd.Timestamp("2023-04-01").date(),
                    "end_date": None,
                    "agreed_annual": 10_000.0,
                    "management_option": option,
                    "support_reason": reason,
                }
            )
    return pd.DataFrame(rows)


def _returns(council: str, strata: dict[tuple[str, str], list[int]]) -> pd.DataFrame:
    rows = []
    for (option, reason), answers in strata.items():
        for i, answer in enumerate(answers):
            row = {
                "respondent_key": f"{council}-r-{option}-{reason}-{i}",
                "council": council,
                "wave": WAVE,
                "instrument": "poet-holder",
                "management_option": option,
                "support_reason": reason,
            }
            for response, question in QUESTION_FOR_RESPONSE.items():
                row[question] = _code(response, answer)
            rows.append(row)
    return pd.DataFrame(rows)


@pytest.fixture
def worked_check(tmp_path):
    con = new_database(tmp_path)
    strata = {("direct_payment", "physical"): STRATUM_1, ("council_managed", "physical"): STRATUM_2}
    seed_returns(con, _returns("Testshire", strata))
    seed_budgets(
        con,
        _register(
            "Testshire", {("direct_payment", "physical"): 100, ("council_managed", "physical"): 100}
        ),
    )
    yield con
    con.close()


@pytest.mark.parametrize(
    ("response", "share", "estimated", "moe"),
    [(1, 40.0, 80.0, 26.478), (2, 20.0, 40.0, 22.773), (3, 40.0, 80.0, 24.402)],
)
def test_worked_check_of_the_reference_is_reproduced(worked_check, response, share, estimated, moe):
    table = weighted_results(worked_check, council="Testshire", wave=WAVE)
    row = table.set_index("question_code").loc[QUESTION_FOR_RESPONSE[response]]
    assert row["value_weighted"] == pytest.approx(share, abs=0.05)
    assert row["estimated_population"] == pytest.approx(estimated)
    assert row["moe_weighted"] == pytest.approx(moe, abs=0.0005)
    assert row["lower_weighted"] == pytest.approx(max(0.0, share - row["moe_weighted"]))
    assert row["upper_weighted"] == pytest.approx(share + row["moe_weighted"])
    assert row["cells_without_respondents"] == 0
    assert row["n"] == 15


def test_unweighted_side_is_the_wilson_interval_of_the_pooled_answers(worked_check):
    table = weighted_results(worked_check, council="Testshire", wave=WAVE)
    row = table.set_index("question_code").loc["out_quality_of_life"]
    assert row["count"] == 5 and row["n"] == 15
    assert row["value_unweighted"] == pytest.approx(100 * 5 / 15)
    lower, upper = proportion_confint(5, 15, alpha=0.05, method="wilson")
    assert row["lower_unweighted"] == pytest.approx(100 * lower)
    assert row["upper_unweighted"] == pytest.approx(100 * upper)


def _independent_estimate(big_n, n, r, z=1.96):
    """The methods.md formula written out longhand, for comparison."""
    total = sum(big_n)
    share = sum(N * ri / ni for N, ni, ri in zip(big_n, n, r, strict=True)) / total
    var = (
        sum(
            (ri / ni) * (1 - ri / ni) * N**2 * (1 - ni / N) / (ni - 1)
            for N, ni, ri in zip(big_n, n, r, strict=True)
        )
        * 100**2
        / total**2
    )
    return 100 * share, z * math.sqrt(var)


def test_estimator_matches_the_formula_on_random_cells():
    rng = np.random.default_rng(7)
    big_n = rng.integers(50, 500, size=6)
    n = np.array([rng.integers(2, N // 2) for N in big_n])
    r = np.array([rng.integers(0, ni + 1) for ni in n])
    result = stratified_estimate(pd.DataFrame({"population": big_n, "n": n, "r": r})).iloc[0]
    share, moe = _independent_estimate(big_n, n, r)
    assert result["value_weighted"] == pytest.approx(share)
    assert result["moe_weighted"] == pytest.approx(moe)


def test_cell_without_respondents_is_flagged_and_left_out(tmp_path):
    con = new_database(tmp_path)
    strata = {("direct_payment", "physical"): STRATUM_1, ("council_managed", "physical"): STRATUM_2}
    seed_returns(con, _returns("Testshire", strata))
    seed_budgets(
        con,
        _register(
            "Testshire",
            {
                ("direct_payment", "physical"): 100,
                ("council_managed", "physical"): 100,
                ("provider_managed", "learning_disability"): 60,
            },
        ),
    )
    table = weighted_results(con, council="Testshire", wave=WAVE)
    row = table.set_index("question_code").loc["out_quality_of_life"]
    # the empty cell is excluded, so the estimate equals the two-stratum worked check
    assert row["value_weighted"] == pytest.approx(40.0)
    assert row["moe_weighted"] == pytest.approx(26.478, abs=0.0005)
    assert row["cells_without_respondents"] == 1
    assert row["population_not_covered"] == 60
    assert "left out" in row["note"]
    cells = weights(con, council="Testshire", wave=WAVE).set_index(
        ["management_option", "support_reason"]
    )
    empty = cells.loc[("provider_managed", "learning_disability")]
    assert empty["flag"] == FLAG_NO_RESPONDENTS
    assert empty["respondents"] == 0 and empty["population"] == 60
    assert math.isnan(empty["weight"])
    dp = cells.loc[("direct_payment", "physical")]
    assert dp["weight"] == pytest.approx(10.0)
    assert dp["response_rate"] == pytest.approx(10.0)
    assert dp["flag"] == ""
    con.close()


def test_register_episodes_outside_the_wave_do_not_count(tmp_path):
    con = new_database(tmp_path)
    seed_returns(con, _returns("Testshire", {("direct_payment", "physical"): STRATUM_1}))
    register = _register("Testshire", {("direct_payment", "physical"): 40})
    register.loc[:9, "end_date"] = pd.Timestamp("2023-12-31").date()  # ended before the wave
    register.loc[10:14, "start_date"] = pd.Timestamp("2025-01-01").date()  # started after it
    register.loc[15:19, "end_date"] = pd.Timestamp("2024-01-01").date()  # covers one day: counts
    seed_budgets(con, register)
    cells = weights(con, council="Testshire", wave=WAVE)
    assert cells["population"].tolist() == [25]
    assert cells["respondents"].tolist() == [10]
    con.close()


def test_single_respondent_and_outside_population_are_flagged(tmp_path):
    con = new_database(tmp_path)
    strata = {
        ("direct_payment", "physical"): STRATUM_1,
        ("council_managed", "physical"): [1],
        ("mixed", "sensory"): [1, 2],
    }
    seed_returns(con, _returns("Testshire", strata))
    seed_budgets(
        con,
        _register(
            "Testshire", {("direct_payment", "physical"): 100, ("council_managed", "physical"): 50}
        ),
    )
    cells = weights(con, council="Testshire", wave=WAVE).set_index("management_option")
    assert cells.loc["council_managed", "flag"] == FLAG_ONE_RESPONDENT
    assert cells.loc["mixed", "flag"] == FLAG_NOT_IN_POPULATION
    row = weighted_results(con, council="Testshire", wave=WAVE).set_index("question_code")
    row = row.loc["out_quality_of_life"]
    # p_1 = 0.2 (N 100, n 10); p_2 = 1.0 (N 50, n 1, variance term undefined -> 0)
    assert row["value_weighted"] == pytest.approx(100 * (100 * 0.2 + 50 * 1.0) / 150)
    expected_var = 0.2 * 0.8 * 100**2 * (1 - 10 / 100) / 9 * 100**2 / 150**2
    assert row["moe_weighted"] == pytest.approx(1.96 * math.sqrt(expected_var))
    assert row["cells_one_respondent"] == 1
    assert row["respondents_outside_population"] == 2
    assert "one answer" in row["note"]
    assert response_rates(con, council="Testshire", wave=WAVE).equals(
        weights(con, council="Testshire", wave=WAVE)
    )
    con.close()


def test_supplied_population_table_replaces_the_register(worked_check):
    population = pd.DataFrame(
        {
            "management_option": ["direct_payment", "council_managed"],
            "support_reason": ["physical", "physical"],
            "population": [300, 100],
        }
    )
    table = weighted_results(
        worked_check, council="Testshire", wave=WAVE, population=population
    ).set_index("question_code")
    big_n, n = [300, 100], [10, 5]
    share, moe = _independent_estimate(big_n, n, [2, 3])
    assert table.loc["out_quality_of_life", "value_weighted"] == pytest.approx(share)
    assert table.loc["out_quality_of_life", "moe_weighted"] == pytest.approx(moe)


def test_population_table_missing_a_column_is_explained(worked_check):
    with pytest.raises(ValueError, match="support_reason"):
        weights(
            worked_check,
            council="Testshire",
            wave=WAVE,
            population=pd.DataFrame({"management_option": ["x"], "population": [1]}),
        )


def test_demographic_supergroup_uses_the_reference_rule(worked_check):
    """N_hd = N_h x share of cell h's respondents in demographic d (methods.md)."""
    # make 4 of stratum 1's ten respondents and 1 of stratum 2's five women
    worked_check.execute(
        "UPDATE respondents SET gender = CASE WHEN respondent_key IN "
        "('Testshire-r-direct_payment-physical-0', 'Testshire-r-direct_payment-physical-2', "
        "'Testshire-r-direct_payment-physical-4', 'Testshire-r-direct_payment-physical-5', "
        "'Testshire-r-council_managed-physical-0') THEN 'female' ELSE 'male' END"
    )
    table = weighted_results(worked_check, council="Testshire", wave=WAVE, by="gender")
    women = table[(table.subgroup_value == "female")].set_index("question_code")
    # women: stratum 1 answers (1, 2, 3, 3) -> N = 100 * 4/10 = 40; stratum 2 answers (1) -> N = 20
    share = 100 * (40 * 1 / 4 + 20 * 1 / 1) / 60
    assert women.loc["out_quality_of_life", "value_weighted"] == pytest.approx(share)
    var = 0.25 * 0.75 * 40**2 * (1 - 4 / 40) / 3 * 100**2 / 60**2  # stratum 2 has n = 1
    assert women.loc["out_quality_of_life", "moe_weighted"] == pytest.approx(1.96 * math.sqrt(var))
    assert women.loc["out_quality_of_life", "n"] == 5


def test_council_without_a_register_gets_no_weighted_share_and_says_why(tmp_path):
    con = new_database(tmp_path)
    seed_returns(con, _returns("Testshire", {("direct_payment", "physical"): STRATUM_1}))
    table = weighted_results(con, council="Testshire", wave=WAVE)
    assert len(table) == 3
    assert table["value_weighted"].isna().all()
    assert (table["value_unweighted"] > 0).all()
    assert table["note"].str.contains("not in the population").all()
    assert set(weights(con, council="Testshire", wave=WAVE)["flag"]) == {FLAG_NOT_IN_POPULATION}
    con.close()


def test_carers_are_weighted_by_the_cared_for_persons_management_option(tmp_path):
    """The carer survey records only the cared-for person's management option, so by default
    carers are weighted by that one cell against the register (its support reasons pooled)."""
    con = new_database(tmp_path)
    register = {
        ("direct_payment", "physical"): 60,
        ("direct_payment", "mental_health"): 90,
        ("council_managed", "physical"): 50,
    }
    seed_budgets(con, _register("Carershire", register))
    answers = {"direct_payment": [1] * 6 + [0] * 4, "council_managed": [1] * 2 + [0] * 8}
    rows = []
    for option, values in answers.items():
        for i, better in enumerate(values):
            rows.append(
                {
                    "respondent_key": f"carer-{option}-{i}",
                    "council": "Carershire",
                    "wave": WAVE,
                    "instrument": "poet-carer",
                    "management_option": option,
                    "carer_cared_for_qol": "much_better" if better else "same",
                }
            )
    seed_returns(con, pd.DataFrame(rows))
    frame = weighted_results(con, council="Carershire", wave=WAVE, instrument="poet-carer")
    row = frame.set_index("question_code").loc["carer_cared_for_qol"]
    share, moe = _independent_estimate([150, 50], [10, 10], [6, 2])
    assert row["value_weighted"] == pytest.approx(share, abs=0.05)
    assert row["moe_weighted"] == pytest.approx(moe, abs=0.0005)
    assert row["estimated_population"] == pytest.approx(150 * 6 / 10 + 50 * 2 / 10)
