"""Comparator groups in analysis: ASCOF peer summaries and survey pooling over a group."""

from __future__ import annotations

import csv
import json

import pandas as pd
import pytest
from typer.testing import CliRunner

from pipeline.analysis import ascof_peer_summary, comparator_group
from pipeline.cli import app
from pipeline.council_register import resolve_council
from pipeline.ingest import load_benchmark_file
from pipeline.ingest.peer_files import load_peer_file
from tests.conftest import FIXTURES
from tests.fixtures.make_ascof_fixtures import HEADERS
from tests.seeding import new_database, seed_returns

CODES = FIXTURES / "peers" / "nhs_nearest_neighbours_codes.csv"  # Darlington's three neighbours
runner = CliRunner()
GROUP = "Overall satisfaction of people who use services with their care and support"
# council: 3A outcome by financial year (2021-22 file, 2022-23 file); None = [c] suppressed
VALUES = {
    "Darlington": ("63.0", "66.1"),
    "Middlesbrough": ("60.5", "61.2"),
    "Redcar and Cleveland": ("69.0", "70.4"),
    "Stockton-on-Tees": ("64.0", None),
    "Hartlepool": ("71.0", "72.0"),  # in the region, not in Darlington's comparator group
}
REGION = ("67.0", "68.0")
ENGLAND = ("62.1", "64.4")


def _ascof_file(folder, index: int):  # noqa: ANN001, ANN202
    """An ASCOF open-data CSV as NHS Digital publishes it (title-case headers, long rows)."""
    name = ("meas-from-asc-of-eng-2022.csv", "meas-from-asc-of-eng-2023.csv")[index]
    rows = [list(HEADERS)]
    for council, values in VALUES.items():
        entry = resolve_council(council)
        value = values[index] or "[c]"
        rows.append([entry.cassr_code, entry.name, "Council", entry.ons_code, "3A", "Total",
                     "Outcome", value, "3A", GROUP])  # fmt: skip
    rows.append(["E12000001", "North East", "Region", "E12000001", "3A", "Total", "Outcome",
                 REGION[index], "3A", GROUP])  # fmt: skip
    rows.append(["England", "England", "England", "E92000001", "3A", "Total", "Outcome",
                 ENGLAND[index], "3A", GROUP])  # fmt: skip
    path = folder / name
    with path.open("w", newline="", encoding="utf-8-sig") as handle:
        csv.writer(handle).writerows(rows)
    return path


@pytest.fixture
def con(tmp_path):
    con = new_database(tmp_path)
    for index in (0, 1):
        load_benchmark_file(con, _ascof_file(tmp_path, index))
    load_peer_file(con, CODES)
    return con


def test_peer_summary_means_by_hand(con):
    frame = ascof_peer_summary(con, "Darlington", "comparator")
    assert list(frame["year"]) == [2021, 2022]
    assert set(frame["measure_id"]) == {"ascof:2010:3A"}
    first, second = frame.iloc[0], frame.iloc[1]
    assert first["council_value"] == pytest.approx(63.0)
    assert first["peer_mean"] == pytest.approx((60.5 + 69.0 + 64.0) / 3)
    assert (first["peer_min"], first["peer_max"], first["n_peers"]) == (60.5, 69.0, 3)
    # Stockton-on-Tees is suppressed in 2022-23: two peers have a value, of three in the group
    assert second["peer_mean"] == pytest.approx((61.2 + 70.4) / 2)
    assert (second["peer_min"], second["peer_max"], second["n_peers"]) == (61.2, 70.4, 2)
    assert second["n_group"] == 3
    assert (second["region"], second["region_value"], second["england_value"]) == (
        "North East",
        68.0,
        64.4,
    )


def test_the_region_group_leaves_the_council_out_of_its_peers(con):
    frame = ascof_peer_summary(con, "Darlington", "region", measure_codes=["3A"])
    row = frame[frame["year"] == 2022].iloc[0]
    others = [61.2, 70.4, 72.0]  # the North East councils in the file with a value, not Darlington
    assert row["peer_mean"] == pytest.approx(sum(others) / len(others))
    assert row["n_peers"] == 3
    assert row["n_group"] == len(comparator_group(con, "Darlington", "region")) - 1
    assert ascof_peer_summary(con, "Darlington", "region", measure_codes=["1A"]).empty


def _returns(council: str, good: int, other: int) -> pd.DataFrame:
    size = good + other
    return pd.DataFrame(
        {
            "respondent_key": [f"{council}-{i}" for i in range(size)],
            "council": council,
            "wave": 2024,
            "instrument": "poet-holder",
            "out_dignity": ["better"] * good + ["same"] * other,
        }
    )


def test_compare_pools_the_loaded_members_of_the_comparator_group(tmp_path):
    db = tmp_path / "test.duckdb"  # the file new_database makes
    con = new_database(tmp_path)
    # Stockton-on-Tees is in the group but has no survey returns; Hartlepool is loaded, not in it
    for council, good, other in (("Darlington", 70, 30), ("Middlesbrough", 50, 30),
                                 ("Redcar and Cleveland", 45, 35), ("Hartlepool", 10, 90)):  # fmt: skip
        seed_returns(con, _returns(council, good, other))
    load_peer_file(con, CODES)
    con.close()
    result = runner.invoke(
        app,
        [
            "compare",
            "--council",
            "Darlington",
            "--wave",
            "2024",
            "--peers",
            "comparator",
            "--unsuppressed",
            "--format",
            "json",
            "--db",
            str(db),
        ],  # fmt: skip
    )
    assert result.exit_code == 0, result.output
    assert "3 councils, 2 with survey returns loaded" in result.stderr
    rows = json.loads(result.stdout)
    dignity = next(r for r in rows if r["question_code"] == "out_dignity")
    assert dignity["benchmark_n"] == 80 + 80
    assert dignity["benchmark_value"] == pytest.approx(100 * (50 + 45) / 160)
    none = runner.invoke(
        app,
        [
            "compare",
            "--council",
            "Hartlepool",
            "--wave",
            "2024",
            "--peers",
            "comparator",
            "--db",
            str(db),
        ],  # fmt: skip
    )
    assert none.exit_code == 1 and "ingest peers" in none.stderr


def test_trends_pool_the_comparator_group_in_every_wave(tmp_path):
    db = tmp_path / "test.duckdb"
    con = new_database(tmp_path)
    for council, good, other in (("Darlington", 70, 30), ("Middlesbrough", 50, 30),
                                 ("Redcar and Cleveland", 45, 35), ("Hartlepool", 10, 90)):  # fmt: skip
        seed_returns(con, _returns(council, good, other))
    load_peer_file(con, CODES)
    con.close()
    result = runner.invoke(
        app,
        [
            "trends",
            "--council",
            "Darlington",
            "--peers",
            "comparator",
            "--unsuppressed",
            "--format",
            "json",
            "--db",
            str(db),
        ],  # fmt: skip
    )
    assert result.exit_code == 0, result.output
    assert "2 with survey returns loaded" in result.stderr
    dignity = next(r for r in json.loads(result.stdout) if r["question_code"] == "out_dignity")
    assert dignity["benchmark_n"] == 160
