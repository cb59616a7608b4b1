"""The compare, trends and ingest benchmark commands: thin layers over the analysis API."""

from __future__ import annotations

import io
import json

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from pipeline.cli import app
from tests.conftest import FIXTURES
from tests.seeding import new_database, seed_returns

runner = CliRunner()


def _returns(council: str, wave: int, good: int, other: int) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "respondent_key": [f"{council}-{wave}-{i}" for i in range(good + other)],
            "council": council,
            "wave": wave,
            "instrument": "poet-holder",
            "out_dignity": ["better"] * good + ["same"] * other,
            "out_control": ["better"] * 3 + ["same"] * (good + other - 3),
        }
    )


@pytest.fixture
def db(tmp_path):
    con = new_database(tmp_path)
    for wave, good in ((2022, 50), (2023, 60), (2024, 75)):
        seed_returns(con, _returns("A", wave, good, 100 - good))
    con.close()
    return tmp_path / "test.duckdb"


def test_compare_prints_json_with_small_counts_hidden(db):
    result = runner.invoke(
        app, ["compare", "--db", str(db), "--council", "A", "--wave", "2024", "--format", "json"]
    )
    assert result.exit_code == 0, result.output
    rows = {row["question_code"]: row for row in json.loads(result.stdout)}
    assert (
        rows["out_dignity"]["count"] == 75
        and rows["out_dignity"]["comparison"] == "not below floor"
    )
    assert rows["out_control"]["count"] is None and rows["out_control"]["suppressed"]
    raw = runner.invoke(
        app,
        ["compare", "--db", str(db), "-c", "A", "-w", "2024", "-f", "json", "--unsuppressed"],
    )
    assert {r["question_code"]: r for r in json.loads(raw.stdout)}["out_control"]["count"] == 3


def test_compare_csv_and_a_helpful_error(db):
    result = runner.invoke(app, ["compare", "--db", str(db), "-c", "A", "-w", "2024", "-f", "csv"])
    frame = pd.read_csv(io.StringIO(result.stdout))
    assert frame.loc[frame["question_code"] == "out_dignity", "value"].item() == 75.0
    missing = runner.invoke(app, ["compare", "--db", str(db), "-c", "B", "-w", "2024"])
    assert missing.exit_code == 1
    assert "Loaded: A 2022" in missing.output


def test_trends_table(db):
    result = runner.invoke(app, ["trends", "--db", str(db), "-c", "A"], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    assert "improving" in result.output and "first wave" in result.output


def test_ingest_benchmark_then_compare_with_it(db):
    path = FIXTURES / "benchmarks" / "poet-national-tables-2014.csv"
    first = runner.invoke(app, ["ingest", "benchmark", "--db", str(db), str(path)])
    assert first.exit_code == 0 and "loaded 7 POET benchmark rows" in first.output
    again = runner.invoke(app, ["ingest", "benchmark", "--db", str(db), str(path)])
    assert "already loaded" in again.output
    result = runner.invoke(
        app,
        ["compare", "--db", str(db), "-c", "A", "-w", "2024", "-f", "json",
         "--benchmark", "loaded:POET national tables 2014"],
    )  # fmt: skip
    dignity = {r["question_code"]: r for r in json.loads(result.stdout)}["out_dignity"]
    assert dignity["benchmark_n"] == 3950 and dignity["p_value"] is not None


def test_trends_options_mirror_the_api(db):
    """--min-base and --benchmark reach trends(): the JSON equals the API called the same way."""
    from pipeline.analysis import open_database, trends
    from pipeline.disclosure.pages import publish_trends

    args = ["trends", "--db", str(db), "-c", "A", "-f", "json", "--min-base", "100000"]
    result = runner.invoke(app, [*args, "--benchmark", "none", "--confidence", "0.998"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    assert rows and {r["trend_verdict"] for r in rows} - {None} == {"not tested"}
    con = open_database(db)
    try:
        expected = publish_trends(
            trends(con, council="A", min_base=100000, benchmark="none", confidence=0.998)
        )
    finally:
        con.close()
    assert [np.nan if r["upper"] is None else r["upper"] for r in rows] == pytest.approx(
        expected["upper"].tolist(), nan_ok=True
    )
    assert [r["trend_verdict"] for r in rows] == [
        None if pd.isna(v) else v for v in expected["trend_verdict"]
    ]
    default = json.loads(
        runner.invoke(app, ["trends", "--db", str(db), "-c", "A", "-f", "json"]).stdout
    )
    assert "improving" in {r["trend_verdict"] for r in default}


def test_drivers_crosstabs_hide_small_counts_with_their_shares(tmp_path):
    """`outcomes drivers --crosstabs` publishes through the whole-table rule: a count under 5
    goes with its share and interval, and --unsuppressed shows it."""
    con = new_database(tmp_path)
    rows = 120
    frame = pd.DataFrame(
        {
            "respondent_key": [f"A-{i}" for i in range(rows)],
            "council": "A",
            "wave": 2024,
            "instrument": "poet-holder",
            "out_dignity": ["better"] * 60 + ["same"] * 60,
            # three say the plan was difficult, and all three say dignity got better
            "proc_planning": ["difficult"] * 3 + ["easy"] * (rows - 3),
        }
    )
    seed_returns(con, frame)
    con.close()
    base = ["drivers", "--db", str(tmp_path / "test.duckdb"), "-c", "A", "-w", "2024"]
    base += ["--crosstabs", "--outcome", "out_dignity", "-f", "json"]
    public = runner.invoke(app, base)
    assert public.exit_code == 0, public.output
    cells = {
        (r["process_code"], r["process_group"]): r
        for r in json.loads(public.stdout)
        if r["process_code"] == "proc_planning"
    }
    difficult = next(r for (_, group), r in cells.items() if "difficult" in str(group))
    assert difficult["count_better"] is None
    assert difficult["value"] is None and difficult["lower"] is None and difficult["upper"] is None
    raw = runner.invoke(app, [*base, "--unsuppressed"])
    shown = [
        r
        for r in json.loads(raw.stdout)
        if r["process_code"] == "proc_planning" and "difficult" in str(r["process_group"])
    ]
    assert shown[0]["count_better"] == 3
