"""Survey cycle commands: ``outcomes sample``, ``outcomes invitations``, ``outcomes sample-status``.

Each parses its options, calls one function of ``pipeline.collect`` (or, for the status, the
analysis API) and prints what it returns; the rules live there.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import typer
from rich import box
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from pipeline.commands.answer_cache import cached_answer
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


def _cell(value: object) -> str:
    from pandas import NA  # the frame is pandas already; `outcomes --help` never gets here

    if isinstance(value, float):
        return "" if value != value else f"{value:,.1f}"  # NaN (no figure) prints blank
    return "" if value is None or value is NA else escape(str(value))


def _print_frame(frame, title: str) -> None:  # noqa: ANN001
    """A table whose numbers never break: below 120 columns the text columns fold, the numbers
    keep their width and the borders are spaces, so an 80-column window reads every figure."""
    narrow = console.width < 120
    table = Table(
        title=title,
        box=box.SIMPLE_HEAD if narrow else box.HEAVY_HEAD,
        show_edge=not narrow,
        padding=(0, 1) if not narrow else (0, 0),  # the box's spaces part the columns
    )
    for column in frame.columns:
        number = frame[column].dtype.kind in "if"
        table.add_column(
            str(column),
            justify="right" if number else "left",
            no_wrap=number,
            overflow="fold",
            ratio=None if number else 1,
            min_width=None if number else 12,
        )
    for row in frame.itertuples(index=False, name=None):
        table.add_row(*(_cell(v) for v in row))
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


def invitations(
    council: str = COUNCIL_OPTION,
    wave: int = WAVE_OPTION,
    register_file: Path = typer.Option(
        ...,
        "--register",
        help="The council's register file (the one the sample was drawn from, or a newer one): "
        "its references address the letters; nothing from it is stored.",
    ),
    out: Path = typer.Option(..., "--out", help="Folder to write the files to."),
    instrument: str = INSTRUMENT_OPTION,
    reminders: bool = typer.Option(
        False, "--reminders", help="Only sampled people who have not answered yet."
    ),
    paper: str = typer.Option(
        "standard,easy-read",
        "--paper",
        help="Paper questionnaires to write (PDF, one per person): standard, easy-read, both "
        "comma-separated, or none.",
    ),
    site: str | None = typer.Option(
        None,
        "--site",
        help="The survey site's address printed on paper (default: $OUTCOMES_SURVEY_SITE_URL).",
    ),
    mapping: Path | None = typer.Option(
        None, "--mapping", help="The mapping file the register was loaded with, if any."
    ),
    sheet: str | None = typer.Option(None, "--sheet", help="Worksheet of an .xlsx register."),
    db: Path | None = DB_OPTION,
) -> None:
    """Write the mail merge (invitation code and register reference) and paper questionnaires."""
    from pipeline.analysis import open_database
    from pipeline.collect.invitations import InvitationError, write_invitations

    try:
        con = open_database(_db(db))
    except (FileNotFoundError, RuntimeError) as error:
        fail(str(error))
    try:
        stored = _stored_council(con, council, wave)
        versions = [v.strip() for v in paper.split(",") if v.strip() and v.strip() != "none"]
        unknown = [v for v in versions if v not in ("standard", "easy-read")]
        if unknown:
            fail(f"--paper {paper!r}: use standard, easy-read, both comma-separated, or none")
        if versions:
            console.print(
                "Writing questionnaires: about 0.3 s a person for standard, 0.6 s for easy read…"
            )
        written = write_invitations(
            con,
            council=stored,
            wave=wave,
            register=register_file,
            out_dir=out,
            instrument=instrument,
            reminders=reminders,
            paper=tuple(versions),
            site=site,
            mapping=mapping,
            sheet=sheet,
        )
    except InvitationError as error:
        fail(str(error))
    finally:
        con.close()
    for line in written.summary():
        console.print(escape(line), highlight=False, soft_wrap=True)


def sample_status(
    council: str = COUNCIL_OPTION,
    wave: int = WAVE_OPTION,
    instrument: str = INSTRUMENT_OPTION,
    db: Path | None = DB_OPTION,
) -> None:
    """Returns so far against the sample: by stratum and channel, response rate, margin reached."""
    from pipeline.analysis import NoDataError, open_database, sample_draws, sample_status

    try:
        con = open_database(_db(db))
    except (FileNotFoundError, RuntimeError) as error:
        fail(str(error))
    try:
        stored = _stored_council(con, council, wave)
        draws = sample_draws(con, council=stored, wave=wave)
        frame = sample_status(con, council=stored, wave=wave, instrument=instrument)
    except NoDataError as error:
        fail(str(error))
    finally:
        con.close()
    draw = draws[draws["instrument"] == instrument].iloc[0]
    total = frame[frame["stratum"] == "All strata"].iloc[0]
    console.print(
        escape(
            f"Sample {draw['sample_id']} for {stored}, wave {wave}, {instrument}: "
            f"{int(total['sampled'])} invited (seed {draw['seed']}, drawn "
            f"{draw['drawn_at']:%d/%m/%Y}); {int(total['returned'])} returned "
            f"({total['response_rate']:.1f}%): {int(total['returned_online'])} online, "
            f"{int(total['returned_paper'])} paper, {int(total['returned_file'])} from files."
        ),
        highlight=False,
        soft_wrap=True,
    )
    margin = total["margin"]
    expected = draw["expected_margin"]
    console.print(
        escape(
            "Margin of error reached for a 50% result: "
            + (f"±{margin:.1f} points" if margin == margin else "none yet (too few returns)")
            + (f" (expected at the close: ±{expected:.1f})" if expected == expected else "")
            + (
                f"; {int(total['population_without_margin'])} people are in strata with fewer "
                "than 2 returns, left out of it"
                if total["population_without_margin"]
                else ""
            )
            + "."
        ),
        highlight=False,
        soft_wrap=True,
    )
    shown = frame.rename(
        columns={
            "stratum": "Stratum",
            "population": "Eligible",
            "sampled": "Sampled",
            "returned_online": "Online",
            "returned_paper": "Paper",
            "returned_file": "File",
            "returned": "Returned",
            "response_rate": "Rate %",
            "margin": "Margin ±",
        }
    ).drop(columns="population_without_margin")
    _print_frame(shown, "Returns by stratum and channel")


def register(app: typer.Typer) -> None:
    app.command("sample")(sample)
    app.command("invitations")(invitations)
    app.command("sample-status")(cached_answer("sample-status")(sample_status))
