"""Keep the shipped national benchmark rows in ``benchmarks`` equal to ``surveys/benchmarks/``.

The published national POET figures and the England ASCOF values are reference data shipped with
the code (``surveys/benchmarks/national.csv``, provenance on every row), so like the question
scales they are rewritten when a writer connects and the CSV changed (``reference_versions``); rows loaded by users carry a ``load_id``
and are never touched here.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from pipeline.config import surveys_dir
from pipeline.store import reference_versions
from pipeline.store.transactions import sql_statements, transaction

SQL = Path(__file__).with_suffix(".sql")


def shipped_benchmarks_file(folder: Path | None = None) -> Path:
    """The CSV of published national figures (one row per measure, year and source)."""
    return (folder or surveys_dir()) / "benchmarks" / "national.csv"


def sync_shipped_benchmarks(con: duckdb.DuckDBPyConnection, folder: Path | None = None) -> int:
    """Rewrite the shipped rows from the CSV in one transaction; return how many there are."""
    path = shipped_benchmarks_file(folder)
    if not path.exists():
        return 0
    version = reference_versions.fingerprint(path.read_bytes(), SQL.read_bytes())
    if not reference_versions.is_current(con, "shipped_benchmarks", version):
        with transaction(con):
            for statement in sql_statements(SQL.read_text(encoding="utf-8")):
                params = {"path": str(path)} if "$path" in statement else {}
                con.execute(statement, params)
            reference_versions.record(con, "shipped_benchmarks", version)
    row = con.execute("SELECT count(*) FROM benchmarks WHERE load_id IS NULL").fetchall()
    row = row[0] if row else None  # fetchall: fetchone leaves DuckDB 2.0 busy
    return int(row[0]) if row else 0
