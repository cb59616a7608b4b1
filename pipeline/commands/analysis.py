"""Analysis commands: ``outcomes compare``, ``outcomes trends`` and ``outcomes ingest benchmark``.

Each command parses its options, calls one function of ``pipeline.analysis`` and renders the
frame it gets back as a table, CSV or JSON. Output passes through ``pipeline.disclosure.protect``
unless ``--unsuppressed`` is given, because whatever the command prints may be published.
"""

from __future__ import annotations

import sys
from enum import StrEnum
from pathlib import Path

import pandas as pd
import typer
from rich.console import Console
from rich.table import Table

from pipeline.config import THRESHOLDS, default_db_path

console = Console()
errors = Console(stderr=True)


class OutputFormat(StrEnum):
    table = "table"
    csv = "csv"
    json = "json"


DB_OPTION = typer.Option(
    None, "--db", help="The DuckDB file (default: data/outcomes.duckdb, or $OUTCOMES_DB)."
)
FORMAT_OPTION = typer.Option(OutputFormat.table, "--format", "-f", help="table, csv or json.")
INSTRUMENT_OPTION = typer.Option("poet-holder", "--instrument", "-i", help="Instrument id.")
SECTION_OPTION = typer.Option("outcomes", "--section", "-s", help="outcomes or process.")
UNSUPPRESSED_OPTION = typer.Option(
    False, "--unsuppressed", help="Show small numbers (for analysts only; never publish this)."
)
CONFIDENCE_OPTION = typer.Option(
    THRESHOLDS.confidence, "--confidence", help="Interval confidence: 0.95, or 0.998 (stricter)."
)

COMPARE_COLUMNS = {
    "domain": "Domain",
    "n": "Base",
    "value": "%",
    "lower": "Low",
    "upper": "High",
    "benchmark_value": "Bench %",
    "benchmark_kind": "Kind",
    "comparison": "Verdict",
    "p_adjusted": "p (BH)",
}
TREND_COLUMNS = {
    "domain": "Domain",
    "wave": "Wave",
    "n": "Base",
    "value": "%",
    "verdict": "Since last wave",
    "trend_verdict": "Trend",
    "trend_p_adjusted": "Trend p (BH)",
}


def fail(message: str) -> None:
    """Print a one-line reason and exit non-zero."""
    errors.print(f"[bold red]error:[/] {message}", highlight=False, soft_wrap=True)
    raise typer.Exit(code=1)


def _open(db: Path | None):
    from pipeline.analysis import open_database

    try:
        return open_database(Path(db) if db else default_db_path())
    except (FileNotFoundError, RuntimeError) as error:
        fail(str(error))


def _publishable(frame: pd.DataFrame, unsuppressed: bool) -> pd.DataFrame:
    from pipeline.disclosure import protect

    if unsuppressed:
        return frame
    return protect(frame, value_columns=("value", "lower", "upper", "difference"))


def _emit(frame: pd.DataFrame, output: OutputFormat, columns: dict[str, str], title: str) -> None:
    if output is OutputFormat.csv:
        frame.to_csv(sys.stdout, index=False)
        return
    if output is OutputFormat.json:
        sys.stdout.write(frame.to_json(orient="records", indent=2, force_ascii=False) + "\n")
        return
    table = Table(title=title, title_justify="left")
    for heading in columns.values():
        table.add_column(heading, overflow="fold")
    for record in frame[list(columns)].to_dict("records"):
        table.add_row(*(_cell(record[name]) for name in columns))
    console.print(table)
    notes = frame.get("benchmark_label")
    if notes is not None:
        for label in dict.fromkeys(notes.dropna()):
            console.print(f"[dim]benchmark: {label}[/]", highlight=False)
    if frame.get("suppressed") is not None and frame["suppressed"].any():
        console.print("[dim]blank cells: hidden to protect small numbers[/]", highlight=False)


def _cell(value: object) -> str:
    if value is None or (isinstance(value, float) and pd.isna(value)) or value is pd.NA:
        return ""
    if isinstance(value, float):
        return f"{value:.3g}" if value < 0.01 else f"{value:.1f}"
    return str(value)


def compare(
    council: str = typer.Option(..., "--council", "-c", help="The council to report on."),
    wave: int = typer.Option(..., "--wave", "-w", help="Survey wave (year)."),
    instrument: str = INSTRUMENT_OPTION,
    section: str = SECTION_OPTION,
    benchmark: str = typer.Option(
        "auto", "--benchmark", "-b", help="auto, national, pooled, loaded:<source> or none."
    ),
    peers: str | None = typer.Option(
        None, "--peers", help="Comma-separated councils to pool as the comparator group."
    ),
    weighted: bool = typer.Option(False, "--weighted", help="Use post-stratified shares."),
    confidence: float = CONFIDENCE_OPTION,
    min_base: int = typer.Option(THRESHOLDS.minimum_base, "--min-base", help="Minimum base."),
    output: OutputFormat = FORMAT_OPTION,
    unsuppressed: bool = UNSUPPRESSED_OPTION,
    db: Path | None = DB_OPTION,
) -> None:
    """Each domain's share against its benchmark: better, similar or worse, or not compared."""
    from pipeline.analysis import NoDataError, results

    con = _open(db)
    try:
        frame = results(
            con,
            council=council,
            wave=wave,
            instrument=instrument,
            section=section,
            weighted=weighted,
            confidence=confidence,
            benchmark=benchmark,
            min_base=min_base,
            peers=[p.strip() for p in peers.split(",")] if peers else None,
        )
    except (NoDataError, ValueError) as error:
        fail(str(error))
    finally:
        con.close()
    title = f"{council}, {wave}: {instrument} {section}"
    _emit(_publishable(frame, unsuppressed), output, COMPARE_COLUMNS, title)


def trends_command(
    council: str = typer.Option(..., "--council", "-c", help="The council to report on."),
    instrument: str = INSTRUMENT_OPTION,
    section: str = SECTION_OPTION,
    confidence: float = CONFIDENCE_OPTION,
    output: OutputFormat = FORMAT_OPTION,
    unsuppressed: bool = UNSUPPRESSED_OPTION,
    db: Path | None = DB_OPTION,
) -> None:
    """Every wave's shares, the change since the previous wave and the trend across waves."""
    from pipeline.analysis import NoDataError, trends

    con = _open(db)
    try:
        frame = trends(con, council=council, instrument=instrument, section=section,
                       confidence=confidence)  # fmt: skip
    except (NoDataError, ValueError) as error:
        fail(str(error))
    finally:
        con.close()
    _emit(
        _publishable(frame, unsuppressed),
        output,
        TREND_COLUMNS,
        f"{council}: {instrument} {section} over the waves",
    )


def ingest_benchmark(
    files: list[Path] = typer.Argument(
        ..., help="Benchmark CSV: national POET tables or the ASCOF long-format CSV."
    ),
    year: int | None = typer.Option(
        None, "--year", help="Year an ASCOF file describes (2023 for 2023-24), if not in its name."
    ),
    db: Path | None = DB_OPTION,
) -> None:
    """Load benchmark tables; rows that cannot stand are quarantined with the reason."""
    from pipeline.analysis import load_benchmark_file
    from pipeline.store import connect

    con = connect(Path(db) if db else default_db_path())
    try:
        for path in files:
            try:
                result = load_benchmark_file(con, path, year=year)
            except (ValueError, OSError) as error:
                fail(str(error))
            colour = (
                "yellow" if result.status == "already_loaded" or result.quarantined else "green"
            )
            console.print(f"[{colour}]{result.message}[/]", highlight=False)
            for row, column, raw, reason in result.problems[:20]:
                console.print(f"  row {row}, {column} = {raw!r}: {reason}", highlight=False)
    finally:
        con.close()


def register(app: typer.Typer) -> None:
    """Add the analysis commands to the ``outcomes`` app."""
    app.command("compare")(compare)
    app.command("trends")(trends_command)
