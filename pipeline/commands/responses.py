"""Peer responses from the command line: ``outcomes responses list|approve|reject``.

The same decisions as the dashboard's Peer responses page
(``pipeline.collect.responses.decide``), recorded with your OS user name (or ``--by``). Responses
reach the database from the survey site's /respond form through the merger (``outcomes
collect-merge`` moves any waiting now). ``list`` shows the words to publish, never the text as
sent; the contact is shown only with ``--contact``, for writing back.
"""

from __future__ import annotations

from pathlib import Path

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from pipeline.commands.ingest import DB_OPTION, _db, console, fail
from pipeline.commands.unload import _os_user

responses_app = typer.Typer(
    help="Moderate peer networks' responses to the results: only approved ones are published."
)


@responses_app.command("list")
def list_responses(
    council: str | None = typer.Option(None, "--council", help="One council (any case)."),
    wave: int | None = typer.Option(None, "--wave"),
    status: str = typer.Option("all", "--status", help="pending, approved, rejected or all."),
    contact: bool = typer.Option(False, "--contact", help="Show the contact given (private)."),
    db: Path | None = DB_OPTION,
) -> None:
    """Each response's id, council, status, the words to publish and the council's reply."""
    import pipeline.analysis as analysis
    from pipeline.store import read_only_connection

    con = read_only_connection(_db(db))
    try:
        stored = None
        if council:
            try:
                stored = analysis.loaded_council(con, council)
            except ValueError as error:
                fail(str(error))
        frame = analysis.peer_responses(
            con, council=stored, wave=wave, status=None if status == "all" else status
        )
    finally:
        con.close()
    table = Table(title=f"Peer responses ({len(frame)})")
    columns = ["id", "council", "wave", "status", "by", "organisation", "text to publish"]
    columns += ["reply", "details found"] + (["contact"] if contact else [])
    for column in columns:
        table.add_column(column, overflow="fold")
    for row in frame.itertuples(index=False):
        by = row.approved_by if row.status == "approved" else row.decided_by
        cells = [
            str(row.response_id),
            escape(row.council),
            str(row.wave),
            row.status,
            escape(str(by)) if isinstance(by, str) else "",
            escape(row.published_organisation),
            escape(row.published_text),
            escape(row.council_reply) if isinstance(row.council_reply, str) else "",
            escape(", ".join(label for label, _ in row.details)),
        ]
        table.add_row(*cells, *([escape(row.contact)] if contact else []))
    Console().print(table)


def _decide(status: str, response_id: int, db: Path | None, **words: str | None) -> None:
    from pipeline.collect.responses import ResponseError, decide
    from pipeline.store import connect

    path = _db(db)
    if not path.exists():
        fail(f"{path}: no database here")
    by = words.pop("by") or _os_user()
    con = connect(path)
    try:
        message = decide(con, response_id, status=status, by=by, **words)
    except ResponseError as error:
        fail(str(error))
    finally:
        con.close()
    console.print(f"[green]{escape(message[0].upper() + message[1:])}.[/]", highlight=False)


ID_ARGUMENT = typer.Argument(..., help="The response's id as `outcomes responses list` shows it.")
NOTES_OPTION = typer.Option(None, "--notes", help="Why (kept with the decision, never published).")
BY_OPTION = typer.Option(None, "--by", help="Who decided (default: your OS user name).")


@responses_app.command("approve")
def approve(
    response_id: int = ID_ARGUMENT,
    text: str | None = typer.Option(
        None, "--text", help="The text to publish (default: the redaction held)."
    ),
    organisation: str | None = typer.Option(
        None, "--organisation", help="The organisation as published."
    ),
    reply: str | None = typer.Option(None, "--reply", help="The council's public reply."),
    notes: str | None = NOTES_OPTION,
    by: str | None = BY_OPTION,
    db: Path | None = DB_OPTION,
) -> None:
    """Approve a response for publication beside the results, with the council's reply."""
    _decide(
        "approved", response_id, db, text=text, organisation=organisation, reply=reply,
        notes=notes, by=by,
    )  # fmt: skip


@responses_app.command("reject")
def reject(
    response_id: int = ID_ARGUMENT,
    notes: str | None = NOTES_OPTION,
    by: str | None = BY_OPTION,
    db: Path | None = DB_OPTION,
) -> None:
    """Reject a response: it is never published."""
    _decide("rejected", response_id, db, notes=notes, by=by)


def register(app: typer.Typer) -> None:
    app.add_typer(responses_app, name="responses")
