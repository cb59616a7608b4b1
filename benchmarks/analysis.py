"""How fast the analysis API answers on a national-scale database (target: under 2 s each).

    python benchmarks/analysis.py                   # builds a 1,000,000-return database first
    python benchmarks/analysis.py --db big.duckdb   # or times an existing one
    python benchmarks/analysis.py --returns 100000  # a quick run

The database is the dashboard benchmark's synthetic one (``benchmarks/sql/synthetic_returns.sql``:
150 councils, two waves, every process and outcome question answered, a register of 3,000 people
per council). Each call is timed once cold and ``--repeats`` times warm on a read-only connection;
the figure is the median warm time. Beside each time the script counts the rows DuckDB hands to
Python, to show that the aggregation runs in DuckDB: a few hundred rows come back from tens of
millions of answers, never the answers themselves.
"""

from __future__ import annotations

import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

TARGET_SECONDS = 2.0


class CountingConnection:
    """A DuckDB connection that counts the rows each query returns to Python."""

    def __init__(self, con) -> None:  # noqa: ANN001 - a DuckDB connection
        self._con = con
        self.rows = 0

    def execute(self, *args, **kwargs):  # noqa: ANN002, ANN003
        return _CountingResult(self._con.execute(*args, **kwargs), self)

    def __getattr__(self, name: str):
        return getattr(self._con, name)


class _CountingResult:
    def __init__(self, result, owner: CountingConnection) -> None:  # noqa: ANN001
        self._result = result
        self._owner = owner

    def df(self):
        frame = self._result.df()
        self._owner.rows += len(frame)
        return frame

    def fetchall(self):
        rows = self._result.fetchall()
        self._owner.rows += len(rows)
        return rows

    def __getattr__(self, name: str):
        return getattr(self._result, name)


def measure(call: Callable[[object], object], con, repeats: int) -> tuple[float, float, int]:  # noqa: ANN001
    """(cold seconds, median warm seconds, rows returned to Python per call)."""
    counting = CountingConnection(con)
    started = time.perf_counter()
    call(counting)
    cold = time.perf_counter() - started
    rows = counting.rows
    warm = []
    for _ in range(repeats):
        started = time.perf_counter()
        call(counting)
        warm.append(time.perf_counter() - started)
    return cold, statistics.median(warm), rows


def main() -> int:
    from synthetic_database import database_from_arguments

    import pipeline.analysis as pa

    args, db = database_from_arguments(__doc__.splitlines()[0], "analysis-bench-")

    con = pa.open_database(db)
    answers = con.execute("SELECT count(*) FROM answers").fetchall()[0][0]
    returns = con.execute("SELECT count(*) FROM respondents").fetchall()[0][0]
    council = pa.councils(con)[0]
    wave = max(pa.waves(con, council=council))
    print(f"{returns:,} returns, {answers:,} answers; council {council!r}, wave {wave}")

    calls = [
        (
            "comparison table, one council",
            lambda c: pa.results(c, council=council, wave=wave),
        ),
        (
            "comparison table, all councils",
            lambda c: pa.results(c, council=None, wave=wave),
        ),
        (
            "subgroups by management option",
            lambda c: pa.subgroups(c, council=council, wave=wave, by="management_option"),
        ),
        (
            "subgroups, all seven columns",
            lambda c: pa.subgroups(c, council=council, wave=wave, by=pa.SUBGROUPS),
        ),
        (
            "weighted results (option x reason)",
            lambda c: pa.weighted_results(c, council=council, wave=wave),
        ),
        (
            "weights and response rates",
            lambda c: pa.weights(c, council=council, wave=wave),
        ),
        (
            "drivers, one outcome, one council",
            lambda c: pa.drivers(c, council=council, wave=wave, outcome="out_quality_of_life"),
        ),
        (
            "budget summary, one council",
            lambda c: pa.budget_summary(c, council=council),
        ),
    ]
    required = {
        "comparison table, one council",
        "comparison table, all councils",
        "subgroups by management option",
        "weighted results (option x reason)",
    }
    print(f"{'call':<38} {'cold s':>8} {'warm s':>8} {'rows to Python':>15}  under 2 s")
    missed = []
    for name, call in calls:
        cold, warm, rows = measure(call, con, args.repeats)
        ok = warm < TARGET_SECONDS
        if not ok and name in required:
            missed.append(name)
        print(f"{name:<38} {cold:8.3f} {warm:8.3f} {rows:15,}  {'yes' if ok else 'NO'}")
    con.close()
    print("targets met" if not missed else f"over target: {', '.join(missed)}")
    return 0 if not missed else 1


if __name__ == "__main__":
    raise SystemExit(main())
