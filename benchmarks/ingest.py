"""Ingest speed and memory at national scale: a benchmark, not a test.

Generates (with the demo's own generative model, vectorised) a survey export of N returns with
every question of the holder survey (question-text headers, answers as label text, as councils
send them) and a budget register of N people as CSV; then loads each through the real ingest
path (``load_survey_file`` / ``load_budget_file``) into a fresh database file and compares that
with DuckDB's own ``CREATE TABLE t AS SELECT * FROM read_csv(file)`` of the same file, the
floor any loader built on DuckDB can reach, the two taken in turns. Every measurement runs in its
own Python process, which reports its wall time and its peak resident memory (``VmHWM``), so one
load's memory never hides another's.

Targets (issue 12): both survey files (the benchmark's own and one written as a survey tool
exports it) load in no more than 2.5 times DuckDB's ``read_csv`` time of the same file, the
budget register in no more than 3 times, each with peak memory under 1.5 GB, on the 2-core
machine.

    python benchmarks/ingest.py                 # 1,000,000 returns and register rows
    python benchmarks/ingest.py --rows 50000    # a quick run
    python benchmarks/ingest.py --keep --dir /tmp/bench   # keep the generated files
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

from pipeline.demo.exports import _answer_variants
from pipeline.demo.model import HOLDER, simulate_holder_returns
from pipeline.demo.register import COUNCILS, generate_register
from pipeline.demo.register_exports import LABELS, NATIONAL_OPTION_LABELS, SUPPORT_REASON_LABELS
from pipeline.instruments import Question, get_instrument

SURVEY_RATIO_TARGET = 2.5  # issue 12 item 2 (issue 2 asked for 3x)
REGISTER_RATIO_TARGET = 3.0
MEMORY_TARGET_MB = 1536
BENCHMARK_KEY = "benchmark-only key, never the user's pseudonymisation key"
COUNCIL = "National"


# --- generating the files -----------------------------------------------------------------


def generate_files(folder: Path, rows: int, seed: int) -> tuple[Path, Path, Path]:
    """Write the survey export, the survey tool's export and the budget register (CSV)."""
    rng = np.random.default_rng(seed)
    profile = replace(COUNCILS[0], name=COUNCIL, id_prefix="P", register_size=rows)
    register = generate_register(profile, rng)
    survey_day = np.datetime64("2025-10-01", "D")
    people = register.assign(
        held_days=(survey_day - register["start_date"].to_numpy("datetime64[D]")).astype(int)
    )
    returns = simulate_holder_returns(people, 2025, profile, rng)
    survey_path = folder / "national_holder_survey.csv"
    tool_path = folder / "national_holder_survey_tool.csv"
    register_path = folder / "national_budget_register.csv"
    con = duckdb.connect()
    try:
        _write_survey(con, returns, survey_path)
        _write_survey_tool_export(returns, tool_path, rng)
        _write_register(con, register, register_path)
    finally:
        con.close()
    return survey_path, tool_path, register_path


def _write_survey(con: duckdb.DuckDBPyConnection, returns: pd.DataFrame, path: Path) -> None:
    """Question-text headers ("Q14. ...") and label text answers, written by DuckDB's COPY."""
    instrument = get_instrument(HOLDER)
    table = {}
    for position, question in enumerate(instrument.questions):
        column = returns[question.code]
        if question.type == "id":
            table["Client Reference"] = column
            continue
        header = f"Q{position}. {question.wording}"
        if question.type == "coded":
            assert question.scale is not None
            labels = [question.scale.label_of(code) for code in column.cat.categories]
            table[header] = column.cat.rename_categories(labels)
        else:
            table[header] = column
    con.register("survey_export", pd.DataFrame(table))
    con.execute(f"COPY survey_export TO '{path}' (HEADER, DELIMITER ',')")
    con.unregister("survey_export")


def _write_survey_tool_export(returns: pd.DataFrame, path: Path, rng: np.random.Generator) -> None:
    """The same returns as an online survey tool exports them (issue 12 item 2).

    What differs from ``_write_survey``: the tool's own columns first (collector, start and end
    times, status; its response id is left out, as ``Response ID`` is a reference alias),
    headers that are the question's full wording with no number, answers as typed variants of the labels ("GOT A LOT BETTER", "Got better ", "A lot better"), comments
    holding commas, doubled quotes and line breaks inside quoted cells, a UTF-8 byte order mark
    and Windows line endings. Everything here loads without a mapping file.
    """
    instrument = get_instrument(HOLDER)
    count = len(returns)
    started = pd.Timestamp("2025-10-01 09:00") + pd.to_timedelta(
        rng.integers(0, 60 * 24 * 42, count), unit="min"
    )
    table: dict[str, object] = {
        "Collector": "Web Link 1",
        "Start Date": started.strftime("%d/%m/%Y %H:%M"),
        "End Date": (started + pd.to_timedelta(rng.integers(4, 40, count), unit="min")).strftime(
            "%d/%m/%Y %H:%M"
        ),
        "Status": "Completed",
    }
    for question in instrument.questions:
        column = returns[question.code]
        if question.type == "id":
            table[question.wording] = column
        elif question.type == "coded":
            table[question.wording] = _typed_variants(column, question, rng)
        else:
            text = column.astype(object).where(column.notna(), "")
            awkward = (text != "") & (rng.random(count) < 0.2)
            text[awkward] = (
                text[awkward] + ', and "the forms", honestly.\r\nSecond line, after a break'
            )
            table[question.wording] = text
    pd.DataFrame(table).to_csv(path, index=False, encoding="utf-8-sig", lineterminator="\r\n")


def _typed_variants(column: pd.Series, question: Question, rng: np.random.Generator) -> np.ndarray:
    """Each answer as one of the ways its label is typed (``_answer_variants``), vectorised:
    the demo's row-by-row ``render_answers`` takes minutes for a million returns."""
    categories = list(column.cat.categories)
    variants = [_answer_variants(question, code) for code in categories]
    flat = np.array([text for options in variants for text in options] + [""], dtype=object)
    counts = np.array([len(options) for options in variants])
    offsets = np.concatenate([[0], np.cumsum(counts)[:-1]])
    codes = column.cat.codes.to_numpy()
    present = codes >= 0
    picks = np.full(len(codes), len(flat) - 1)  # the blank at the end
    chosen = codes[present]
    picks[present] = offsets[chosen] + (rng.random(len(chosen)) * counts[chosen]).astype(int)
    return flat[picks]


def _write_register(con: duckdb.DuckDBPyConnection, register: pd.DataFrame, path: Path) -> None:
    """The national return's headers, UK dates and "£12,345.50" amounts, formatted in DuckDB."""
    frame = register.assign(
        management_option=register["management_option"].cat.rename_categories(
            NATIONAL_OPTION_LABELS
        ),
        support_reason=register["support_reason"].cat.rename_categories(
            {code: labels[0] for code, labels in SUPPORT_REASON_LABELS.items()}
        ),
        **{
            field: register[field].cat.rename_categories(
                lambda code, labels=labels: labels.get(code, code)
            )
            for field, labels in LABELS.items()
            if field in ("support_setting", "gender", "ethnicity", "age_band")
        },
    )
    con.register("register_export", frame)
    con.execute(
        f"""
        COPY (
            SELECT person_id AS "Person ID", council_code AS "Council Code",
                   strftime(start_date, '%d/%m/%Y') AS "Start Date",
                   strftime(end_date, '%d/%m/%Y') AS "End Date",
                   '£' || format('{{:,.2f}}', indicative) AS "Indicative Budget",
                   '£' || format('{{:,.2f}}', agreed_annual) AS "Agreed Annual Budget",
                   '£' || format('{{:,.2f}}', client_contribution) AS "Client Contribution",
                   management_option AS "Management Option",
                   support_reason AS "Primary Support Reason",
                   support_setting AS "Support Setting", age_band AS "Age Band",
                   gender AS "Gender", ethnicity AS "Ethnicity",
                   strftime(last_review, '%d/%m/%Y') AS "Last Review Date",
                   strftime(next_review_due, '%d/%m/%Y') AS "Next Review Due",
                   review_outcome AS "Review Outcome"
            FROM register_export
        ) TO '{path}' (HEADER, DELIMITER ',')
        """
    )
    con.unregister("register_export")


# --- one measurement per process ----------------------------------------------------------


def child(kind: str, path: Path, database: Path) -> None:
    """Run one load in this process and print its time and peak memory as JSON."""
    started = time.perf_counter()
    if kind == "read_csv":
        con = duckdb.connect(str(database))
        con.execute("CREATE TABLE t AS SELECT * FROM read_csv(?)", [str(path)])
        rows = con.execute("SELECT count(*) FROM t").fetchall()[0][0]
        seconds = time.perf_counter() - started
    else:
        from pipeline.ingest import load_budget_file, load_survey_file
        from pipeline.store import connect

        con = connect(database)
        started = time.perf_counter()  # migrations are not part of the load
        if kind == "survey":
            result = load_survey_file(
                con, path, instrument=HOLDER, council=COUNCIL, wave=2025, new_council=True
            )
        else:
            result = load_budget_file(con, path, council=COUNCIL, new_council=True)
        seconds = time.perf_counter() - started
        rows = result.rows_loaded
    con.close()
    print(json.dumps({"seconds": seconds, "rows": rows, "peak_mb": peak_memory_mb()}))


def peak_memory_mb() -> float:
    """Peak resident memory of this process since it started running this program.

    Linux's ``ru_maxrss`` survives ``exec``, so a child forked from a parent that holds the
    generated data would report the parent's size; ``VmHWM`` belongs to the new program's memory
    map and starts afresh, so it is read first.
    """
    status = Path("/proc/self/status")
    if status.exists():
        for line in status.read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024  # kB
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_once(kind: str, path: Path, folder: Path, attempt: int) -> dict:
    """One measurement in a fresh process, into a fresh database file."""
    database = folder / f"{kind}-{attempt}.duckdb"
    database.unlink(missing_ok=True)
    env = {**os.environ, "OUTCOMES_PSEUDONYM_KEY": BENCHMARK_KEY}
    completed = subprocess.run(
        [sys.executable, __file__, "--child", kind, str(path), str(database)],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    if completed.returncode != 0:
        raise RuntimeError(f"{kind} load of {path.name} failed:\n{completed.stderr}")
    database.unlink(missing_ok=True)
    Path(f"{database}.wal").unlink(missing_ok=True)
    return json.loads(completed.stdout.strip().splitlines()[-1])


def summary(runs: list[dict]) -> dict:
    """Median time and largest peak memory of the runs."""
    return {
        "seconds": statistics.median(r["seconds"] for r in runs),
        "rows": runs[0]["rows"],
        "peak_mb": max(r["peak_mb"] for r in runs),
        "min": min(r["seconds"] for r in runs),
        "max": max(r["seconds"] for r in runs),
        "runs": [round(r["seconds"], 2) for r in runs],
    }


# --- the report ---------------------------------------------------------------------------


def _line(label: str, result: dict) -> str:
    rate = result["rows"] / result["seconds"] if result["seconds"] else float("inf")
    return (
        f"  {label:<20} {result['seconds']:8.2f} s  {rate:>12,.0f} rows/s  "
        f"(min {result['min']:.2f}, max {result['max']:.2f})  "
        f"peak {result['peak_mb']:7,.0f} MB   runs {result['runs']}"
    )


def compare(title: str, path: Path, kind: str, folder: Path, repeats: int) -> dict:
    """DuckDB's read_csv and our load of one file, ``repeats`` times each, taken in turns, so a
    slow spell of the machine lands on both rather than on one side of the ratio."""
    size_mb = path.stat().st_size / 2**20
    print(f"\n{title}: {path.name}, {size_mb:,.0f} MB")
    floor_runs, load_runs = [], []
    for attempt in range(repeats):
        floor_runs.append(run_once("read_csv", path, folder, attempt))
        load_runs.append(run_once(kind, path, folder, attempt))
    baseline, loaded = summary(floor_runs), summary(load_runs)
    print(_line("duckdb read_csv", baseline))
    print(_line(f"load_{kind}_file", loaded))
    ratio = loaded["seconds"] / baseline["seconds"]
    print(f"  ratio to read_csv    {ratio:8.2f}   peak memory {loaded['peak_mb']:,.0f} MB")
    return {"baseline": baseline, "load": loaded, "ratio": ratio, "size_mb": size_mb}


def main(argv: list[str] | None = None) -> int:
    sys.stdout.reconfigure(line_buffering=True)  # progress shows when piped to a log
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000, help="returns and register rows")
    parser.add_argument("--repeats", type=int, default=3, help="runs per measurement (median)")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--dir", type=Path, help="where to write the files (default: a temp dir)")
    parser.add_argument("--keep", action="store_true", help="keep the generated files")
    parser.add_argument(
        "--reuse", action="store_true", help="with --dir: load the files kept there by --keep"
    )
    parser.add_argument("--check", action="store_true", help="exit 1 if a target is missed")
    parser.add_argument("--child", nargs=3, metavar=("KIND", "FILE", "DB"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        child(args.child[0], Path(args.child[1]), Path(args.child[2]))
        return 0

    load_before = os.getloadavg()[0]
    folder = args.dir or Path(tempfile.mkdtemp(prefix="outcomes-bench-"))
    folder.mkdir(parents=True, exist_ok=True)
    try:
        started = time.perf_counter()
        kept = [
            folder / name
            for name in (
                "national_holder_survey.csv",
                "national_holder_survey_tool.csv",
                "national_budget_register.csv",
            )
        ]
        if args.reuse and all(path.exists() for path in kept):
            survey, tool_export, register = kept
            print(f"Reusing the files in {folder} ({os.cpu_count()} cores)")
        else:
            survey, tool_export, register = generate_files(folder, args.rows, args.seed)
            print(
                f"Generated {args.rows:,} returns and {args.rows:,} register rows in "
                f"{time.perf_counter() - started:.1f} s ({os.cpu_count()} cores)"
            )
        surveys = compare("Survey export", survey, "survey", folder, args.repeats)
        tool = compare("Survey tool's export", tool_export, "survey", folder, args.repeats)
        budgets = compare("Budget register", register, "budget", folder, args.repeats)
    finally:
        if args.keep or args.reuse:
            print(f"\nFiles kept in {folder}")
        else:
            shutil.rmtree(folder, ignore_errors=True)

    checks = {
        f"survey export <= {SURVEY_RATIO_TARGET:g}x read_csv ({surveys['ratio']:.2f}x)": surveys[
            "ratio"
        ]
        <= SURVEY_RATIO_TARGET,
        f"survey tool's export <= {SURVEY_RATIO_TARGET:g}x read_csv ({tool['ratio']:.2f}x)": tool[
            "ratio"
        ]
        <= SURVEY_RATIO_TARGET,
        f"budget register <= {REGISTER_RATIO_TARGET:g}x read_csv ({budgets['ratio']:.2f}x)": budgets[
            "ratio"
        ]
        <= REGISTER_RATIO_TARGET,
    }
    peak = max(result["load"]["peak_mb"] for result in (surveys, tool, budgets))
    checks[f"peak memory < {MEMORY_TARGET_MB:,} MB ({peak:,.0f} MB)"] = peak < MEMORY_TARGET_MB
    print(f"\nLoad average {load_before:.2f} before, {os.getloadavg()[0]:.2f} after\nTargets:")
    for label, met in checks.items():
        print(f"  {label}: {'met' if met else 'MISSED'}")
    return 0 if all(checks.values()) or not args.check else 1


if __name__ == "__main__":
    sys.exit(main())
