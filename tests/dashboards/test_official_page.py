"""The Official measures page under AppTest: its table is the analysis API's, chart per topic."""

from __future__ import annotations

import shutil

from pipeline.analysis import official_measures, open_database
from pipeline.ingest import load_benchmark_file
from pipeline.store.connection import connect
from tests.conftest import FIXTURES
from tests.dashboards.test_pages import COUNCIL, frame, open_page


def test_official_measures_page_shows_the_api_figures(dashboard_db, monkeypatch, tmp_path):
    db = tmp_path / "official.duckdb"
    shutil.copy(dashboard_db, db)
    con = connect(db)
    load_benchmark_file(con, FIXTURES / "ascof" / "meas-from-asc-of-eng-2023.csv")
    con.close()
    at = open_page(db, monkeypatch, "12_Official_measures.py")
    con = open_database(db)
    expected = official_measures(con, COUNCIL)
    con.close()
    shown = frame(at, "Official measures (ASCOF), every year loaded")
    assert len(shown) == len(expected)
    assert list(shown["Year"]) == list(expected["period"])
    assert shown["England"].astype(float).round(1).tolist() == (
        expected["england_value"].round(1).tolist()
    )
    assert set(shown["Framework"]) == {"2010-based framework", "2023-24 framework"}
    titles = [c.value for c in at.markdown]
    assert any("framework changed in 2023-24: now ASCOF 1D" in str(t) for t in titles)
    assert len(at.get("plotly_chart")) == expected["topic"].nunique()


def test_overview_shows_latest_self_directed_support_and_direct_payments(
    dashboard_db, monkeypatch, tmp_path
):
    db = tmp_path / "official.duckdb"
    shutil.copy(dashboard_db, db)
    at = open_page(db, monkeypatch)
    con = open_database(db)
    expected = official_measures(con, COUNCIL, measures=["1C2A", "3D2A", "1C1A", "3D1A"])
    con.close()
    shown = frame(
        at, "Official measures (ASCOF): self-directed support and direct payments, latest year"
    )
    latest = expected.sort_values("year").groupby("topic").tail(1)
    assert len(shown) == len(latest) == 2
    assert set(shown["Year"]) == set(latest["period"])
    assert sorted(shown["England"].astype(float)) == sorted(latest["england_value"])
