"""How fast are the reports? One council's full set, then every council's at national scale.

Targets (issue 12 item 3): one council's full set (page, PDF, workbook, CSV, charts, easy read)
in under 5 seconds cold, 150 councils' sets in under 150 seconds on the 2-core machine (issue 5
asked for 10 s and 5 minutes). "Cold" is timed as a user runs it, ``outcomes report`` in a fresh
process: once before the wave was ever published (every council's figures are published
together, so that run publishes all of them) and once after (the publication is read back from
beside the database). The 150-council run starts from nothing. The machine's load average is
printed before and after, since the figures mean little on a machine others are using.

    python benchmarks/reports.py                 # 150 councils, 2 waves, ~250 returns each
    python benchmarks/reports.py --councils 20   # a quicker look

The database is synthetic (built with the tests' seeding helper, not the ingest path, so the
figures measure the reports alone) and lives in a temporary folder.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from pipeline.instruments import get_instrument  # noqa: E402
from pipeline.store import read_only_connection  # noqa: E402
from tests.seeding import new_database, seed_returns  # noqa: E402

CHANGE = ["much_worse", "worse", "same", "better", "much_better", "dont_know"]
EASE = ["very_difficult", "difficult", "neither", "easy", "very_easy", "not_applicable"]


def synthetic_database(folder: Path, councils: int, returns: int, seed: int = 1) -> Path:
    """``councils`` councils x 2 waves of holder returns with council-level differences."""
    rng = np.random.default_rng(seed)
    holder = get_instrument("poet-holder")
    ease_codes = [
        q.code for q in holder.section("process") if q.scale is not None and q.scale.name == "ease5"
    ]
    con = new_database(folder)
    for number in range(councils):
        council = f"Council {number + 1:03d}"
        lift = rng.normal(0, 0.08)
        for wave in (2024, 2025):
            frame = pd.DataFrame(
                {
                    "council": council,
                    "wave": wave,
                    "instrument": "poet-holder",
                    "respondent_key": [f"{number}-{wave}-{i}" for i in range(returns)],
                    "management_option": rng.choice(
                        ["direct_payment", "council_managed", "provider_managed"], size=returns
                    ),
                }
            )
            better = float(np.clip(0.45 + lift + (wave - 2024) * 0.02, 0.05, 0.9))
            change_p = [0.05, 0.08, 0.87 - better - 0.05, better * 0.6, better * 0.4, 0.05]
            for code in holder.outcome_codes:
                frame[code] = rng.choice(CHANGE, size=returns, p=change_p)
            for code in ease_codes:
                frame[code] = rng.choice(EASE, size=returns, p=[0.1, 0.15, 0.25, 0.3, 0.15, 0.05])
            seed_returns(con, frame)
        con.execute(
            "INSERT INTO comments SELECT respondent_key, instrument, council, wave, "
            "'comment_best', 'The best thing is choosing my own support.', load_id "
            "FROM respondents WHERE council = ? AND wave = 2025 LIMIT 20",
            [council],
        )
    con.close()
    return folder / "test.duckdb"


def _command(db_path: Path, council: str, out: Path) -> float:
    """One council's full set by ``outcomes report`` as a user runs it: a fresh process."""
    started = time.perf_counter()
    subprocess.run(
        [str(Path(sys.executable).parent / "outcomes"), "report", "-c", council, "-w", "2025",
         "-o", str(out), "--db", str(db_path)],
        check=True, capture_output=True, cwd=Path(__file__).resolve().parents[1],
    )  # fmt: skip
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--councils", type=int, default=150)
    parser.add_argument("--returns", type=int, default=250)
    parser.add_argument("--workers", type=int, default=None)
    args = parser.parse_args()

    from pipeline.reports import browser
    from pipeline.reports.builder import build_all_councils, build_council_report
    from pipeline.reports.published_cache import CACHE_FOLDER

    with tempfile.TemporaryDirectory(prefix="reports-bench-") as tmp:
        folder = Path(tmp)
        started = time.perf_counter()
        db_path = synthetic_database(folder, args.councils, args.returns)
        cache = folder / CACHE_FOLDER
        print(
            f"synthetic database: {args.councils} councils x 2 waves x {args.returns} returns "
            f"in {time.perf_counter() - started:.1f} s"
        )
        print(f"load average before: {os.getloadavg()}")
        first = _command(db_path, "Council 001", folder / "one")
        print(
            f"one council, `outcomes report` in a fresh process, the wave not yet published: "
            f"{first:.1f} s"
        )
        again = _command(db_path, "Council 002", folder / "one")
        print(
            f"one council, `outcomes report` in a fresh process, the wave published before "
            f"(read from {CACHE_FOLDER}): {again:.1f} s (target < 5)"
        )
        con = read_only_connection(db_path)
        build_council_report(con, "Council 003", 2025, folder / "one")
        started = time.perf_counter()
        build_council_report(con, "Council 004", 2025, folder / "one")
        print(f"one council, full set, warm process: {time.perf_counter() - started:.1f} s")
        browser.stop()

        shutil.rmtree(cache)  # the whole run from nothing: the wave is published in it
        started = time.perf_counter()
        built = build_all_councils(con, 2025, folder / "all", progress=True, workers=args.workers)
        total = time.perf_counter() - started
        count = len(built) - 1
        files = sum(len(v) for k, v in built.items() if k != "__index__")
        print(
            f"all councils, the wave not yet published: {count} sets ({files} files) and "
            f"index.html in {total:.1f} s, {total / max(count, 1):.2f} s per council "
            f"(target for 150: < 150 s)"
        )
        print(f"load average after: {os.getloadavg()}")
        con.close()


if __name__ == "__main__":
    main()
