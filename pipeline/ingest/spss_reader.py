"""SPSS .sav: value labels applied, variable labels kept beside the names for matching.

pyreadstat (the C library ReadStat) can crash the whole process on a damaged file: a few
flipped bytes in a valid .sav end in a segmentation fault, which no ``except`` catches. So the
file is read in a child Python process that writes the cells as text to a Parquet file; the
parent loads that into DuckDB and turns a crash into a :class:`ReadError`. The child checks the
case and variable counts from the file's header against ``OUTCOMES_MAX_ROWS`` and
``OUTCOMES_MAX_COLUMNS`` before reading any data.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import duckdb

from pipeline.ingest.raw_table import (
    RawTable,
    ReadError,
    _cell_text,
    _drop_blank_rows,
    _first_line,
    _sql_string,
)
from pipeline.ingest.read_limits import raise_hint, read_limits

SAV_TIMEOUT_SECONDS = 600
_CHILD = "from pipeline.ingest.spss_reader import _child_main; _child_main()"


def _read_sav(con: duckdb.DuckDBPyConnection, path: Path, staging: str) -> RawTable:
    limits = read_limits(path.name)
    with tempfile.TemporaryDirectory(prefix="outcomes-sav-") as folder:
        out = Path(folder)
        package_root = str(Path(__file__).resolve().parents[2])
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(
            [package_root, *filter(None, [os.environ.get("PYTHONPATH")])]
        )}  # fmt: skip
        try:
            completed = subprocess.run(
                [sys.executable, "-c", _CHILD, str(path), str(out)],
                capture_output=True,
                text=True,
                env=env,
                timeout=SAV_TIMEOUT_SECONDS,
                check=False,
            )
        except subprocess.TimeoutExpired as error:
            raise ReadError(
                f"{path.name}: reading this SPSS file took over {SAV_TIMEOUT_SECONDS} s; "
                "save it again from SPSS, or export it as CSV"
            ) from error
        report = out / "report.json"
        result = json.loads(report.read_text()) if report.exists() else {}
        if completed.returncode != 0 or "error" in result or not result:
            if "error" in result:
                raise ReadError(f"{path.name}: unreadable SPSS file ({result['error']})")
            raise ReadError(
                f"{path.name}: unreadable SPSS file (the SPSS reader stopped with code "
                f"{completed.returncode}: the file is probably damaged); save it again from SPSS"
            )
        if result["rows"] > limits.rows:
            raise ReadError(
                f"{path.name}: has {result['rows']:,} cases, more than the limit of "
                f"{limits.rows:,}; {raise_hint('rows', result['rows'])}"
            )
        if len(result["names"]) > limits.columns:
            raise ReadError(
                f"{path.name}: has {len(result['names']):,} variables, more than the limit of "
                f"{limits.columns:,}; {raise_hint('columns', len(result['names']))}"
            )
        cells = _sql_string(str(out / "cells.parquet"))
        con.execute(
            f'CREATE OR REPLACE TEMP TABLE "{staging}" AS SELECT * FROM read_parquet({cells}) '
            "ORDER BY source_row"
        )
    rows = _drop_blank_rows(con, staging)
    return RawTable(
        path=path,
        kind="sav",
        headers=result["names"],
        header_row=0,
        rows=rows,
        encoding=None,
        delimiter=None,
        sheet=None,
        value_labels_used=result["value_labels_used"],
        header_labels=result["labels"],
    )


def _child_main() -> None:
    """In the child process: read ``argv[1]``, write cells.parquet and report.json to ``argv[2]``."""
    path, out = Path(sys.argv[1]), Path(sys.argv[2])
    report = out / "report.json"
    try:
        result = _read_sav_cells(path, out / "cells.parquet")
    except Exception as error:  # pyreadstat raises ReadstatError and friends
        report.write_text(json.dumps({"error": _first_line(str(error)) or type(error).__name__}))
        sys.exit(2)
    report.write_text(json.dumps(result))


def _read_sav_cells(path: Path, parquet: Path) -> dict:
    import pyarrow as pa
    import pyarrow.parquet as pq
    import pyreadstat

    limits = read_limits(path.name)
    _, header = pyreadstat.read_sav(str(path), metadataonly=True)
    cases = header.number_rows if header.number_rows is not None else -1
    if cases > limits.rows or len(header.column_names) > limits.columns:
        return {  # refused by the parent with the counts; no data read
            "rows": max(cases, 0),
            "names": list(header.column_names),
            "labels": [],
            "value_labels_used": False,
        }
    frame, meta = pyreadstat.read_sav(str(path), apply_value_formats=True)
    names = list(meta.column_names)
    labels = [(meta.column_names_to_labels or {}).get(name) or None for name in names]
    columns = {
        f"c{i}": pa.array([_cell_text(value) for value in frame[name].tolist()], pa.string())
        for i, name in enumerate(names)
    }
    columns["source_row"] = pa.array(range(1, len(frame) + 1), pa.int64())
    pq.write_table(pa.table(columns), parquet)
    return {
        "rows": len(frame),
        "names": names,
        "labels": labels,
        "value_labels_used": bool(meta.variable_value_labels),
    }
