"""Commands that list loads and undo one: ``outcomes loads`` and ``outcomes unload LOAD_ID``."""

from __future__ import annotations

import getpass
from pathlib import Path

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from pipeline.commands.answer_cache import cached_answer
from pipeline.commands.ingest import DB_OPTION, _db, console, fail

LOAD_COLUMNS = (
    "load_id",
    "file_name",
    "kind",
    "instrument",
    "council",
    "wave",
    "rows_loaded",
    "rows_quarantined",
    "loaded_at",
)


def loads(db: Path | None = DB_OPTION) -> None:
    """Every load with its id (what `outcomes unload` takes), file, council, wave and rows."""
    import pipeline.analysis as analysis
    from pipeline.store import read_only_connection

    try:
        con = read_only_connection(_db(db))
    except (FileNotFoundError, RuntimeError) as error:
        fail(str(error))
    try:
        frame = analysis.loads(con).sort_values("load_id")
    finally:
        con.close()
    table = Table(title=f"Loads ({len(frame)})")
    for column in LOAD_COLUMNS:
        table.add_column(column.replace("_", " "), overflow="fold")
    for row in frame[list(LOAD_COLUMNS)].itertuples(index=False):
        table.add_row(*[_cell(value) for value in row])
    Console().print(table)  # a fresh console measures the terminal (or $COLUMNS) now


def _cell(value: object) -> str:
    import pandas as pd  # here, not at the top: `outcomes --help` needs no pandas

    if value is None or bool(pd.isna(value)):  # None, NaN, NaT or pandas' NA
        return ""
    if hasattr(value, "strftime"):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return escape(str(value))


def unload(
    load_id: int = typer.Argument(..., help="The load to remove (`outcomes loads` lists them)."),
    reason: str | None = typer.Option(
        None, "--reason", help="Why it is removed (kept in the unloads audit table)."
    ),
    yes: bool = typer.Option(False, "--yes", "-y", help="Do not ask for confirmation."),
    db: Path | None = DB_OPTION,
) -> None:
    """Remove every row one load wrote, in one transaction, so the file can be loaded again.

    Shows what will go and asks first (unless --yes). An audit row in `unloads` keeps what was
    removed, by whom (your user name) and when.
    """
    from pipeline.ingest import IngestError
    from pipeline.ingest.unload import unload as remove_load
    from pipeline.ingest.unload import unload_plan
    from pipeline.store import connect

    path = _db(db)
    if not path.exists():
        fail(f"{path}: no database here; nothing to unload")
    con = connect(path)
    try:
        try:
            plan = unload_plan(con, load_id)
        except IngestError as error:
            fail(str(error))
        console.print(f"Unload {escape(plan.title)}, loaded {_cell(plan.loaded_at)}:")
        table = Table()
        table.add_column("table")
        table.add_column("rows to remove", justify="right")
        for name, rows in plan.rows.items():
            if rows:
                table.add_row(name, str(rows))
        Console().print(table)
        if plan.refusal:
            fail(plan.refusal)
        if not yes and not typer.confirm(f"Remove load {load_id} and all these rows?"):
            fail(f"load {load_id}: not removed (answered no)")
        try:
            result = remove_load(con, load_id, by=_os_user(), reason=reason)
        except IngestError as error:
            fail(str(error))
    finally:
        con.close()
    console.print(f"[green]{escape(result.message)}[/]", highlight=False)


def _os_user() -> str:
    """Who is running the command, for the audit row (the OS account name)."""
    try:
        return getpass.getuser()
    except (OSError, KeyError):  # no login name in the environment or the password database
        return "unknown user"


def register(app: typer.Typer) -> None:
    app.command("loads")(cached_answer("loads")(loads))
    app.command("unload")(unload)
