"""The merger: returns reach DuckDB once, with their channel, even if a merge is interrupted
after DuckDB commits and before the store is told; a used code cannot send twice."""

from __future__ import annotations

import sqlite3

import duckdb
import pytest

from pipeline.collect.merge import merge_until_done
from pipeline.collect.submissions import AlreadySubmitted, SubmissionStore, store_path_for
from tests.collect.sampled import sampled_database


def test_an_interrupted_merge_is_never_loaded_twice(tmp_path) -> None:
    sampled = sampled_database(tmp_path, 5)
    store = SubmissionStore(store_path_for(sampled.db))
    for code in sampled.codes[:3]:
        store.submit(code, {"out_dignity": "better"}, channel="online", version="standard")
    with pytest.raises(AlreadySubmitted):
        store.submit(sampled.codes[0], {}, channel="online", version="standard")
    assert merge_until_done(sampled.db, store).merged == 3
    # as if the process died after DuckDB committed but before the store was marked
    with sqlite3.connect(store.path) as raw:
        raw.execute("UPDATE submissions SET merged_load_id = NULL, merged_at = NULL")
    again = merge_until_done(sampled.db, store)
    assert (again.merged, again.already) == (0, 3)
    con = duckdb.connect(str(sampled.db), read_only=True)
    try:
        rows = con.execute("SELECT channel, count(*) FROM respondents GROUP BY channel").fetchall()
        loads = con.execute(
            "SELECT file_name, rows_loaded FROM loads WHERE kind = 'survey'"
        ).fetchall()
    finally:
        con.close()
    assert rows == [("online", 3)]
    assert loads == [("survey-site", 3)]
    assert store.counts() == {"stored": 3, "merged": 3, "waiting": 0}
