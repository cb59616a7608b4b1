"""XLSX: the chosen or first sheet, a header found below title rows, Excel row numbers."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd

from pipeline.ingest.raw_table import (
    HEADER_SEARCH_ROWS,
    HeaderScore,
    RawTable,
    ReadError,
    _cell_text,
    _first_line,
    _materialise,
    choose_header_row,
)

# --------------------------------------------------------------------------------------------
# XLSX


def _read_xlsx(
    con: duckdb.DuckDBPyConnection,
    path: Path,
    staging: str,
    sheet: str | None,
    header_score: HeaderScore | None,
) -> RawTable:
    try:
        workbook = pd.ExcelFile(path, engine="calamine")
        sheets = list(workbook.sheet_names)
        if sheet is not None and sheet not in sheets:
            raise ReadError(
                f"{path.name}: has no sheet {sheet!r}; its sheets are: "
                + ", ".join(repr(name) for name in sheets)
            )
        chosen = sheet if sheet is not None else sheets[0]
        frame = pd.read_excel(workbook, sheet_name=chosen, header=None, dtype=object)
    except ReadError:
        raise
    except Exception as error:  # calamine raises its own error types for broken zips
        raise ReadError(
            f"{path.name}: truncated or not an Excel file ({_first_line(str(error))})"
        ) from error
    cells = [[_cell_text(value) for value in row] for row in frame.itertuples(index=False)]
    header_index = choose_header_row(cells[: HEADER_SEARCH_ROWS * 3], header_score)
    if header_index < 0:
        raise ReadError(f"{path.name}: sheet {chosen!r} is empty")
    headers = [cell or "" for cell in cells[header_index]]
    width = len(headers)
    while (
        width
        and not headers[width - 1]
        and all(len(row) < width or row[width - 1] is None for row in cells[header_index + 1 :])
    ):
        width -= 1  # trailing columns with neither header nor data are formatting leftovers
    body = [row[:width] for row in cells[header_index + 1 :]]
    table = pd.DataFrame(body, columns=[f"c{i}" for i in range(width)], dtype=object)
    table["source_row"] = range(header_index + 2, header_index + 2 + len(body))
    rows = _materialise(con, staging, table)
    return RawTable(
        path=path,
        kind="xlsx",
        headers=headers[:width],
        header_row=header_index + 1,
        rows=rows,
        encoding=None,
        delimiter=None,
        sheet=chosen,
        value_labels_used=False,
        header_labels=[None] * width,
    )
