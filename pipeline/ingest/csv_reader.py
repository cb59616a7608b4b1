"""CSV: encoding, delimiter and title rows detected; row numbers as a spreadsheet shows them.

Encoding, decided for the whole file and, where a file mixes them, line by line:
- a file that is valid UTF-8 (with or without a BOM) goes straight to DuckDB's ``read_csv``,
  whatever its first 256 KB suggested; that is the national-scale path;
- UTF-16 and UTF-32 (a BOM, or NULs on one side of most byte pairs) are transcoded to a
  temporary UTF-8 file in 4 MB chunks;
- any other file is transcoded line by line: a line that is valid UTF-8 stays UTF-8, a line that
  is not is read as Windows-1252 and its number goes into ``RawTable.cp1252_lines``
  (``encoding`` is then ``utf-8+cp1252``); a file in which (almost) no line is UTF-8 is a
  single-byte file, read whole as Windows-1252 (``cp1252``, or ``latin-1`` when no byte
  0x80-0x9F occurs and the two agree on every byte).
Every transcoded copy ends its lines with ``\\n``: old-Mac ``\\r`` and mixed endings count one line
break each, as a spreadsheet counts them, so row numbers stay those a person sees.

Layout: the delimiter comes from DuckDB's own sniffer (``sniff_csv``), checked against a count of
fields per record that settles semicolon files whose amounts hold commas; the header is the best
of the first records (``choose_header_row``), title rows and blank lines count in row numbers.

Limits (``read_limits.py``): file size, rows, columns and cell size are each refused with the
line and the environment variable that raises the limit.
"""

from __future__ import annotations

import bisect
import codecs
import csv
import io
import mmap
import os
import re
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import duckdb

from pipeline.ingest.header_rows import HeaderBlock, find_header_block
from pipeline.ingest.raw_table import (
    _BLANK_LINE,
    _COLUMNS_MISMATCH,
    _ERROR_LINE,
    _NO_BREAK_SPACE,
    DELIMITERS,
    HEADER_SEARCH_ROWS,
    SAMPLE_BYTES,
    STRIPPED_CHARACTERS,
    TRANSCODE_CHUNK,
    HeaderScore,
    RawTable,
    ReadError,
    _drop_blank_rows,
    _first_line,
    _line_of,
    _number_rows,
    _sql_string,
    _table_width,
)
from pipeline.ingest.read_limits import ReadLimits, human_bytes, raise_hint, read_limits
from pipeline.ingest.transcoding import (
    LONE_CR,
    Utf8Copy,
    decode_sample,
    detect_encoding,
    looks_binary,
    utf8_copy,
)

DUCKDB_BUFFER_BYTES = 32_000_000  # DuckDB's own default; a larger line size must not grow it
LINE_SIZE_CEILING = 64_000_000  # longest record DuckDB is asked to hold, whatever the cell limit
NOTE_LINES_LISTED = 10
_LINE_TOO_LONG = re.compile(r"Maximum line size of \d+ bytes exceeded\. Actual Size:\s*(\d+)")
_ORIGINAL_LINE = re.compile(r"^Original Line: (.*)$", re.MULTILINE)


@dataclass(frozen=True)
class _Request:
    """One read: where it goes, how it is scored and the limits in force."""

    con: duckdb.DuckDBPyConnection
    path: Path
    staging: str
    header_score: HeaderScore | None
    trim: bool
    limits: ReadLimits


@dataclass(frozen=True)
class _Dialect:
    delimiter: str
    escape: str  # '"' (RFC 4180: a quote inside quotes is doubled) or "\\"


@dataclass(frozen=True)
class _CsvLayout:
    header_index: int  # 0-based record index of the (first) header row (blank lines are records)
    data_index: int  # 0-based record index of the first record below the header rows
    header_line_end: int  # physical line number (1-based) on which the last header record ends
    headers: list[str]
    width: int
    block: HeaderBlock


class _NeedsTranscoding(Exception):
    """DuckDB cannot read the file as it is: bytes further down are not UTF-8, or endings mix."""


def _read_csv(
    con: duckdb.DuckDBPyConnection,
    path: Path,
    staging: str,
    header_score: HeaderScore | None,
    trim: bool = True,
) -> RawTable:
    limits = read_limits(path.name)
    size = path.stat().st_size
    if size > limits.csv_bytes:
        raise ReadError(
            f"{path.name}: is {human_bytes(size)}, more than the {human_bytes(limits.csv_bytes)} "
            f"limit for a CSV file; split it into smaller files, or {raise_hint('csv_bytes', size)}"
        )
    with open(path, "rb") as handle:
        sample = handle.read(SAMPLE_BYTES)
    whole_file = len(sample) < SAMPLE_BYTES
    if not sample.strip(b" \t\r\n\x00"):
        raise ReadError(f"{path.name}: the file is empty (no text in it)")
    encoding = detect_encoding(sample, whole_file=whole_file, name=path.name)
    if looks_binary(decode_sample(sample, encoding, whole_file)):
        raise ReadError(f"{path.name}: cannot be decoded as text (it looks like a binary file)")
    request = _Request(con, path, staging, header_score, trim, limits)
    # A "\r" at the very end of a cut sample may be the first half of "\r\n".
    endings = sample if whole_file else sample[:-1]
    if encoding in ("utf-8", "utf-8-sig") and not LONE_CR.search(endings):
        try:
            return _read_utf8(request, path, encoding, direct=True)
        except _NeedsTranscoding:
            pass  # the sample was UTF-8 with one kind of line ending; the rest of the file is not
    with utf8_copy(path, encoding) as copy:
        return _read_utf8(request, copy.path, copy.encoding, copy=copy)


def _read_utf8(
    request: _Request,
    utf8_path: Path,
    encoding: str,
    *,
    direct: bool = False,
    copy: Utf8Copy | None = None,
) -> RawTable:
    """Read a UTF-8 file (the original, or its transcoded copy) into the staging table."""
    name = request.path.name
    text = _utf8_sample(utf8_path)
    dialect = _choose_dialect(request, utf8_path, text)
    layout = _csv_layout(text, dialect, request.header_score, name, request.limits)
    rows = _load_csv_table(request, utf8_path, dialect, layout, direct=direct)
    width = _table_width(request.con, request.staging)
    return RawTable(
        path=request.path,
        kind="csv",
        headers=layout.headers + [""] * (width - len(layout.headers)),
        header_row=layout.header_index + 1,
        rows=rows,
        encoding=encoding,
        delimiter=dialect.delimiter,
        sheet=None,
        value_labels_used=False,
        header_labels=layout.block.labels(width),
        header_rows=layout.block.rows,
        cp1252_lines=copy.cp1252_lines if copy else (),
        notes=_notes(copy, layout),
    )


def _notes(copy: Utf8Copy | None, layout: _CsvLayout) -> tuple[str, ...]:
    notes = []
    header_note = layout.block.note(layout.header_index + 1)
    if header_note:
        notes.append(header_note)
    if copy is None:
        return tuple(notes)
    if copy.cp1252_lines:
        shown = ", ".join(str(line) for line in copy.cp1252_lines[:NOTE_LINES_LISTED])
        more = len(copy.cp1252_lines) - NOTE_LINES_LISTED
        count = len(copy.cp1252_lines)
        notes.append(
            f"{count} line{'s' if count > 1 else ''} of this UTF-8 file "
            f"{'were' if count > 1 else 'was'} not UTF-8 and "
            f"{'were' if count > 1 else 'was'} read as Windows-1252: "
            f"line{'s' if count > 1 else ''} {shown}" + (f" and {more:,} more" if more > 0 else "")
        )
    if copy.line_endings:
        notes.append(
            f"line endings were {copy.line_endings}; each counts as one line break, "
            "as a spreadsheet counts them"
        )
    return tuple(notes)


# --------------------------------------------------------------------------------------------
# Encoding


def _utf8_sample(utf8_path: Path) -> str:
    with open(utf8_path, "rb") as handle:
        sample = handle.read(SAMPLE_BYTES)
    whole_file = len(sample) < SAMPLE_BYTES
    text = codecs.getincrementaldecoder("utf-8")(errors="replace").decode(sample, final=whole_file)
    text = text.removeprefix("\ufeff")
    if not whole_file and "\n" in text:
        text = text[: text.rindex("\n") + 1]  # never parse a cut-off last line
    return text


# --------------------------------------------------------------------------------------------
# Dialect and layout


def _choose_dialect(request: _Request, utf8_path: Path, text: str) -> _Dialect:
    """DuckDB's sniffer for delimiter and escape, unless counting fields says it is wrong.

    DuckDB's ``sniff_csv`` picks the delimiter that gives the most consistent table; for a
    semicolon file whose amounts read "£12,345" both may look consistent, and the count of fields
    per record (wider, steadier tables score higher) settles it. When the sniffer cannot read the
    sample at all (a cell over its line size, line endings it refuses) the count decides alone.
    """
    sniffed = _sniff(request, utf8_path)
    lines = text.splitlines(keepends=True)[:60]
    head = "".join(lines)
    escape = "\\" if sniffed and sniffed.escape == "\\" else '"'
    scores = {delimiter: _delimiter_score(head, delimiter, escape) for delimiter in DELIMITERS}
    best = max(scores.values())
    if sniffed and sniffed.delimiter in scores and scores[sniffed.delimiter] >= best:
        return sniffed
    if best == 0:
        delimiter = sniffed.delimiter if sniffed and sniffed.delimiter in scores else ","
    else:
        delimiter = max(DELIMITERS, key=lambda candidate: scores[candidate])
    return _Dialect(delimiter, escape)


def _sniff(request: _Request, utf8_path: Path) -> _Dialect | None:
    line_size = max(request.limits.cell_bytes, 2_097_152)
    try:
        found = request.con.execute(
            "SELECT Delimiter, Escape FROM sniff_csv(?, all_varchar=true, "
            f"max_line_size={int(line_size)}, buffer_size={_buffer_size(line_size)})",
            [str(utf8_path)],
        ).fetchone()
    except duckdb.Error:
        return None  # the count of fields decides alone
    if not found or len(found[0]) != 1:
        return None
    return _Dialect(found[0], "\\" if found[1] == "\\" else '"')


def _delimiter_score(text: str, delimiter: str, escape: str = '"') -> float:
    """Modal field count times the square of the share of non-blank records that have it (0 if
    one column).

    A wrong delimiter can make a quote mid-cell open a "quoted" field that swallows the following
    lines; records with such line breaks count half, so the delimiter that keeps lines whole wins.
    The share is squared so that a steady table beats a wider, ragged one: in a comma file whose
    every cell holds tabs, tabs split the records wider than commas do, but not the header.
    """
    try:
        records = [row for row in _csv_records(text, delimiter, escape) if any(row)]
    except csv.Error:
        return 0.0
    if not records:
        return 0.0
    widths = Counter(len(row) for row in records)
    width, count = max(widths.items(), key=lambda item: (item[1] * item[0], item[0]))
    if width < 2:
        return 0.0
    swallowed = sum(1 for row in records if any("\n" in cell or "\r" in cell for cell in row))
    return width * ((count - swallowed / 2) / len(records)) ** 2


def _csv_records(text: str, delimiter: str, escape: str):
    """Python's csv reader over sample text, without its 128 KB field limit (the sample is smaller
    than any cell limit; DuckDB enforces the real one on the whole file)."""
    csv.field_size_limit(max(csv.field_size_limit(), len(text) + 1))
    return csv.reader(
        io.StringIO(text, newline=""),
        delimiter=delimiter,
        quotechar='"',
        escapechar="\\" if escape == "\\" else None,
        doublequote=True,
    )


def _csv_layout(
    text: str,
    dialect: _Dialect,
    header_score: HeaderScore | None,
    name: str,
    limits: ReadLimits,
) -> _CsvLayout:
    reader = _csv_records(text, dialect.delimiter, dialect.escape)
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
    block = find_header_block(records, header_score)
    if block is None:
        raise ReadError(f"{name}: the file is empty (only blank rows at the top)")
    header_index = block.first
    headers = list(block.headers)
    # The table is as wide as the widest row seen from the header on; later wider rows widen it.
    widest = max(range(header_index, len(records)), key=lambda index: len(records[index]))
    width = len(records[widest])
    if width > limits.columns:
        raise _too_many_columns(name, line_ends[widest], width, limits)
    headers += [""] * (width - len(headers))
    return _CsvLayout(header_index, block.last + 1, line_ends[block.last], headers, width, block)


def _too_many_columns(name: str, line: int | str, width: int, limits: ReadLimits) -> ReadError:
    return ReadError(
        f"{name}: line {line} has {width:,} columns, more than the limit of {limits.columns:,}; "
        f"check that the file's delimiter is a comma, semicolon or tab, or "
        f"{raise_hint('columns', width)}"
    )


# --------------------------------------------------------------------------------------------
# Loading with DuckDB


def _load_csv_table(
    request: _Request,
    utf8_path: Path,
    dialect: _Dialect,
    layout: _CsvLayout,
    *,
    direct: bool = False,
) -> int:
    con, staging, name, limits = request.con, request.staging, request.path.name, request.limits
    # The byte scan (line count, blank lines, awkward whitespace) is only needed after the read,
    # and is pure Python over the file's bytes while DuckDB reads it without the GIL: on two
    # cores they overlap (about 0.8 s of a million-row export off the critical path).
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="outcomes-scan") as pool:
        scanning = pool.submit(
            _scan_bytes, utf8_path, layout.header_line_end, dialect.delimiter, request.trim
        )
        line_size_raised = _read_records(request, utf8_path, dialect, layout, direct=direct)
        scan = scanning.result()
    records = con.execute(f'SELECT count(*) FROM temp."{staging}"').fetchall()[0][0]
    if records > limits.rows:
        raise ReadError(
            f"{name}: has {records:,} rows, more than the limit of {limits.rows:,}; split the "
            f"file, or {raise_hint('rows', records)}"
        )
    # Every physical line is the title block, a record's line, a blank line or a line break
    # inside a quoted cell; so the last kind exists exactly when the lines do not add up.
    embedded_breaks = scan.lines - layout.header_line_end - records - len(scan.blank_lines) > 0
    offsets = []
    if scan.blank_lines:
        breaks = _line_breaks_per_record(con, staging) if embedded_breaks else []
        offsets = _blank_line_offsets(records, breaks, scan.blank_lines, layout.header_line_end + 1)
    _number_rows(con, staging, first_row=layout.data_index + 1, offsets=offsets)
    if line_size_raised:
        _refuse_oversized_cells(con, staging, layout.headers, name, limits)
    if request.trim and (embedded_breaks or scan.other_whitespace):
        _strip_all_whitespace(con, staging)
    return _drop_blank_rows(con, staging)


def _read_records(
    request: _Request, utf8_path: Path, dialect: _Dialect, layout: _CsvLayout, *, direct: bool
) -> bool:
    """Read the data records into the staging table, retrying what DuckDB can be told (a longer
    line, a wider row, a serial read); True when the line size was raised (cells are then
    checked against the limit).

    Short rows are padded with NULLs, which DuckDB's parallel reader cannot do in a file with
    line breaks inside quoted cells (survey tools' comment columns have them). Such a file is
    read in parallel without padding first, and serially with it only if a row turns out short:
    a million-row tool export read in 2.5 s instead of 3.3 s (issue 12)."""
    con, staging, name, limits = request.con, request.staging, request.path.name, request.limits
    width = layout.width
    parallel = padding = True
    line_size = limits.cell_bytes  # no cell is longer than the record that holds it
    line_size_raised = False
    for _attempt in range(12):
        try:
            _create_raw_table(
                con, utf8_path, staging, dialect, width, layout.data_index, parallel,
                request.trim, line_size, padding,
            )  # fmt: skip
            return line_size_raised
        except duckdb.Error as error:
            message = str(error)
            if direct and "Invalid unicode" in message:
                raise _NeedsTranscoding from error
            if direct and "state machine" in message and _holds_carriage_return(utf8_path):
                raise _NeedsTranscoding from error  # "\r\n" and "\n" (or "\r") in one file
            too_long = _LINE_TOO_LONG.search(message)
            if too_long:
                actual = int(too_long.group(1))
                ceiling = min(LINE_SIZE_CEILING, limits.cell_bytes * width)
                if actual > ceiling:
                    raise _line_too_long(name, message, actual, limits) from error
                line_size = min(ceiling, max(actual + 1, 2 * line_size))
                line_size_raised = True  # cells may now be over the limit: checked below
                continue
            if "null_padding in conjunction with quoted new lines" in message and padding:
                padding = False  # quoted line breaks: try the parallel read without padding
                continue
            mismatch = _COLUMNS_MISMATCH.search(message)
            found = _fields_in_error(message, dialect, int(mismatch.group(2))) if mismatch else 0
            if mismatch and not padding and found < width:
                parallel, padding = False, True  # a short row: pad it, as only a serial read can
                continue
            if found > limits.columns:
                line = _ERROR_LINE.search(message)
                line_number = line.group(1) if line else "?"
                raise _too_many_columns(name, line_number, found, limits) from error
            if width < found <= 4 * width + 16:
                width = found  # a row wider than the header: keep its cells
                continue
            if "quoted new lines" in message and parallel:
                parallel = False  # DuckDB pads short rows with quoted line breaks only serially
                continue
            raise ReadError(
                f"{name}: unreadable CSV{_line_of(message)}: {_first_line(message)}"
            ) from error
    raise ReadError(f"{name}: unreadable CSV: rows have too many different widths")


def _fields_in_error(message: str, dialect: _Dialect, found: int) -> int:
    """Fields in the record DuckDB quotes; it reports one more than expected, not how many."""
    quoted = _ORIGINAL_LINE.search(message)
    if not quoted:
        return found
    try:
        record = next(iter(_csv_records(quoted.group(1), dialect.delimiter, dialect.escape)), [])
    except csv.Error:
        return found
    return max(found, len(record))


def _buffer_size(line_size: int) -> int:
    return max(DUCKDB_BUFFER_BYTES, 2 * line_size)


def _create_raw_table(
    con: duckdb.DuckDBPyConnection,
    utf8_path: Path,
    staging: str,
    dialect: _Dialect,
    width: int,
    skip: int,
    parallel: bool,
    trim: bool = True,
    line_size: int = 2_097_152,
    padding: bool = True,
) -> None:
    """Read the data records with DuckDB, trimming spaces only (the cheap, common case);
    ``padding`` fills a short row's missing cells with NULLs."""
    columns = "{" + ", ".join(f"'c{i}': 'VARCHAR'" for i in range(width)) + "}"
    # trim() copies every value; only a cell that starts or ends with a space needs it (a
    # million-row register's seventeen columns: 0.3 s less CPU, issue 12)
    spaced = "c{i} LIKE ' %' OR c{i} LIKE '% '"
    cell = (
        f"nullif(CASE WHEN {spaced} THEN trim(c{{i}}) ELSE c{{i}} END, '')"
        if trim
        else "nullif(c{i}, '')"
    )
    select = ", ".join(f"{cell.format(i=i)} AS c{i}" for i in range(width))
    con.execute(
        f'CREATE OR REPLACE TEMP TABLE "{staging}" AS SELECT {select} '
        f"FROM read_csv({_sql_string(str(utf8_path))}, delim={_sql_string(dialect.delimiter)}, "
        f"header=false, skip={skip}, columns={columns}, quote='\"', "
        f"escape={_sql_string(dialect.escape)}, auto_detect=false, "
        f"null_padding={'true' if padding else 'false'}, "
        f"strict_mode=true, max_line_size={int(line_size)}, "
        f"buffer_size={_buffer_size(line_size)}, parallel={'true' if parallel else 'false'})"
    )


def _holds_carriage_return(path: Path) -> bool:
    with open(path, "rb") as handle, mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) as data:
        return data.find(b"\r") >= 0


def _line_too_long(name: str, message: str, actual: int, limits: ReadLimits) -> ReadError:
    line = _ERROR_LINE.search(message)
    return ReadError(
        f"{name}: line {line.group(1) if line else '?'} is {human_bytes(actual)} long, more than "
        f"the {human_bytes(limits.cell_bytes)} allowed for one cell; if a quote opened above it "
        f"is never closed, close it; if the text is genuine, {raise_hint('cell_bytes', actual)}"
    )


def _refuse_oversized_cells(
    con: duckdb.DuckDBPyConnection,
    staging: str,
    headers: list[str],
    name: str,
    limits: ReadLimits,
) -> None:
    """After a read with a raised line size: the first cell over the cell limit, if any."""
    width = _table_width(con, staging)
    union = " UNION ALL ".join(
        f'SELECT source_row, {i} AS position, strlen(c{i}) AS size FROM temp."{staging}" '
        f"WHERE strlen(c{i}) > {int(limits.cell_bytes)}"
        for i in range(width)
    )
    found = con.execute(f"{union} ORDER BY source_row, position LIMIT 1").fetchall()
    if not found:
        return
    row, position, size = found[0]
    header = headers[position] if position < len(headers) and headers[position] else None
    column = f"column {position + 1}" + (f" ({header!r})" if header else "")
    raise ReadError(
        f"{name}: the cell in {column} of row {row} is {human_bytes(size)}, more than the "
        f"{human_bytes(limits.cell_bytes)} limit for one cell; shorten it, or "
        f"{raise_hint('cell_bytes', size)}"
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


# --------------------------------------------------------------------------------------------
# Row numbers


@dataclass(frozen=True)
class _ByteScan:
    lines: int  # physical lines in the file
    blank_lines: list[int]  # line numbers of empty lines below the header (DuckDB skips them)
    other_whitespace: bool  # a tab (in a non-tab file), no-break space or quoted tab may occur


def _scan_bytes(
    utf8_path: Path, header_line_end: int, delimiter: str, trim: bool = True
) -> _ByteScan:
    """One pass over the UTF-8 bytes: line count, empty lines, whitespace that needs care.

    Counting and single-byte searches run at memory speed; the empty-line search is one regular
    expression that starts on a literal line break. Awkward whitespace matters only to a read
    that trims (a survey's is not: its answers are folded when mapped), so only such a read
    looks for it.
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
            other_whitespace = trim and _NO_BREAK_SPACE.search(data) is not None
            if trim and not other_whitespace:
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
