"""Actions against findings from the command line: ``outcomes actions add|list|update|history``.

The same records as the dashboard's Actions page (``pipeline.collect.actions``), made with your
OS user name unless ``--by`` names someone else. Every change is kept in ``action_history``.
"""

from __future__ import annotations

import sys
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING

import typer
from rich.markup import escape
from rich.table import Table

from pipeline.commands.ingest import DB_OPTION, _db, console, fail
from pipeline.commands.unload import _os_user

if TYPE_CHECKING:
    import pandas as pd

actions_app = typer.Typer(
    help="Record what the council will do about a finding, and how it is going.",
    no_args_is_help=True,
)


class Format(StrEnum):
    table = "table"
    csv = "csv"
    json = "json"


BY_OPTION = typer.Option(None, "--by", help="Who made the change (default: your OS user name).")
STATUS_HELP = "not_started, under_way or done."
LIST_COLUMNS = {
    "action_id": "id",
    "council": "council",
    "wave": "wave",
    "question_code": "question",
    "finding_comparison": "finding",
    "action_text": "action",
    "owner": "owner",
    "due": "due",
    "status": "status",
    "public": "public",
    "public_update": "public update",
}
HISTORY_COLUMNS = {
    "action_id": "id",
    "changed_at": "when",
    "changed_by": "who",
    "change": "change",
    "field": "field",
    "old_value": "was",
    "new_value": "now",
}


def _writable(db: Path | None):  # noqa: ANN202 - a DuckDB connection
    from pipeline.store import connect

    path = _db(db)
    if not path.exists():
        fail(f"{path}: no database here")
    return connect(path)


def _emit(frame: pd.DataFrame, output: Format, columns: dict[str, str], title: str) -> None:
    import pandas as pd  # here, not at the top: `outcomes --help` needs no pandas

    if output is Format.csv:
        frame.to_csv(sys.stdout, index=False)
        return
    if output is Format.json:
        sys.stdout.write(frame.to_json(orient="records", indent=2, date_format="iso") + "\n")
        return
    records = frame[list(columns)].astype(object).to_dict("records")
    cells = [["" if pd.isna(v) else escape(str(v)) for v in r.values()] for r in records]
    if console.width < 12 * len(columns) + 20:
        # too narrow for one column per field (a word a line): one block per record instead
        console.print(f"[bold]{escape(title)}[/]")
        for row in cells:
            block = Table.grid(padding=(0, 2))
            block.add_column(style="bold", no_wrap=True)
            block.add_column(overflow="fold")
            for heading, value in zip(columns.values(), row, strict=True):
                block.add_row(escape(heading), value)
            console.print()
            console.print(block)
        return
    table = Table(title=escape(title), title_justify="left")
    for heading in columns.values():
        table.add_column(heading, overflow="fold")
    for row in cells:
        table.add_row(*row)
    console.print(table)


@actions_app.command("add")
def add(
    council: str = typer.Option(..., "--council", "-c", help="Council name or ONS code."),
    wave: int = typer.Option(..., "--wave", "-w", help="The wave whose finding this answers."),
    question: str = typer.Option(
        ..., "--question", "-q", help="Outcome question or process step: code or its label."
    ),
    action: str = typer.Option(..., "--action", help="What will change: 'We said we would ...'"),
    owner: str = typer.Option(..., "--owner", help="Who is responsible (never published)."),
    due: str = typer.Option(..., "--due", help="By when: YYYY-MM-DD (or YYYY-MM)."),
    public: bool = typer.Option(False, "--public", help="Show it on the public pages."),
    update: str | None = typer.Option(None, "--update", help="A short public progress note."),
    status: str = typer.Option("not_started", "--status", help=STATUS_HELP),
    instrument: str = typer.Option("poet-holder", "--instrument", "-i"),
    by: str | None = BY_OPTION,
    db: Path | None = DB_OPTION,
) -> None:
    """Record an action against a finding (the finding's result and verdict are kept with it)."""
    from pipeline.collect.actions import ActionError, add_action

    con = _writable(db)
    try:
        action_id = add_action(
            con,
            council=council,
            wave=wave,
            question=question,
            action=action,
            owner=owner,
            due=due,
            by=by or _os_user(),
            instrument=instrument,
            status=status,
            public=public,
            public_update=update,
        )
        import pipeline.analysis as analysis

        everything = analysis.actions(con)
        row = everything[everything["action_id"] == action_id].iloc[0]
    except ActionError as error:
        fail(str(error))
    finally:
        con.close()
    shown = "public" if row["public"] else "not public"
    console.print(
        f"[green]Action {action_id} recorded for {escape(row['council'])}, {wave}, "
        f"{row['question_code']} (finding: {row['finding_comparison']} against the benchmark; "
        f"{shown}).[/]",
        highlight=False,
    )


@actions_app.command("list")
def list_actions(
    council: str | None = typer.Option(None, "--council", "-c"),
    wave: int | None = typer.Option(None, "--wave", "-w"),
    public_only: bool = typer.Option(False, "--public-only", help="Only public actions."),
    output: Format = typer.Option(Format.table, "--format", "-f", help="table, csv or json."),
    db: Path | None = DB_OPTION,
) -> None:
    """Every action with its finding, owner, due date, status and whether it is public."""
    import pipeline.analysis as analysis
    from pipeline.store import read_only_connection

    con = read_only_connection(_db(db))
    try:
        stored = analysis.loaded_council(con, council) if council else None
        frame = analysis.actions(con, council=stored, wave=wave, public_only=public_only)
    except ValueError as error:
        fail(str(error))
    finally:
        con.close()
    _emit(frame, output, LIST_COLUMNS, f"Actions ({len(frame)})")


@actions_app.command("update")
def update(
    action_id: int = typer.Argument(..., help="The action's id, as `outcomes actions list` shows."),
    status: str | None = typer.Option(None, "--status", help=STATUS_HELP),
    public_update: str | None = typer.Option(None, "--update", help="New public progress note."),
    public: bool | None = typer.Option(
        None, "--public/--private", help="Show it on the public pages, or take it off them."
    ),
    action: str | None = typer.Option(None, "--action", help="New wording of the action."),
    owner: str | None = typer.Option(None, "--owner"),
    due: str | None = typer.Option(None, "--due", help="New due date, YYYY-MM-DD."),
    by: str | None = BY_OPTION,
    db: Path | None = DB_OPTION,
) -> None:
    """Change an action's status, public note, visibility, wording, owner or due date."""
    from pipeline.collect.actions import ActionError, update_action

    con = _writable(db)
    try:
        changed = update_action(
            con,
            action_id,
            by=by or _os_user(),
            status=status,
            public_update=public_update,
            public=public,
            action_text=action,
            owner=owner,
            due=due,
        )
    except ActionError as error:
        fail(str(error))
    finally:
        con.close()
    if not changed:
        console.print(f"Action {action_id}: nothing changed.")
        return
    console.print(f"[green]Action {action_id}: changed {', '.join(changed)}.[/]", highlight=False)


@actions_app.command("history")
def history(
    action_id: int | None = typer.Argument(None, help="One action's id (default: every action)."),
    output: Format = typer.Option(Format.table, "--format", "-f", help="table, csv or json."),
    db: Path | None = DB_OPTION,
) -> None:
    """Every change ever made: who, when, which field, what it was and what it became."""
    import pipeline.analysis as analysis
    from pipeline.store import read_only_connection

    con = read_only_connection(_db(db))
    try:
        frame = analysis.action_history(con, action_id)
    finally:
        con.close()
    _emit(frame, output, HISTORY_COLUMNS, f"Changes to actions ({len(frame)})")


def register(app: typer.Typer) -> None:
    app.add_typer(actions_app, name="actions")
