"""Undo a load: remove every row one file wrote, in one transaction, and keep an audit row.

``unload_plan`` says what a load holds (its file, council, wave and the rows of each table it
wrote) without changing anything; ``unload`` deletes those rows and the ``loads`` row, and writes
one ``unloads`` row saying what went, who removed it, why and when. Because the ``loads`` row
(and its SHA-256) is gone, the same file can then be loaded again, and it loads exactly as it did
the first time.

A load is refused while a later survey load holds returns quarantined as copies of its returns
(decision D8 keeps the first copy): later loads are never re-evaluated, so removing the first
copy would leave those people with no return at all. Unload the later load first.

The dashboard's Load data page runs this module in a process of its own (DuckDB lets one process
write the file) and reads the JSON it prints:

    python -m pipeline.ingest.unload --db PATH --load-id N --by NAME [--reason TEXT]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import re
import sys
from dataclasses import asdict, dataclass, field
from pathlib import Path

import duckdb

from pipeline.ingest.loading import SQL_DIR, IngestError
from pipeline.store.transactions import sql_statements, transaction

_DELETE = re.compile(r"^DELETE FROM (\w+)\b", re.IGNORECASE)
LIST_LOADS = "`outcomes loads`"  # the command that lists loads and their ids


class UnloadError(IngestError):
    """A load that cannot be removed; the message names it and what to do."""


@dataclass
class UnloadPlan:
    """What removing one load would delete."""

    load_id: int
    kind: str
    instrument: str | None
    council: str | None
    wave: int | None
    file_name: str
    sha256: str
    rows_read: int
    rows_loaded: int
    rows_quarantined: int
    values_quarantined: int
    loaded_at: dt.datetime | None
    rows: dict[str, int] = field(default_factory=dict)  # table -> rows this load wrote there
    dependents: list[tuple[int, str, int]] = field(default_factory=list)  # load, file, returns

    @property
    def title(self) -> str:
        """One line naming the load: id, file, kind, survey, council, wave."""
        parts = [
            self.kind,
            self.instrument,
            self.council,
            None if self.wave is None else str(self.wave),
        ]
        return f"load {self.load_id} ({self.file_name}: {', '.join(p for p in parts if p)})"

    @property
    def refusal(self) -> str | None:
        """Why this load cannot be removed now, or None."""
        if not self.dependents:
            return None
        later = "; ".join(
            f"load {load_id} ({name}) set {returns} returns aside as copies of its returns"
            for load_id, name, returns in self.dependents
        )
        first = self.dependents[0][0]
        return (
            f"{self.title} cannot be removed yet: {later}. Later loads are not re-evaluated, so "
            f"those people would be left with no return. Unload the later load first (`outcomes "
            f"unload {first}`), then this one, then load the later file again so its returns "
            "load as the first copy; nothing was removed"
        )


@dataclass
class UnloadResult:
    plan: UnloadPlan
    removed_by: str
    reason: str | None
    removed_at: dt.datetime

    @property
    def rows_removed(self) -> dict[str, int]:
        return self.plan.rows

    @property
    def message(self) -> str:
        counts = ", ".join(
            f"{rows} {table}" for table, rows in self.plan.rows.items() if rows and table != "loads"
        )
        return (
            f"removed {self.plan.title}: {counts or 'no data rows'} and its loads row; the "
            f"same file can now be loaded again (recorded in unloads, by {self.removed_by})"
        )

    def as_dict(self) -> dict:
        """The result as JSON-ready values (for the dashboard's unload process)."""
        plan = asdict(self.plan)
        plan["loaded_at"] = None if self.plan.loaded_at is None else self.plan.loaded_at.isoformat()
        return {
            "plan": plan,
            "removed_by": self.removed_by,
            "reason": self.reason,
            "removed_at": self.removed_at.isoformat(),
            "message": self.message,
        }


def _sql(name: str) -> str:
    return (SQL_DIR / name).read_text(encoding="utf-8")


def delete_statements() -> list[tuple[str, str]]:
    """(table, DELETE statement) for every table a load writes to, in the order they run."""
    statements = []
    for statement in sql_statements(_sql("unload_delete.sql")):
        match = _DELETE.match(statement)
        assert match, f"unload_delete.sql: not a DELETE: {statement[:60]}"
        statements.append((match.group(1), statement))
    return statements


def unload_plan(con: duckdb.DuckDBPyConnection, load_id: int) -> UnloadPlan:
    """What ``unload`` would remove (reads only: works on a read-only connection too).

    Raises UnloadError for a load id that is not in ``loads``, naming it (and, if it was removed
    already, who removed it and when).
    """
    rows = con.execute(
        "SELECT load_id, kind, instrument, council, wave, file_name, sha256, rows_read, "
        "rows_loaded, rows_quarantined, values_quarantined, loaded_at FROM loads WHERE load_id = ?",
        [int(load_id)],
    ).fetchall()  # fetchall, not fetchone: DuckDB 2.0 keeps an unfinished result busy
    if not rows:
        raise UnloadError(_unknown(con, int(load_id)))
    plan = UnloadPlan(*rows[0])
    params = {"load_id": int(load_id)}
    for table, statement in delete_statements():
        count = statement.replace("DELETE FROM", "SELECT count(*) FROM", 1)
        plan.rows[table] = int(con.execute(count, params).fetchall()[0][0])
    plan.rows["loads"] = 1
    plan.dependents = [
        (int(later), str(name), int(returns))
        for later, name, returns in con.execute(_sql("unload_dependents.sql"), params).fetchall()
    ]
    return plan


def _unknown(con: duckdb.DuckDBPyConnection, load_id: int) -> str:
    try:
        removed = con.execute(
            "SELECT file_name, removed_by, removed_at FROM unloads WHERE load_id = ? "
            "ORDER BY removed_at DESC LIMIT 1",
            [load_id],
        ).fetchall()
    except duckdb.CatalogException:  # read-only on a database made before migration 004
        removed = []
    if removed:
        name, by, when = removed[0]
        return (
            f"load {load_id} ({name}) was already removed by {by} at {when:%Y-%m-%d %H:%M}; "
            f"{LIST_LOADS} lists the loads still in the database"
        )
    return f"load {load_id} is not in this database; {LIST_LOADS} lists the loads and their ids"


def _delete(con: duckdb.DuckDBPyConnection, statement: str, load_id: int) -> int:
    """Run one DELETE for a load; the number of rows it removed."""
    return int(con.execute(statement, {"load_id": load_id}).fetchall()[0][0])


def unload(
    con: duckdb.DuckDBPyConnection, load_id: int, *, by: str, reason: str | None = None
) -> UnloadResult:
    """Remove every row load ``load_id`` wrote and its ``loads`` row, in one transaction.

    Writes one ``unloads`` audit row (``by`` is who asked: the OS user or the signed-in
    commissioner). Refused (UnloadError, nothing changed) for an unknown load, or while a later
    load holds returns quarantined as copies of this load's returns (see ``UnloadPlan.refusal``).
    """
    if not by or not str(by).strip():
        raise UnloadError(f"load {load_id}: say who is removing it (removed_by is recorded)")
    load_id = int(load_id)
    reason = reason.strip() if reason and reason.strip() else None
    with transaction(con):
        plan = unload_plan(con, load_id)
        if plan.refusal:
            raise UnloadError(plan.refusal)
        for table, statement in delete_statements():
            plan.rows[table] = _delete(con, statement, load_id)
        plan.rows["loads"] = _delete(con, "DELETE FROM loads WHERE load_id = $load_id", load_id)
        removed_at = con.execute(
            "INSERT INTO unloads (load_id, kind, instrument, council, wave, file_name, sha256, "
            "rows_read, rows_loaded, rows_quarantined, values_quarantined, loaded_at, "
            "rows_removed, removed_by, reason) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING removed_at",
            [
                plan.load_id,
                plan.kind,
                plan.instrument,
                plan.council,
                plan.wave,
                plan.file_name,
                plan.sha256,
                plan.rows_read,
                plan.rows_loaded,
                plan.rows_quarantined,
                plan.values_quarantined,
                plan.loaded_at,
                json.dumps(plan.rows),
                str(by).strip(),
                reason,
            ],
        ).fetchall()[0][0]
    return UnloadResult(plan, str(by).strip(), reason, removed_at)


def main(argv: list[str] | None = None) -> int:
    """Unload one load in this process and print the result (or the refusal) as JSON."""
    from pipeline.store import connect

    parser = argparse.ArgumentParser(description="Remove one load; print JSON.")
    parser.add_argument("--db", type=Path, required=True)
    parser.add_argument("--load-id", type=int, required=True)
    parser.add_argument("--by", required=True)
    parser.add_argument("--reason")
    args = parser.parse_args(argv)
    try:
        con = connect(args.db)
        try:
            result = unload(con, args.load_id, by=args.by, reason=args.reason)
        finally:
            con.close()
    except (IngestError, ValueError, RuntimeError) as error:
        print(json.dumps({"error": str(error)}))
        return 1
    print(json.dumps(result.as_dict()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
