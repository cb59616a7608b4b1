"""Pages nobody has seen compute at most two analysis calls at once (issue 12 item 4): each
holds tens to hundreds of megabytes while it runs, and 20 readers at once took one server to
1.8 GB. Cached answers never wait."""

from __future__ import annotations

import threading
import time

import pipeline.analysis as analysis
from dashboards import data


def test_at_most_two_analysis_calls_compute_at_once(dashboard_db, monkeypatch) -> None:
    monkeypatch.setenv("OUTCOMES_DB", str(dashboard_db))
    running, most = [0], [0]
    lock = threading.Lock()

    def slow(con, number: int) -> int:  # noqa: ANN001 - a DuckDB connection
        with lock:
            running[0] += 1
            most[0] = max(most[0], running[0])
        time.sleep(0.2)
        with lock:
            running[0] -= 1
        return number

    monkeypatch.setattr(analysis, "slow_test_call", slow, raising=False)
    answers: dict[int, int] = {}

    def ask(number: int) -> None:
        answers[number] = data.query("slow_test_call", number=number)

    threads = [threading.Thread(target=ask, args=(n,)) for n in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert answers == {n: n for n in range(6)}
    assert most[0] == 2

    started = time.perf_counter()
    assert data.query("slow_test_call", number=3) == 3  # cached: no waiting, no computing
    assert time.perf_counter() - started < 0.1
