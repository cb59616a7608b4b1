"""CSV: encoding, delimiter and title rows detected; UTF-8 goes straight to DuckDB's read_csv,
other encodings are transcoded in chunks first; row numbers as a spreadsheet shows them."""

from __future__ import annotations

import bisect
import codecs
import contextlib
import csv
import io
import mmap
import os
import tempfile
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import duckdb

from pipeline.ingest.raw_table import (
    _BLANK_LINE,
    _C1_CONTROLS,
    _COLUMNS_MISMATCH,
    _NO_BREAK_SPACE,
    BOMS,
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
    choose_header_row,
)

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
