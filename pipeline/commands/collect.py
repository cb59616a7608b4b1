"""Survey cycle commands: ``outcomes sample``, ``outcomes invitations``, ``outcomes sample-status``.

Each parses its options, calls one function of ``pipeline.collect`` (or, for the status, the
analysis API) and prints what it returns; the rules live there.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from pipeline.commands.ingest import DB_OPTION, _db, fail

console = Console()

INSTRUMENT_OPTION = typer.Option("poet-holder", "--instrument", "-i", help="Instrument id.")
COUNCIL_OPTION = typer.Option(..., "--council", help="Council name, variant or ONS code.")
WAVE_OPTION = typer.Option(..., "--wave", help="The survey's year, e.g. 2025.")


def _stored_council(con, text: str, wave: int) -> str:  # noqa: ANN001
    from pipeline.analysis import loaded_council

    try:
        return loaded_council(con, text)
    except ValueError as error:
        fail(
            f"{text}, wave {wave}: {error}; load the council's budget register first "
            f'(outcomes ingest budgets REGISTER_FILE --council "{text}")'
        )
        raise  # unreachable: fail exits


def _print_frame(frame, title: str) -> None:  # noqa: ANN001
    table = Table(title=title)
    for column in frame.columns:
        table.add_column(
            str(column), justify="right" if frame[column].dtype.kind in "if" else "left"
        )
    for row in frame.itertuples(index=False, name=None):
        table.add_row(*(f"{v:,.1f}" if isinstance(v, float) else escape(str(v)) for v in row))
    console.print(table)


def sample(
    council: str = COUNCIL_OPTION,
    wave: int = WAVE_OPTION,
    size: int | None = typer.Option(None, "--size", help="People to invite."),
    margin: float | None = typer.Option(
        None,
        "--margin",
        help="Instead of --size: the margin of error to aim for, in percentage points (the "
        "smallest size expected to reach it is drawn).",
    ),
    instrument: str = INSTRUMENT_OPTION,
    strata: str = typer.Option(
        "management_option,support_reason",
        "--strata",
        help="Register columns that define the strata, comma-separated.",
    ),
    allocation: str = typer.Option(
        "proportional", "--allocation", help="proportional, or minimum (with --min-per-stratum)."
    ),
    min_per_stratum: int | None = typer.Option(
        None, "--min-per-stratum", help="With --allocation minimum: people per stratum at least."
    ),
    exclude_residential: bool = typer.Option(
        False, "--exclude-residential", help="Leave out people in residential or nursing care."
    ),
    exclude_sampled_last_wave: bool = typer.Option(
        False,
        "--exclude-sampled-last-wave",
        help="Leave out people drawn for this survey in the latest earlier wave with a sample.",
    ),
    seed: int | None = typer.Option(
        None,
        "--seed",
        help="Random seed (recorded; a random one is chosen and recorded if absent).",
    ),
    as_of: str | None = typer.Option(
        None,
        "--as-of",
        help="Budgets open on this day (YYYY-MM-DD) are current; default 1 July of the wave year.",
    ),
    response_rate: float | None = typer.Option(
        None,
        "--response-rate",
        help="Percent expected to answer, for the expected margin (default: the last wave's).",
    ),
    db: Path | None = DB_OPTION,
) -> None:
    """Draw a stratified random sample from the loaded budget register, with invitation codes."""
    from pipeline.collect.sampling import SampleError, draw_sample
    from pipeline.store import connect

    try:
        reference = dt.date.fromisoformat(as_of) if as_of else None
    except ValueError:
        fail(f"--as-of {as_of!r} is not a date; write it as YYYY-MM-DD (e.g. 2025-07-01)")
    con = connect(_db(db))
    try:
        stored = _stored_council(con, council, wave)
        draw = draw_sample(
            con,
            council=stored,
            wave=wave,
            instrument=instrument,
            size=size,
            margin=margin,
            strata=strata.split(","),
            allocation=allocation,
            min_per_stratum=min_per_stratum,
            exclude_residential=exclude_residential,
            exclude_sampled_last_wave=exclude_sampled_last_wave,
            seed=seed,
            reference_date=reference,
            response_rate=response_rate,
        )
    except SampleError as error:
        fail(str(error))
    finally:
        con.close()
    for line in draw.summary():
        console.print(escape(line), highlight=False, soft_wrap=True)
    table = draw.table.rename(
        columns={
            "stratum": "Stratum",
            "population": "Eligible",
            "sample": "Sample",
            "expected_returns": "Expected returns",
        }
    )
    _print_frame(table, f"Sample {draw.sample_id} by stratum")
    console.print(
        escape(
            f'Next: outcomes invitations --council "{draw.council}" --wave {draw.wave} '
            "--register REGISTER_FILE --out DIR"
        ),
        highlight=False,
    )


def register(app: typer.Typer) -> None:
    app.command("sample")(sample)
