"""Read a council's export (CSV, XLSX or SPSS .sav) into a raw DuckDB table, detecting what the
person who sent it would never think to tell us: the encoding, the delimiter, the title rows above
the header, a header written over two or three rows (SurveyMonkey, Qualtrics: header_rows.py)
and the row numbers they will see when they open the file.

Every reader produces the same shape: a TEMP table with text columns ``c0, c1, ...`` (values
stripped of surrounding whitespace, empty cells NULL) plus ``source_row``, the row number a person
sees in the file, so a quarantine message can point at "row 17". Rows whose cells are all empty are
dropped (their numbers simply do not appear). Header matching, label normalisation and validation
happen later, on that table, in DuckDB.

Row numbers:
- CSV: record number counting every record from the top of the file, blank lines and title rows
  included, so the first data record under a header on line 3 is 4 (a record with a quoted line
  break counts once, as a spreadsheet shows it).
- XLSX: the Excel row number.
- SAV: the case number (``header_row`` is 0, so the first case is row 1).

CSV is the national-scale path: a file that is valid UTF-8 goes straight to DuckDB's ``read_csv``;
anything else is transcoded to a temporary UTF-8 file in 4 MB chunks first, line by line where a
file mixes UTF-8 with Windows-1252 (``RawTable.cp1252_lines`` names the lines read as
Windows-1252), with old-Mac ``\r`` and mixed line endings made ``\n``. ``source_row`` comes from the
table's insertion order, never from a Python loop over rows.

Size guards (``read_limits.py``) refuse, before memory runs out, a CSV over
``OUTCOMES_MAX_CSV_BYTES``, a workbook that unpacks past ``OUTCOMES_MAX_XLSX_UNCOMPRESSED_BYTES``,
more rows or columns than ``OUTCOMES_MAX_ROWS`` / ``OUTCOMES_MAX_COLUMNS`` and a CSV cell over
``OUTCOMES_MAX_CELL_BYTES``; each message names the line or cell and the variable that raises the
limit. ``RawTable.notes`` says what else the reader did that the sender should know.

Every failure is a :class:`ReadError` with a one-line message, whatever the bytes: SPSS files are
read in a child process because the SPSS library can crash on a damaged file, and a workbook
whose cell grid would be too big to allocate is streamed instead of handed to calamine.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import duckdb

from pipeline.ingest.csv_reader import (
    _read_csv,
)
from pipeline.ingest.excel_reader import (
    _read_xlsx,
)
from pipeline.ingest.raw_table import (
    _SAFE_TABLE_NAME,
    HEADER_SEARCH_ROWS,
    SAV_MAGIC,
    STRIPPED_CHARACTERS,
    SUPPORTED_EXTENSIONS,
    ZIP_MAGIC,
    HeaderScore,
    RawTable,
    ReadError,
)
from pipeline.ingest.spss_reader import (
    _read_sav,
)

__all__ = [
    "HEADER_SEARCH_ROWS",
    "STRIPPED_CHARACTERS",
    "SUPPORTED_EXTENSIONS",
    "RawTable",
    "ReadError",
    "read_into_duckdb",
    "sha256_of",
    "sniff_kind",
]


# --------------------------------------------------------------------------------------------
# File identity


def sha256_of(path: Path) -> str:
    """SHA-256 of the file's bytes, streamed, so loading the same file twice can be refused."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1024 * 1024), b""):
            digest.update(block)
    return digest.hexdigest()


def sniff_kind(path: Path) -> str:
    """``"csv"``, ``"xlsx"`` or ``"sav"`` from the extension, checked against the first bytes.

    The extension says what the sender meant; the magic bytes say what the file is. A mismatch
    (a truncated workbook, a workbook renamed to .csv) is an error the sender can fix.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED_EXTENSIONS:
        supported = ", ".join(SUPPORTED_EXTENSIONS)
        hint = " (save old .xls workbooks as .xlsx)" if suffix == ".xls" else ""
        raise ReadError(
            f"{path.name}: unsupported file type {suffix or '(no extension)'!r}; "
            f"supported: {supported}{hint}"
        )
    if not path.is_file():
        raise ReadError(f"{path.name}: no such file ({path})")
    with open(path, "rb") as handle:
        head = handle.read(8)
    if not head:
        raise ReadError(f"{path.name}: the file is empty (0 bytes)")
    kind = SUPPORTED_EXTENSIONS[suffix]
    if kind == "xlsx" and not head.startswith(ZIP_MAGIC):
        raise ReadError(f"{path.name}: truncated or not an Excel file (it is not a zip archive)")
    if kind == "sav" and not head.startswith(SAV_MAGIC):
        raise ReadError(f"{path.name}: not an SPSS .sav file (no $FL2 signature)")
    if kind == "csv" and head.startswith(ZIP_MAGIC):
        raise ReadError(f"{path.name}: this is an Excel workbook named .csv; rename it to .xlsx")
    if kind == "csv" and head.startswith(SAV_MAGIC):
        raise ReadError(f"{path.name}: this is an SPSS file named .csv; rename it to .sav")
    return kind


# --------------------------------------------------------------------------------------------
# Entry point


def read_into_duckdb(
    con: duckdb.DuckDBPyConnection,
    path: Path,
    table: str,
    *,
    sheet: str | None = None,
    header_score: HeaderScore | None = None,
    trim: bool = True,
) -> RawTable:
    """Read a survey or budget-register file into the TEMP table ``table`` (replacing it).

    ``trim=False`` leaves spaces around CSV cells for the caller to handle (the loaders fold them
    when they map values, which costs less than trimming every cell of a national file).

    ``header_score`` rates a candidate header row (the loader counts cells that match known
    question codes or wordings); the highest-scoring of the first 20 rows is the header. Without
    it, the first row at least 60% as full as the widest row is. SurveyMonkey's row of labels
    under it and Qualtrics' rows of text and ImportId are joined to it (``RawTable.header_rows``;
    see header_rows.py) and are never data. ``sheet`` picks an XLSX sheet
    (default: the first). Raises :class:`ReadError`; on error no table is left behind.
    """
    path = Path(path)
    if not _SAFE_TABLE_NAME.match(table):
        raise ValueError(f"table name {table!r} must be a plain SQL identifier")
    kind = sniff_kind(path)
    staging = f"{table}__reading"
    try:
        if kind == "csv":
            raw = _read_csv(con, path, staging, header_score, trim)
        elif kind == "xlsx":
            raw = _read_xlsx(con, path, staging, sheet, header_score)
        else:
            raw = _read_sav(con, path, staging)
        if raw.rows == 0:
            raise ReadError(
                f"{path.name}: has a header (row {raw.header_row}) but no data rows under it"
            )
        con.execute(f'DROP TABLE IF EXISTS temp."{table}"')
        con.execute(f'ALTER TABLE temp."{staging}" RENAME TO "{table}"')
        return raw
    except BaseException:
        con.execute(f'DROP TABLE IF EXISTS temp."{staging}"')
        raise
