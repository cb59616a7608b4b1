"""Issue 11 item 5: 2,000 returns from 50 concurrent clients on loopback while a file load and
dashboard reads run; every return must be in the database exactly once (the benchmark's run,
benchmarks/survey_site.py, is the same code and prints the same figures)."""

from __future__ import annotations

import pytest

from benchmarks.survey_site import run_soak

pytestmark = pytest.mark.slow


def test_two_thousand_returns_from_fifty_clients_are_all_stored_once(tmp_path) -> None:
    figures = run_soak(tmp_path, returns=2000, clients=50)
    print(figures)
    assert figures["failures"] == 0, figures["failure_examples"]
    assert figures["sent"] == 2000
    assert figures["stored"] == figures["sent"]
    assert figures["duplicates"] == 0
    assert figures["lost"] == 0
    assert figures["submissions_recorded"] == 2000
    assert figures["dashboard_reads"] > 0 and figures["dashboard_reads_failed"] == 0
    assert figures["file_loads_ok"] >= 1
