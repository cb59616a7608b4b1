"""How fast every dashboard page renders on a national-scale database (target: under 1 s warm).

    python benchmarks/dashboard.py                 # builds a 1,000,000-return database first
    python benchmarks/dashboard.py --db big.duckdb # or times an existing one

Each page runs under Streamlit's AppTest (the whole app script: sidebar, sign-in, navigation
and the page), once cold to fill the cache and then ``--repeats`` times warm; the figures are
the median warm time and the cold time per page, in seconds. Chart images are not made while
rendering (they are made only when a download is pressed), so they are not part of the time.
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# AppTest outside a server logs a "missing ScriptRunContext" warning per cached call.
os.environ.setdefault("STREAMLIT_LOGGER_LEVEL", "error")
sys.path.insert(0, str(ROOT))

APP = ROOT / "dashboards" / "app.py"
PAGES = [
    ("Overview", None),
    ("Outcomes", "app_pages/2_Outcomes.py"),
    ("Trends", "app_pages/3_Trends.py"),
    ("Process", "app_pages/4_Process.py"),
    ("Budgets", "app_pages/5_Budgets.py"),
    ("Carers", "app_pages/6_Carers.py"),
    ("Compare councils", "app_pages/7_Compare_councils.py"),
    ("Data quality", "app_pages/8_Data_quality.py"),
    ("Load data", "app_pages/9_Load_data.py"),
    ("Downloads", "app_pages/10_Downloads.py"),
]
TARGET_SECONDS = 1.0


def time_page(page: str | None, repeats: int) -> tuple[float, float]:
    """(cold seconds, median warm seconds) for one page as a signed-in commissioner."""
    from streamlit.testing.v1 import AppTest

    def render() -> float:
        at = AppTest.from_file(str(APP), default_timeout=600)
        at.session_state["signed_in_user"] = "benchmark"
        at.run()
        started = time.perf_counter()
        if page is not None:
            at.switch_page(page).run()
        else:
            at.run()
        elapsed = time.perf_counter() - started
        if at.exception:
            raise RuntimeError(f"{page or 'Overview'}: {at.exception[0].value}")
        return elapsed

    cold = render()
    warm = [render() for _ in range(repeats)]
    return cold, statistics.median(warm)


def main() -> int:
    from synthetic_database import database_from_arguments

    args, db = database_from_arguments(__doc__.splitlines()[0], "dashboard-bench-")
    os.environ["OUTCOMES_DB"] = str(db)

    print(f"{'page':<18} {'cold s':>8} {'warm s':>8}  under {TARGET_SECONDS:.0f} s warm")
    slow = []
    for name, page in PAGES:
        cold, warm = time_page(page, args.repeats)
        ok = warm < TARGET_SECONDS
        slow += [] if ok else [name]
        print(f"{name:<18} {cold:8.3f} {warm:8.3f}  {'yes' if ok else 'NO'}")
    print("all pages under target" if not slow else f"over target: {', '.join(slow)}")
    return 0 if not slow else 1


if __name__ == "__main__":
    raise SystemExit(main())
