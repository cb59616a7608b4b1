"""One transaction helper and one SQL-script splitter for every stage that writes.

Every write (a load, an unload, a migration, the reference-data sync) is all or nothing: a
failure half-way leaves the database exactly as it was. Scripts in ``.sql`` files beside the
stage that runs them hold several statements; :func:`sql_statements` splits them the one way
the project writes them (statements end with ``;`` at the end of a line, ``--`` comments on
lines of their own).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import duckdb


@contextmanager
def transaction(con: duckdb.DuckDBPyConnection) -> Iterator[None]:
    """Commit on success, roll back on any error (including KeyboardInterrupt)."""
    con.execute("BEGIN TRANSACTION")
    try:
        yield
    except BaseException:
        con.execute("ROLLBACK")
        raise
    con.execute("COMMIT")


def sql_statements(text: str) -> list[str]:
    """The statements of a SQL script, without comment lines or empty statements."""
    lines = [line for line in text.splitlines() if not line.lstrip().startswith("--")]
    parts = "\n".join(lines).replace(";\n", ";\x00").rstrip().removesuffix(";").split(";\x00")
    return [part.strip().removesuffix(";").strip() for part in parts if part.strip().strip(";")]
