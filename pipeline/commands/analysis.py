"""Analysis commands: ``outcomes compare``, ``outcomes trends`` and ``outcomes ingest benchmark``.

Each command parses its options, calls one function of ``pipeline.analysis`` and renders the
frame it gets back as a table, CSV or JSON. Output passes through ``pipeline.disclosure.pages``
(the same publications as the dashboards' and reports') unless ``--unsuppressed`` is given,
because whatever the command prints may be published.
"""

from __future__ import annotations

import json
import sys
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from pipeline.commands.answer_cache import cached_answer
from pipeline.config import THRESHOLDS, default_db_path

if TYPE_CHECKING:
    import pandas as pd

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


def _council(con, text: str | None) -> str | None:  # noqa: ANN001
    """The stored council for ``--council`` as typed (any case, a variant, an ONS code).

    A council with no data is passed on as typed: the analysis says what is loaded instead.
    """
    from pipeline.analysis import loaded_council

    if text is None:
        return None
    try:
        return loaded_council(con, text)
    except ValueError:
        return text


PEERS_OPTION = typer.Option(
    None,
    "--peers",
    help="Pool a group as the benchmark: comparator (the loaded comparator group file), region, "
    "type (same council type), or comma-separated councils. Only members with survey returns "
    "loaded can be pooled; the command says how many of the group that is.",
)


def _peer_list(con, council: str, peers: str | None) -> list[str] | None:  # noqa: ANN001
    """The councils to pool for ``--peers``: a named group's loaded members, or the list given."""
    if not peers:
        return None
    from pipeline.analysis.peers import GROUP_LABELS, GROUPS, comparator_group, loaded_members

    choice = peers.strip().lower()
    if choice not in GROUPS:
        return [_council(con, p.strip()) for p in peers.split(",")]
    members = comparator_group(con, council, choice)
    others = [m for m in members if m != council]
    loaded = [m for m in loaded_members(con, members) if m != council]
    if not others:
        hint = " (load one with `outcomes ingest peers FILE`)" if choice == "comparator" else ""
        fail(f"{council} has no {GROUP_LABELS[choice]}{hint}")
    if not loaded:
        fail(
            f"none of the {len(others)} {GROUP_LABELS[choice]} of {council} has survey returns "
            "loaded, so there is nothing to pool"
        )
    errors.print(
        f"{GROUP_LABELS[choice].capitalize()} of {council}: {len(others)} councils, "
        f"{len(loaded)} with survey returns loaded and pooled ({', '.join(loaded)})",
        highlight=False,
        soft_wrap=True,
    )
    return loaded


def _published_results(con, frame: pd.DataFrame, council: str, options: dict) -> pd.DataFrame:  # noqa: ANN001
    """The council's results protected with every council's of the wave: its pooled benchmark
    is the sum of the others, whose own figures are published too."""
    from pipeline.analysis import results
    from pipeline.disclosure.pages import publish_council_results

    if options.get("weighted"):
        # a weighted share has no count to recover; the benchmark goes where the unweighted
        # publication withholds it
        unweighted = _published_results(con, frame, council, {**options, "weighted": False})
        withheld = unweighted["benchmark_value"].isna().to_numpy()
        frame = frame.copy()
        for column in ("benchmark_value", "benchmark_label", "p_value", "p_adjusted"):
            frame[column] = frame[column].astype(object)
            frame.loc[withheld, column] = None
        return publish_council_results(frame, council)
    everyone = results(con, council=None, **options)
    peers = options.get("peers")
    pools = {c: peers for c in everyone["council"].unique()} if peers else None
    return publish_council_results(everyone, council, pools)


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
    import pandas as pd  # here, not at the top: `outcomes --help` needs no pandas

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
    peers: str | None = PEERS_OPTION,
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
    council = _council(con, council)
    try:
        peer_list = _peer_list(con, council, peers)
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
            peers=peer_list,
        )
        if not unsuppressed:
            options = dict(wave=wave, instrument=instrument, section=section, weighted=weighted,
                           confidence=confidence, benchmark=benchmark, min_base=min_base,
                           peers=peer_list)  # fmt: skip
            frame = _published_results(con, frame, council, options)
    except (NoDataError, ValueError) as error:
        fail(str(error))
    finally:
        con.close()
    title = f"{council}, {wave}: {instrument} {section}"
    _emit(frame, output, COMPARE_COLUMNS, title)


def trends_command(
    council: str = typer.Option(..., "--council", "-c", help="The council to report on."),
    instrument: str = INSTRUMENT_OPTION,
    section: str = SECTION_OPTION,
    confidence: float = CONFIDENCE_OPTION,
    peers: str | None = PEERS_OPTION,
    min_base: int = typer.Option(
        THRESHOLDS.minimum_base,
        "--min-base",
        help="Fewest answers for a wave change or a place in the trend test.",
    ),
    benchmark: str = typer.Option(
        "auto",
        "--benchmark",
        "-b",
        help="Each wave's comparator: auto, national, pooled, loaded:<source> or none.",
    ),
    output: OutputFormat = FORMAT_OPTION,
    unsuppressed: bool = UNSUPPRESSED_OPTION,
    db: Path | None = DB_OPTION,
) -> None:
    """Every wave's shares, the change since the previous wave and the trend across waves;
    with ``--peers`` each wave's benchmark is the group's pooled share.

    The options mirror ``trends()``'s keyword arguments, so the CLI can ask what the API can.
    """
    from pipeline.analysis import NoDataError, trends

    con = _open(db)
    council = _council(con, council)
    try:
        frame = trends(
            con,
            council=council,
            instrument=instrument,
            section=section,
            confidence=confidence,
            min_base=min_base,
            benchmark=benchmark,
            peers=_peer_list(con, council, peers),
        )
    except (NoDataError, ValueError) as error:
        fail(str(error))
    finally:
        con.close()
    from pipeline.disclosure.pages import publish_trends

    _emit(
        frame if unsuppressed else publish_trends(frame),
        output,
        TREND_COLUMNS,
        f"{council}: {instrument} {section} over the waves",
    )


def ingest_benchmark(
    files: list[Path] = typer.Argument(
        ...,
        help="Benchmark file: national POET tables, or the ASCOF open-data CSV (or XLSX) as "
        "published.",
    ),
    year: int | None = typer.Option(
        None,
        "--year",
        help="Year an ASCOF file describes (2023 for 2023-24), if neither the file nor its name says.",
    ),
    db: Path | None = DB_OPTION,
) -> None:
    """Load benchmark tables; rows that cannot stand are quarantined with the reason."""
    from pipeline.ingest import load_benchmark_file
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
            # Markers such as [c] and [w] are values here, not rich markup.
            console.print(f"[{colour}]{escape(result.message)}[/]", highlight=False)
            for line in result.problem_summary():
                console.print(f"  {escape(line)}", highlight=False)
    finally:
        con.close()


DRIVER_COLUMNS = {
    "outcome_domain": "Outcome",
    "term_label": "Term",
    "odds_ratio": "Odds ratio",
    "lower": "Low",
    "upper": "High",
    "p_value": "p",
    "n": "Base",
}
CROSSTAB_COLUMNS = {
    "process_domain": "Process step",
    "process_group_label": "Answer",
    "n": "Base",
    "count_better": "Better",
    "value": "%",
    "lower": "Low",
    "upper": "High",
}
BUDGET_TABLES = {
    "headline": {
        "people": "People",
        "total_spend": "Spend £",
        "share_direct_payment": "Direct payment %",
        "share_reviewed_12m": "Reviewed in 12 months %",
        "median_days_to_first_review": "Median days to first review",
        "as_of": "As of",
    },
    "by_option": {
        "management_option_label": "Management option",
        "people": "People",
        "share_people": "% people",
        "spend": "Spend £",
        "share_spend": "% spend",
        "median_agreed": "Median £",
    },
    "by_reason": {
        "support_reason_label": "Support reason",
        "people": "People",
        "share_people": "% people",
        "spend": "Spend £",
        "share_spend": "% spend",
        "median_agreed": "Median £",
    },
    "distribution": {"band_label": "Agreed budget", "people": "People", "share_people": "%"},
    "indicative_vs_agreed": {
        "management_label": "Management option",
        "people": "People",
        "median_indicative": "Median indicative £",
        "median_agreed": "Median agreed £",
        "median_difference": "Median difference £",
        "share_agreed_above": "% above",
        "share_agreed_below": "% below",
    },
    "linked": {
        "domain": "Outcome",
        "management_label": "Register option",
        "n": "Base",
        "value": "%",
        "lower": "Low",
        "upper": "High",
    },
}


def drivers_command(
    council: str | None = typer.Option(
        None, "--council", "-c", help="One council (default: every council pooled)."
    ),
    wave: int | None = typer.Option(None, "--wave", "-w", help="Survey wave (default: all)."),
    instrument: str = INSTRUMENT_OPTION,
    outcome: str = typer.Option(
        "out_quality_of_life", "--outcome", "-o", help="Outcome question code, or 'all'."
    ),
    crosstabs: bool = typer.Option(
        False, "--crosstabs", help="Show the simple cross-tabs behind the model instead."
    ),
    confidence: float = CONFIDENCE_OPTION,
    output: OutputFormat = FORMAT_OPTION,
    unsuppressed: bool = UNSUPPRESSED_OPTION,
    db: Path | None = DB_OPTION,
) -> None:
    """What goes with saying things got better: adjusted odds ratios by process step and option."""
    from pipeline.analysis import driver_crosstabs, drivers
    from pipeline.disclosure.pages import publish_frame

    con = _open(db)
    council = _council(con, council)
    try:
        if crosstabs:
            if outcome == "all":
                fail("--crosstabs needs one outcome (--outcome CODE)")
            frame = driver_crosstabs(
                con,
                council=council,
                wave=wave,
                instrument=instrument,
                outcome=outcome,
                confidence=confidence,
            )
        else:
            frame = drivers(
                con,
                council=council,
                wave=wave,
                instrument=instrument,
                outcome=None if outcome == "all" else outcome,
                confidence=confidence,
            )
    except ValueError as error:
        fail(str(error))
    finally:
        con.close()
    where = f"{council or 'all councils'}, {wave or 'all waves'}"
    if crosstabs:
        if not unsuppressed:
            # The whole-table rule: a hidden count takes its share and interval with it, and
            # the solver checks each step's rows together (issue 9: one rule, one place).
            frame = publish_frame(frame, count_columns=("count_better",), base_column="n")
        _emit(frame, output, CROSSTAB_COLUMNS, f"{where}: saying {outcome} got better, by step")
        return
    _emit(frame, output, DRIVER_COLUMNS, f"{where}: adjusted odds ratios of saying better")
    if output is OutputFormat.table:
        clear = frame[(frame["lower"] > 1) | (frame["upper"] < 1)]
        for sentence in clear["plain"]:
            console.print(f"- {sentence}", highlight=False)
        for note in dict.fromkeys(frame["note"][frame["note"] != ""]):
            console.print(f"[dim]note: {note}[/]", highlight=False)


def budgets_command(
    council: str = typer.Option(..., "--council", "-c", help="The council whose register to use."),
    table: str = typer.Option(
        "all", "--table", "-t", help=f"One of {', '.join(BUDGET_TABLES)}, or all."
    ),
    as_of: str | None = typer.Option(
        None, "--as-of", help="Date to describe the register on (default: its latest date)."
    ),
    wave: int | None = typer.Option(
        None, "--wave", "-w", help="Survey wave linked to the register (default: the latest)."
    ),
    instrument: str = INSTRUMENT_OPTION,
    output: OutputFormat = FORMAT_OPTION,
    unsuppressed: bool = UNSUPPRESSED_OPTION,
    db: Path | None = DB_OPTION,
) -> None:
    """The budget register: people and spend, bands, indicative vs agreed, reviews, linked results."""
    from pipeline.analysis import budget_summary
    from pipeline.disclosure.pages import publish_budget_summary

    if table != "all" and table not in BUDGET_TABLES:
        fail(f"--table must be one of {', '.join(BUDGET_TABLES)} or all, not {table!r}")
    if table == "all" and output is OutputFormat.csv:
        fail("CSV holds one table: choose it with --table")
    con = _open(db)
    council = _council(con, council)
    try:
        summary = budget_summary(
            con, council=council, as_of=as_of, wave=wave, instrument=instrument
        )
    except ValueError as error:
        fail(str(error))
    finally:
        con.close()
    if summary["headline"]["people"].iloc[0] == 0:
        fail(f"no budget records for {council}; load its register with `outcomes ingest budgets`")
    if not unsuppressed:
        summary = publish_budget_summary(summary)
    names = list(BUDGET_TABLES) if table == "all" else [table]
    if output is OutputFormat.json:
        records = {
            name: json.loads(summary[name].to_json(orient="records", date_format="iso"))
            for name in names
        }
        document = records if table == "all" else records[table]
        sys.stdout.write(json.dumps(document, indent=2, ensure_ascii=False) + "\n")
        return
    for name in names:
        _emit(summary[name], output, BUDGET_TABLES[name], f"{council}: {name.replace('_', ' ')}")


OFFICIAL_COLUMNS = {
    "topic": "Measure",
    "framework_name": "Framework",
    "code": "Code",
    "period": "Year",
    "council_shown": "Council",
    "region_shown": "Region",
    "england_shown": "England",
    "peers_shown": "Peers mean (range)",
}


def _official_cell(value: object, note: object, unit: str) -> str:
    """A figure rounded as in text (one decimal; three for a 0-1 score), or why it is missing."""
    import pandas as pd  # here, not at the top: `outcomes --help` needs no pandas

    if value is None or pd.isna(value):
        return str(note) if isinstance(note, str) and note else ""
    return f"{value:.3f}" if unit == "score" and abs(value) < 1 else f"{value:.1f}"


def official_command(
    council: str = typer.Option(..., "--council", "-c", help="The council to report on."),
    group: str | None = typer.Option(
        None, "--group", "-g", help="Peers for the mean and range: comparator, region or type."
    ),
    output: OutputFormat = FORMAT_OPTION,
    db: Path | None = DB_OPTION,
) -> None:
    """Official ASCOF measures for a council against its region and England, every year loaded."""
    import pandas as pd  # here, not at the top: `outcomes --help` needs no pandas

    from pipeline.analysis import loaded_council, official_measures
    from pipeline.council_register import UnknownCouncil, resolve_council
    from pipeline.disclosure.pages import publish_official_measures

    con = _open(db)
    try:
        resolve_council(council)
    except UnknownCouncil as error:
        # a --new-council council with survey data has England's figures; a typo has none
        try:
            council = loaded_council(con, council)
        except ValueError:
            con.close()
            fail(str(error))
    try:
        frame = official_measures(con, council, group=group)
    except (UnknownCouncil, ValueError) as error:
        fail(str(error))
    finally:
        con.close()
    if frame.empty:
        fail(
            f"no ASCOF figures loaded for {council}, its region or England; load the open-data "
            "file with `outcomes ingest benchmark FILE`"
        )
    frame = publish_official_measures(frame)
    for prefix in ("council", "region", "england"):
        frame[f"{prefix}_shown"] = [
            _official_cell(v, n, u)
            for v, n, u in zip(
                frame[f"{prefix}_value"], frame[f"{prefix}_note"], frame["unit"], strict=True
            )
        ]
    frame["peers_shown"] = [
        ""
        if pd.isna(mean)
        else f"{_official_cell(mean, None, u)} ({_official_cell(lo, None, u)} to "
        f"{_official_cell(hi, None, u)}, {k} councils)"
        for mean, lo, hi, k, u in zip(
            frame["peer_mean"],
            frame["peer_min"],
            frame["peer_max"],
            frame["peer_councils"],
            frame["unit"],
            strict=True,
        )
    ]
    columns = dict(OFFICIAL_COLUMNS)
    if group is None:
        columns.pop("peers_shown")
    place = frame["council"].iloc[0]
    region = frame["region"].iloc[0]
    _emit(
        frame, output, columns, f"{place}: official measures (ASCOF) against {region} and England"
    )
    if output is OutputFormat.table:
        console.print(
            "[dim]The 2023-24 framework renumbered the measures: figures either side of the "
            "change are not one series.[/]",
            highlight=False,
        )


def register(app: typer.Typer) -> None:
    """Add the analysis commands to the ``outcomes`` app."""
    app.command("compare")(cached_answer("compare")(compare))
    app.command("trends")(cached_answer("trends")(trends_command))
    app.command("drivers")(cached_answer("drivers")(drivers_command))
    app.command("budgets")(cached_answer("budgets")(budgets_command))
    app.command("official")(cached_answer("official")(official_command))
