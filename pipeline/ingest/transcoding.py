"""Bytes to UTF-8: which encoding a CSV is in, and a UTF-8 copy made line by line where needed.

What :mod:`pipeline.ingest.csv_reader` hands to DuckDB must be UTF-8 with ``\\n`` line ends. A
file that already is goes straight through; UTF-16/32 files are transcoded whole in 4 MB chunks;
any other file is transcoded line by line, each line by its own encoding (a valid UTF-8 line
stays UTF-8, any other is read as Windows-1252 and its number recorded), so one pasted line
from Word no longer turns every "£" in the file into "Â£". Old-Mac ``\\r`` and mixed endings
become ``\\n``, one break each, so row numbers stay those a spreadsheet shows.
"""

from __future__ import annotations

import codecs
import contextlib
import os
import re
import tempfile
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from pipeline.ingest.raw_table import _C1_CONTROLS, BOMS, TRANSCODE_CHUNK, ReadError

# Encodings whose files are transcoded line by line (ASCII-compatible, one byte per break).
_PER_LINE_ENCODINGS = ("utf-8", "utf-8-sig", "cp1252", "latin-1", "iso8859-1")
# Fewer UTF-8 lines than one per this many Windows-1252 lines: a single-byte file in which a few
# byte pairs happen to form valid UTF-8 (0xC3 0xA9 is "Ã©" in Windows-1252).
SINGLE_BYTE_RATIO = 20

_NON_ASCII = re.compile(rb"[\x80-\xff]")
_ANY_BREAK = re.compile(rb"[\r\n]")
LONE_CR = re.compile(rb"\r(?!\n)")
_IMPLAUSIBLE_TEXT = re.compile("[\x80-\x9f\ue000-\uf8ff\U00040000-\U0010ffff]")
_NOT_LEAD_BYTES = bytes(b for b in range(256) if not 0xC2 <= b <= 0xF4)
_NOT_C1_BYTES = bytes(b for b in range(256) if not 0x80 <= b <= 0x9F)
_VALID_UTF8_PAIR = re.compile(rb"[\xc2-\xf4][\x80-\xbf]")


@dataclass(frozen=True)
class Utf8Copy:
    path: Path
    encoding: str
    cp1252_lines: tuple[int, ...]
    line_endings: str  # "" or, for a note, the lone-CR endings that were made "\n"


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


def decode_sample(sample: bytes, encoding: str, whole_file: bool) -> str:
    """The sample as text, for the binary check (Latin-1 for the line-by-line encodings)."""
    if encoding in _PER_LINE_ENCODINGS:
        return sample.decode("latin-1")
    decoder = codecs.getincrementaldecoder(encoding)(errors="replace")
    return decoder.decode(sample, final=whole_file)


def looks_binary(text: str) -> bool:
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
def utf8_copy(path: Path, encoding: str) -> Iterator[Utf8Copy]:
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
        yield Utf8Copy(Path(temporary), label, lines, census.normalised_endings())
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
