"""The Load data page's logic: keep an upload, preview it, turn in-page fixes into a mapping, load.

Loading runs ``pipeline.ingest.load_survey_file`` (the function behind ``outcomes ingest
surveys``) in a process of its own, so a file loaded here is validated, pseudonymised and quarantined
exactly as from the command line. The page's edits become the same ``columns:`` mapping a
mapping file would hold. Undoing a load runs ``pipeline.ingest.unload`` (the function behind
``outcomes unload``) the same way.
"""

from __future__ import annotations

import atexit
import datetime as dt
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import duckdb
import pandas as pd
import yaml

from pipeline.ingest import IngestError, LoadResult, Preview, preview_survey_file
from pipeline.ingest.councils import CouncilChoice, identify_council, survey_day
from pipeline.ingest.headers import ColumnMatch
from pipeline.ingest.loading import (
    EARLIEST_WAVE,
    already_loaded_result,
    check_wave,
    existing_load,
)
from pipeline.ingest.readers import sha256_of
from pipeline.ingest.unload import UnloadPlan, unload_plan
from pipeline.store import read_only_connection

ACCEPTED_TYPES = ["csv", "xlsx", "xls", "sav"]
# Uploads hold councils' returns (names, addresses before pseudonymisation), so they go in a
# folder of this process's own, readable by this user only (mkdtemp makes it mode 0700), made
# on first use and removed when the dashboard stops; each file is removed once its load ends.
UPLOAD_DIR: Path | None = None


def upload_dir() -> Path:
    """This process's private upload folder (mode 0700), made on first use."""
    global UPLOAD_DIR
    if UPLOAD_DIR is None or not UPLOAD_DIR.exists():
        UPLOAD_DIR = Path(tempfile.mkdtemp(prefix="sds-outcomes-uploads-"))
        atexit.register(shutil.rmtree, UPLOAD_DIR, ignore_errors=True)
    return UPLOAD_DIR


def wave_range() -> tuple[int, int]:
    """The waves ``loading.check_wave`` accepts (1990 to next year), for the page's wave box."""
    return EARLIEST_WAVE, dt.date.today().year + 1


def keep_upload(name: str, content: bytes) -> Path:
    """Write an upload under its own name in a folder named by its hash (lineage keeps the name).

    The folder is inside :func:`upload_dir` and the file is readable by this user only; the
    page calls :func:`discard_upload` when the load has finished.
    """
    digest = hashlib.sha256(content).hexdigest()[:16]
    folder = upload_dir() / digest
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    path = folder / Path(name).name
    if not path.exists():
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(content)
    return path


def discard_upload(path: Path) -> None:
    """Remove a kept upload and its folder (after its load, whether it loaded or was refused).

    Only paths inside :func:`upload_dir` are touched, so a stray path can never delete elsewhere.
    """
    root = upload_dir().resolve()
    folder = path.resolve().parent
    if folder.parent != root:
        raise ValueError(f"{path}: not an upload kept by this dashboard")
    shutil.rmtree(folder, ignore_errors=True)


def mapping_from_edits(automatic: pd.DataFrame, edited: pd.DataFrame) -> dict:
    """A ``columns:`` mapping holding only the columns whose match the user changed.

    A column set to blank becomes ``None`` (deliberately left out), as in a mapping file.
    """
    columns: dict[str, str | None] = {}
    before = dict(zip(automatic["column"], automatic["code"], strict=True))
    for column, code in zip(edited["column"], edited["code"], strict=True):
        old = before.get(column)
        new = code if isinstance(code, str) and code.strip() else None
        old = old if isinstance(old, str) and old.strip() else None
        if new != old:
            columns[str(column)] = new
    return {"columns": columns} if columns else {}


def preview(path: Path, instrument: str, mapping: dict, *, no_reference: bool = False) -> Preview:
    """What loading ``path`` would do, writing nothing (refusals raise IngestError as a load)."""
    return preview_survey_file(
        path, instrument=instrument, mapping=mapping or None, no_reference=no_reference
    )


def earlier_load(
    db_path: Path, path: Path, *, instrument: str, council: str | None, wave: int
) -> str | None:
    """Before loading: "already loaded as load N" if these bytes are in the database, else None.

    Raises IngestError, as the load would, when the same bytes were loaded for another council,
    wave or survey. Reads only, so the page can ask before the Load button is pressed.
    """
    if not db_path.exists():
        return None
    sha256 = sha256_of(path)
    con = read_only_connection(db_path)
    try:
        previous = existing_load(
            con,
            sha256,
            path.name,
            kind="survey",
            council=council or None,
            wave=int(wave),
            instrument=instrument,
        )
    finally:
        con.close()
    return already_loaded_result(path, sha256, previous).message if previous else None


def council_choice(db_path: Path, text: str, *, allow_new: bool, wave: int) -> CouncilChoice:
    """The council a load would be stored under, resolved exactly as the load will (reads only).

    Raises IngestError with the nearest names for a council not in the register (unless
    ``allow_new``), so the page can say so before the Load button is pressed.
    """
    con = read_only_connection(db_path) if db_path.exists() else duckdb.connect()
    try:
        return identify_council(
            con, "Council", text, allow_new=allow_new, on=survey_day(check_wave("Wave", wave))
        )
    finally:
        con.close()


def plan_unload(db_path: Path, load_id: int) -> UnloadPlan:
    """What unloading ``load_id`` would remove, and why it may be refused (reads only)."""
    con = read_only_connection(db_path)
    try:
        return unload_plan(con, load_id)
    finally:
        con.close()


def unload(db_path: Path, load_id: int, *, by: str, reason: str | None) -> str:
    """Remove one load in a process of its own (as :func:`load`); the message saying what went.

    Raises IngestError with the refusal (unknown load, a later load holding copies of its
    returns) exactly as ``outcomes unload`` gives it.
    """
    command = [
        sys.executable,
        "-m",
        "pipeline.ingest.unload",
        "--db",
        str(db_path),
        "--load-id",
        str(int(load_id)),
        "--by",
        by,
    ]
    if reason and reason.strip():
        command += ["--reason", reason.strip()]
    finished = subprocess.run(command, capture_output=True, text=True, check=False)
    payload = _last_json(finished, f"load {load_id}: the unload")
    if "error" in payload:
        raise IngestError(payload["error"])
    return str(payload["message"])


def _last_json(finished: subprocess.CompletedProcess, what: str) -> dict:
    lines = [line for line in finished.stdout.splitlines() if line.startswith("{")]
    if not lines:
        raise IngestError(f"{what} stopped unexpectedly: {finished.stderr.strip()[-500:]}")
    return json.loads(lines[-1])


def load(
    db_path: Path,
    path: Path,
    *,
    instrument: str,
    council: str,
    wave: int,
    mapping: dict,
    new_council: bool = False,
    no_reference: bool = False,
) -> LoadResult:
    """Load the file in one transaction (a no-op if already loaded), in a process of its own.

    DuckDB lets one process write the file; a writer inside the dashboard would clash with the
    read-only connections every page opens, so the load runs as ``python -m pipeline.ingest``.
    """
    with tempfile.TemporaryDirectory(prefix="outcomes-load-") as folder:
        command = [
            sys.executable,
            "-m",
            "pipeline.ingest",
            "--db",
            str(db_path),
            "--file",
            str(path),
            "--instrument",
            instrument,
            "--council",
            council,
            "--wave",
            str(int(wave)),
        ]
        if new_council:
            command.append("--new-council")
        if mapping:
            mapping_file = Path(folder) / "mapping.yaml"
            mapping_file.write_text(yaml.safe_dump(mapping, allow_unicode=True), encoding="utf-8")
            command += ["--mapping", str(mapping_file)]
        if no_reference:
            command.append("--no-reference")
        finished = subprocess.run(command, capture_output=True, text=True, check=False)
    payload = _last_json(finished, f"{path.name}: the load")
    if "error" in payload:
        raise IngestError(payload["error"])
    report = [ColumnMatch(**match) for match in payload.pop("column_report")]
    return LoadResult(column_report=report, **payload)


LOADS_COLUMNS = {
    "load_id": "load",
    "file_name": "file",
    "kind": "kind",
    "instrument": "survey",
    "council": "council",
    "wave": "wave",
    "rows_loaded": "rows loaded",
    "rows_quarantined": "rows quarantined",
    "loaded_at": "loaded at",
}


def loads_table(loads: pd.DataFrame, survey_labels: dict[str, str]) -> pd.DataFrame:
    """``pipeline.analysis.loads`` as the page lists it: one row per load, readable headings."""
    table = loads[list(LOADS_COLUMNS)].copy()
    table["instrument"] = table["instrument"].map(
        lambda i: survey_labels.get(i, i) if isinstance(i, str) else ""
    )
    table["wave"] = table["wave"].map(lambda w: "" if pd.isna(w) else str(int(w)))
    table["council"] = table["council"].fillna("")
    table["loaded_at"] = pd.to_datetime(table["loaded_at"]).dt.strftime("%Y-%m-%d %H:%M")
    return table.rename(columns=LOADS_COLUMNS)


def load_titles(loads: pd.DataFrame) -> list[str]:
    """One line per load for the unload choice: id, file, kind, council, wave."""
    titles = []
    for row in loads.itertuples(index=False):
        parts = [row.kind, row.council, None if pd.isna(row.wave) else str(int(row.wave))]
        named = ", ".join(str(p) for p in parts if isinstance(p, str) and p)
        titles.append(f"Load {row.load_id}: {row.file_name} ({named})")
    return titles


TABLE_WORDS = {
    "respondents": "survey returns",
    "answer_values": "answers",
    "comments": "comments",
    "budgets": "budget records",
    "quarantine": "quarantined rows and values",
    "benchmarks": "benchmark figures",
}


def removal_summary(plan: UnloadPlan) -> str:
    """What an unload deletes, in words: "39 survey returns (respondents), 427 answers, …"."""
    order = [*TABLE_WORDS, *(t for t in plan.rows if t not in TABLE_WORDS and t != "loads")]
    parts = [
        f"{plan.rows[table]:,} {TABLE_WORDS.get(table, table)} ({table})"
        for table in order
        if plan.rows.get(table)
    ]
    return ", ".join([*parts, "and its row in loads"]) if parts else "only its row in loads"


# The ingest messages are written for the command line; on this page the same advice names the
# page's own controls, so a person is never told to type a flag they cannot type here.
PAGE_WORDING: tuple[tuple[str, str], ...] = (
    (
        r"remove it with `outcomes unload (\d+)` \(or the Load data page's Unload\)",
        r"remove it under 'Loads in this database' above (load \1)",
    ),
    (
        r"check --instrument, or map the headers with --mapping",
        "check the Survey chosen above, or correct the matches in 'How the columns were matched'",
    ),
    (
        r"Check --instrument, or map the headers with --mapping",
        "Check the Survey chosen above, or correct the matches in 'How the columns were matched'",
    ),
    (r"[Mm]ap the column with --mapping", "Match the column in 'How the columns were matched'"),
    (r"map it with --mapping", "match it in 'How the columns were matched'"),
    (
        r"load anyway with\s+--no-reference",
        "tick 'This file has no respondent reference column' to load it anyway",
    ),
    (r"loaded with --no-reference", "loaded without a respondent reference"),
    (r"--new-council", "'Not in the council register'"),
    (r"--wave (\d+)", r"Wave \1"),
    (r"\(e\.g\. --wave (\d+)\)", r"(e.g. \1)"),
    (r"--council", "Council"),
    (r"--instrument", "Survey"),
    (r"--mapping", "'How the columns were matched'"),
    (r"--no-reference", "'This file has no respondent reference column'"),
)


def page_message(error: BaseException | str) -> str:
    """An ingest error in the words of this page: CLI flags become the controls that do the same."""
    text = str(error)
    for pattern, words in PAGE_WORDING:
        text = re.sub(pattern, words, text)
    return text
