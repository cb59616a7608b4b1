"""Commands for the pseudonym key: check it against a database, create one for a new install."""

from __future__ import annotations

import os
from pathlib import Path

import typer
from rich.console import Console
from rich.markup import escape

from pipeline.commands.ingest import DB_OPTION, _db, fail
from pipeline.config import key_file_path

console = Console()
key_app = typer.Typer(
    help="The pseudonym key: check it matches the database, or create one for a new install.",
    no_args_is_help=True,
)


@key_app.command("check")
def check(db: Path | None = DB_OPTION) -> None:
    """Say where the key comes from, whether it is strong enough and whether it is the database's.

    Exits 0 when the key matches the database (or the database has no fingerprint yet), 1 when
    the key is missing, too weak, or not the one the database was built with.
    """
    from pipeline.ingest.key_guard import key_status

    try:
        status = key_status(_db(db))
    except RuntimeError as error:  # the database stayed locked
        fail(str(error))
    for fine, message in status.lines:
        colour = "green" if fine else "red"
        console.print(f"[{colour}]{escape(message)}[/]", highlight=False, soft_wrap=True)
    if not status.ok:
        raise typer.Exit(code=1)


@key_app.command("create")
def create() -> None:
    """Write a new key file (32 random bytes, mode 600); an existing key file is never replaced."""
    from pipeline.ingest.pseudonymise import KEY_ENV, PseudonymKeyError, create_key_file

    try:
        path = create_key_file(key_file_path())
    except PseudonymKeyError as error:
        fail(str(error))
    console.print(
        f"[green]created a new pseudonym key at {escape(str(path))}.[/] Back it up somewhere "
        "safe: without it, later loads cannot link to the data loaded with it.",
        highlight=False,
        soft_wrap=True,
    )
    if KEY_ENV in os.environ:
        console.print(
            f"[yellow]${KEY_ENV} is set, and it is used instead of this file while it is.[/]",
            highlight=False,
        )


def register(app: typer.Typer) -> None:
    app.add_typer(key_app, name="key")
