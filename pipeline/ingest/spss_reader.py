"""SPSS .sav: value labels applied, variable labels kept beside the names for matching."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd

from pipeline.ingest.raw_table import (
    RawTable,
    ReadError,
    _cell_text,
    _first_line,
    _materialise,
)

# --------------------------------------------------------------------------------------------
# SAV


def _read_sav(con: duckdb.DuckDBPyConnection, path: Path, staging: str) -> RawTable:
    import pyreadstat

    try:
        frame, meta = pyreadstat.read_sav(str(path), apply_value_formats=True)
    except Exception as error:  # pyreadstat raises ReadstatError and friends
        raise ReadError(f"{path.name}: unreadable SPSS file ({_first_line(str(error))})") from error
    names = list(meta.column_names)
    labels = [(meta.column_names_to_labels or {}).get(name) or None for name in names]
    table = pd.DataFrame(
        {
            f"c{i}": [_cell_text(value) for value in frame[name].tolist()]
            for i, name in enumerate(names)
        },
        dtype=object,
    )
    table["source_row"] = range(1, len(frame) + 1)
    rows = _materialise(con, staging, table)
    return RawTable(
        path=path,
        kind="sav",
        headers=names,
        header_row=0,
        rows=rows,
        encoding=None,
        delimiter=None,
        sheet=None,
        value_labels_used=bool(meta.variable_value_labels),
        header_labels=labels,
    )
