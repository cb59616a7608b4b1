"""Commands that put data in and say what is there: ingest, status, quarantine, demo."""

from __future__ import annotations

import json
from collections import namedtuple
from pathlib import Path

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from pipeline.config import default_db_path

console = Console()
errors = Console(stderr=True)

DB_OPTION = typer.Option(
    None, "--db", help="The DuckDB file (default: data/outcomes.duckdb, or $OUTCOMES_DB)."
)
NEW_COUNCIL_OPTION = typer.Option(
    False,
    "--new-council",
    help=(
        "The council is not in the council register (a test council, a Welsh or Scottish "
        "area, a provider): store it under the name given. Later loads find it without this."
    ),
)
ingest_app = typer.Typer(
    help="Load a council's files: survey exports, the budget register, benchmark tables.",
    no_args_is_help=True,
)


def _db(db: Path | None) -> Path:
    return Path(db) if db else default_db_path()


EXIT_REFUSED = 1  # refused or failed: nothing from that file was stored
EXIT_ALREADY_LOADED = 3  # nothing stored because every file was already loaded, so scripts notice


def fail(message: str) -> None:
    """Print a one-line reason and exit non-zero."""
    errors.print(f"[bold red]error:[/] {escape(message)}", highlight=False, soft_wrap=True)
    raise typer.Exit(code=EXIT_REFUSED)


def _report(result) -> None:
    """Print a load's result; values such as ``[c]`` are escaped so rich shows them as written."""
    if result.status == "already_loaded":
        console.print(f"[yellow]{escape(result.message)}[/]", highlight=False)
        return
    console.print(f"[green]{escape(result.message)}[/]", highlight=False)
    for note in result.notes:
        console.print(f"[dim]note: {escape(note)}[/]", highlight=False, soft_wrap=True)
    unusual = [
        m
        for m in result.column_report
        if m.method in ("fuzzy", "ambiguous", "unmatched", "duplicate", "ignored", "id words")
    ]
    if unusual:
        table = Table(title="Columns to check", show_lines=False)
        for name in ("column", "matched to", "how", "score", "runner-up"):
            table.add_column(name)
        for match in unusual:
            table.add_row(
                escape(match.column),
                match.code or "-",
                match.method,
                f"{match.score:.0f}",
                "-"
                if match.runner_up is None
                else f"{match.runner_up} ({match.runner_up_score or 0:.0f})",
            )
        console.print(table)


QUARANTINE_SHOWN = 8  # columns listed after a load; the rest are one command away


def _quarantine_summary(con, result) -> None:  # noqa: ANN001
    """After a load with quarantined values: a few lines by column, then where to see them all."""
    from pipeline.ingest.loading import quarantine_summary

    total = result.rows_quarantined + result.values_quarantined
    if result.status != "loaded" or not total or result.load_id is None:
        return
    lines = quarantine_summary(con, result.load_id, limit=QUARANTINE_SHOWN + 1)
    table = Table(title=f"Quarantined in load {result.load_id}, by column", show_lines=False)
    for name in ("column", "count", "for example"):
        table.add_column(name, overflow="fold")
    for column, count, example in lines[:QUARANTINE_SHOWN]:
        table.add_row(escape(column), f"{count:,}", escape(example[:160]))
    console.print(table)
    more = " (and more columns)" if len(lines) > QUARANTINE_SHOWN else ""
    console.print(
        f"{total:,} quarantined{more}: list them all with "
        f"`outcomes quarantine --load {result.load_id}` (add --csv FILE to export)",
        highlight=False,
    )


@ingest_app.command("surveys")
def ingest_surveys(
    files: list[Path] = typer.Argument(..., help="Survey export(s): .csv, .xlsx or .sav."),
    instrument: str = typer.Option(
        ..., "--instrument", "-i", help="Instrument id, e.g. poet-holder or poet-carer."
    ),
    council: str = typer.Option(
        ...,
        "--council",
        "-c",
        help="The council the returns are from: a name in any case, a variant or an ONS code.",
    ),
    wave: int = typer.Option(..., "--wave", "-w", help="Survey wave (year), e.g. 2025."),
    mapping: Path | None = typer.Option(
        None, "--mapping", "-m", help="YAML mapping file overriding column matching."
    ),
    sheet: str | None = typer.Option(
        None, "--sheet", help="Excel sheet to read (default: the first)."
    ),
    no_reference: bool = typer.Option(
        False,
        "--no-reference",
        help="Load a file with no respondent reference column (duplicates cannot be found).",
    ),
    new_council: bool = NEW_COUNCIL_OPTION,
    db: Path | None = DB_OPTION,
) -> None:
    """Load survey returns: headers matched, answers validated, bad values quarantined."""
    from pipeline.ingest import load_survey_file

    _load_each(
        db,
        files,
        lambda con, path: load_survey_file(
            con,
            path,
            instrument=instrument,
            council=council,
            wave=wave,
            mapping=mapping,
            sheet=sheet,
            progress=True,
            no_reference=no_reference,
            new_council=new_council,
        ),
    )


@ingest_app.command("budgets")
def ingest_budgets(
    files: list[Path] = typer.Argument(..., help="Budget register(s): .csv, .xlsx or .sav."),
    council: str = typer.Option(
        ...,
        "--council",
        "-c",
        help="The council whose register this is: a name in any case, a variant or an ONS code.",
    ),
    mapping: Path | None = typer.Option(
        None, "--mapping", "-m", help="YAML mapping file overriding column matching."
    ),
    sheet: str | None = typer.Option(
        None, "--sheet", help="Excel sheet to read (default: the first)."
    ),
    new_council: bool = NEW_COUNCIL_OPTION,
    db: Path | None = DB_OPTION,
) -> None:
    """Load a budget register: amounts, dates, management option, support reason, reviews."""
    from pipeline.ingest import load_budget_file

    _load_each(
        db,
        files,
        lambda con, path: load_budget_file(
            con,
            path,
            council=council,
            mapping=mapping,
            sheet=sheet,
            progress=True,
            new_council=new_council,
        ),
    )


def _load_each(db: Path | None, files: list[Path], load) -> None:  # noqa: ANN001
    """Load each file with ``load(con, path)`` on one writable connection; stop at a failure."""
    from pipeline.ingest import IngestError
    from pipeline.store import connect

    con = connect(_db(db))
    statuses = []
    try:
        for path in files:
            try:
                result = load(con, path)
            except (IngestError, ValueError) as error:
                fail(str(error))
            _report(result)
            _quarantine_summary(con, result)
            statuses.append(result.status)
    finally:
        con.close()
    if statuses and all(outcome == "already_loaded" for outcome in statuses):
        raise typer.Exit(code=EXIT_ALREADY_LOADED)


def status(db: Path | None = DB_OPTION) -> None:
    """What is loaded: returns by council, wave and instrument, budgets, and quarantine counts."""
    from pipeline.store import read_only_connection

    path = _db(db)
    try:
        con = read_only_connection(path)
    except (FileNotFoundError, RuntimeError) as error:
        fail(str(error))
    sql = (Path(__file__).parent / "status.sql").read_text(encoding="utf-8")
    names, rows = _rows_as_pandas_had_them(con.execute(sql))
    table = Table(title=f"Loaded in {path}")
    for name in names:
        table.add_column(name.replace("_", " "), overflow="fold")
    for row in rows:
        table.add_row(*["" if v is None or v != v else str(v) for v in row])
    Console().print(table)  # a fresh console measures the terminal (or $COLUMNS) now
    con.close()


# DuckDB hands HUGEINT sums and DECIMALs to pandas as floats, and integer columns holding a
# NULL too (as NaN): the listings printed them so ("154.0") when they read DataFrames.
FLOAT_IN_PANDAS = {"HUGEINT", "UHUGEINT", "DOUBLE", "FLOAT"}
INTEGER_TYPES = {
    "TINYINT",
    "SMALLINT",
    "INTEGER",
    "BIGINT",
    "UTINYINT",
    "USMALLINT",
    "UINTEGER",
    "UBIGINT",
}


def _rows_as_pandas_had_them(cursor) -> tuple[list[str], list[tuple]]:  # noqa: ANN001
    """Column names and rows of a query, each value as ``.df()`` would have held it.

    The read-only listings (status, quarantine) print rows straight from DuckDB so that they
    answer without importing pandas (issue 12); this keeps every printed cell as it was.
    """
    columns = [(name, str(kind)) for name, kind, *_ in cursor.description]
    rows = cursor.fetchall()
    as_float = [
        kind in FLOAT_IN_PANDAS
        or kind.startswith("DECIMAL")
        or (kind in INTEGER_TYPES and any(row[i] is None for row in rows))
        for i, (_, kind) in enumerate(columns)
    ]
    if any(as_float):
        nan = float("nan")
        rows = [
            tuple(
                (nan if v is None else float(v)) if floats else v
                for v, floats in zip(row, as_float, strict=True)
            )
            for row in rows
        ]
    return [name for name, _ in columns], rows


INTEGER_TYPES = {
    "TINYINT",
    "SMALLINT",
    "INTEGER",
    "BIGINT",
    "UTINYINT",
    "USMALLINT",
    "UINTEGER",
    "UBIGINT",
}


def quarantine(
    load_id: int | None = typer.Option(None, "--load", help="Only this load."),
    csv: Path | None = typer.Option(None, "--csv", help="Write the list to this CSV file."),
    limit: int = typer.Option(50, "--limit", help="Rows to print (all go to --csv)."),
    db: Path | None = DB_OPTION,
) -> None:
    """List quarantined rows and values with the reason, file and row; optionally export CSV."""
    from pipeline.store import read_only_connection

    try:
        con = read_only_connection(_db(db))
    except (FileNotFoundError, RuntimeError) as error:
        fail(str(error))
    query = con.execute(
        "SELECT q.load_id, l.file_name, q.source_row, q.column_name, q.raw_value, q.reason, "
        "q.whole_row FROM quarantine q JOIN loads l USING (load_id) "
        "WHERE ? IS NULL OR q.load_id = ? ORDER BY q.load_id, q.source_row, q.column_name",
        [load_id, load_id],
    )
    if csv:
        from pipeline.present.exports import to_csv_bytes

        frame = query.df()
        csv.write_bytes(to_csv_bytes(frame))
        console.print(f"wrote {len(frame)} quarantined rows to {csv}")
        rows = list(frame.itertuples(index=False))
    else:  # only printing: rows straight from DuckDB, no pandas to import
        names, values = _rows_as_pandas_had_them(query)
        Row = namedtuple("Row", names)  # the attribute access the table below uses
        rows = [Row(*row) for row in values]
    con.close()
    table = Table(title=f"Quarantine ({len(rows)} rows)")
    for column in ("load_id", "file_name", "source_row", "column_name", "raw_value", "reason"):
        table.add_column(column.replace("_", " "), overflow="fold")
    for row in rows[:limit]:
        table.add_row(
            str(row.load_id),
            row.file_name,
            str(row.source_row),
            escape(str(row.column_name)),
            "" if row.raw_value is None else escape(str(row.raw_value)),
            escape(str(row.reason)),
        )
    console.print(table)


def demo(
    db: Path | None = DB_OPTION,
    out: Path | None = typer.Option(
        None, "--out", help="Where to write the demo export files (default data/demo)."
    ),
    seed: int = typer.Option(
        2026, "--seed", help="Random seed; the same seed gives the same data."
    ),
    json_summary: Path | None = typer.Option(
        None, "--summary", help="Also write the full summary (planted problems per file) as JSON."
    ),
) -> None:
    """Generate synthetic councils' survey exports and budget registers and load them."""
    from pipeline.demo import build_demo

    summary = build_demo(_db(db), out_dir=out, seed=seed, progress=True)
    table = Table(title=f"Demo files in {summary['folder']}")
    for name in ("file", "kind", "council", "wave", "status", "rows loaded", "quarantined"):
        table.add_column(name, overflow="fold")
    for entry in summary["files"]:
        table.add_row(
            str(entry["file"]),
            str(entry["kind"]),
            str(entry["council"]),
            "" if entry.get("wave") is None else str(entry["wave"]),
            str(entry["status"]),
            str(entry["rows_loaded"]),
            f"{entry['rows_quarantined']} rows, {entry['values_quarantined']} values",
        )
    Console().print(table)
    console.print(
        f"[green]Demo data in {_db(db)}: {summary['survey_returns_loaded']} survey returns and "
        f"{summary['budget_records_loaded']} budget records loaded now, "
        f"{summary['rows_quarantined']} rows and {summary['values_quarantined']} values "
        f"quarantined, in {summary['seconds']} s.[/] Next: `outcomes dashboard`.",
        highlight=False,
    )
    if json_summary:
        json_summary.write_text(json.dumps(summary, indent=2, default=str), encoding="utf-8")


def ingest_peers(
    files: list[Path] = typer.Argument(
        ...,
        help="Comparator group file (CSV or XLSX): CIPFA nearest neighbours (a council and its "
        "ranked neighbours) or a council / comparator pair list such as an LG Inform or NHS "
        "England comparison group, by name or ONS code.",
    ),
    db: Path | None = DB_OPTION,
) -> None:
    """Load councils' comparator groups; an unknown council refuses the whole file."""
    from pipeline.ingest.peer_files import load_peer_file
    from pipeline.store import connect

    con = connect(_db(db))
    try:
        for path in files:
            try:
                result = load_peer_file(con, path)
            except (ValueError, OSError) as error:
                fail(str(error))
            colour = "yellow" if result.status == "already_loaded" else "green"
            console.print(f"[{colour}]{escape(result.message)}[/]", highlight=False)
    finally:
        con.close()


def register(app: typer.Typer) -> None:
    from pipeline.commands.analysis import ingest_benchmark

    ingest_app.command("benchmark")(ingest_benchmark)
    ingest_app.command("peers")(ingest_peers)
    app.add_typer(ingest_app, name="ingest")
    app.command("status")(status)
    app.command("quarantine")(quarantine)
    app.command("demo")(demo)
