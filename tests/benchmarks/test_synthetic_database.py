"""The benchmarks' synthetic national database accepts further loads like any other database."""

from __future__ import annotations

from pathlib import Path

from benchmarks.synthetic_database import build_database
from pipeline.ingest import load_survey_file
from pipeline.store import connect

FIXTURES = Path(__file__).parents[1] / "fixtures"


def test_a_file_loads_into_the_synthetic_database(tmp_path) -> None:
    db = tmp_path / "national.duckdb"
    build_database(db, returns=600, councils=3, register_per_council=20)
    con = connect(db)
    try:
        before = con.execute("SELECT max(load_id), count(*) FROM loads").fetchone()
        result = load_survey_file(
            con,
            FIXTURES / "holder_utf8_bom.csv",
            instrument="poet-holder",
            council="Council 002",  # a synthetic council, found by name like a loaded one
            wave=2026,
        )
        assert result.status == "loaded", result
        assert result.load_id == before[0] + 1
        loads = con.execute("SELECT count(*), count(DISTINCT load_id) FROM loads").fetchone()
        assert loads == (before[1] + 1, before[1] + 1)
        counted = con.execute(
            "SELECT sum(rows_loaded) FROM loads WHERE kind = 'survey' AND load_id <= ?",
            [before[0]],
        ).fetchone()[0]
        assert counted == 600  # the synthetic loads say how many returns each carried
        returns = con.execute(
            "SELECT count(*), count(DISTINCT return_id) FROM respondents"
        ).fetchone()
        assert returns[0] == returns[1] == 600 + result.rows_loaded
    finally:
        con.close()
