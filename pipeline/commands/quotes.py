"""Quote moderation from the command line: ``outcomes quotes list|approve|reject``.

The same decisions as the dashboard's Quotes page (``pipeline.moderation.decide``), recorded
with your OS user name. Comments are shown with their personal details redacted; a comment is
named by the start of its respondent key (as ``list`` shows it) and its question.
"""

from __future__ import annotations

from pathlib import Path

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from pipeline.commands.answer_cache import cached_answer
from pipeline.commands.ingest import DB_OPTION, _db, console, fail
from pipeline.commands.unload import _os_user

quotes_app = typer.Typer(help="Moderate free-text comments: only approved quotes are published.")
KEY_SHOWN = 12  # characters of the respondent key that name a comment here


def _queue(con, council: str, wave: int, instrument: str):  # noqa: ANN001, ANN202
    import pipeline.analysis as analysis

    try:
        stored = analysis.loaded_council(con, council)
        return stored, analysis.moderation_queue(
            con, council=stored, wave=wave, instrument=instrument
        )
    except ValueError as error:
        fail(str(error))


@quotes_app.command("list")
@cached_answer("quotes list")
def list_quotes(
    council: str = typer.Argument(..., help="The council, as loaded (any case) or ONS code."),
    wave: int = typer.Argument(..., help="The survey wave (year)."),
    instrument: str = typer.Option("poet-holder", "--instrument"),
    status: str = typer.Option("all", "--status", help="pending, approved, rejected or all."),
    db: Path | None = DB_OPTION,
) -> None:
    """Each comment's key, question, status and text to publish (redacted, never as written)."""
    from pipeline.store import read_only_connection

    con = read_only_connection(_db(db))
    try:
        stored, queue = _queue(con, council, wave, instrument)
    finally:
        con.close()
    if status != "all":
        queue = queue[queue["status"] == status]
    table = Table(title=f"Comments for {escape(stored)}, {wave} ({len(queue)})")
    for column in ("key", "question", "status", "by", "text to publish", "details found"):
        table.add_column(column, overflow="fold")
    for row in queue.itertuples(index=False):
        by = row.approved_by if row.status == "approved" else row.decided_by
        table.add_row(
            row.respondent_key[:KEY_SHOWN],
            row.question_code,
            row.status,
            escape(str(by)) if isinstance(by, str) else "",
            escape(row.to_publish),
            escape(", ".join(label for label, _ in row.details)),
        )
    Console().print(table)


def _decide(
    status: str,
    council: str,
    wave: int,
    key: str,
    question: str,
    instrument: str,
    text: str | None,
    notes: str | None,
    db: Path | None,
) -> None:
    from pipeline.moderation import CommentKey, ModerationError, decide
    from pipeline.store import connect

    path = _db(db)
    if not path.exists():
        fail(f"{path}: no database here")
    con = connect(path)
    try:
        stored, queue = _queue(con, council, wave, instrument)
        match = queue[
            queue["respondent_key"].str.startswith(key) & (queue["question_code"] == question)
        ]
        if len(match) != 1:
            fail(
                f"{len(match)} {question} comments in {stored}, {wave} have a key starting "
                f"{key!r}: give the key as `outcomes quotes list` shows it"
            )
        comment = CommentKey(match["respondent_key"].iloc[0], instrument, stored, wave, question)
        try:
            message = decide(con, comment, status=status, by=_os_user(), text=text, notes=notes)
        except ModerationError as error:
            fail(str(error))
    finally:
        con.close()
    console.print(f"[green]{escape(message[0].upper() + message[1:])}.[/]", highlight=False)


KEY_ARGUMENT = typer.Argument(..., help="The comment's key as `outcomes quotes list` shows it.")
QUESTION_OPTION = typer.Option("comment_best", "--question", help="comment_best or comment_change.")
TEXT_OPTION = typer.Option(
    None, "--text", help="The text to publish (default: the automatic redaction)."
)
NOTES_OPTION = typer.Option(None, "--notes", help="Why (kept with the decision).")


@quotes_app.command("approve")
def approve(
    council: str = typer.Argument(...),
    wave: int = typer.Argument(...),
    key: str = KEY_ARGUMENT,
    question: str = QUESTION_OPTION,
    instrument: str = typer.Option("poet-holder", "--instrument"),
    text: str | None = TEXT_OPTION,
    notes: str | None = NOTES_OPTION,
    db: Path | None = DB_OPTION,
) -> None:
    """Approve a quote for publication, as redacted (or as --text)."""
    _decide("approved", council, wave, key, question, instrument, text, notes, db)


@quotes_app.command("reject")
def reject(
    council: str = typer.Argument(...),
    wave: int = typer.Argument(...),
    key: str = KEY_ARGUMENT,
    question: str = QUESTION_OPTION,
    instrument: str = typer.Option("poet-holder", "--instrument"),
    notes: str | None = NOTES_OPTION,
    db: Path | None = DB_OPTION,
) -> None:
    """Reject a comment: it is never published."""
    _decide("rejected", council, wave, key, question, instrument, None, notes, db)


def register(app: typer.Typer) -> None:
    app.add_typer(quotes_app, name="quotes")
