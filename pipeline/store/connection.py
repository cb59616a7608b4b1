"""Open the DuckDB file, apply numbered migrations and keep instrument reference rows current.

Writers call :func:`connect`; the dashboards and reports call :func:`read_only_connection`,
which retries briefly because DuckDB lets one process hold the file for writing and a load may
be committing at that moment.
"""

from __future__ import annotations

import re
import time
from pathlib import Path

import duckdb

from pipeline.store import reference_versions
from pipeline.store.benchmarks_shipped import sync_shipped_benchmarks
from pipeline.store.kept_answers import forget_answers_now_and_at_exit
from pipeline.store.transactions import transaction

MIGRATIONS_DIR = Path(__file__).parent / "migrations"
_MIGRATION_NAME = re.compile(r"^(\d{3})_([\w-]+)\.sql$")


def migrations() -> list[tuple[int, str, Path]]:
    """The numbered migration files in order: (version, name, path)."""
    found = []
    for path in sorted(MIGRATIONS_DIR.glob("*.sql")):
        match = _MIGRATION_NAME.match(path.name)
        if match:
            found.append((int(match.group(1)), match.group(2), path))
    return found


def apply_migrations(con: duckdb.DuckDBPyConnection) -> list[int]:
    """Apply every migration not yet recorded in ``schema_migrations``; return those applied."""
    con.execute(
        "CREATE TABLE IF NOT EXISTS schema_migrations ("
        "version INTEGER PRIMARY KEY, name VARCHAR, applied_at TIMESTAMP DEFAULT current_timestamp)"
    )
    done = {row[0] for row in con.execute("SELECT version FROM schema_migrations").fetchall()}
    applied = []
    for version, name, path in migrations():
        if version in done:
            continue
        with transaction(con):
            con.execute(path.read_text(encoding="utf-8"))
            con.execute(
                "INSERT INTO schema_migrations (version, name) VALUES (?, ?)", [version, name]
            )
        applied.append(version)
    return applied


def sync_question_scales(con: duckdb.DuckDBPyConnection) -> None:
    """Rewrite ``question_scales`` from the instrument YAML files (reference data, not facts).

    New question and answer codes are first given ids in ``codes``; existing ids never change.
    """
    # Imported here: a read-only connection (every command that only reads) needs neither.
    import pandas as pd

    from pipeline.instruments import all_instruments

    rows = []
    for instrument in all_instruments().values():
        for question in instrument.coded_questions:
            scale = question.scale
            assert scale is not None
            for answer in scale.codes:
                group = scale.group_of(answer.code)
                rows.append(
                    (
                        instrument.id,
                        question.code,
                        question.section,
                        question.domain,
                        scale.name,
                        answer.code,
                        answer.label,
                        answer.order,
                        answer.missing,
                        group,
                        group is not None and group == scale.positive,
                    )
                )
    columns = [
        "instrument",
        "question_code",
        "section",
        "domain",
        "scale",
        "answer_code",
        "answer_label",
        "answer_order",
        "is_missing",
        "answer_group",
        "is_positive",
    ]
    frame = pd.DataFrame(rows, columns=columns)
    version = reference_versions.fingerprint(
        frame.to_csv(index=False).encode("utf-8"), _sql("sync_question_scales.sql").encode()
    )
    if reference_versions.is_current(con, "question_scales", version):
        return  # nothing changed: leave the file as it is
    con.register("scales_from_yaml", frame)
    try:
        with transaction(con):
            con.execute(
                _sql("sync_question_scales.sql")
            ).fetchall()  # finish: DuckDB 2.0 keeps it open
            reference_versions.record(con, "question_scales", version)
    finally:
        con.unregister("scales_from_yaml")


def code_ids(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """Every registered question or answer code and its id."""
    return {
        code: int(code_id)
        for code_id, code in con.execute("SELECT code_id, code FROM codes").fetchall()
    }


def _sql(name: str) -> str:
    return (Path(__file__).parent / name).read_text(encoding="utf-8")


def connect(db_path: str | Path, *, sync_reference: bool = True) -> duckdb.DuckDBPyConnection:
    """Open (creating if needed) the database for writing, migrated and with current scales."""
    path = Path(db_path)
    path.parent.mkdir(parents=True, exist_ok=True)
    con = _retry_while_locked(lambda: duckdb.connect(str(path)), path)
    if str(db_path) != ":memory:":
        forget_answers_now_and_at_exit(path)
    apply_migrations(con)
    if sync_reference:
        sync_question_scales(con)
        sync_shipped_benchmarks(con)
    return con


LOCK_WAIT_SECONDS = 60.0  # how long to wait for another process's load to commit


def _retry_while_locked(open_database, path: Path, wait_seconds: float = 0.25):  # noqa: ANN001, ANN202
    """Open with ``open_database()``, retrying while another process holds the file's lock."""
    deadline = time.monotonic() + LOCK_WAIT_SECONDS
    while True:
        try:
            return open_database()
        except duckdb.IOException as error:
            if "lock" not in str(error).lower() or time.monotonic() > deadline:
                raise RuntimeError(
                    f"{path}: the database stayed locked by another process: {error}"
                ) from error
            time.sleep(wait_seconds)


def read_only_connection(db_path: str | Path) -> duckdb.DuckDBPyConnection:
    """Open the database read-only, waiting (up to LOCK_WAIT_SECONDS) while a load commits."""
    path = Path(db_path)
    if not path.exists():
        raise FileNotFoundError(
            f"{path}: no database here; run `outcomes demo` or load files first"
        )
    return _retry_while_locked(lambda: duckdb.connect(str(path), read_only=True), path)


def database_file(con: duckdb.DuckDBPyConnection) -> str | None:
    """The file behind a connection (None in memory), so other processes can open their own."""
    rows = con.execute(
        "SELECT path FROM duckdb_databases() WHERE database_name = current_database()"
    ).fetchall()
    return str(rows[0][0]) if rows and rows[0][0] else None
