"""XLSX: the chosen or first sheet, a header found below title rows, Excel row numbers.

Before a cell is read the workbook is measured, so a small file cannot take all the memory:
- the zip directory's uncompressed sizes, summed, must stay under
  ``OUTCOMES_MAX_XLSX_UNCOMPRESSED_BYTES`` (a zip bomb, or a sheet of millions of cells);
- the sheet's XML is streamed once (its real size counted as it unpacks) to find the last row and
  the rightmost column that hold a value; more rows or columns than ``OUTCOMES_MAX_ROWS`` /
  ``OUTCOMES_MAX_COLUMNS`` is refused naming the cell that sets them (a stray entry at XFD1048576).
  The sheet's ``<dimension ref>`` is reported but not trusted: Excel counts formatted empty cells
  in it, other writers leave it at "A1", and calamine ignores it.

Ordinary sheets are read by python-calamine, which holds a sheet as a dense grid of 32-byte cells
from A1 to the last value (a stray value far from the data makes that grid huge, and a grid too
big to allocate aborts the process). A sheet whose grid would pass ``FAST_GRID_CELLS`` is streamed
row by row with openpyxl instead: slower, but its memory does not grow with the sheet. Either way
cells reach DuckDB in batches of ``BATCH_ROWS`` rows, never as one frame of Python objects.
"""

from __future__ import annotations

import functools
import posixpath
import re
import warnings
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from xml.etree import ElementTree

import duckdb
import pyarrow as pa

from pipeline.ingest.header_rows import find_header_block
from pipeline.ingest.raw_table import (
    HEADER_SEARCH_ROWS,
    HeaderScore,
    RawTable,
    ReadError,
    _cell_text,
    _drop_blank_rows,
    _first_line,
)
from pipeline.ingest.read_limits import (
    CALAMINE_BYTES_PER_CELL,
    ReadLimits,
    human_bytes,
    raise_hint,
    read_limits,
)

FAST_GRID_CELLS = 256_000_000 // CALAMINE_BYTES_PER_CELL  # 8M cells; bigger grids stream
BATCH_ROWS = 20_000
SCAN_CHUNK = 4 * 1024 * 1024
_OVERLAP = 2048  # a cell's opening tag and the start of its value fit in this

_PREFIX = rb"(?:[A-Za-z_][\w.-]*:)?"  # some writers put a namespace prefix on every tag
_VALUE_CELL_TAIL = rb'([0-9]{1,7})"[^>]*(?<!/)>\s*<' + _PREFIX + rb"(?:v|is|f)\b"
_VALUE_CELL = re.compile(rb"<" + _PREFIX + rb'c\b[^>]*?\sr="([A-Z]{1,3})' + _VALUE_CELL_TAIL)
_DIMENSION = re.compile(rb"<" + _PREFIX + rb'dimension\s+ref="([A-Z0-9:]+)"')


@dataclass(frozen=True)
class _SheetExtent:
    rows: int  # Excel row of the last cell holding a value (0: no cell with a reference)
    columns: int  # column number of the rightmost cell holding a value
    far_row_cell: str  # the cells that set them, e.g. "XFD1048576"
    far_column_cell: str
    dimension: str | None  # what the sheet's <dimension ref> claims

    @property
    def grid_cells(self) -> int:
        return self.rows * self.columns


def _read_xlsx(
    con: duckdb.DuckDBPyConnection,
    path: Path,
    staging: str,
    sheet: str | None,
    header_score: HeaderScore | None,
) -> RawTable:
    limits = read_limits(path.name)
    chosen, extent = _measure_workbook(path, sheet, limits)
    streamed = extent.grid_cells > FAST_GRID_CELLS
    rows = _openpyxl_rows(path, chosen) if streamed else _calamine_rows(path, chosen)
    try:
        return _load_rows(con, path, staging, chosen, rows, header_score, extent, limits, streamed)
    except ReadError:
        raise
    except BaseException as error:
        if isinstance(error, KeyboardInterrupt | SystemExit | GeneratorExit):
            raise
        # calamine raises its own error types, and a Rust panic is not an Exception subclass.
        raise ReadError(
            f"{path.name}: truncated or not an Excel file ({_first_line(str(error))})"
        ) from error


# --------------------------------------------------------------------------------------------
# Measuring before reading


def _measure_workbook(
    path: Path, sheet: str | None, limits: ReadLimits
) -> tuple[str, _SheetExtent]:
    """The sheet to read and how far its values reach; refuses what would not fit."""
    name = path.name
    try:
        with zipfile.ZipFile(path) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
            if unpacked > limits.xlsx_uncompressed_bytes:
                raise ReadError(
                    f"{name}: unpacks to {human_bytes(unpacked)}, more than the "
                    f"{human_bytes(limits.xlsx_uncompressed_bytes)} limit for a workbook; save "
                    f"the sheet you need as CSV, or "
                    f"{raise_hint('xlsx_uncompressed_bytes', unpacked)}"
                )
            parts = _sheet_parts(archive, name)
            if sheet is not None and sheet not in parts:
                raise ReadError(
                    f"{name}: has no sheet {sheet!r}; its sheets are: "
                    + ", ".join(repr(sheet_name) for sheet_name in parts)
                )
            chosen = sheet if sheet is not None else next(iter(parts))
            extent = _scan_sheet(archive, parts[chosen], name, chosen, limits)
    except ReadError:
        raise
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, KeyError, ValueError) as error:
        raise ReadError(
            f"{name}: truncated or not an Excel file ({_first_line(str(error))})"
        ) from error
    if extent.rows > limits.rows:
        raise ReadError(
            f"{name}: sheet {chosen!r} has a value in cell {extent.far_row_cell}, so it is "
            f"{extent.rows:,} rows long, more than the limit of {limits.rows:,}; if that cell is "
            f"a stray entry, delete it (Ctrl+End in Excel goes to it) and save again, or "
            f"{raise_hint('rows', extent.rows)}"
        )
    return chosen, extent


def _sheet_parts(archive: zipfile.ZipFile, name: str) -> dict[str, str]:
    """Sheet name -> the zip part holding its XML, in the workbook's order."""
    workbook_part = "xl/workbook.xml"
    if "_rels/.rels" in archive.namelist():
        for relation in _xml(archive, "_rels/.rels").iter():
            if relation.get("Type", "").endswith("/officeDocument") and relation.get("Target"):
                workbook_part = relation.get("Target", "").lstrip("/")
    folder = posixpath.dirname(workbook_part)
    relations_part = posixpath.join(folder, "_rels", posixpath.basename(workbook_part) + ".rels")
    targets = {
        relation.get("Id"): relation.get("Target", "")
        for relation in _xml(archive, relations_part).iter()
        if _local(relation.tag) == "Relationship"
    }
    parts: dict[str, str] = {}
    for element in _xml(archive, workbook_part).iter():
        if _local(element.tag) != "sheet":
            continue
        relation_id = next((v for k, v in element.attrib.items() if k.endswith("}id")), None)
        target = targets.get(relation_id, "")
        part = (
            target.lstrip("/")
            if target.startswith("/")
            else posixpath.normpath(posixpath.join(folder, target))
        )
        parts[element.get("name", "")] = part
    if not parts:
        raise ReadError(f"{name}: the workbook has no sheets")
    return parts


def _xml(archive: zipfile.ZipFile, part: str) -> ElementTree.Element:
    try:
        return ElementTree.fromstring(archive.read(part))
    except ElementTree.ParseError as error:
        raise ValueError(f"{part} is not well-formed XML: {error}") from error


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _scan_sheet(
    archive: zipfile.ZipFile, part: str, name: str, sheet: str, limits: ReadLimits
) -> _SheetExtent:
    """Stream the sheet's XML once: its real unpacked size, last value row, rightmost value column.

    Rows come in ascending order, so the last cell with a value has the largest row. For the
    rightmost column a pattern matches only cells to the right of the widest seen so far; it is
    rebuilt each time one is found, so the scan stays a regular-expression pass at C speed.
    """
    unpacked = 0
    rows = columns = 0
    far_row_cell = far_column_cell = ""
    dimension: str | None = None
    wider = _value_cell_right_of("")
    tail = b""
    if part not in archive.namelist():
        return _SheetExtent(0, 0, "", "", None)
    with archive.open(part) as stream:
        while block := stream.read(SCAN_CHUNK):
            unpacked += len(block)
            if unpacked > limits.xlsx_uncompressed_bytes:
                raise ReadError(
                    f"{name}: sheet {sheet!r} unpacks to more than the "
                    f"{human_bytes(limits.xlsx_uncompressed_bytes)} limit for a workbook; save "
                    f"it as CSV, or {raise_hint('xlsx_uncompressed_bytes', 2 * unpacked)}"
                )
            buffer = tail + block
            if dimension is None and (found := _DIMENSION.search(buffer)):
                dimension = found.group(1).decode("ascii")
            position = 0
            while found := wider.search(buffer, position):
                letters = found.group(1).decode("ascii")
                columns = _column_number(letters)
                far_column_cell = letters + found.group(2).decode("ascii")
                if columns > limits.columns:
                    raise ReadError(
                        f"{name}: sheet {sheet!r} has a value in cell {far_column_cell}, so it is "
                        f"{columns:,} columns wide, more than the limit of {limits.columns:,}; if "
                        f"that cell is a stray entry, delete it (Ctrl+End in Excel goes to it) "
                        f"and save again, or {raise_hint('columns', columns)}"
                    )
                wider = _value_cell_right_of(letters)
                position = found.end()
            last = _last_value_cell(buffer)
            if last is not None and int(last[1]) >= rows:
                rows, far_row_cell = int(last[1]), last[0] + last[1]
            tail = buffer[-_OVERLAP:]
    if dimension is None:
        dimension = ""
    return _SheetExtent(rows, columns, far_row_cell, far_column_cell, dimension or None)


@functools.lru_cache(maxsize=4096)
def _value_cell_right_of(letters: str) -> re.Pattern[bytes]:
    """A pattern for cells with a value in a column to the right of ``letters`` ("" = any)."""
    if not letters:
        alternatives = ["[A-Z]{1,3}"]
    else:
        size = len(letters)
        alternatives = [f"[A-Z]{{{size + 1},3}}"] if size < 3 else []
        for index, letter in enumerate(letters):
            if letter < "Z":
                higher = f"[{chr(ord(letter) + 1)}-Z]"
                alternatives.append(letters[:index] + higher + "[A-Z]" * (size - index - 1))
    if not alternatives:
        return re.compile(rb"(?!)")  # nothing is right of XFD... or ZZZ
    columns = "|".join(alternatives).encode("ascii")
    return re.compile(rb"<" + _PREFIX + rb'c\b[^>]*?\sr="(' + columns + rb")" + _VALUE_CELL_TAIL)


def _last_value_cell(buffer: bytes) -> tuple[str, str] | None:
    """(column letters, row digits) of the last cell with a value in the buffer."""
    size = 64 * 1024
    while True:
        last = None
        for last in _VALUE_CELL.finditer(buffer, max(0, len(buffer) - size)):  # noqa: B007
            pass
        if last is not None:
            return last.group(1).decode("ascii"), last.group(2).decode("ascii")
        if size >= len(buffer):
            return None
        size *= 8


def _column_number(letters: str) -> int:
    number = 0
    for letter in letters:
        number = number * 26 + ord(letter) - 64
    return number


# --------------------------------------------------------------------------------------------
# Reading rows


def _calamine_rows(path: Path, sheet: str) -> Iterator[tuple[int, list[object]]]:
    """(Excel row number, values from column A) from python-calamine's grid."""
    import python_calamine

    workbook = python_calamine.CalamineWorkbook.from_path(str(path))
    try:
        grid = workbook.get_sheet_by_name(sheet)
        start_row, start_column = grid.start or (0, 0)
        padding: list[object] = [None] * start_column
        first_row: int | None = None
        for index, values in enumerate(grid.iter_rows()):
            if first_row is None:
                # iter_rows starts at row 1 (leading empty rows included) but at the first used
                # column; a first row with a value means it started at the grid instead.
                first_row = start_row if any(value != "" for value in values) else 0
            yield first_row + index + 1, padding + list(values)
    finally:
        workbook.close()


def _openpyxl_rows(path: Path, sheet: str) -> Iterator[tuple[int, list[object]]]:
    """(Excel row number, values from column A) streamed by openpyxl, one row in memory."""
    import openpyxl

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # "extension is not supported" and friends
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    try:
        worksheet = workbook[sheet]
        if not hasattr(worksheet, "iter_rows"):
            return  # a chart sheet: no cells
        worksheet.reset_dimensions()  # read every row, not only those <dimension> claims
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            for number, values in enumerate(worksheet.iter_rows(values_only=True), start=1):
                yield number, list(values)
    finally:
        workbook.close()


def _texts(values: list[object]) -> list[str | None]:
    """Cells as text, trailing empty cells dropped (openpyxl reports formatted empty ones)."""
    texts = [_cell_text(value) for value in values]
    while texts and texts[-1] is None:
        texts.pop()
    return texts


def _load_rows(
    con: duckdb.DuckDBPyConnection,
    path: Path,
    staging: str,
    chosen: str,
    rows: Iterator[tuple[int, list[object]]],
    header_score: HeaderScore | None,
    extent: _SheetExtent,
    limits: ReadLimits,
    streamed: bool,
) -> RawTable:
    name = path.name
    head: list[tuple[int, list[str | None]]] = []
    for number, values in rows:
        head.append((number, _texts(values)))
        if len(head) >= HEADER_SEARCH_ROWS * 3:
            break
    block = find_header_block([texts for _, texts in head], header_score)
    if block is None:
        raise ReadError(f"{name}: sheet {chosen!r} is empty")
    header_number = head[block.first][0]
    headers = list(block.headers)
    width = max([extent.columns, len(headers)] + [len(texts) for _, texts in head])
    _create_table(con, staging, width)
    batch = [(number, texts) for number, texts in head[block.last + 1 :] if any(texts)]
    for number, values in rows:
        texts = _texts(values)
        if not texts:
            continue  # blank rows are dropped anyway; their numbers simply do not appear
        if len(texts) > width:
            if len(texts) > limits.columns:
                raise ReadError(
                    f"{name}: row {number} of sheet {chosen!r} has {len(texts):,} columns, more "
                    f"than the limit of {limits.columns:,}; {raise_hint('columns', len(texts))}"
                )
            _insert(con, staging, batch, width)
            batch = []
            _widen(con, staging, width, len(texts))
            width = len(texts)
        batch.append((number, texts))
        if len(batch) >= BATCH_ROWS:
            _insert(con, staging, batch, width)
            batch = []
    _insert(con, staging, batch, width)
    width = _drop_empty_trailing_columns(con, staging, headers, width)
    count = _drop_blank_rows(con, staging)
    if count > limits.rows:
        raise ReadError(
            f"{name}: sheet {chosen!r} has {count:,} rows, more than the limit of "
            f"{limits.rows:,}; {raise_hint('rows', count)}"
        )
    headers = (headers + [""] * width)[:width]
    notes: tuple[str, ...] = ()
    header_note = block.note(header_number)
    if header_note:
        notes += (header_note,)
    if streamed:
        notes += (
            f"sheet {chosen!r} reaches cell {extent.far_row_cell or extent.far_column_cell} "
            f"({extent.rows:,} rows x {extent.columns:,} columns), so it was read row by row "
            "to keep memory low",
        )
    return RawTable(
        path=path,
        kind="xlsx",
        headers=headers,
        header_row=header_number,
        rows=count,
        encoding=None,
        delimiter=None,
        sheet=chosen,
        value_labels_used=False,
        header_labels=block.labels(width),
        header_rows=block.rows,
        notes=notes,
    )


def _create_table(con: duckdb.DuckDBPyConnection, staging: str, width: int) -> None:
    columns = ", ".join([f"c{i} VARCHAR" for i in range(width)] + ["source_row BIGINT"])
    con.execute(f'CREATE OR REPLACE TEMP TABLE "{staging}" ({columns})')


def _insert(
    con: duckdb.DuckDBPyConnection,
    staging: str,
    batch: list[tuple[int, list[str | None]]],
    width: int,
) -> None:
    if not batch:
        return
    arrays = {
        f"c{i}": pa.array([texts[i] if i < len(texts) else None for _, texts in batch], pa.string())
        for i in range(width)
    }
    arrays["source_row"] = pa.array([number for number, _ in batch], pa.int64())
    view = f"{staging}__batch"
    con.register(view, pa.table(arrays))
    try:
        con.execute(f'INSERT INTO temp."{staging}" SELECT * FROM "{view}"')
    finally:
        con.unregister(view)


def _widen(con: duckdb.DuckDBPyConnection, staging: str, width: int, new_width: int) -> None:
    """Add columns c{width}.. keeping ``source_row`` last (rows wider than any before)."""
    added = ", ".join(f"CAST(NULL AS VARCHAR) AS c{i}" for i in range(width, new_width))
    existing = ", ".join(f"c{i}" for i in range(width))
    con.execute(
        f'CREATE OR REPLACE TEMP TABLE "{staging}" AS SELECT {existing}, {added}, source_row '
        f'FROM temp."{staging}" ORDER BY source_row'
    )


def _drop_empty_trailing_columns(
    con: duckdb.DuckDBPyConnection, staging: str, headers: list[str], width: int
) -> int:
    """Trailing columns with neither header nor data are formatting leftovers: drop them."""
    named = max((index + 1 for index, header in enumerate(headers) if header), default=0)
    if named >= width:
        return width
    counts = con.execute(
        "SELECT "
        + ", ".join(f"count(c{i})" for i in range(named, width))
        + f' FROM temp."{staging}"'
    ).fetchone()
    keep = named + max((index + 1 for index, count in enumerate(counts) if count), default=0)
    for index in range(width - 1, keep - 1, -1):
        con.execute(f'ALTER TABLE temp."{staging}" DROP COLUMN c{index}')
    return keep
