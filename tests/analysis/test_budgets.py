"""Budget register summaries recomputed in pandas from the seeded records."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pandas as pd
import pytest
from statsmodels.stats.proportion import proportion_confint

from pipeline.analysis.budgets import budget_summary
from tests.seeding import new_database, seed_budgets, seed_returns

AS_OF = date(2024, 9, 30)
OPTIONS = ["direct_payment", "part_direct_payment", "council_managed", "provider_managed", None]
REASONS = ["physical", "learning_disability", "mental_health", "unknown"]


def _register(size: int, seed: int, council: str = "Westshire") -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    start = [AS_OF - timedelta(days=int(d)) for d in rng.integers(10, 2000, size)]
    agreed = np.round(rng.lognormal(9.5, 0.8, size), 2)
    indicative = np.round(agreed * rng.choice([0.8, 1.0, 1.1], size), 2)
    reviewed_after = rng.integers(100, 900, size)
    last_review = [
        s + timedelta(days=int(d)) if s + timedelta(days=int(d)) <= AS_OF else None
        for s, d in zip(start, reviewed_after, strict=True)
    ]
    frame = pd.DataFrame(
        {
            "person_key": [f"{council}-p{i}" for i in range(size)],
            "council": council,
            "start_date": start,
            "end_date": None,
            "indicative": indicative,
            "agreed_annual": agreed,
            "management_option": rng.choice(np.array(OPTIONS, dtype=object), size),
            "support_reason": rng.choice(REASONS, size),
            "last_review": last_review,
        }
    )
    frame.loc[rng.random(size) < 0.1, "indicative"] = None
    return frame


@pytest.fixture
def seeded(tmp_path):
    con = new_database(tmp_path)
    register = _register(800, seed=21)
    # 40 people whose episode ended before the as-of date, and one person with an older episode
    ended = _register(40, seed=22)
    ended["person_key"] = [f"gone-{i}" for i in range(40)]
    ended["end_date"] = AS_OF - timedelta(days=30)
    older = register.iloc[[0]].copy()
    older["start_date"] = date(2015, 1, 1)
    older["agreed_annual"] = 999_999.0
    seed_budgets(con, pd.concat([register, ended, older], ignore_index=True))
    yield con, register
    con.close()


def test_people_and_spend_by_option_and_reason(seeded):
    con, register = seeded
    summary = budget_summary(con, council="Westshire", as_of=AS_OF)
    option = register["management_option"].fillna("not_known")
    expected = (
        register.assign(option=option).groupby("option")["agreed_annual"].agg(["size", "sum"])
    )
    got = summary["by_option"].set_index("management_option")
    assert got["people"].to_dict() == expected["size"].to_dict()
    for key, spend in expected["sum"].items():
        assert got.loc[key, "spend"] == pytest.approx(spend)
    assert got.loc["not_known", "management_option_label"] == "Not known"
    assert got["share_people"].sum() == pytest.approx(100)
    reason = register["support_reason"].replace("unknown", "not_known")
    got_reason = summary["by_reason"].set_index("support_reason")["people"].to_dict()
    assert got_reason == reason.value_counts().to_dict()


def test_headline_figures(seeded):
    con, register = seeded
    head = budget_summary(con, council="Westshire", as_of=AS_OF)["headline"].iloc[0]
    assert head["people"] == 800
    assert head["total_spend"] == pytest.approx(register["agreed_annual"].sum())
    known = register["management_option"].notna()
    direct = register["management_option"].isin(["direct_payment", "part_direct_payment"])
    assert head["share_direct_payment"] == pytest.approx(100 * direct.sum() / known.sum())
    low, high = proportion_confint(direct.sum(), known.sum(), method="wilson")
    assert head["share_direct_payment_lower"] == pytest.approx(100 * low)
    assert head["share_direct_payment_upper"] == pytest.approx(100 * high)
    start = pd.to_datetime(register["start_date"])
    review = pd.to_datetime(register["last_review"])
    as_of = pd.Timestamp(AS_OF)
    due = start <= as_of - pd.Timedelta(days=365)
    reviewed = due & (review > as_of - pd.Timedelta(days=365)) & (review <= as_of)
    assert head["people_due_review"] == due.sum()
    assert head["share_reviewed_12m"] == pytest.approx(100 * reviewed.sum() / due.sum())
    recent = (start > as_of - pd.Timedelta(days=730)) & (review >= start)
    days = (review - start).dt.days[recent]
    assert head["median_days_to_first_review"] == pytest.approx(days.median())
    assert head["people_first_review"] == recent.sum()


def test_distribution_in_bands(seeded):
    con, register = seeded
    table = budget_summary(con, council="Westshire", as_of=AS_OF)["distribution"]
    bands = pd.cut(
        register["agreed_annual"],
        [0, 5000, 10000, 20000, 50000, np.inf],
        right=False,
        labels=["under_5k", "5k_10k", "10k_20k", "20k_50k", "50k_plus"],
    )
    assert table["band"].tolist() == ["under_5k", "5k_10k", "10k_20k", "20k_50k", "50k_plus"]
    assert table.set_index("band")["people"].to_dict() == bands.value_counts().to_dict()
    assert table["band_label"].iloc[0] == "Under £5,000"


def test_indicative_versus_agreed(seeded):
    con, register = seeded
    table = budget_summary(con, council="Westshire", as_of=AS_OF)["indicative_vs_agreed"]
    both = register.dropna(subset=["indicative"])
    difference = both["agreed_annual"] - both["indicative"]
    overall = table.set_index("management_option").loc["all"]
    assert overall["people"] == len(both)
    assert overall["median_difference"] == pytest.approx(difference.median())
    assert overall["median_indicative"] == pytest.approx(both["indicative"].median())
    assert overall["share_agreed_above"] == pytest.approx(100 * (difference > 0).mean())
    assert overall["share_agreed_below"] == pytest.approx(100 * (difference < 0).mean())
    assert table["management_option"].iloc[0] == "all"
    per_option = table[table.management_option != "all"]["people"].sum()
    assert per_option == len(both)


def test_default_as_of_is_the_latest_date_in_the_register(seeded):
    con, register = seeded
    latest = max(register["start_date"].max(), register["last_review"].dropna().max())
    head = budget_summary(con, council="Westshire")["headline"].iloc[0]
    assert pd.Timestamp(head["as_of"]).date() == latest


def test_linked_outcomes_use_the_register_option(seeded):
    con, register = seeded
    rng = np.random.default_rng(5)
    people = register.sample(120, random_state=1)
    returns = pd.DataFrame(
        {
            "respondent_key": list(people["person_key"])
            + [f"not-in-register-{i}" for i in range(30)],
            "council": "Westshire",
            "wave": 2024,
            "instrument": "poet-holder",
            # what people say about their option is ignored in favour of the register
            "management_option": "mixed",
            "out_quality_of_life": rng.choice(["better", "same", "worse", "dont_know"], 150),
        }
    )
    seed_returns(con, returns)
    linked = budget_summary(con, council="Westshire", as_of=AS_OF)["linked"]
    assert (linked["linked_respondents"] == 120).all()
    assert (linked["respondents"] == 150).all()
    quality = linked[linked.question_code == "out_quality_of_life"].set_index("management_option")
    joined = returns.merge(register, left_on="respondent_key", right_on="person_key")
    joined["option"] = joined["management_option_y"].fillna("not_known")
    valid = joined[joined.out_quality_of_life != "dont_know"]
    expected = valid.groupby("option").agg(
        n=("out_quality_of_life", "size"),
        count=("out_quality_of_life", lambda s: (s == "better").sum()),
    )
    assert quality["n"].to_dict() == expected["n"].to_dict()
    assert quality["count"].to_dict() == expected["count"].to_dict()
    assert "mixed" not in quality.index


def test_council_without_register_returns_empty_tables(tmp_path):
    con = new_database(tmp_path)
    summary = budget_summary(con, council="Nowhere")
    assert summary["headline"]["people"].iloc[0] == 0
    assert summary["by_option"].empty
    con.close()


def test_budgets_command_prints_one_table_as_csv_and_all_as_json(tmp_path):
    import io
    import json

    from typer.testing import CliRunner

    from pipeline.cli import app

    con = new_database(tmp_path)
    register = _register(300, seed=8)
    seed_budgets(con, register)
    con.close()
    path = str(tmp_path / "test.duckdb")
    runner = CliRunner()
    csv = runner.invoke(
        app,
        ["budgets", "-c", "Westshire", "--as-of", str(AS_OF), "-t", "by_option", "-f", "csv",
         "--db", path],
    )  # fmt: skip
    assert csv.exit_code == 0, csv.output
    table = pd.read_csv(io.StringIO(csv.stdout))
    assert table["people"].sum() == len(register)
    whole = runner.invoke(app, ["budgets", "-c", "Westshire", "-f", "json", "--db", path])
    assert whole.exit_code == 0, whole.output
    assert set(json.loads(whole.stdout)) >= {"headline", "by_option", "linked"}
    missing = runner.invoke(app, ["budgets", "-c", "Nowhere", "--db", path])
    assert missing.exit_code == 1 and "no budget records" in missing.output
