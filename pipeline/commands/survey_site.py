"""``outcomes survey-site``: serve the online survey and paper keying; ``outcomes
collect-merge``: move stored submissions into the database now."""

from __future__ import annotations

import logging
import os
from pathlib import Path

import typer

from pipeline.config import default_db_path

DB_OPTION = typer.Option(
    None, "--db", help="The DuckDB file (default: data/outcomes.duckdb, or $OUTCOMES_DB)."
)


def survey_site(
    db: Path | None = DB_OPTION,
    host: str = typer.Option(
        "127.0.0.1", "--host", help="Address to bind; put a TLS proxy in front to publish it."
    ),
    port: int = typer.Option(8502, "--port", help="Port to serve on."),
    secure_cookies: bool = typer.Option(
        False,
        "--secure-cookies",
        help="Send the session cookie over HTTPS only (set this behind a TLS proxy).",
    ),
    merge_interval: float = typer.Option(
        1.0, "--merge-interval", help="Seconds between moves of new returns into the database."
    ),
) -> None:
    """Serve the survey: people enter their invitation code and answer; staff key paper
    returns at /staff/key. Returns are safe on disk the moment they are sent, and are moved
    into the database in the background (through the same checks as a loaded file)."""
    import uvicorn

    from pipeline.collect.site.app import create_app, govuk_frontend_dir

    path = Path(db) if db else default_db_path()
    if not path.exists():
        typer.echo(
            f"{path}: no database here; load a budget register and draw a sample first", err=True
        )
        raise typer.Exit(code=1)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s: %(message)s")
    if govuk_frontend_dir() is None:
        typer.echo(
            "note: GOV.UK Frontend is not installed (run scripts/setup.sh with npm available); "
            "serving with the plain fallback stylesheet",
            err=True,
        )
    app = create_app(
        path,
        merge_interval=merge_interval,
        session_secret=os.environ.get("OUTCOMES_SURVEY_SESSION_SECRET"),
        secure_cookies=secure_cookies,
    )
    typer.echo(f"Survey site for {path} at http://{host}:{port} (staff keying: /staff/key)")
    uvicorn.run(app, host=host, port=port, log_level="warning", proxy_headers=True)


def collect_merge(
    db: Path | None = DB_OPTION,
    timeout: float = typer.Option(
        120.0, "--timeout", help="Seconds to keep trying while another process holds the database."
    ),
) -> None:
    """Move every stored survey-site and paper-keyed return into the database now."""
    from pipeline.collect.merge import DatabaseBusy, merge_until_done
    from pipeline.collect.submissions import SubmissionStore, store_path_for

    path = Path(db) if db else default_db_path()
    store_file = store_path_for(path)
    if not store_file.exists():
        typer.echo(f"{store_file}: no survey submissions stored for {path}")
        return
    store = SubmissionStore(store_file)
    try:
        report = merge_until_done(path, store, timeout=timeout)
    except DatabaseBusy as error:
        typer.echo(
            f"{path}: still held by another process after {timeout:.0f} s: {error}", err=True
        )
        raise typer.Exit(code=1) from error
    counts = store.counts()
    typer.echo(
        f"{report.describe()}; store holds {counts['stored']} submissions, "
        f"{counts['waiting']} not yet in the database"
    )


def register(app: typer.Typer) -> None:
    app.command("survey-site")(survey_site)
    app.command("collect-merge")(collect_merge)
