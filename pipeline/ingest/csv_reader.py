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
import contextlib
import csv
import io
import mmap
import os
import re
import tempfile
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

import duckdb

from pipeline.ingest.header_rows import HeaderBlock, find_header_block
from pipeline.ingest.raw_table import (
    _BLANK_LINE,
    _C1_CONTROLS,
    _COLUMNS_MISMATCH,
    _ERROR_LINE,
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
)
from pipeline.ingest.read_limits import ReadLimits, human_bytes, raise_hint, read_limits

# Encodings whose files are transcoded line by line (ASCII-compatible, one byte per break).
_PER_LINE_ENCODINGS = ("utf-8", "utf-8-sig", "cp1252", "latin-1", "iso8859-1")
# Fewer UTF-8 lines than one per this many Windows-1252 lines: a single-byte file in which a few
# byte pairs happen to form valid UTF-8 (0xC3 0xA9 is "Ã©" in Windows-1252).
SINGLE_BYTE_RATIO = 20
DUCKDB_BUFFER_BYTES = 32_000_000  # DuckDB's own default; a larger line size must not grow it
LINE_SIZE_CEILING = 64_000_000  # longest record DuckDB is asked to hold, whatever the cell limit
NOTE_LINES_LISTED = 10

_NON_ASCII = re.compile(rb"[\x80-\xff]")
_ANY_BREAK = re.compile(rb"[\r\n]")
_LONE_CR = re.compile(rb"\r(?!\n)")
_LINE_TOO_LONG = re.compile(r"Maximum line size of \d+ bytes exceeded\. Actual Size:\s*(\d+)")
_ORIGINAL_LINE = re.compile(r"^Original Line: (.*)$", re.MULTILINE)
_IMPLAUSIBLE_TEXT = re.compile("[\x80-\x9f\ue000-\uf8ff\U00040000-\U0010ffff]")
_NOT_LEAD_BYTES = bytes(b for b in range(256) if not 0xC2 <= b <= 0xF4)
_NOT_C1_BYTES = bytes(b for b in range(256) if not 0x80 <= b <= 0x9F)
_VALID_UTF8_PAIR = re.compile(rb"[\xc2-\xf4][\x80-\xbf]")


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


@dataclass(frozen=True)
class _Utf8Copy:
    path: Path
    encoding: str
    cp1252_lines: tuple[int, ...]
    line_endings: str  # "" or, for a note, the lone-CR endings that were made "\n"


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
    if _looks_binary(_decode_sample(sample, encoding, whole_file)):
        raise ReadError(f"{path.name}: cannot be decoded as text (it looks like a binary file)")
    request = _Request(con, path, staging, header_score, trim, limits)
    # A "\r" at the very end of a cut sample may be the first half of "\r\n".
    endings = sample if whole_file else sample[:-1]
    if encoding in ("utf-8", "utf-8-sig") and not _LONE_CR.search(endings):
        try:
            return _read_utf8(request, path, encoding, direct=True)
        except _NeedsTranscoding:
            pass  # the sample was UTF-8 with one kind of line ending; the rest of the file is not
    with _utf8_copy(path, encoding) as copy:
        return _read_utf8(request, copy.path, copy.encoding, copy=copy)


def _read_utf8(
    request: _Request,
    utf8_path: Path,
    encoding: str,
    *,
    direct: bool = False,
    copy: _Utf8Copy | None = None,
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


def _notes(copy: _Utf8Copy | None, layout: _CsvLayout) -> tuple[str, ...]:
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


def detect_encoding(sample: bytes, *, whole_file: bool = False, name: str = "file") -> str:
    """The encoding of a CSV from its first bytes: BOM, else strict UTF-8, else a Windows code page.

    Bytes 0x80-0x9F are curly quotes, dashes and the euro sign in Windows-1252 (Excel's "CSV"
    on UK Windows) but unused control codes in Latin-1, so their presence decides for cp1252;
    without them the two agree on every byte and the file is reported as latin-1. For
    ``utf-8``, ``cp1252`` and ``latin-1`` the whole file's lines have the last word (see the
    module docstring): this only picks the path.
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
        if _VALID_UTF8_PAIR.search(sample):
            return "cp1252"  # UTF-8 lines among the rest: the line-by-line reading sorts them out
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
    """The sample as text, for the binary check (Latin-1 for the line-by-line encodings)."""
    if encoding in _PER_LINE_ENCODINGS:
        return sample.decode("latin-1")
    decoder = codecs.getincrementaldecoder(encoding)(errors="replace")
    return decoder.decode(sample, final=whole_file)


def _looks_binary(text: str) -> bool:
    controls = sum(1 for ch in text if (ord(ch) < 32 and ch not in "\t\r\n") or ch == "\ufffd")
    return controls > max(8, len(text) // 100)


def _latin1_fallback(error: UnicodeError) -> tuple[str, int]:
    """0x81, 0x8D, 0x8F, 0x90 and 0x9D are undefined in Windows-1252: keep them as Latin-1 does."""
    if not isinstance(error, UnicodeDecodeError):
        raise error
    return error.object[error.start : error.end].decode("latin-1"), error.end


codecs.register_error("outcomes-latin-1-fallback", _latin1_fallback)


@dataclass
class _LineCensus:
    """What the line-by-line transcoding found."""

    utf8_lines: int = 0  # lines with non-ASCII bytes that are valid UTF-8
    cp1252_lines: list[int] = field(default_factory=list)  # lines that are not
    c1_bytes: bool = False  # a byte 0x80-0x9F in a Windows-1252 line: cp1252, not latin-1
    endings: Counter = field(default_factory=Counter)  # "CRLF", "LF", "CR" -> count
    # Pieces with no UTF-8 byte sequence at all, decoded whole as Windows-1252 (the fast path for
    # single-byte files): (first line, file offset, length). Their lines are listed only if
    # the file turns out to mix encodings.
    deferred: list[tuple[int, int, int]] = field(default_factory=list)

    @property
    def has_cp1252(self) -> bool:
        return bool(self.cp1252_lines or self.deferred)

    def list_deferred_lines(self, path: Path) -> None:
        """Add the line numbers of the deferred pieces' non-ASCII lines, in file order."""
        with open(path, "rb") as source:
            for line, offset, length in self.deferred:
                source.seek(offset)
                piece = source.read(length)
                counted = 0
                for start, _end in _non_ascii_lines(piece):
                    line += _count_breaks(piece, counted, start)
                    counted = start
                    self.cp1252_lines.append(line)
        self.deferred = []
        self.cp1252_lines.sort()

    def count_endings(self, data: bytes) -> tuple[int, int]:
        """Count the piece's line endings; return (line breaks, lone CRs)."""
        cr = data.count(b"\r")
        crlf = data.count(b"\r\n") if cr else 0
        lf = data.count(b"\n") - crlf
        self.endings["CRLF"] += crlf
        self.endings["LF"] += lf
        self.endings["CR"] += cr - crlf
        return crlf + lf + cr - crlf, cr - crlf

    def normalised_endings(self) -> str:
        """What the person should hear about: lone CRs (LF inside CRLF files is Excel's own
        line break within a cell, so it is not worth a note)."""
        if not self.endings["CR"]:
            return ""
        if not (self.endings["CRLF"] or self.endings["LF"]):
            return "old-Mac CR (\\r) only"
        return "mixed, with lone CR (\\r) among CRLF or LF"


@contextlib.contextmanager
def _utf8_copy(path: Path, encoding: str) -> Iterator[_Utf8Copy]:
    """A temporary UTF-8 copy of the file with ``\\n`` line endings, and how it was decoded."""
    handle, temporary = tempfile.mkstemp(suffix=".csv", prefix="outcomes-transcode-")
    try:
        with os.fdopen(handle, "wb") as out:
            if encoding in _PER_LINE_ENCODINGS:
                census = _transcode_by_line(path, out)
                label, lines = encoding, ()
                if census.has_cp1252 and census.utf8_lines:
                    census.list_deferred_lines(path)  # needed to weigh the two, and to name them
                    label, lines = "utf-8+cp1252", tuple(census.cp1252_lines)
                if census.has_cp1252 and (
                    census.utf8_lines * SINGLE_BYTE_RATIO < len(census.cp1252_lines)
                    or not census.utf8_lines
                ):
                    if census.utf8_lines:  # decode those few "UTF-8" lines as cp1252 too
                        out.seek(0)
                        out.truncate()
                        census = _transcode_by_line(path, out, single_byte=True)
                    label, lines = ("cp1252" if census.c1_bytes else "latin-1"), ()
                elif not census.has_cp1252 and label not in ("utf-8", "utf-8-sig"):
                    label = "utf-8"  # every line was UTF-8 after all
            else:
                census = _transcode_whole(path, encoding, out)
                label, lines = encoding, ()
        yield _Utf8Copy(Path(temporary), label, lines, census.normalised_endings())
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)


def _chunks_of_lines(source: BinaryIO) -> Iterator[bytes]:
    """The file in ~4 MB pieces that end on a line break (a trailing "\\r" waits for its "\\n")."""
    carry = b""
    while block := source.read(TRANSCODE_CHUNK):
        buffer = carry + block
        cut = max(buffer.rfind(b"\n"), buffer.rfind(b"\r"))
        if cut < 0:
            carry = buffer  # one line longer than a chunk: the file-size limit bounds it
            continue
        if cut == len(buffer) - 1 and buffer[cut] == 0x0D:
            carry = buffer[cut:]
            buffer = buffer[:cut]
        else:
            carry = buffer[cut + 1 :]
            buffer = buffer[: cut + 1]
        yield buffer
    if carry:
        yield carry


def _normalise_endings(data: bytes, lone_crs: int = 1) -> bytes:
    if b"\r" not in data:
        return data
    data = data.replace(b"\r\n", b"\n")
    return data.replace(b"\r", b"\n") if lone_crs else data


def _has(data: bytes, deleted_bytes: bytes) -> bool:
    """Whether data holds a byte not in deleted_bytes (bytes.translate runs at memory speed)."""
    return bool(data.translate(None, deleted_bytes))


def _count_breaks(data: bytes, start: int, end: int) -> int:
    return (
        data.count(b"\n", start, end)
        + data.count(b"\r", start, end)
        - data.count(b"\r\n", start, end)
    )


def _transcode_by_line(path: Path, out: BinaryIO, *, single_byte: bool = False) -> _LineCensus:
    """Write UTF-8 lines as they are and decode the others as Windows-1252 (all, if single_byte)."""
    census = _LineCensus()
    line = 1  # physical line number at the start of the piece
    offset = 0  # of the piece in the file
    first = True
    with open(path, "rb") as source:
        for raw in _chunks_of_lines(source):
            piece = raw.removeprefix(codecs.BOM_UTF8) if first else raw
            start = offset + len(raw) - len(piece)
            first = False
            breaks, lone_crs = census.count_endings(piece)
            if piece.isascii():
                out.write(_normalise_endings(piece, lone_crs))
            elif single_byte or not _could_hold_utf8(piece):
                # No lead byte followed by a continuation byte: no line here can be UTF-8.
                census.c1_bytes = census.c1_bytes or _has(piece, _NOT_C1_BYTES)
                text = piece.decode("cp1252", errors="outcomes-latin-1-fallback")
                out.write(_normalise_endings(text.encode("utf-8"), lone_crs))
                if not single_byte:
                    census.deferred.append((line, start, len(piece)))
            else:
                out.write(_normalise_endings(_decode_lines(piece, line, census), lone_crs))
            line += breaks
            offset += len(raw)
    return census


def _could_hold_utf8(piece: bytes) -> bool:
    """A UTF-8 lead byte followed by a continuation byte somewhere (first: any lead byte)."""
    return _has(piece, _NOT_LEAD_BYTES) and _VALID_UTF8_PAIR.search(piece) is not None


def _is_utf8(data: bytes) -> bool:
    """Valid UTF-8 that reads as text: no C1 controls, private-use or unassigned-plane characters,
    which is what Windows-1252 byte runs such as "ñ\xa0\xa0\xa0" decode to when they happen to
    be well-formed UTF-8."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return _IMPLAUSIBLE_TEXT.search(text) is None


def _decode_lines(piece: bytes, line: int, census: _LineCensus) -> bytes:
    """The piece with every non-UTF-8 line decoded as Windows-1252; line numbers into census."""
    if _is_utf8(piece):
        census.utf8_lines += sum(1 for _ in _non_ascii_lines(piece))
        return piece
    parts: list[bytes] = []
    written = counted = 0
    for start, end in _non_ascii_lines(piece):
        text = piece[start:end]
        if _is_utf8(text):
            census.utf8_lines += 1
            continue
        line += _count_breaks(piece, counted, start)
        counted = start
        census.cp1252_lines.append(line)
        census.c1_bytes = census.c1_bytes or _C1_CONTROLS.search(text) is not None
        parts.append(piece[written:start])
        parts.append(text.decode("cp1252", errors="outcomes-latin-1-fallback").encode("utf-8"))
        written = end
    parts.append(piece[written:])
    return b"".join(parts)


def _non_ascii_lines(piece: bytes) -> Iterator[tuple[int, int]]:
    """(start, end) of each line holding a byte >= 0x80, in one forward pass."""
    position = 0
    while found := _NON_ASCII.search(piece, position):
        start = max(
            piece.rfind(b"\n", position, found.start()), piece.rfind(b"\r", position, found.start())
        )
        start = position if start < 0 else start + 1
        after = _ANY_BREAK.search(piece, found.end())
        end = after.start() if after else len(piece)
        yield start, end
        position = end


def _transcode_whole(path: Path, encoding: str, out: BinaryIO) -> _LineCensus:
    """UTF-16, UTF-32 or another code page: decode the whole file strictly, endings normalised."""
    census = _LineCensus()
    decoder = codecs.getincrementaldecoder(encoding)(errors="strict")
    pending = ""
    first = True
    try:
        with open(path, "rb") as source:
            while True:
                block = source.read(TRANSCODE_CHUNK)
                text = pending + decoder.decode(block, final=not block)
                if first:
                    text, first = text.removeprefix("\ufeff"), False
                pending = ""
                if block and text.endswith("\r"):
                    text, pending = text[:-1], "\r"
                data = text.encode("utf-8")
                census.count_endings(data)
                out.write(_normalise_endings(data))
                if not block:
                    break
    except UnicodeDecodeError as error:
        raise ReadError(
            f"{path.name}: cannot be decoded as {encoding} ({error.reason} in a chunk of the "
            f"file); save it again as UTF-8"
        ) from error
    return census


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
    """Modal field count times the share of non-blank records that have it (0 if one column).

    A wrong delimiter can make a quote mid-cell open a "quoted" field that swallows the following
    lines; records with such line breaks count half, so the delimiter that keeps lines whole wins.
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
    return width * (count - swallowed / 2) / len(records)


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
    scan = _scan_bytes(utf8_path, layout.header_line_end, dialect.delimiter)
    width = layout.width
    parallel = True
    line_size = limits.cell_bytes  # no cell is longer than the record that holds it
    line_size_raised = False
    for _attempt in range(12):
        try:
            _create_raw_table(
                con, utf8_path, staging, dialect, width, layout.data_index, parallel,
                request.trim, line_size,
            )  # fmt: skip
            break
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
            mismatch = _COLUMNS_MISMATCH.search(message)
            found = _fields_in_error(message, dialect, int(mismatch.group(2))) if mismatch else 0
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
    else:
        raise ReadError(f"{name}: unreadable CSV: rows have too many different widths")
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
) -> None:
    """Read the data records with DuckDB, trimming spaces only (the cheap, common case)."""
    columns = "{" + ", ".join(f"'c{i}': 'VARCHAR'" for i in range(width)) + "}"
    cell = "nullif(trim(c{i}), '')" if trim else "nullif(c{i}, '')"
    select = ", ".join(f"{cell.format(i=i)} AS c{i}" for i in range(width))
    con.execute(
        f'CREATE OR REPLACE TEMP TABLE "{staging}" AS SELECT {select} '
        f"FROM read_csv({_sql_string(str(utf8_path))}, delim={_sql_string(dialect.delimiter)}, "
        f"header=false, skip={skip}, columns={columns}, quote='\"', "
        f"escape={_sql_string(dialect.escape)}, auto_detect=false, null_padding=true, "
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
