"""The national-scale synthetic database the analysis and dashboard benchmarks time.

``sql/synthetic_returns.sql``: N holder returns over C councils and two waves, every process and
outcome question answered, a register per council. Built in seconds straight in SQL, because what
these benchmarks measure is reading, not loading (benchmarks/ingest.py times loading).
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path


def build_database(path: Path, *, returns: int, councils: int, register_per_council: int) -> None:
    """Write the synthetic national-scale database (see sql/synthetic_returns.sql)."""
    from pipeline.store import connect

    sql = (Path(__file__).parent / "sql" / "synthetic_returns.sql").read_text(encoding="utf-8")
    for name, value in (
        ("$register_per_council", register_per_council),
        ("$councils", councils),
        ("$returns", returns),
    ):
        sql = sql.replace(name, str(int(value)))
    con = connect(path)
    try:
        con.execute(sql)
        con.execute("CHECKPOINT")
    finally:
        con.close()


def database_from_arguments(description: str, prefix: str) -> tuple[argparse.Namespace, Path]:
    """Parse the shared options; build a fresh database unless ``--db`` names one."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--db", type=Path, help="An existing database to time (default: build one)")
    parser.add_argument("--returns", type=int, default=1_000_000)
    parser.add_argument("--councils", type=int, default=150)
    parser.add_argument("--register-per-council", type=int, default=3000)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    db = args.db
    if db is None:
        db = Path(tempfile.mkdtemp(prefix=prefix)) / "national.duckdb"
        started = time.perf_counter()
        build_database(
            db,
            returns=args.returns,
            councils=args.councils,
            register_per_council=args.register_per_council,
        )
        print(f"built {args.returns:,} returns in {time.perf_counter() - started:.1f} s: {db}")
    return args, db
