"""What every reader produces: the raw table's description, its errors, the header-row search
and the row numbering shared by the CSV and Excel readers (see readers.py)."""

from __future__ import annotations

import codecs
import datetime as dt
import math
import re
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pandas as pd

SUPPORTED_EXTENSIONS = {
    ".csv": "csv",
    ".txt": "csv",
    ".tsv": "csv",
    ".xlsx": "xlsx",
    ".xlsm": "xlsx",
    ".sav": "sav",
    ".zsav": "sav",
}
HEADER_SEARCH_ROWS = 20  # title blocks above a header are a few rows, never pages
HEADER_WIDTH_SHARE = 0.6  # without a scorer: first row at least this full relative to the widest
STRIPPED_CHARACTERS = " \t\r\n\u00a0"  # what "stripped" means for every reader (NBSP from Excel)
DELIMITERS = (",", ";", "\t", "|")
SAMPLE_BYTES = 256 * 1024
TRANSCODE_CHUNK = 4 * 1024 * 1024

ZIP_MAGIC = b"PK\x03\x04"
SAV_MAGIC = (b"$FL2", b"$FL3")
BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),  # before UTF-16 LE: it starts with the same two bytes
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_C1_CONTROLS = re.compile(rb"[\x80-\x9f]")
_COLUMNS_MISMATCH = re.compile(r"Expected Number of Columns: (\d+) Found: (\d+)")
_ERROR_LINE = re.compile(r"CSV Error on Line: (\d+)")
_BLANK_LINE = re.compile(rb"\n(?=\r?\n)")  # overlapping: runs of blank lines
_NO_BREAK_SPACE = re.compile(b"\xc2\xa0")  # re's literal search beats mmap.find here
_SAFE_TABLE_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


class ReadError(ValueError):
    """A file cannot be read; the one-line message names the file and what is wrong with it."""


@dataclass(frozen=True)
class RawTable:
    """What a reader found and materialised: the raw table's shape and how the file was read.

    ``headers`` holds the original header text of each column, aligned with ``c0, c1, ...``; for
    a header written over several rows (SurveyMonkey, Qualtrics: see header_rows.py) it is the
    rows' text combined as a person reads it. ``header_labels`` is aligned the same way: for SPSS
    files the variable label (usually the full question wording, while ``headers`` holds the
    variable name); for a several-row header a tuple of the texts the column is matched under
    (Qualtrics' question id and question text, say); None elsewhere. A header matcher tries them
    all.
    """

    path: Path
    kind: str  # "csv" | "xlsx" | "sav"
    headers: list[str]
    header_row: int  # 1-based row of the (first) header row; 0 for SPSS (names are not a row)
    rows: int  # rows in the table (blank rows excluded)
    encoding: str | None  # CSV only: utf-8, utf-8-sig, cp1252, latin-1, utf-16, utf-32, ...
    delimiter: str | None  # CSV only
    sheet: str | None  # XLSX only: the sheet read
    value_labels_used: bool  # SPSS only: value labels replaced codes
    header_labels: list[str | tuple[str, ...] | None] = field(default_factory=list)
    header_rows: int = 1  # rows the header is written over; data starts below the last of them
    # CSV only: physical lines (1-based) that were not UTF-8 in an otherwise UTF-8 file and were
    # decoded as Windows-1252 (``encoding`` is then ``utf-8+cp1252``), for the load report.
    cp1252_lines: tuple[int, ...] = ()
    # What the reader did that the person who sent the file should know (one sentence each).
    notes: tuple[str, ...] = ()

    @property
    def columns(self) -> list[str]:
        """The raw table's data column names, ``c0 ... cN``."""
        return [f"c{index}" for index in range(len(self.headers))]


HeaderScore = Callable[[list[str]], float]


# --------------------------------------------------------------------------------------------
# Header row search (shared by CSV and XLSX)


def choose_header_row(
    records: Sequence[Sequence[str | None]], header_score: HeaderScore | None
) -> int:
    """Index of the header among the first rows of a file (0-based); -1 if every row is blank.

    With a scorer the highest score wins (the first on ties); a zero best score falls back to
    the width rule, because a file of unknown questions still has a header.
    """
    cells = [
        [(cell or "").strip(STRIPPED_CHARACTERS) for cell in row]
        for row in records[:HEADER_SEARCH_ROWS]
    ]
    filled = [sum(1 for cell in row if cell) for row in cells]
    if not any(filled):
        return -1
    if header_score is not None:
        scores = [
            header_score(row) if count else 0.0 for row, count in zip(cells, filled, strict=True)
        ]
        best = max(scores)
        if best > 0:
            return scores.index(best)
    widest = max(filled)
    for index, count in enumerate(filled):
        if count >= HEADER_WIDTH_SHARE * widest:
            return index
    return filled.index(widest)  # pragma: no cover - the widest row always qualifies


def _number_rows(
    con: duckdb.DuckDBPyConnection, staging: str, *, first_row: int, offsets: list[int]
) -> None:
    """Add ``source_row`` from insertion order: the n-th record is ``first_row + n`` plus blanks."""
    con.execute(f'ALTER TABLE temp."{staging}" ADD COLUMN source_row BIGINT')
    if not offsets:
        con.execute(f'UPDATE temp."{staging}" SET source_row = rowid + {int(first_row)}')
        return
    shifts = Counter(offsets)
    cases = " + ".join(
        f"(CASE WHEN rowid >= {int(start)} THEN {int(count)} ELSE 0 END)"
        for start, count in sorted(shifts.items())
    )
    if len(shifts) <= 200:
        con.execute(f'UPDATE temp."{staging}" SET source_row = rowid + {int(first_row)} + {cases}')
        return
    frame = pd.DataFrame({"start": list(shifts), "shift": list(shifts.values())})
    con.register("outcomes_blank_shifts", frame)
    try:
        con.execute(
            f'UPDATE temp."{staging}" SET source_row = rowid + {int(first_row)} + '
            f"(SELECT coalesce(sum(shift), 0) FROM outcomes_blank_shifts s "
            f'WHERE s.start <= temp."{staging}".rowid)'
        )
    finally:
        con.unregister("outcomes_blank_shifts")


def _drop_blank_rows(con: duckdb.DuckDBPyConnection, staging: str) -> int:
    width = _table_width(con, staging)
    all_null = " AND ".join(f"c{i} IS NULL" for i in range(width)) or "true"
    con.execute(f'DELETE FROM temp."{staging}" WHERE {all_null}')
    return con.execute(f'SELECT count(*) FROM temp."{staging}"').fetchall()[0][0]


def _table_width(con: duckdb.DuckDBPyConnection, staging: str) -> int:
    names = [row[0] for row in con.execute(f'DESCRIBE temp."{staging}"').fetchall()]
    return sum(1 for name in names if re.fullmatch(r"c\d+", name))


def _sql_string(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


_NOT_THE_REASON = ("Invalid Input Error", "CSV Error", "Original Line", "Error when sniffing")


def _first_line(message: str) -> str:
    """The line of a library's error message that says what is wrong, without the row it quotes."""
    lines = [line.strip() for line in message.splitlines() if line.strip()]
    useful = [line for line in lines if not line.startswith(_NOT_THE_REASON)]
    return (useful or lines or ["unknown error"])[0][:200]


def _line_of(message: str) -> str:
    found = _ERROR_LINE.search(message)
    return f" near line {found.group(1)}" if found else ""


def _cell_text(value: object) -> str | None:
    """Spreadsheet cell -> text as a person reads it: 4.0 -> "4", dates -> ISO, blanks -> None."""
    if value is None or value is pd.NaT:
        return None
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        if math.isnan(value):
            return None
        return str(int(value)) if value.is_integer() and abs(value) < 1e16 else repr(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, dt.datetime):
        if (value.hour, value.minute, value.second, value.microsecond) == (0, 0, 0, 0):
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, dt.timedelta):
        return str(value)
    text = str(value).strip(STRIPPED_CHARACTERS)
    return text or None


def _materialise(con: duckdb.DuckDBPyConnection, staging: str, table: pd.DataFrame) -> int:
    """Create the staging table from a frame of text cells and drop its all-blank rows."""
    view = f"{staging}__frame"
    data_columns = [name for name in table.columns if name != "source_row"]
    for name in data_columns:
        table[name] = table[name].astype(object)
    con.register(view, table)
    try:
        select = [f'CAST("{name}" AS VARCHAR) AS "{name}"' for name in data_columns]
        select.append("CAST(source_row AS BIGINT) AS source_row")
        con.execute(
            f'CREATE OR REPLACE TEMP TABLE "{staging}" AS SELECT {", ".join(select)} '
            f'FROM "{view}" ORDER BY source_row'
        )
    finally:
        con.unregister(view)
    return _drop_blank_rows(con, staging)
