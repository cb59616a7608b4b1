"""Benchmarks: shipped national figures, loading POET and ASCOF CSVs, and comparing with bounds."""

from __future__ import annotations

import shutil

import pandas as pd
import pytest
from statsmodels.stats.proportion import proportion_confint, proportions_ztest

from pipeline.analysis import benchmark_table, quarantine, results
from pipeline.ingest import BenchmarkFileError, load_benchmark_file
from tests.conftest import FIXTURES
from tests.seeding import new_database, seed_returns

POET_TABLE = FIXTURES / "benchmarks" / "poet-national-tables-2014.csv"
ASCOF_FILE = FIXTURES / "benchmarks" / "ascof-2023-24.csv"


def _returns(council: str, wave: int, answers: dict[str, list[str]]) -> pd.DataFrame:
    size = len(next(iter(answers.values())))
    frame = pd.DataFrame(
        {
            "respondent_key": [f"{council}-{i}" for i in range(size)],
            "council": council,
            "wave": wave,
            "instrument": "poet-holder",
        }
    )
    return frame.assign(**answers)


def _row(frame: pd.DataFrame, code: str) -> pd.Series:
    return frame[frame["question_code"] == code].iloc[0]


@pytest.fixture
def con(tmp_path):
    con = new_database(tmp_path)
    seed_returns(
        con,
        _returns(
            "A",
            2024,
            {
                # 90 of 100 better: interval 82.6-94.5%, wholly above "over 80%"
                "out_dignity": ["better"] * 90 + ["same"] * 10,
                # 60 of 100: interval wholly below "over 80%"
                "out_quality_of_life": ["much_better"] * 60 + ["worse"] * 40,
                # 70 of 100 against "at least two-thirds": interval includes 66.7
                "out_independence": ["better"] * 70 + ["same"] * 30,
                "out_control": ["better"] * 64 + ["same"] * 36,
                "out_safe_home": ["better"] * 45 + ["same"] * 55,
                "proc_planning": ["easy"] * 48 + ["difficult"] * 52,
            },
        ),
    )
    return con


def test_every_published_poet_row_is_shipped_with_provenance(con):
    table = benchmark_table(con)
    poet = table[table["source_kind"] == "published"]
    assert poet["provenance"].str.len().gt(20).all()
    assert set(poet["value_kind"]) == {"over", "approx", "text", "at_least", "exact"}
    dignity = poet[poet["measure_id"] == "poet:out_dignity:better"].set_index("year")
    assert dignity.loc[2013, "value"] == 70 and dignity.loc[2013, "value_kind"] == "over"
    assert dignity.loc[2013, "base_n"] == 2022
    assert dignity.loc[2014, "value"] == 80 and dignity.loc[2014, "value_kind"] == "over"
    safe = poet[(poet["measure_id"] == "poet:out_safe_home:better") & (poet["year"] == 2013)]
    assert safe["value_kind"].item() == "approx" and safe["value"].item() == 50
    phb = poet[poet["measure_id"] == "poet-phb:out_quality_of_life:better"].set_index("year")
    assert phb.loc[2014, "value"] == 86 and phb.loc[2014, "base_n"] == 129
    carers = poet[poet["instrument"] == "poet-carer"]
    assert set(carers["question_code"]) >= {"carer_continue_caring", "carer_quality_of_life"}
    ascof = table[table["source_kind"] == "ascof"]
    # satisfaction is 3A to 2022-23 and 1D from 2023-24; 3A then became control over daily life
    satisfaction = ascof[ascof["measure_id"].isin(["ascof:2010:3A", "ascof:2023:1D"])]
    satisfaction = satisfaction.set_index("year")["value"]
    assert satisfaction[2014] == 64.7 and satisfaction[2024] == 65.1
    assert ascof["geography_level"].eq("England").all()
    control = ascof[ascof["measure_id"] == "ascof:2023:3A"].set_index("year")
    assert control.loc[2023, "value"] == 77.6 and "control" in control.loc[2023, "label"]
    # the measure key carries the framework, never the bare code
    assert ascof["measure_id"].str.match(r"^ascof:(2010|2023):\w+$").all()
    assert (
        not ascof["label"]
        .str.contains("satisf")
        .groupby(ascof["measure_id"])
        .any()
        .get("ascof:2023:3A")
    )
    assert benchmark_table(con, instrument="poet-carer")["instrument"].eq("poet-carer").all()


def test_published_bounds_are_compared_as_bounds(con):
    frame = results(con, council="A", wave=2024, benchmark="national")
    dignity = _row(frame, "out_dignity")
    assert dignity["benchmark_kind"] == "over" and dignity["benchmark_year"] == 2014
    # a floor can never show "better": the national figure may be anywhere above it
    assert dignity["comparison"] == "not below floor"
    assert "not wholly below the published floor (over 80%)" in dignity["comparison_note"]
    assert "a published bound, not an exact rate" in dignity["benchmark_label"]
    assert pd.isna(dignity["p_value"])
    assert _row(frame, "out_quality_of_life")["comparison"] == "below floor"
    independence = _row(frame, "out_independence")
    assert independence["benchmark_kind"] == "at_least"
    low, high = proportion_confint(70, 100, method="wilson")
    assert low * 100 < 66.7 < high * 100
    assert independence["comparison"] == "not below floor"


def test_the_year_chosen_is_the_latest_not_after_the_wave(con):
    seed_returns(con, _returns("A", 2013, {"out_dignity": ["better"] * 80 + ["same"] * 20}))
    old = _row(results(con, council="A", wave=2013, benchmark="national"), "out_dignity")
    assert old["benchmark_year"] == 2013 and old["benchmark_value"] == 70
    # 80 of 100 has interval 71.1-86.7%, wholly above "over 70%"
    assert old["comparison"] == "not below floor"


def test_approximate_figure_without_margin_is_not_compared(con):
    seed_returns(con, _returns("B", 2013, {"out_safe_home": ["better"] * 38 + ["same"] * 62}))
    row = _row(results(con, council="B", wave=2013, benchmark="national"), "out_safe_home")
    assert row["benchmark_kind"] == "approx"
    _, high = proportion_confint(38, 100, method="wilson")
    assert high * 100 < 50
    # even an interval wholly below 50% says nothing against "about 50%" with no margin
    assert row["comparison"] == "not compared" and "about 50%" in row["comparison_note"]


def test_poet_table_from_csv_is_loaded_and_compared_by_two_proportion_test(con):
    loaded = load_benchmark_file(con, POET_TABLE)
    assert (loaded.status, loaded.format, loaded.rows, loaded.quarantined) == (
        "loaded",
        "poet",
        7,
        2,
    )
    rows = benchmark_table(con)
    rows = rows[rows["load_id"] == loaded.load_id]
    assert set(rows["source_kind"]) == {"loaded"}
    qol = rows[rows["measure_id"] == "poet:out_quality_of_life:better"].iloc[0]
    assert (qol["answer_group"], qol["value_kind"], qol["base_n"]) == ("better", "exact", 3990)
    problems = quarantine(con, load_id=loaded.load_id)
    assert set(problems["source_row"]) == {8, 9}
    assert "no question 'out_not_a_question'" in " ".join(problems["reason"])
    assert "percentage from 0 to 100" in " ".join(problems["reason"])

    frame = results(con, council="A", wave=2024, benchmark="loaded:POET national tables 2014")
    dignity = _row(frame, "out_dignity")
    # the England row is preferred to the regional one, and its numerator is used as given
    assert (dignity["benchmark_value"], dignity["benchmark_n"]) == (82.4, 3950)
    assert dignity["benchmark_kind"] == "loaded"
    _, expected_p = proportions_ztest([90, 3255], [100, 3950])
    assert dignity["p_value"] == pytest.approx(expected_p)
    control = _row(frame, "out_control")  # no numerator: count = value x base
    _, control_p = proportions_ztest([64, round(0.702 * 3900)], [100, 3900])
    assert control["p_value"] == pytest.approx(control_p)
    safe = _row(frame, "out_safe_home")  # no base: falls back to the interval rule
    assert pd.isna(safe["p_value"]) and safe["comparison"] == "worse"
    process = results(
        con, council="A", wave=2024, section="process", benchmark="loaded:POET national tables 2014"
    )
    assert _row(process, "proc_planning")["benchmark_value"] == 55.3


def test_reloading_the_same_file_is_a_no_op_that_says_so(con, tmp_path):
    first = load_benchmark_file(con, POET_TABLE)
    copy = tmp_path / "renamed.csv"
    shutil.copy(POET_TABLE, copy)
    again = load_benchmark_file(con, copy)
    assert again.status == "already_loaded" and again.load_id == first.load_id
    assert "already loaded" in again.message
    assert (benchmark_table(con)["load_id"] == first.load_id).sum() == 7


def test_ascof_long_format_with_suppressed_cells(con):
    loaded = load_benchmark_file(con, ASCOF_FILE)
    assert (loaded.format, loaded.rows) == ("ascof", 4)
    rows = benchmark_table(con)
    rows = rows[rows["load_id"] == loaded.load_id].set_index(["area", "measure_id"])
    satisfaction = rows.loc[("England", "ascof:2023:1D")]
    assert satisfaction["year"] == 2023 and satisfaction["value"] == 65.4
    assert satisfaction["base_n"] == 109327 and satisfaction["numerator"] == 71500
    assert satisfaction["lower_ci"] == pytest.approx(65.1)
    assert satisfaction["upper_ci"] == pytest.approx(65.7)
    direct = rows.loc[("England", "ascof:2023:3D2A")]  # [c] and [z] become NULL
    assert direct["value"] == 25.5 and pd.isna(direct["base_n"]) and pd.isna(direct["lower_ci"])
    assert "direct payments" in direct["label"].lower()
    assert direct["value_note"] == (
        "Numerator [c] suppressed; Denominator [c] suppressed; Margin of error [z] not applicable"
    )
    suppressed = rows.loc[("Lancashire", "ascof:2023:1D")]
    assert pd.isna(suppressed["value"]) and suppressed["area_code"] == "E10000017"
    assert ("Lancashire", "ascof:2023:1D:Female") in rows.index


def test_ascof_without_a_year_asks_for_one(con, tmp_path):
    undated = tmp_path / "ascof.csv"
    shutil.copy(ASCOF_FILE, undated)
    with pytest.raises(BenchmarkFileError, match="--year"):
        load_benchmark_file(con, undated)
    # read as 2018-19, 1D is the old framework's carer quality of life and 3D2A is no measure
    loaded = load_benchmark_file(con, undated, year=2018)
    assert (loaded.rows, loaded.quarantined) == (3, 4)
    assert "not a measure of the ASCOF 2010-based framework" in loaded.problem_summary()[0]
    old = benchmark_table(con)
    old = old[old["load_id"] == loaded.load_id].set_index(["area", "measure_id"])
    assert old.loc[("England", "ascof:2010:1D"), "unit"] == "score"


def test_a_file_that_is_not_a_benchmark_table_is_refused(con, tmp_path):
    other = tmp_path / "survey.csv"
    other.write_text("respondent id,physical health\n1,better\n", encoding="utf-8")
    with pytest.raises(BenchmarkFileError, match="not a benchmark table"):
        load_benchmark_file(con, other)
