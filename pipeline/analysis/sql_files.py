"""Run the analysis SQL files that live in ``pipeline/analysis/sql/``."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import duckdb
import pandas as pd

SQL_DIR = Path(__file__).parent / "sql"


@cache
def sql_text(name: str) -> str:
    """The text of ``sql/<name>.sql`` (read once per process)."""
    return (SQL_DIR / f"{name}.sql").read_text(encoding="utf-8")


def run_sql(
    con: duckdb.DuckDBPyConnection, name: str, params: dict | None = None, **substitutions: str
) -> pd.DataFrame:
    """Execute a named SQL file with ``$name`` parameters and return the rows as a frame.

    ``substitutions`` fill ``{placeholders}`` that parameters cannot (column names); callers pass
    only names from fixed lists, never user text.
    """
    text = sql_text(name)
    if substitutions:
        text = text.format(**substitutions)
    return con.execute(text, params or {}).df()
