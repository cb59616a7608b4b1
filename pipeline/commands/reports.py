"""The ``report`` command: a council's downloads, or every council's and an index page."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.console import Console
from rich.markup import escape

from pipeline.config import default_db_path

console = Console()
errors = Console(stderr=True)


def report(
    council: str | None = typer.Option(None, "--council", "-c", help="The council to report on."),
    wave: int = typer.Option(..., "--wave", "-w", help="Survey wave (year), e.g. 2025."),
    out: Path = typer.Option(Path("reports"), "--out", "-o", help="Folder to write into."),
    all_councils: bool = typer.Option(
        False, "--all-councils", help="Every council with returns for the wave, plus index.html."
    ),
    instrument: str = typer.Option("poet-holder", "--instrument", "-i", help="Instrument id."),
    formats: str = typer.Option(
        "html,pdf,xlsx,csv,charts,easy_read,people_like_me",
        "--formats",
        help="Comma-separated: html, pdf, xlsx, csv, charts, easy_read, people_like_me.",
    ),
    workers: int | None = typer.Option(
        None, "--workers", help="Parallel processes for --all-councils (default: one per CPU)."
    ),
    db: Path | None = typer.Option(None, "--db", help="The DuckDB file (default: $OUTCOMES_DB)."),
) -> None:
    """Write the local results page, PDF, Excel tables, open-data CSV, charts, easy read and the
    "people like me" page with its CSV."""
    from pipeline import analysis
    from pipeline.reports.browser import BrowserUnavailable
    from pipeline.reports.builder import FORMATS, build_all_councils, build_council_report

    chosen = tuple(f.strip() for f in formats.split(",") if f.strip())
    unknown = sorted(set(chosen) - set(FORMATS))
    if unknown:
        errors.print(f"[bold red]error:[/] unknown format(s) {unknown}; choose from {FORMATS}")
        raise typer.Exit(code=1)
    if not all_councils and not council:
        errors.print("[bold red]error:[/] give --council NAME, or --all-councils")
        raise typer.Exit(code=1)
    try:
        con = analysis.open_database(Path(db) if db else default_db_path())
    except (FileNotFoundError, RuntimeError) as error:
        errors.print(f"[bold red]error:[/] {error}", highlight=False)
        raise typer.Exit(code=1) from error
    try:
        if all_councils:
            try:
                built = build_all_councils(
                    con, wave, out, instrument=instrument, formats=chosen, workers=workers
                )
            except BrowserUnavailable as error:
                errors.print(f"[bold red]error:[/] {escape(str(error))}", highlight=False)
                raise typer.Exit(code=1) from error
            count = len(built) - 1
            console.print(f"Wrote {count} councils' reports and {built['__index__']['html']}")
            return
        try:
            council = analysis.loaded_council(con, council)
        except ValueError as error:
            errors.print(f"[bold red]error:[/] {escape(str(error))}", highlight=False)
            raise typer.Exit(code=1) from error
        try:
            files = build_council_report(
                con, council, wave, out, instrument=instrument, formats=chosen
            )
        except (analysis.NoDataError, BrowserUnavailable) as error:
            errors.print(f"[bold red]error:[/] {escape(str(error))}", highlight=False)
            raise typer.Exit(code=1) from error
        for name, path in files.items():
            console.print(f"{name:>22}  {path}", highlight=False)
    finally:
        con.close()


def register(app: typer.Typer) -> None:
    """Add ``report`` to the ``outcomes`` command."""
    app.command("report")(report)
