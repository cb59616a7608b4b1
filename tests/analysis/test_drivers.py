"""Drivers: odds ratios against statsmodels fitted independently, and the seeded effect found."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import statsmodels.formula.api as smf
from scipy.special import expit
from statsmodels.stats.proportion import proportion_confint

from pipeline.analysis.drivers import driver_crosstabs, drivers
from pipeline.instruments import get_instrument
from tests.seeding import new_database, seed_returns

WAVE = 2024
SPEC = get_instrument("poet-holder")
EASE_ITEMS = [q.code for q in SPEC.section("process") if q.scale and q.scale.name == "ease5"]
OPTIONS = ["direct_payment", "council_managed", "provider_managed"]
AGES = ["18-24", "45-54", "75-84"]
REASONS = ["physical", "learning_disability", "mental_health"]
# Planted effects on the log-odds of quality of life getting better.
PLANNING_EFFECT = 1.2  # odds ratio about 3.3
KNEW_EFFECT = 0.7  # about 2.0
DIRECT_PAYMENT_EFFECT = 0.5


def _survey(size: int, seed: int, council: str = "Eastshire") -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame(
        {
            "respondent_key": [f"{council}-{i}" for i in range(size)],
            "council": council,
            "wave": WAVE,
            "instrument": "poet-holder",
            "management_option": rng.choice(OPTIONS, size=size, p=[0.4, 0.4, 0.2]),
            "age_band": rng.choice(AGES, size=size),
            "support_reason": rng.choice(REASONS, size=size),
        }
    )
    for item in EASE_ITEMS:
        frame[item] = rng.choice(
            ["very_difficult", "difficult", "neither", "easy", "very_easy"], size
        )
    frame.loc[rng.random(size) < 0.1, "proc_planning"] = "not_applicable"
    frame.loc[rng.random(size) < 0.05, "proc_review"] = None
    frame["knew_amount"] = rng.choice(["yes", "no", "dont_know"], size=size, p=[0.5, 0.4, 0.1])
    frame["views_included"] = rng.choice(["fully", "partly", "not_at_all"], size=size)
    planning_easy = frame["proc_planning"].isin(["easy", "very_easy"])
    knew = frame["knew_amount"] == "yes"
    direct = frame["management_option"] == "direct_payment"
    logit = -0.6 + PLANNING_EFFECT * planning_easy + KNEW_EFFECT * knew
    logit += DIRECT_PAYMENT_EFFECT * direct + 0.3 * (frame["age_band"] == "18-24")
    better = rng.random(size) < expit(logit)
    frame["out_quality_of_life"] = np.where(
        better, rng.choice(["better", "much_better"], size), rng.choice(["same", "worse"], size)
    )
    frame.loc[rng.random(size) < 0.04, "out_quality_of_life"] = "dont_know"
    return frame


def _independent_fit(frame: pd.DataFrame):
    """The same model written as a statsmodels formula on a frame built here."""
    data = frame[frame.out_quality_of_life != "dont_know"].copy()
    data["y"] = data.out_quality_of_life.isin(["better", "much_better"]).astype(int)
    terms = []
    for item in EASE_ITEMS:
        answer = data[item]
        data[f"{item}_easy"] = answer.isin(["easy", "very_easy"]).astype(int)
        terms.append(f"{item}_easy")
        missing = (answer.isna() | answer.isin(["not_applicable", "dont_know"])).astype(int)
        if missing.any():
            data[f"{item}_na"] = missing
            terms.append(f"{item}_na")
    data["knew_yes"] = (data.knew_amount == "yes").astype(int)
    data["knew_na"] = (data.knew_amount == "dont_know").astype(int)
    data["views_fully"] = (data.views_included == "fully").astype(int)
    terms += ["knew_yes", "knew_na", "views_fully"]
    age_ref = data.age_band.value_counts().index[0]
    reason_ref = data.support_reason.value_counts().index[0]
    formula = (
        "y ~ " + " + ".join(terms) + " + C(management_option, Treatment('council_managed'))"
        f" + C(age_band, Treatment('{age_ref}')) + C(support_reason, Treatment('{reason_ref}'))"
    )
    return smf.logit(formula, data).fit(disp=False), data


@pytest.fixture(scope="module")
def seeded(tmp_path_factory):
    con = new_database(tmp_path_factory.mktemp("drivers"))
    frame = _survey(3000, seed=11)
    seed_returns(con, frame)
    yield con, frame
    con.close()


def test_odds_ratios_match_statsmodels_fitted_independently(seeded):
    con, frame = seeded
    table = drivers(con, council="Eastshire", wave=WAVE, outcome="out_quality_of_life")
    table = table.set_index("term")
    fitted, data = _independent_fit(frame)
    ci = fitted.conf_int()
    pairs = {f"{item}": f"{item}_easy" for item in EASE_ITEMS}
    pairs |= {"knew_amount": "knew_yes", "views_included": "views_fully"}
    pairs |= {
        f"management_option:{o}": f"C(management_option, Treatment('council_managed'))[T.{o}]"
        for o in ("direct_payment", "provider_managed")
    }
    for ours, theirs in pairs.items():
        assert table.loc[ours, "odds_ratio"] == pytest.approx(
            np.exp(fitted.params[theirs]), rel=1e-6
        )
        assert table.loc[ours, "lower"] == pytest.approx(np.exp(ci.loc[theirs, 0]), rel=1e-6)
        assert table.loc[ours, "upper"] == pytest.approx(np.exp(ci.loc[theirs, 1]), rel=1e-6)
        assert table.loc[ours, "p_value"] == pytest.approx(fitted.pvalues[theirs], rel=1e-5)
    assert (table["n"] == len(data)).all()
    assert (table["events"] == data["y"].sum()).all()
    assert set(table["reference"]) == {"council_managed"}


def test_the_planted_structure_is_detected(seeded):
    con, _ = seeded
    table = drivers(con, council="Eastshire", wave=WAVE, outcome="out_quality_of_life")
    table = table.set_index("term")
    planning = table.loc["proc_planning"]
    assert planning.lower > 1.5 and planning.lower < np.exp(PLANNING_EFFECT) < planning.upper
    knew = table.loc["knew_amount"]
    assert knew.lower > 1 and knew.lower < np.exp(KNEW_EFFECT) < knew.upper
    assert table.loc["management_option:direct_payment", "lower"] > 1
    # items with no planted effect sit near 1
    for item in ("proc_information", "proc_assessment", "proc_review"):
        assert table.loc[item, "lower"] < 1 < table.loc[item, "upper"], item


def test_plain_sentences_read_as_odds_with_their_interval(seeded):
    con, _ = seeded
    table = drivers(con, council="Eastshire", wave=WAVE, outcome="out_quality_of_life")
    row = table.set_index("term").loc["proc_planning"]
    assert row["plain"].startswith("People who found planning support easy had ")
    assert (
        f"{row.odds_ratio:.1f} times the odds of saying their quality of life got better"
        in row["plain"]
    )
    assert f"(95% CI {row.lower:.1f} to {row.upper:.1f})" in row["plain"]
    option = table.set_index("term").loc["management_option:direct_payment", "plain"]
    assert "with a direct payment (rather than a council-managed budget)" in option
    null = table.set_index("term").loc["proc_information", "plain"]
    assert "could be chance" in null


def test_too_few_answers_give_nan_rows_with_a_note(tmp_path):
    con = new_database(tmp_path)
    seed_returns(con, _survey(20, seed=3, council="Smallshire"))
    table = drivers(con, council="Smallshire", outcome="out_quality_of_life")
    assert len(table) > 0
    assert table["odds_ratio"].isna().all()
    assert table["note"].str.startswith("not fitted").all()
    assert table["plain"].str.startswith("Not estimated").all()
    con.close()


def test_perfect_separation_does_not_raise(tmp_path):
    con = new_database(tmp_path)
    frame = _survey(400, seed=5, council="Sepshire")
    easy = frame["proc_planning"].isin(["easy", "very_easy"])
    frame["out_quality_of_life"] = np.where(easy, "much_better", "same")  # easy decides it
    seed_returns(con, frame)
    table = drivers(con, council="Sepshire", outcome="out_quality_of_life").set_index("term")
    assert np.isnan(table.loc["proc_planning", "odds_ratio"])
    assert table.loc["proc_planning", "note"] != ""
    con.close()


def test_crosstabs_count_better_by_process_group(seeded):
    con, frame = seeded
    table = driver_crosstabs(con, council="Eastshire", wave=WAVE, outcome="out_quality_of_life")
    valid = frame[frame.out_quality_of_life != "dont_know"]
    better = valid.out_quality_of_life.isin(["better", "much_better"])
    planning = table[table.process_code == "proc_planning"].set_index("process_group")
    groups = {
        "easy": valid.proc_planning.isin(["easy", "very_easy"]),
        "difficult": valid.proc_planning.isin(["difficult", "very_difficult"]),
        "neither": valid.proc_planning == "neither",
        "not_answered": valid.proc_planning == "not_applicable",
    }
    for group, mask in groups.items():
        assert planning.loc[group, "n"] == mask.sum()
        assert planning.loc[group, "count_better"] == (better & mask).sum()
        lower, upper = proportion_confint((better & mask).sum(), mask.sum(), method="wilson")
        assert planning.loc[group, "lower"] == pytest.approx(100 * lower)
        assert planning.loc[group, "upper"] == pytest.approx(100 * upper)
    assert planning.loc["easy", "value"] > planning.loc["difficult", "value"]
    assert planning.loc["not_answered", "process_group_label"] == "Not answered"
    # blanks (no answer row at all) count as not answered too
    review = table[table.process_code == "proc_review"].set_index("process_group")
    assert review.loc["not_answered", "n"] == valid.proc_review.isna().sum()
    assert set(table.groupby("process_code")["n"].sum()) == {len(valid)}


def test_constant_and_duplicated_indicators_are_dropped_before_fitting():
    from pipeline.analysis.drivers import independent_columns

    rng = np.random.default_rng(0)
    a = (rng.random(200) < 0.4).astype(float)
    b = (rng.random(200) < 0.5).astype(float)
    matrix = pd.DataFrame(
        {
            "const": 1.0,
            "a": a,
            "a_copy": a,  # someone who skipped every item is "not answered" on each of them
            "not_a": 1.0 - a,  # const - a: linearly dependent
            "b": b,
            "never": 0.0,
        }
    )
    assert independent_columns(matrix) == ["const", "a", "b"]


def test_crosstabs_follow_the_questionnaire_order(seeded):
    con, _ = seeded
    table = driver_crosstabs(con, council="Eastshire", wave=WAVE, outcome="out_quality_of_life")
    codes = list(dict.fromkeys(table["process_code"]))
    order = [q.code for q in SPEC.section("process") if q.code in codes]
    assert codes == order
    planning = table[table.process_code == "proc_planning"]["process_group"].tolist()
    assert planning == ["difficult", "neither", "easy", "not_answered"]


def test_drivers_command_prints_the_model_and_its_plain_sentences(tmp_path):
    import io

    from typer.testing import CliRunner

    from pipeline.cli import app

    con = new_database(tmp_path)
    seed_returns(con, _survey(1500, seed=11))
    con.close()
    path = str(tmp_path / "test.duckdb")
    runner = CliRunner()
    table = runner.invoke(app, ["drivers", "-c", "Eastshire", "--db", path])
    assert table.exit_code == 0, table.output
    assert "People who found planning support easy had" in " ".join(table.stdout.split())
    csv = runner.invoke(app, ["drivers", "--crosstabs", "-f", "csv", "--db", path])
    assert csv.exit_code == 0, csv.output
    tabs = pd.read_csv(io.StringIO(csv.stdout))
    assert set(tabs["process_code"]) >= {"proc_planning", "knew_amount"}
    assert tabs["n"].notna().all()


def test_pooled_councils_are_adjusted_for_council(tmp_path):
    con = new_database(tmp_path)
    first, second = _survey(800, seed=31, council="Aville"), _survey(800, seed=32, council="Bville")
    seed_returns(con, first)
    seed_returns(con, second)
    table = drivers(con, outcome="out_quality_of_life").set_index("term")
    both = pd.concat([first, second], ignore_index=True)
    fitted, _ = _independent_fit_with_council(both)
    assert table.loc["proc_planning", "odds_ratio"] == pytest.approx(
        np.exp(fitted.params["proc_planning_easy"]), rel=1e-6
    )
    assert set(table["council"]) == {"All councils"}
    con.close()


def _independent_fit_with_council(frame: pd.DataFrame):
    data = frame[frame.out_quality_of_life != "dont_know"].copy()
    data["y"] = data.out_quality_of_life.isin(["better", "much_better"]).astype(int)
    terms = []
    for item in EASE_ITEMS:
        data[f"{item}_easy"] = data[item].isin(["easy", "very_easy"]).astype(int)
        terms.append(f"{item}_easy")
        missing = (data[item].isna() | data[item].isin(["not_applicable", "dont_know"])).astype(int)
        if missing.any():
            data[f"{item}_na"] = missing
            terms.append(f"{item}_na")
    data["knew_yes"] = (data.knew_amount == "yes").astype(int)
    data["knew_na"] = (data.knew_amount == "dont_know").astype(int)
    data["views_fully"] = (data.views_included == "fully").astype(int)
    terms += ["knew_yes", "knew_na", "views_fully"]
    refs = {c: data[c].value_counts().index[0] for c in ("age_band", "support_reason", "council")}
    formula = (
        "y ~ "
        + " + ".join(terms)
        + " + C(management_option, Treatment('council_managed'))"
        + "".join(f" + C({c}, Treatment('{r}'))" for c, r in refs.items())
    )
    return smf.logit(formula, data).fit(disp=False), data


def test_small_survey_keeps_ten_events_per_parameter_dropping_weakest_items_first(tmp_path):
    con = new_database(tmp_path)
    seed_returns(con, _survey(400, seed=11))
    table = drivers(con, council="Eastshire", wave=WAVE, outcome="out_quality_of_life")
    row = table.iloc[0]
    answered = table["n"].iloc[0]
    fewest = min(row["events"], answered - row["events"])
    assert row["epv_full"] < 10 <= row["epv"]
    assert row["epv"] == pytest.approx(fewest / row["parameters"])
    left_out = table[table["note"].str.contains("left out of this model")]
    assert len(left_out) > 0 and left_out["odds_ratio"].isna().all()
    # the planted driver is among the strongest univariate items, so it stays in the model
    planning = table.set_index("term").loc["proc_planning"]
    assert np.isfinite(planning["odds_ratio"])
    assert "weakest first" in row["note"]


def test_interval_label_follows_the_confidence(seeded):
    table = drivers(seeded[0], council="Eastshire", wave=WAVE, confidence=0.998)
    fitted = table[table["odds_ratio"].notna()]
    assert fitted["plain"].str.contains(r"\(99\.8% CI ").all()
    assert not table["plain"].str.contains("95% CI").any()


def test_failed_fits_are_explained_in_words(tmp_path):
    con = new_database(tmp_path)
    frame = _survey(300, seed=5)
    frame["out_quality_of_life"] = np.where(
        frame["management_option"] == "direct_payment", "much_better", "worse"
    )
    seed_returns(con, frame)
    table = drivers(con, council="Eastshire", wave=WAVE, outcome="out_quality_of_life")
    notes = " ".join(table["note"])
    assert "Error" not in notes and "Traceback" not in notes
    assert table.loc[table["odds_ratio"].isna(), "plain"].str.startswith("Not estimated").all()
    assert table.loc[table["odds_ratio"].isna(), "note"].str.len().gt(20).all()
