"""``outcomes audit-disclosure``: publish everything a database would publish, then attack it.

Builds every council's report files (open-data CSV and workbook) into a temporary folder, runs
the command line's ``compare``, ``trends`` and ``budgets`` as the public would, renders the
public dashboard's Budgets, Trends, Compare councils, Overview, Process, Outcomes, You said and
People like me tables, and hands all of it to
:mod:`pipeline.disclosure.audit`. Exits 1 when any hidden count can be pinned to a range
narrower than the threshold.
"""

from __future__ import annotations

import json
import logging
import os
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

import typer
from rich.console import Console

from pipeline.config import default_db_path

if TYPE_CHECKING:
    import pandas as pd

console = Console()


def report_outputs(db: Path, folder: Path, waves: list[int], instrument: str) -> None:
    """Every council's report files of each wave, as ``outcomes report --all`` writes them."""
    from pipeline.reports.builder import build_all_councils
    from pipeline.store import read_only_connection

    con = read_only_connection(db)
    try:
        for wave in waves:
            build_all_councils(
                con, wave, folder / str(wave), instrument=instrument,
                formats=("csv", "xlsx", "people_like_me"), progress=False, workers=1,
            )  # fmt: skip
    finally:
        con.close()


def cli_outputs(db: Path, councils: dict[int, list[str]], instrument: str) -> dict:
    """The JSON the public commands print without ``--unsuppressed``."""
    import pandas as pd  # here, not at the top: `outcomes --help` needs no pandas
    from typer.testing import CliRunner

    from pipeline.cli import app

    runner = CliRunner()

    def run(*arguments: str) -> object:
        result = runner.invoke(app, [*arguments, "--format", "json", "--db", str(db)])
        if result.exit_code != 0:
            return None
        return json.loads(result.stdout)

    compare, trends, budgets = [], [], {}
    every = sorted({c for names in councils.values() for c in names})
    for wave, names in councils.items():
        for council in names:
            for section in ("outcomes", "process"):
                records = run("compare", "-c", council, "-w", str(wave), "-i", instrument,
                              "-s", section)  # fmt: skip
                if records:
                    compare.append(pd.DataFrame(records))
    for council in every:
        records = run("trends", "-c", council, "-i", instrument)
        if records:
            trends.append(pd.DataFrame(records))
        document = run("budgets", "-c", council, "-i", instrument)
        if document:
            budgets[council] = {name: pd.DataFrame(rows) for name, rows in document.items()}
    return {"compare": compare, "trends": trends, "budgets": budgets}


def _shown(item) -> pd.DataFrame:  # noqa: ANN001 - a dashboards.render Table or Chart
    """The protected figures behind a public table or chart (kept by dashboards/plain.py).

    A public table is made plain from them by renaming, labelling, rounding and dropping
    columns, so it shows nothing they do not: figures that give nothing away mean its plain
    table gives nothing away.
    """
    shown = item.frame if hasattr(item, "frame") else item.table
    return item.protected if item.protected is not None else shown


def dashboard_outputs(db: Path, councils: dict[int, list[str]], instrument: str) -> dict:
    """The public dashboard's tables (what its CSV and Excel downloads hold)."""
    os.environ["OUTCOMES_DB"] = str(db)
    from dashboards.state import Filters
    from dashboards.views import budgets, compare, outcomes, overview, process, trends

    labels = outcomes.domain_choices(instrument)
    latest = max(councils) if councils else None
    every = sorted({c for names in councils.values() for c in names})
    from dashboards.people_like_me import published_wave
    from dashboards.views.you_said import published_actions
    from pipeline.reports.people_like_me import open_data as people_like_me_open_data

    found: dict = {"budgets": {}, "compare": [], "trends": [], "results": [], "answers": [],
                   "you_said": [], "people_like_me": []}  # fmt: skip
    if latest is not None and instrument == "poet-holder":  # the page is the holders' alone
        people = published_wave(latest, instrument)
        for council in every:
            found["people_like_me"].append(people_like_me_open_data(people, council))
    for council in every:
        filters = Filters(council=council, wave=latest, instrument=instrument)
        view = budgets.build(filters, "public")
        tables = {t.key.removeprefix("budgets_"): _shown(t) for t in view.tables}
        tables.update({c.key.removeprefix("budgets_"): _shown(c) for c in view.charts})
        if tables:
            found["budgets"][council] = tables
        chart = _shown(trends.build(filters, "public").chart("trends")).copy()
        chart["council"] = council
        codes = {domain: code for code, domain in labels.items()}
        chart["question_code"] = chart["domain"].map(codes)
        found["trends"].append(chart)
        for name, view in (
            ("overview", overview.build(filters, "public")),
            ("process", process.build(filters, "public", *next(iter(labels.items())))),
        ):
            for chart in view.charts:
                shown = _shown(chart)
                if {"question_code", "n", "count"} <= set(shown.columns):
                    found["results"].append(
                        (f"dashboard {name}", shown.assign(council=council, wave=latest))
                    )
        found["you_said"] += you_said_results(published_actions(filters))
        for code in labels:  # the Outcomes page's answer spread, everyone together
            spread = outcomes.distribution(filters, "public", code)
            if not spread.empty and "is_missing" in spread:
                valid = spread[~spread["is_missing"].fillna(False).astype(bool)]
                found["answers"].append(valid.assign(council=council, wave=latest,
                                                     question_code=code))  # fmt: skip
    for wave, names in councils.items():
        if len(names) < 2:
            continue
        filters = Filters(council=names[0], wave=wave, instrument=instrument)
        for code, domain in labels.items():
            table = _shown(compare.build(filters, "public", code, domain, None).chart("funnel"))
            found["compare"].append(table.assign(wave=wave, question_code=code))
    return found


def you_said_results(frame: pd.DataFrame) -> list[pd.DataFrame]:
    """The You said page's figures as results: each action's result now and at its wave."""
    import pandas as pd

    if frame.empty:
        return []
    key = ["council", "question_code"]
    now = frame[[*key, "result_wave", "n", "count", "value"]].rename(
        columns={"result_wave": "wave"}
    )
    then = frame[[*key, "action_wave", "previous_n", "previous_count", "previous_value"]]
    then = then.rename(
        columns={"action_wave": "wave", "previous_n": "n", "previous_count": "count",
                 "previous_value": "value"}
    )  # fmt: skip
    both = pd.concat([now, then], ignore_index=True)
    both = both[both["value"].notna()]
    return [both] if len(both) else []


def gather_evidence(
    db: Path,
    folder: Path,
    *,
    waves: list[int] | None = None,
    instrument: str = "poet-holder",
    dashboard: bool = True,
):
    """Publish every public output of ``db`` into ``folder`` and read it all back."""
    import pandas as pd  # here, not at the top: `outcomes --help` needs no pandas

    from pipeline import analysis
    from pipeline.disclosure import audit as auditor

    con = analysis.open_database(db)
    try:
        loaded = analysis.available(con)
    finally:
        con.close()
    loaded = loaded[loaded["instrument"] == instrument]
    if waves:
        loaded = loaded[loaded["wave"].isin(waves)]
    councils = {
        int(w): sorted(part["council"].astype(str).unique()) for w, part in loaded.groupby("wave")
    }
    evidence = auditor.Evidence()
    report_outputs(db, folder, list(councils), instrument)
    totals = auditor.report_evidence(evidence, folder, instrument)
    printed = cli_outputs(db, councils, instrument)
    if printed["compare"]:
        auditor.cli_results_evidence(evidence, pd.concat(printed["compare"], ignore_index=True))
    for frame in printed["trends"]:
        auditor.trends_evidence(evidence, frame, "cli trends")
    for council, summary in printed["budgets"].items():
        auditor.budget_evidence(evidence, council, summary, "cli")
    if dashboard:
        # The views' caches warn "No runtime found" on every call outside a Streamlit server.
        logging.disable(logging.WARNING)
        try:
            shown = dashboard_outputs(db, councils, instrument)
        finally:
            logging.disable(logging.NOTSET)
        for council, summary in shown["budgets"].items():
            auditor.budget_evidence(evidence, council, summary, "dashboard")
        for frame in shown["trends"]:
            auditor.trends_evidence(evidence, frame, "dashboard trends")
        for source, frame in shown["results"]:
            auditor.trends_evidence(evidence, frame, source)
        if shown["answers"]:
            frame = pd.concat(shown["answers"], ignore_index=True)
            frame = frame[[*auditor.RESULT_KEY, "answer_code", "n", "count", "value"]]
            table, relations = auditor.answers_evidence("dashboard outcomes", frame)
            evidence.add("dashboard outcomes", table, [], "dashboard outcomes")
            evidence.relations += relations
        for frame in shown["compare"]:
            auditor.comparison_evidence(evidence, frame, "dashboard compare")
        auditor.you_said_evidence(evidence, shown["you_said"], "dashboard you said")
        if shown["people_like_me"]:
            rows = auditor.people_like_me_rows(
                pd.concat(shown["people_like_me"], ignore_index=True).astype(str)
            )
            auditor.people_like_me_frame_evidence(
                evidence, rows, totals, label="dashboard people like me"
            )
    return evidence


def audit_disclosure(
    db: Path | None = typer.Option(
        None, "--db", help="The DuckDB file (default: data/outcomes.duckdb, or $OUTCOMES_DB)."
    ),
    wave: list[int] = typer.Option(None, "--wave", "-w", help="Only these waves (default: all)."),
    instrument: str = typer.Option("poet-holder", "--instrument", "-i", help="Instrument id."),
    dashboard: bool = typer.Option(
        True, "--dashboard/--no-dashboard", help="Also audit the public dashboard's tables."
    ),
    keep: Path | None = typer.Option(
        None, "--keep", help="Write the published files here instead of a temporary folder."
    ),
) -> None:
    """Try to recover every hidden count from everything published; exit 1 if any is."""
    from pipeline.disclosure.audit import audit, describe

    path = Path(db) if db else default_db_path()
    if not path.exists():
        console.print(f"[bold red]error:[/] no database at {path}", highlight=False)
        raise typer.Exit(code=1)
    with tempfile.TemporaryDirectory(prefix="audit-") as scratch:
        folder = keep or Path(scratch)
        evidence = gather_evidence(
            path, folder, waves=wave or None, instrument=instrument, dashboard=dashboard
        )
        result = audit(evidence)
    for line in describe(result):
        console.print(line, highlight=False, soft_wrap=True)
    if not result.passed:
        raise typer.Exit(code=1)


def register(app: typer.Typer) -> None:
    app.command("audit-disclosure")(audit_disclosure)
