"""Read a council's export (CSV, XLSX or SPSS .sav) into a raw DuckDB table, detecting what the
person who sent it would never think to tell us: the encoding, the delimiter, the title rows above
the header and the row numbers they will see when they open the file.

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

CSV is the national-scale path: UTF-8 files go straight to DuckDB's ``read_csv``; other encodings
are transcoded to a temporary UTF-8 file in 4 MB chunks first. ``source_row`` comes from the
table's insertion order, never from a Python loop over rows.
"""

from __future__ import annotations

import bisect
import codecs
import contextlib
import csv
import datetime as dt
import hashlib
import io
import math
import mmap
import os
import re
import tempfile
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pandas as pd

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
DELIMITERS = (",", ";", "\t")
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

    ``headers`` holds the original header text of each column, aligned with ``c0, c1, ...``.
    ``header_labels`` is aligned the same way: for SPSS files the variable label (usually the full
    question wording, while ``headers`` holds the variable name), None elsewhere, so a header
    matcher can try both.
    """

    path: Path
    kind: str  # "csv" | "xlsx" | "sav"
    headers: list[str]
    header_row: int  # 1-based row of the header; 0 for SPSS (variable names are not a row)
    rows: int  # rows in the table (blank rows excluded)
    encoding: str | None  # CSV only: utf-8, utf-8-sig, cp1252, latin-1, utf-16, utf-32, ...
    delimiter: str | None  # CSV only
    sheet: str | None  # XLSX only: the sheet read
    value_labels_used: bool  # SPSS only: value labels replaced codes
    header_labels: list[str | None] = field(default_factory=list)

    @property
    def columns(self) -> list[str]:
        """The raw table's data column names, ``c0 ... cN``."""
        return [f"c{index}" for index in range(len(self.headers))]


HeaderScore = Callable[[list[str]], float]


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
    it, the first row at least 60% as full as the widest row is. ``sheet`` picks an XLSX sheet
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


# --------------------------------------------------------------------------------------------
# CSV


@dataclass(frozen=True)
class _CsvLayout:
    header_index: int  # 0-based record index of the header (blank lines are records)
    header_line_end: int  # physical line number (1-based) on which the header record ends
    headers: list[str]
    width: int


def _read_csv(
    con: duckdb.DuckDBPyConnection,
    path: Path,
    staging: str,
    header_score: HeaderScore | None,
    trim: bool = True,
) -> RawTable:
    with open(path, "rb") as handle:
        sample = handle.read(SAMPLE_BYTES)
    whole_file = len(sample) < SAMPLE_BYTES
    if not sample.strip(b" \t\r\n\x00"):
        raise ReadError(f"{path.name}: the file is empty (no text in it)")
    encoding = detect_encoding(sample, whole_file=whole_file, name=path.name)
    text = _decode_sample(sample, encoding, whole_file)
    if _looks_binary(text):
        raise ReadError(f"{path.name}: cannot be decoded as text (it looks like a binary file)")
    delimiter = detect_delimiter(text)
    layout = _csv_layout(text, delimiter, header_score, path.name)
    try:
        with _utf8_copy(path, encoding) as utf8_path:
            rows = _load_csv_table(con, utf8_path, staging, delimiter, layout, path.name, trim)
    except _NotUtf8 as error:
        if encoding not in ("utf-8", "utf-8-sig"):
            raise ReadError(f"{path.name}: cannot be decoded as {encoding}") from error
        # The sample was UTF-8 but bytes further down are not: read those as Windows-1252.
        encoding = "utf-8+cp1252"
        with _utf8_copy(path, encoding) as utf8_path:
            rows = _load_csv_table(con, utf8_path, staging, delimiter, layout, path.name, trim)
    width = _table_width(con, staging)
    return RawTable(
        path=path,
        kind="csv",
        headers=layout.headers + [""] * (width - len(layout.headers)),
        header_row=layout.header_index + 1,
        rows=rows,
        encoding=encoding,
        delimiter=delimiter,
        sheet=None,
        value_labels_used=False,
        header_labels=[None] * width,
    )


def detect_encoding(sample: bytes, *, whole_file: bool = False, name: str = "file") -> str:
    """The encoding of a CSV from its first bytes: BOM, else strict UTF-8, else a Windows code page.

    Bytes 0x80-0x9F are curly quotes, dashes and the euro sign in Windows-1252 (Excel's "CSV"
    on UK Windows) but unused control codes in Latin-1, so their presence decides for cp1252;
    without them the two agree on every byte and the file is reported as latin-1.
    """
    for bom, encoding in BOMS:
        if sample.startswith(bom):
            return encoding
    if b"\x00" in sample:
        utf16 = _utf16_without_bom(sample)
        if utf16:
            return utf16
        raise ReadError(f"{name}: cannot be decoded as text (it contains NUL bytes)")
    try:
        codecs.getincrementaldecoder("utf-8")().decode(sample, final=whole_file)
        return "utf-8"
    except UnicodeDecodeError:
        pass
    if _C1_CONTROLS.search(sample):
        try:
            sample.decode("cp1252")
            return "cp1252"
        except UnicodeDecodeError:
            pass
        # 0x81, 0x8D, 0x8F, 0x90 or 0x9D are undefined in cp1252: ask charset-normalizer.
        from charset_normalizer import from_bytes

        best = from_bytes(sample).best()
        if best is not None and best.encoding not in ("ascii", "utf_8"):
            return codecs.lookup(best.encoding).name
    return "latin-1"


def _utf16_without_bom(sample: bytes) -> str | None:
    """utf-16-le/-be when NULs sit on one side of most byte pairs (ASCII text in UTF-16)."""
    even = sample[0::2].count(0)
    odd = sample[1::2].count(0)
    pairs = max(len(sample) // 2, 1)
    if odd / pairs > 0.3 and even / pairs < 0.05:
        return "utf-16-le"
    if even / pairs > 0.3 and odd / pairs < 0.05:
        return "utf-16-be"
    return None


def _decode_sample(sample: bytes, encoding: str, whole_file: bool) -> str:
    decoder = codecs.getincrementaldecoder(encoding)(errors="replace")
    text = decoder.decode(sample, final=whole_file)
    if not whole_file and "\n" in text:
        text = text[: text.rindex("\n") + 1]  # never parse a cut-off last line
    return text


def _looks_binary(text: str) -> bool:
    controls = sum(1 for ch in text if (ord(ch) < 32 and ch not in "\t\r\n") or ch == "\ufffd")
    return controls > max(8, len(text) // 100)


def detect_delimiter(text: str) -> str:
    """Comma, semicolon or tab: csv.Sniffer's answer unless another gives a wider, steadier table.

    Sniffer alone prefers the comma whenever two characters are about equally consistent, which
    is wrong for semicolon files with "£12,345" amounts; counting fields per record settles it.
    """
    lines = text.splitlines(keepends=True)[:60]
    head = "".join(lines)
    scores = {delimiter: _delimiter_score(head, delimiter) for delimiter in DELIMITERS}
    best = max(scores.values())
    try:
        sniffed = csv.Sniffer().sniff(head, delimiters="".join(DELIMITERS)).delimiter
    except csv.Error:
        sniffed = None
    if sniffed in scores and scores[sniffed] >= best:
        return sniffed  # ties go to the Sniffer
    if best == 0:
        return ","
    return max(DELIMITERS, key=lambda delimiter: scores[delimiter])


def _delimiter_score(text: str, delimiter: str) -> float:
    """Modal field count times the share of non-blank records that have it (0 if one column).

    A wrong delimiter can make a quote mid-cell open a "quoted" field that swallows the following
    lines; records with such line breaks count half, so the delimiter that keeps lines whole wins.
    """
    records = [row for row in csv.reader(io.StringIO(text), delimiter=delimiter) if any(row)]
    if not records:
        return 0.0
    widths = Counter(len(row) for row in records)
    width, count = max(widths.items(), key=lambda item: (item[1] * item[0], item[0]))
    if width < 2:
        return 0.0
    swallowed = sum(1 for row in records if any("\n" in cell for cell in row))
    return width * (count - swallowed / 2) / len(records)


def _csv_layout(
    text: str, delimiter: str, header_score: HeaderScore | None, name: str
) -> _CsvLayout:
    reader = csv.reader(io.StringIO(text), delimiter=delimiter, quotechar='"')
    records: list[list[str]] = []
    line_ends: list[int] = []
    try:
        for row in reader:
            records.append(row)
            line_ends.append(reader.line_num)
            if len(records) >= HEADER_SEARCH_ROWS * 3:
                break
    except csv.Error as error:
        raise ReadError(f"{name}: unreadable CSV near line {reader.line_num}: {error}") from error
    header_index = choose_header_row(records, header_score)
    if header_index < 0:
        raise ReadError(f"{name}: the file is empty (only blank rows at the top)")
    headers = [cell.strip(STRIPPED_CHARACTERS) for cell in records[header_index]]
    # The table is as wide as the widest row seen from the header on; later wider rows widen it.
    width = max(len(row) for row in records[header_index:])
    headers += [""] * (width - len(headers))
    return _CsvLayout(header_index, line_ends[header_index], headers, width)


@contextlib.contextmanager
def _utf8_copy(path: Path, encoding: str) -> Iterator[Path]:
    """The file itself when DuckDB can read it as UTF-8, else a temporary UTF-8 transcode.

    ``utf-8+cp1252`` is a file whose sample looked like UTF-8 but that holds stray Windows-1252
    bytes further down (two exports pasted together): those bytes are read as cp1252.
    """
    if encoding in ("utf-8", "utf-8-sig"):
        yield path
        return
    handle, temporary = tempfile.mkstemp(suffix=".csv", prefix="outcomes-transcode-")
    try:
        with os.fdopen(handle, "wb") as out:
            _transcode(path, encoding, out)
        yield Path(temporary)
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)


def _cp1252_fallback(error: UnicodeError) -> tuple[str, int]:
    if not isinstance(error, UnicodeDecodeError):
        raise error
    bad = error.object[error.start : error.end]
    return bad.decode("cp1252", errors="replace"), error.end


codecs.register_error("outcomes-cp1252-fallback", _cp1252_fallback)


def _transcode(path: Path, encoding: str, out) -> None:
    errors = "outcomes-cp1252-fallback" if encoding == "utf-8+cp1252" else "strict"
    source_encoding = "utf-8" if encoding == "utf-8+cp1252" else encoding
    decoder = codecs.getincrementaldecoder(source_encoding)(errors=errors)
    first = True
    with open(path, "rb") as source:
        while block := source.read(TRANSCODE_CHUNK):
            try:
                text = decoder.decode(block)
            except UnicodeDecodeError as error:
                raise ReadError(f"{path.name}: cannot be decoded as {encoding}: {error}") from error
            if first:
                text, first = text.removeprefix("\ufeff"), False
            out.write(text.encode("utf-8"))
        out.write(decoder.decode(b"", final=True).encode("utf-8"))


def _load_csv_table(
    con: duckdb.DuckDBPyConnection,
    utf8_path: Path,
    staging: str,
    delimiter: str,
    layout: _CsvLayout,
    name: str,
    trim: bool = True,
) -> int:
    scan = _scan_bytes(utf8_path, layout.header_line_end, delimiter)
    width = layout.width
    parallel = True
    for _attempt in range(8):
        try:
            _create_raw_table(
                con, utf8_path, staging, delimiter, width, layout.header_index + 1, parallel, trim
            )
            break
        except duckdb.Error as error:
            message = str(error)
            if "Invalid unicode" in message:
                raise _NotUtf8 from error
            mismatch = _COLUMNS_MISMATCH.search(message)
            found = int(mismatch.group(2)) if mismatch else 0
            if width < found <= 4 * width + 16:
                width = found  # a row wider than the header: keep its cells
                continue
            if "quoted new lines" in message and parallel:
                parallel = False  # DuckDB pads short rows with quoted line breaks only serially
                continue
            raise ReadError(
                f"{name}: unreadable CSV{_line_of(message)}: {_first_line(message)}"
            ) from error
    else:
        raise ReadError(f"{name}: unreadable CSV: rows have too many different widths")
    records = con.execute(f'SELECT count(*) FROM temp."{staging}"').fetchall()[0][0]
    # Every physical line is the title block, a record's line, a blank line or a line break
    # inside a quoted cell; so the last kind exists exactly when the lines do not add up.
    embedded_breaks = scan.lines - layout.header_line_end - records - len(scan.blank_lines) > 0
    offsets = []
    if scan.blank_lines:
        breaks = _line_breaks_per_record(con, staging) if embedded_breaks else []
        offsets = _blank_line_offsets(records, breaks, scan.blank_lines, layout.header_line_end + 1)
    _number_rows(con, staging, first_row=layout.header_index + 2, offsets=offsets)
    if trim and (embedded_breaks or scan.other_whitespace):
        _strip_all_whitespace(con, staging)
    return _drop_blank_rows(con, staging)


class _NotUtf8(Exception):
    """The UTF-8 sample lied: bytes further down are not UTF-8."""


def _create_raw_table(
    con: duckdb.DuckDBPyConnection,
    utf8_path: Path,
    staging: str,
    delimiter: str,
    width: int,
    skip: int,
    parallel: bool,
    trim: bool = True,
) -> None:
    """Read the data records with DuckDB, trimming spaces only (the cheap, common case)."""
    columns = "{" + ", ".join(f"'c{i}': 'VARCHAR'" for i in range(width)) + "}"
    cell = "nullif(trim(c{i}), '')" if trim else "nullif(c{i}, '')"
    select = ", ".join(f"{cell.format(i=i)} AS c{i}" for i in range(width))
    con.execute(
        f'CREATE OR REPLACE TEMP TABLE "{staging}" AS SELECT {select} '
        f"FROM read_csv({_sql_string(str(utf8_path))}, delim={_sql_string(delimiter)}, "
        f"header=false, skip={skip}, columns={columns}, quote='\"', escape='\"', "
        f"auto_detect=false, null_padding=true, strict_mode=true, "
        f"parallel={'true' if parallel else 'false'})"
    )


def _strip_all_whitespace(con: duckdb.DuckDBPyConnection, staging: str) -> None:
    """Strip tabs, line breaks and no-break spaces too; only for files that can hold them.

    Trimming a character set costs DuckDB two to three times a plain space trim, so it runs
    only when the byte scan or the line count says some cell may start or end with one.
    """
    stripped = _sql_string(STRIPPED_CHARACTERS)
    assignments = ", ".join(
        f"c{i} = nullif(trim(c{i}, {stripped}), '')" for i in range(_table_width(con, staging))
    )
    con.execute(f'UPDATE temp."{staging}" SET {assignments}')


@dataclass(frozen=True)
class _ByteScan:
    lines: int  # physical lines in the file
    blank_lines: list[int]  # line numbers of empty lines below the header (DuckDB skips them)
    other_whitespace: bool  # a tab (in a non-tab file), no-break space or quoted tab may occur


def _scan_bytes(utf8_path: Path, header_line_end: int, delimiter: str) -> _ByteScan:
    """One pass over the UTF-8 bytes: line count, empty lines, whitespace that needs care.

    Counting and single-byte searches run at memory speed; the empty-line search is one regular
    expression that starts on a literal line break.
    """
    blank_lines: list[int] = []
    other_whitespace = False
    with open(utf8_path, "rb") as handle:
        size = os.fstat(handle.fileno()).st_size
        if size == 0:
            return _ByteScan(0, [], False)
        with mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) as data:
            newlines, position = 0, 0
            for match in _BLANK_LINE.finditer(data):
                newlines += data[position : match.start()].count(b"\n")
                position = match.start()
                blank = newlines + 2  # the line after the one this line break ends
                if blank > header_line_end:
                    blank_lines.append(blank)
            lines = 0
            for start in range(0, size, TRANSCODE_CHUNK):
                lines += data[start : start + TRANSCODE_CHUNK].count(b"\n")
            if data[size - 1 : size] != b"\n":
                lines += 1
            other_whitespace = _NO_BREAK_SPACE.search(data) is not None
            if not other_whitespace:
                # In a tab-delimited file a tab inside a cell must be quoted.
                needle = b'"' if delimiter == "\t" else b"\t"
                other_whitespace = data.find(needle) >= 0
    return _ByteScan(lines, blank_lines, other_whitespace)


def _line_breaks_per_record(con: duckdb.DuckDBPyConnection, staging: str) -> list[tuple[int, int]]:
    """(raw record index, line breaks inside its cells) for records that span several lines."""
    width = _table_width(con, staging)
    counts = " + ".join(
        f"coalesce(length(c{i}) - length(replace(c{i}, chr(10), '')), 0)" for i in range(width)
    )
    return con.execute(
        f'SELECT rowid, {counts} AS breaks FROM temp."{staging}" WHERE {counts} > 0 ORDER BY rowid'
    ).fetchall()


def _blank_line_offsets(
    count: int, breaks: list[tuple[int, int]], blank_lines: list[int], first_line: int
) -> list[int]:
    """For each real blank line, the index of the first raw record that comes after it.

    A candidate blank line may be a paragraph break inside a quoted comment; the records' own
    line-break counts (from DuckDB) tell which candidates fall inside a record.
    """
    break_rows = [row for row, _ in breaks]
    break_prefix = [0]
    for _, extra in breaks:
        break_prefix.append(break_prefix[-1] + extra)
    break_of = dict(breaks)

    def start_line(record: int, blanks_so_far: int) -> int:
        return (
            first_line
            + record
            + break_prefix[bisect.bisect_left(break_rows, record)]
            + blanks_so_far
        )

    offsets: list[int] = []
    for line in sorted(blank_lines):
        low, high = 0, count - 1
        found = -1
        while low <= high:  # last record starting before this line
            middle = (low + high) // 2
            if start_line(middle, len(offsets)) < line:
                found, low = middle, middle + 1
            else:
                high = middle - 1
        if found >= 0 and line <= start_line(found, len(offsets)) + break_of.get(found, 0):
            continue  # a blank line inside a quoted cell
        if found == count - 1:
            continue  # trailing blank lines: no record follows
        offsets.append(found + 1)
    return offsets


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


def _first_line(message: str) -> str:
    lines = [line.strip() for line in message.splitlines() if line.strip()]
    useful = [line for line in lines if not line.startswith(("Invalid Input Error", "CSV Error"))]
    return (useful or lines or ["unknown error"])[0][:200]


def _line_of(message: str) -> str:
    found = _ERROR_LINE.search(message)
    return f" near line {found.group(1)}" if found else ""


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
