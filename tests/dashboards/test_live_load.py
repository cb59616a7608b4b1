"""A load committed while the dashboard serves shows up on the next run, without a restart."""

from __future__ import annotations

import shutil

import numpy as np
from streamlit.testing.v1 import AppTest

from pipeline.store import connect
from tests.dashboards.conftest import APP, _returns
from tests.seeding import seed_returns


def test_new_council_appears_after_a_load_commits(dashboard_db, tmp_path, monkeypatch) -> None:
    db = tmp_path / "live.duckdb"
    shutil.copy(dashboard_db, db)
    monkeypatch.setenv("OUTCOMES_DB", str(db))
    at = AppTest.from_file(str(APP), default_timeout=120)
    at.session_state["signed_in_user"] = "tester"
    at.run()
    assert "Eastvale" not in at.sidebar.selectbox(key="f_council").options

    con = connect(db)  # a writer, as `outcomes ingest` would be, while the app holds its cache
    try:
        seed_returns(
            con,
            _returns("poet-holder", "Avonford", 2024, 50, np.random.default_rng(1)).assign(
                council="Eastvale"
            ),
        )
    finally:
        con.close()

    at.run()
    assert not at.exception
    assert "Eastvale" in at.sidebar.selectbox(key="f_council").options
