"""A published floor can only say "below" or "not below": no face says "better" because of one.

The demo's national table publishes some figures as floors ("at least two-thirds"); before
issue 10 a local interval above such a floor read "better than at least 67% nationally".
"""

from __future__ import annotations

import html
import re

from pipeline.analysis import results
from pipeline.store import read_only_connection

BOUND_VERDICTS = {"below floor", "not below floor", "above ceiling", "not above ceiling"}


def test_bound_comparisons_on_the_demo_never_say_better(demo_db) -> None:
    con = read_only_connection(demo_db)
    try:
        frame = results(con, council="Eastbrook", wave=2025)  # verdicts attached
    finally:
        con.close()
    bounds = frame[frame["benchmark_kind"].isin(["over", "at_least", "under", "at_most"])]
    assert len(bounds) > 0, "the demo has published floors to compare with"
    assert set(bounds["comparison"]) <= BOUND_VERDICTS | {"not compared"}
    assert "not below floor" in set(bounds["comparison"])


def test_the_pages_word_a_floor_as_a_floor(demo_reports) -> None:
    page = html.unescape(demo_reports["html"].read_text(encoding="utf-8"))
    easy = html.unescape(demo_reports["easy_read"].read_text(encoding="utf-8"))
    assert re.search(r"at or above the \d{4} national floor of \d+(\.\d)?%", page)
    for text in (page, easy):
        assert not re.search(r"better than (over|at least)", text)
        assert "better than in other places" not in text
