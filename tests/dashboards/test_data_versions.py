"""A load drops only the cached answers that read what it changed, and readers are not made to
wait for it: the dashboard's cache follows the committed data (docs/decisions.md D66)."""

from __future__ import annotations

import os
import shutil
import time

import numpy as np

from dashboards import data
from pipeline.store import connect
from tests.dashboards.conftest import _returns
from tests.seeding import seed_returns

RESULTS = {"council": "Avonford", "wave": 2024, "instrument": "poet-holder"}


def _load(db, council: str, wave: int) -> None:
    con = connect(db)  # a writer, as `outcomes ingest` would be
    try:
        seed_returns(con, _returns("poet-holder", council, wave, 40, np.random.default_rng(3)))
    finally:
        con.close()


def test_a_load_changes_only_its_council_its_wave_and_the_whole(dashboard_db, tmp_path) -> None:
    db = tmp_path / "scoped.duckdb"
    shutil.copy(dashboard_db, db)
    data.forget_versions()
    before = data.data_versions(db)
    _load(db, "Brightwater", 2023)  # another council, another wave
    after = data.data_versions(db)

    own = {"council": "Avonford", "question_code": "out_dignity", **RESULTS}
    assert after.for_call("distribution", own) == before.for_call("distribution", own)
    assert after.for_call("results", RESULTS) == before.for_call("results", RESULTS)
    assert after.for_call("trends", {"council": "Avonford"}) != before.for_call(
        "trends", {"council": "Avonford"}
    )  # reads every wave's pooled figures: keyed on the whole
    other = {**RESULTS, "council": "Brightwater"}
    assert after.for_call("response_rates", other) != before.for_call("response_rates", other)
    same_wave = {**RESULTS, "wave": 2023}  # Avonford's 2023 pooled benchmark includes the load
    assert after.for_call("results", same_wave) != before.for_call("results", same_wave)
    assert after.for_call("available", {}) != before.for_call("available", {})


def test_readers_keep_the_committed_tokens_while_a_writer_holds_the_file(
    dashboard_db, tmp_path
) -> None:
    db = tmp_path / "locked.duckdb"
    shutil.copy(dashboard_db, db)
    data.forget_versions()
    committed = data.data_versions(db)
    writer = connect(db)  # holds the file, with writes not yet committed
    try:
        writer.execute("BEGIN TRANSACTION")
        writer.execute("DELETE FROM loads WHERE council = 'Avonford'")
        later = time.time() + 5
        os.utime(db, (later, later))  # the file changes on disk, as a load's writes make it
        started = time.perf_counter()
        during = data.data_versions(db)
        assert time.perf_counter() - started < 5  # never waits for the writer
        assert during == committed
        writer.execute("ROLLBACK")
    finally:
        writer.close()
