"""The Load data page's logic: keep an upload, preview it, turn in-page fixes into a mapping, load.

Loading runs ``pipeline.ingest.load_survey_file`` (the function behind ``outcomes ingest
surveys``) in a process of its own, so a file loaded here is validated, pseudonymised and quarantined
exactly as from the command line. The page's edits become the same ``columns:`` mapping a
mapping file would hold.
"""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
import tempfile
from pathlib import Path

import pandas as pd
import yaml

from pipeline.ingest import IngestError, LoadResult, Preview, preview_survey_file
from pipeline.ingest.headers import ColumnMatch

ACCEPTED_TYPES = ["csv", "xlsx", "xls", "sav"]
UPLOAD_DIR = Path(tempfile.gettempdir()) / "sds-outcomes-uploads"


def keep_upload(name: str, content: bytes) -> Path:
    """Write an upload under its own name in a folder named by its hash (lineage keeps the name)."""
    digest = hashlib.sha256(content).hexdigest()[:16]
    folder = UPLOAD_DIR / digest
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / Path(name).name
    if not path.exists():
        path.write_bytes(content)
    return path


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


def preview(path: Path, instrument: str, mapping: dict) -> Preview:
    """What loading ``path`` would do, writing nothing."""
    return preview_survey_file(path, instrument=instrument, mapping=mapping or None)


def load(
    db_path: Path,
    path: Path,
    *,
    instrument: str,
    council: str,
    wave: int,
    mapping: dict,
    new_council: bool = False,
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
        finished = subprocess.run(command, capture_output=True, text=True, check=False)
    lines = [line for line in finished.stdout.splitlines() if line.startswith("{")]
    if not lines:
        raise IngestError(
            f"{path.name}: the load stopped unexpectedly: {finished.stderr.strip()[-500:]}"
        )
    payload = json.loads(lines[-1])
    if "error" in payload:
        raise IngestError(payload["error"])
    report = [ColumnMatch(**match) for match in payload.pop("column_report")]
    return LoadResult(column_report=report, **payload)
