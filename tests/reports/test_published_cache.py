"""The wave's publication is kept beside the database and read back only while nothing it depends
on has changed: the same report from a fresh process publishes nothing again, and a new load, an
answer changed without a load, or a different threshold each make it publish afresh."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pandas as pd
import pytest

from pipeline.reports import content, published_cache
from pipeline.reports.builder import build_council_report
from pipeline.store import connect, read_only_connection
from tests.dashboards.conftest import build_dashboard_database

FORMATS = ("csv",)


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return build_dashboard_database(tmp_path)


def _count_publications(monkeypatch) -> list[int]:
    calls: list[int] = []
    real = content.prefetch_results

    def counted(*args, **kwargs):
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(content, "prefetch_results", counted)
    return calls


def _build(db: Path, out: Path) -> str:
    con = read_only_connection(db)
    try:
        files = build_council_report(con, "Avonford", 2024, out, formats=FORMATS)
    finally:
        con.close()
    return files["csv"].read_text(encoding="utf-8")


def test_a_second_report_reads_the_publication_back_and_says_the_same(db, tmp_path, monkeypatch):
    calls = _count_publications(monkeypatch)
    first = _build(db, tmp_path / "first")
    assert calls == [1]
    kept = list((db.parent / ".outcomes-cache" / db.name).glob("wave-2024-poet-holder-*.pickle"))
    assert len(kept) == 1
    second = _build(db, tmp_path / "second")
    assert calls == [1]  # read back, not published again
    assert second == first


def test_a_new_load_or_an_answer_changed_without_one_publishes_again(db, tmp_path, monkeypatch):
    from tests.seeding import seed_returns

    calls = _count_publications(monkeypatch)
    _build(db, tmp_path / "before")
    con = connect(db)
    try:
        seed_returns(
            con,
            pd.DataFrame(
                {"council": "Avonford", "wave": 2024, "instrument": "poet-holder",
                 "respondent_key": [f"late-{i}" for i in range(5)], "out_dignity": "better"}
            ),
        )  # fmt: skip
    finally:
        con.close()
    _build(db, tmp_path / "after-load")
    assert calls == [1, 1]
    con = connect(db)
    try:  # a repair in SQL: no load, but the answers differ
        con.execute(
            "UPDATE answer_values SET answer_id = (SELECT code_id FROM codes WHERE code = 'worse') "
            "WHERE return_id = (SELECT min(return_id) FROM respondents WHERE wave = 2024) "
            "AND question_id = (SELECT code_id FROM codes WHERE code = 'out_dignity')"
        )
    finally:
        con.close()
    _build(db, tmp_path / "after-repair")
    assert calls == [1, 1, 1]
    kept = list((db.parent / ".outcomes-cache" / db.name).glob("wave-2024-*.pickle"))
    assert len(kept) == 1  # the stale ones are removed


def test_other_thresholds_are_another_key(db, monkeypatch) -> None:
    con = read_only_connection(db)
    try:
        before = published_cache.cache_key(con, 2024, "poet-holder")
        stricter = dataclasses.replace(
            published_cache.THRESHOLDS,
            suppress_count_below=published_cache.THRESHOLDS.suppress_count_below + 5,
        )
        monkeypatch.setattr(published_cache, "THRESHOLDS", stricter)
        assert published_cache.cache_key(con, 2024, "poet-holder") != before
    finally:
        con.close()


def test_an_in_memory_database_is_never_cached() -> None:
    import duckdb

    con = duckdb.connect(":memory:")
    try:
        assert published_cache.cache_path(con, 2024, "poet-holder") is None
    finally:
        con.close()
