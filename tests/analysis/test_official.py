"""Official measures: ASCOF rows loaded from the published open-data files (both frameworks),
read back for a council against its region and England, row by row against the files."""

from __future__ import annotations

import io
import math

import pandas as pd
import pytest
import yaml
from typer.testing import CliRunner

from pipeline.analysis import official_measures
from pipeline.cli import app
from pipeline.config import surveys_dir
from pipeline.ingest import load_benchmark_file
from tests.conftest import FIXTURES
from tests.seeding import new_database

FILES = {
    2022: FIXTURES / "ascof" / "meas-from-asc-of-eng-2023.csv",
    2023: FIXTURES / "ascof" / "meas-from-asc-of-eng-2024.csv",
}
FRAMEWORK = {2022: 2010, 2023: 2023}
runner = CliRunner()


@pytest.fixture
def database(tmp_path):
    con = new_database(tmp_path)
    for path in FILES.values():
        load_benchmark_file(con, path)
    yield con, tmp_path / "test.duckdb"
    con.close()


def _published(year: int, ons_code: str, group: str) -> float | None:
    """The Outcome total the file publishes for an area and measure group (None if blank)."""
    frame = pd.read_csv(FILES[year], dtype=str)
    hit = frame[
        frame["ONS Code"].eq(ons_code)
        & frame["Measure Group"].eq(group)
        & frame["Measure Type"].eq("Outcome")
        & frame["Disaggregation Level"].eq("Total")
    ]
    if hit.empty:
        return None
    try:
        return float(hit["Measure Value"].iloc[0])
    except (TypeError, ValueError):
        return None


def _chosen() -> dict[tuple[int, str], str]:
    entries = yaml.safe_load(
        (surveys_dir() / "benchmarks" / "official-measures.yaml").read_text(encoding="utf-8")
    )["measures"]
    return {(int(f), str(c)): e["topic"] for e in entries for f, c in e["codes"].items()}


def _same(got: float, expected: float | None) -> bool:
    return (expected is None and math.isnan(got)) or got == pytest.approx(expected)


def test_rows_match_the_files_for_council_region_and_england(database):
    con, _ = database
    frame = official_measures(con, "Newcastle upon Tyne")
    chosen = _chosen()
    assert set(zip(frame["framework"], frame["code"], strict=True)) <= set(chosen)
    assert frame["region"].eq("North East").all()
    checked = 0
    for row in frame[frame["year"].isin(FILES)].itertuples():
        assert row.framework == FRAMEWORK[row.year]
        assert row.topic == chosen[(row.framework, row.code)]
        england = _published(row.year, "E92000001", row.code)
        if england is not None:  # else the shipped national row (surveys/benchmarks)
            assert row.england_value == pytest.approx(england)
        assert _same(row.region_value, _published(row.year, "E12000001", row.code))
        assert _same(row.council_value, _published(row.year, "E08000021", row.code))
        checked += 1
    assert checked >= 4
    satisfaction = frame[(frame["code"] == "3A") & (frame["year"] == 2022)].iloc[0]
    assert satisfaction["region_value"] == _published(2022, "E12000001", "3A")
    # the framework change is visible: the same topic has two codes and two framework names
    topic = frame[frame["topic"] == satisfaction["topic"]]
    assert set(topic["code"]) == {"3A", "1D"}
    assert set(topic["framework_name"]) == {"2010-based framework", "2023-24 framework"}
    assert topic.loc[topic["year"] >= 2023, "code"].eq("1D").all()


def test_missing_values_say_why_in_words(database):
    con, _ = database
    lancashire = official_measures(con, "Lancashire", measures=["3A"])
    row = lancashire[lancashire["year"] == 2022].iloc[0]
    assert math.isnan(row["council_value"]) and row["council_note"] == "suppressed"
    cumbria = official_measures(con, "Cumbria", measures=["1C2A"])
    row = cumbria[cumbria["year"] == 2022].iloc[0]
    assert row["council_note"] == "not collected"
    assert row["england_value"] == _published(2022, "E92000001", "1C2A")
    assert not frame_has_marker(lancashire) and not frame_has_marker(cumbria)


def frame_has_marker(frame: pd.DataFrame) -> bool:
    notes = frame[["council_note", "region_note", "england_note"]].astype(str)
    return notes.apply(lambda column: column.str.contains(r"\[[a-z]\]")).any().any()


def test_peers_give_mean_and_range_of_their_values(database):
    con, _ = database
    frame = official_measures(con, "Leeds", measures=["3A"], peers=["North Yorkshire", "Somerset"])
    row = frame[(frame["framework"] == 2023) & (frame["year"] == 2023)].iloc[0]
    expected = _published(2023, "E06000065", "3A")
    assert row["peer_councils"] == 1
    assert row["peer_mean"] == row["peer_min"] == row["peer_max"] == pytest.approx(expected)
    without = official_measures(con, "Leeds", measures=["3A"])
    assert without["peer_mean"].isna().all()


def test_cli_prints_the_table_with_words_for_markers(database):
    con, path = database
    con.close()
    result = runner.invoke(app, ["official", "--council", "lancashire", "--db", str(path)])
    assert result.exit_code == 0, result.output
    assert "official measures" in result.output
    assert "suppressed" in result.output and "[c]" not in result.output
    as_csv = runner.invoke(
        app, ["official", "--council", "lancashire", "--db", str(path), "--format", "csv"]
    )
    assert as_csv.exit_code == 0, as_csv.output
    rows = pd.read_csv(io.StringIO(as_csv.output), dtype=str)
    assert {"2023-24 framework", "2010-based framework"} <= set(rows["framework_name"])
    shown = rows[(rows["code"] == "3A") & (rows["year"] == "2022")].iloc[0]
    assert shown["england_shown"] == f"{_published(2022, 'E92000001', '3A'):.1f}"
    assert shown["council_shown"] == "suppressed"
    unknown = runner.invoke(app, ["official", "--council", "Nowhere Shire", "--db", str(path)])
    assert unknown.exit_code != 0
