"""The ASCOF open-data file as NHS Digital / NHS England publish it, for both frameworks.

The fixtures (``tests/fixtures/ascof/``, written by ``make_ascof_fixtures.py``) have title-case
headers, Base and Margin Of Error rows, breakdown codes, all four geographical levels and the
markers; each loaded row is checked against the table below.
"""

from __future__ import annotations

import math
import shutil

import pandas as pd
import pytest
from typer.testing import CliRunner

from pipeline.analysis import benchmark_table, quarantine
from pipeline.cli import app
from pipeline.ingest import BenchmarkFileError, load_benchmark_file
from pipeline.ingest.ascof_files import ascof_definitions
from tests.conftest import FIXTURES
from tests.fixtures.make_ascof_fixtures import REFUSED_2023, REFUSED_2024
from tests.seeding import new_database

ASCOF = FIXTURES / "ascof"
FILE_2023 = ASCOF / "meas-from-asc-of-eng-2023.csv"  # 2022-23, 2010-based framework
FILE_2024 = ASCOF / "meas-from-asc-of-eng-2024.csv"  # 2023-24 framework
XLSX_2024 = ASCOF / "meas-from-asc-of-eng-2024.xlsx"
NA = None
runner = CliRunner()
COLUMNS = (
    "area_code",
    "area",
    "geography_level",
    "breakdown",
    "value",
    "unit",
    "base_n",
    "numerator",
    "denominator",
    "lower_ci",
    "upper_ci",
    "value_note",
)
# (measure_id, area code): area, level, breakdown, value, unit, base, numerator, denominator,
# interval low and high, note
EXPECTED_2022 = {
    ("ascof:2010:3A", "E92000001"): (
        "England", "England", NA, 64.4, "percent", 61250, 338010, 524860, 63.9, 64.9, NA
    ),
    ("ascof:2010:3A:Female", "E92000001"): (
        "England", "England", "Female", 64.9, "percent", 36120, NA, NA, NA, NA, NA
    ),
    ("ascof:2010:1A:65 and over", "E92000001"): (
        "England", "England", "65 and over", 18.9, "score", 40310, NA, NA, 18.8, 19.0, NA
    ),
    ("ascof:2010:1C2A", "E92000001"): (
        "England", "England", NA, 26.2, "percent", 515000, 134930, 515000, NA, NA, NA
    ),
    ("ascof:2010:1C2A:65 and over", "E92000001"): (
        "England", "England", "65 and over", 14.9, "percent", 292300, 43560, 292300, NA, NA, NA
    ),
    ("ascof:2010:3A", "E12000001"): (
        "North East", "region", NA, 68.0, "percent", 3105, NA, NA, 66.1, 69.9, NA
    ),
    ("ascof:2010:3A", "UA"): (
        "Unitary authorities", "council type", NA, 64.0, "percent", 14020, NA, NA, NA, NA, NA
    ),
    ("ascof:2010:3A", "E10000017"): (
        "Lancashire", "council", NA, NA, "percent", NA, NA, NA, NA, NA,
        "Numerator [c] suppressed; Denominator [c] suppressed; Outcome [c] suppressed; "
        "Base [c] suppressed; Margin Of Error [z] not applicable",
    ),
    ("ascof:2010:3A", "E06000010"): (
        "Kingston upon Hull, City of", "council", NA, 66.5, "percent", 310, NA, NA, 61.3, 71.7, NA
    ),
    ("ascof:2010:1C2A", "E10000006"): (
        "Cumbria", "council", NA, NA, "percent", NA, NA, NA, NA, NA,
        "Outcome [x] not collected; Numerator [x] not collected",
    ),
}  # fmt: skip
EXPECTED_2023 = {
    ("ascof:2023:1D", "E92000001"): (
        "England", "England", NA, 65.4, "percent", 62480, 344200, 526300, 65.0, 65.8, NA
    ),
    ("ascof:2023:3A", "E92000001"): (
        "England", "England", NA, 77.6, "percent", 62100, NA, NA, NA, NA, NA
    ),
    ("ascof:2023:3A:Female", "E92000001"): (
        "England", "England", "Female", 77.0, "percent", 36400, NA, NA, NA, NA, NA
    ),
    ("ascof:2023:1B", "E92000001"): (
        "England", "England", NA, 0.417, "score", NA, NA, NA, NA, NA, NA
    ),
    ("ascof:2023:2B", "E92000001"): (
        "England", "England", NA, 14.6, "per 100000", 34450000, 5030, 34450000, NA, NA, NA
    ),
    ("ascof:2023:3D2A", "E92000001"): (
        "England", "England", NA, 25.5, "percent", 514500, 131200, 514500, NA, NA, NA
    ),
    ("ascof:2023:1D", "E12000007"): (
        "London", "region", NA, 61.0, "percent", 7010, NA, NA, 59.7, 62.3, NA
    ),
    ("ascof:2023:1D", "LB"): (
        "London boroughs", "council type", NA, 62.1, "percent", NA, NA, NA, NA, NA, NA
    ),
    ("ascof:2023:1D", "E06000066"): (
        "Somerset", "council", NA, NA, "percent", NA, NA, NA, NA, NA,
        "Outcome [w] withheld; Base [w] withheld",
    ),
    ("ascof:2023:3A", "E06000065"): (
        "North Yorkshire", "council", NA, 78.2, "percent", 420, NA, NA, 74.1, 82.3, NA
    ),
    ("ascof:2023:5A1", "E06000065"): (
        "North Yorkshire", "council", NA, NA, "percent", NA, NA, NA, NA, NA,
        "Outcome [x] not collected",
    ),
}  # fmt: skip
LABELS = {
    "ascof:2010:3A": "ASCOF 3A: Overall satisfaction of people who use services",
    "ascof:2010:1C2A": "ASCOF 1C2A: People who use services who receive direct payments",
    "ascof:2010:1A:65 and over": "ASCOF 1A: Social care-related quality of life score (0-24)"
    " (65 and over)",
    "ascof:2023:1D": "ASCOF 1D: Overall satisfaction of people who use services",
    "ascof:2023:3A": "ASCOF 3A: People who use services who have control over their daily life",
    "ascof:2023:3A:Female": "ASCOF 3A: People who use services who have control over their"
    " daily life (Female)",
    "ascof:2023:3D2A": "ASCOF 3D2A: People who use services who receive direct payments",
}


@pytest.fixture
def con(tmp_path):
    return new_database(tmp_path)


def _loaded(con, load_id: int) -> pd.DataFrame:
    table = benchmark_table(con)
    return table[table["load_id"] == load_id].set_index(["measure_id", "area_code"])


def _same(actual, expected) -> bool:
    if expected is None:
        return actual is None or (not isinstance(actual, str) and pd.isna(actual))
    if isinstance(expected, float):
        return math.isclose(float(actual), expected, abs_tol=1e-9)
    return actual == expected


def _check_rows(rows: pd.DataFrame, expected: dict) -> None:
    assert sorted(rows.index) == sorted(expected)
    for key, values in expected.items():
        row = rows.loc[key]
        for column, value in zip(COLUMNS[1:], values, strict=True):
            assert _same(row[column], value), (key, column, row[column], value)
        assert row["label"].startswith(LABELS.get(key[0], f"ASCOF {key[0].split(':')[2]}: "))


@pytest.mark.parametrize(
    ("path", "year", "framework", "expected", "refused"),
    [
        (FILE_2023, 2022, 2010, EXPECTED_2022, REFUSED_2023),
        (FILE_2024, 2023, 2023, EXPECTED_2023, REFUSED_2024),
        (XLSX_2024, 2023, 2023, EXPECTED_2023, REFUSED_2024),
    ],
    ids=["2022-23 csv", "2023-24 csv", "2023-24 xlsx"],
)
def test_published_file_loads_row_by_row(con, path, year, framework, expected, refused):
    loaded = load_benchmark_file(con, path)
    assert (loaded.format, loaded.rows, loaded.quarantined) == ("ascof", len(expected), 3)
    rows = _loaded(con, loaded.load_id)
    # the period comes from the name, which ends in the year the period ends
    assert set(rows["year"]) == {year} and set(rows["valid_from"]) == {framework}
    assert set(rows["source"]) == {f"ASCOF {year}-{(year + 1) % 100:02d} ({path.name})"}
    _check_rows(rows, expected)
    assert set(rows["polarity"]) <= {"high", "low"}
    problems = quarantine(con, load_id=loaded.load_id)
    assert dict(zip(problems["source_row"], problems["column_name"], strict=True)) == refused


def test_the_xlsx_copy_loads_the_same_rows_as_the_csv(con):
    from_csv = _loaded(con, load_benchmark_file(con, FILE_2024).load_id)
    from_xlsx = _loaded(con, load_benchmark_file(con, XLSX_2024).load_id)
    columns = [c for c in COLUMNS[1:] if c != "area_code"] + ["label", "unit"]
    pd.testing.assert_frame_equal(
        from_csv[columns].sort_index(), from_xlsx[columns].sort_index(), check_dtype=False
    )


def test_reused_codes_keep_their_framework_meaning(con):
    load_benchmark_file(con, FILE_2023)
    load_benchmark_file(con, FILE_2024)
    table = benchmark_table(con)
    england = table[(table["load_id"].notna()) & (table["area"] == "England")]
    labels = dict(zip(england["measure_id"], england["label"], strict=False))
    assert "satisfaction" in labels["ascof:2010:3A"].lower()
    assert "control over their daily life" in labels["ascof:2023:3A"]
    assert "satisfaction" in labels["ascof:2023:1D"].lower()


def test_load_message_summarises_markers_and_refusals(con):
    loaded = load_benchmark_file(con, FILE_2023)
    assert "3 rows quarantined" in loaded.message
    assert "4 [c] suppressed, 2 [x] not collected, 1 [z] not applicable" in loaded.message
    summary = loaded.problem_summary()
    assert len(summary) == 3
    assert summary[2].startswith("1 row, Measure Group: not a measure of the ASCOF 2010-based")


@pytest.mark.parametrize(
    "rename",
    [str.lower, str.upper, lambda h: h.replace(" ", "_"), lambda h: f"  {h.replace(' ', '  ')} "],
    ids=["lower", "upper", "underscores", "spacing"],
)
def test_headers_match_without_regard_to_case_spacing_or_underscores(con, tmp_path, rename):
    frame = pd.read_csv(FILE_2024, dtype=str, keep_default_na=False)
    frame.columns = [rename(c) for c in frame.columns]
    copy = tmp_path / FILE_2024.name
    frame.to_csv(copy, index=False)
    loaded = load_benchmark_file(con, copy)
    assert (loaded.rows, loaded.quarantined) == (len(EXPECTED_2023), 3)


def test_without_measure_group_the_code_and_breakdown_name_the_measure(con, tmp_path):
    frame = pd.read_csv(FILE_2023, dtype=str, keep_default_na=False)
    frame = frame.drop(columns=["Measure Group", "Measure Group Description"])
    copy = tmp_path / FILE_2023.name
    frame.to_csv(copy, index=False)
    loaded = load_benchmark_file(con, copy)
    _check_rows(_loaded(con, loaded.load_id), EXPECTED_2022)


@pytest.mark.parametrize(
    ("name", "period", "year"),
    [
        ("ascof-2022-23.csv", None, 2022),
        ("meas-from-asc-of-eng-2021.csv", None, 2020),
        ("ascof.csv", "2023-24", 2023),
        ("ascof.csv", "2023/24", 2023),
    ],
)
def test_the_period_comes_from_the_file_or_its_name(con, tmp_path, name, period, year):
    frame = pd.read_csv(FILE_2024, dtype=str, keep_default_na=False)
    if period:
        frame["Period"] = period
    copy = tmp_path / name
    frame.to_csv(copy, index=False)
    loaded = load_benchmark_file(con, copy)
    assert set(_loaded(con, loaded.load_id)["year"]) == {year}


def test_a_year_given_wins_and_no_year_anywhere_asks_for_one(con, tmp_path):
    undated = tmp_path / "ascof.csv"
    shutil.copy(FILE_2024, undated)
    with pytest.raises(BenchmarkFileError, match="--year 2023 for 2023-24"):
        load_benchmark_file(con, undated)
    loaded = load_benchmark_file(con, FILE_2024, year=2024)
    assert set(_loaded(con, loaded.load_id)["year"]) == {2024}


def test_a_file_whose_every_row_is_refused_is_a_clear_error_and_stores_nothing(con, tmp_path):
    refused = tmp_path / "ascof-2023-24.csv"
    lines = ["Geographical Code,Geographical Description,Geographical Level,ONS Code,"
             "ASCOF Measure Code,Measure Type,Measure Value"]  # fmt: skip
    lines += [f"England,England,England,E92000001,1C2A,Outcome,{n}" for n in range(40)]
    refused.write_text("\n".join(lines) + "\n", encoding="utf-8")
    before = con.execute("SELECT count(*) FROM loads").fetchall()
    with pytest.raises(BenchmarkFileError) as error:
        load_benchmark_file(con, refused)
    message = str(error.value)
    assert "nothing loaded, every row was refused" in message
    assert "40 rows, ASCOF Measure Code: not a measure of the ASCOF 2023-24 framework" in message
    assert "and 37 more" in message
    assert con.execute("SELECT count(*) FROM loads").fetchall() == before


def test_the_command_prints_a_summary_not_a_flood(tmp_path):
    new_database(tmp_path).close()
    db = tmp_path / "test.duckdb"
    frame = pd.read_csv(FILE_2024, dtype=str, keep_default_na=False)
    bad = pd.concat([frame.iloc[[26]]] * 60)  # 60 rows of Measure Type "Percentage"
    copy = tmp_path / FILE_2024.name
    pd.concat([frame, bad]).to_csv(copy, index=False)
    result = runner.invoke(app, ["ingest", "benchmark", "--db", str(db), str(copy)])
    assert result.exit_code == 0, result.output
    assert "loaded 11 ASCOF benchmark rows" in result.output
    assert "61 rows, Measure Type" in result.output and "and 58 more" in result.output
    assert len(result.output.strip().splitlines()) < 12

    refused = tmp_path / "ascof-2023-24.csv"
    refused.write_text(
        "Geographical Code,Geographical Description,Geographical Level,ONS Code,"
        "ASCOF Measure Code,Measure Type,Measure Value\nEngland,England,Moon,X,1D,Outcome,1\n",
        encoding="utf-8",
    )
    result = runner.invoke(app, ["ingest", "benchmark", "--db", str(db), str(refused)])
    assert result.exit_code != 0 and "every row was refused" in result.output
    assert "Traceback" not in result.output


def test_every_measure_of_both_frameworks_is_defined():
    definitions = ascof_definitions()
    old = {"1A", "1B", "1C1A", "1C1B", "1C2A", "1C2B", "1D", "3A", "3B", "4A", "1I1", "2A1"}
    new = {"1A", "1B", "1C", "1D", "1E", "2A", "2B", "2C", "2D", "2E", "3A", "3B", "3C1", "3C2"}
    new |= {"3D1A", "3D1B", "3D2A", "3D2B", "4A", "5A1", "5A2"}
    assert old <= set(definitions[2010]) and new <= set(definitions[2023])
    for framework in definitions.values():
        for code, row in framework.items():
            assert row["unit"] in {"percent", "score", "per 100000"}, code
            assert row["polarity"] in {"high", "low"} and len(row["definition"]) > 20, code
    assert "control" in definitions[2023]["3A"]["definition"]
    assert "satisfaction" in definitions[2023]["1D"]["definition"].lower()
    assert "carer-reported" in definitions[2010]["1D"]["definition"].lower()
