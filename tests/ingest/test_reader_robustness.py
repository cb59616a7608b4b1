"""The readers on files that used to break them: mixed encodings, line endings, huge cells, wide
headers, zip bombs and stray cells; and, property-based, on arbitrary bytes: a RawTable or a
ReadError, never another exception.

Expected tables are the fixture generator's constants (``tests/fixtures/make_reader_fixtures.py``).
"""

from __future__ import annotations

import codecs
import io
import random
import subprocess
import sys
import zipfile
from pathlib import Path

import duckdb
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipeline.ingest import excel_reader
from pipeline.ingest.readers import RawTable, ReadError, read_into_duckdb
from tests.fixtures import make_reader_fixtures as rf

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
LIMIT_VARIABLES = [
    "OUTCOMES_MAX_CSV_BYTES",
    "OUTCOMES_MAX_XLSX_UNCOMPRESSED_BYTES",
    "OUTCOMES_MAX_ROWS",
    "OUTCOMES_MAX_COLUMNS",
    "OUTCOMES_MAX_CELL_BYTES",
]


@pytest.fixture(autouse=True)
def default_limits(monkeypatch):
    """Every test starts from the default limits, whatever the environment running it says."""
    for variable in LIMIT_VARIABLES:
        monkeypatch.delenv(variable, raising=False)


@pytest.fixture
def con() -> duckdb.DuckDBPyConnection:
    connection = duckdb.connect()
    yield connection
    connection.close()


def read(con: duckdb.DuckDBPyConnection, name: str, **options) -> RawTable:
    return read_into_duckdb(con, FIXTURES / name, "raw", **options)


def rows_by_number(con: duckdb.DuckDBPyConnection) -> dict[int, tuple]:
    return {
        row[-1]: row[:-1] for row in con.execute("SELECT * FROM raw ORDER BY source_row").fetchall()
    }


def expected(rows: dict[int, tuple]) -> dict[int, tuple]:
    """The fixture's cells as the reader stores them: empty cells NULL."""
    return {number: tuple(cell or None for cell in cells) for number, cells in rows.items()}


# ---- encodings -----------------------------------------------------------------------------------


def test_excel_on_windows_csv_is_cp1252(con):
    raw = read(con, rf.EXCEL_WINDOWS)
    assert (raw.encoding, raw.delimiter, raw.header_row, raw.rows) == ("cp1252", ",", 1, 4)
    assert raw.headers == rf.HEADERS and raw.cp1252_lines == ()
    assert rows_by_number(con) == expected(rf.EXCEL_WINDOWS_ROWS)


def test_utf8_file_with_cp1252_lines_decodes_each_line_by_its_own_encoding(con):
    """The bug: two Windows-1252 lines near the top made the whole file cp1252 ("Â£12.50")."""
    raw = read(con, rf.UTF8_WITH_CP1252)
    assert raw.encoding == "utf-8+cp1252"
    assert raw.cp1252_lines == rf.UTF8_WITH_CP1252_LINES == (3, 7)
    assert rows_by_number(con) == expected(rf.UTF8_WITH_CP1252_ROWS)
    pounds = sum(1 for cells in rf.UTF8_WITH_CP1252_ROWS.values() if cells[1] == "£12.50")
    assert con.execute("SELECT count(*) FROM raw WHERE c1 = '£12.50'").fetchone() == (pounds,)
    assert con.execute("SELECT count(*) FROM raw WHERE c1 LIKE '%Â%'").fetchone() == (0,)
    assert any("lines 3, 7" in note and "Windows-1252" in note for note in raw.notes)


def test_valid_utf8_is_utf8_whatever_the_first_256_kb_say(con, tmp_path):
    """Windows-1252 lines inside the sample, UTF-8 "£" answers well beyond it."""
    path = tmp_path / "long.csv"
    top = b"ref,amount\n" + "R1,£1 from Excel\n".encode("cp1252")
    filler = b"".join(f"F{n},plain\n".encode() for n in range(30_000))  # > 256 KB of ASCII
    path.write_bytes(top + filler + "R-last,£12.50\n".encode())
    raw = read_into_duckdb(con, path, "raw")
    assert (raw.encoding, raw.cp1252_lines) == ("utf-8+cp1252", (2,))
    rows = rows_by_number(con)
    assert rows[2] == ("R1", "£1 from Excel") and rows[30_003] == ("R-last", "£12.50")


def test_cp1252_lines_in_an_earlier_4_mb_piece_are_numbered_too(con, tmp_path):
    """Pieces without any UTF-8 sequence are decoded whole; their lines are listed afterwards."""
    path = tmp_path / "pieces.csv"
    pasted = b"".join(f"P{n},£{n} – pasted\n".encode("cp1252") for n in range(4))
    filler = b"".join(f"F{n},plain text to fill a chunk\n".encode() for n in range(160_000))
    answers = b"".join(f"U{n},£{n}.50\n".encode() for n in range(100))
    path.write_bytes(b"ref,amount\n" + pasted + filler + answers)
    assert len(pasted + filler) > 4 * 1024 * 1024
    raw = read_into_duckdb(con, path, "raw")
    assert (raw.encoding, raw.cp1252_lines) == ("utf-8+cp1252", (2, 3, 4, 5))
    rows = rows_by_number(con)
    assert rows[2] == ("P0", "£0 – pasted") and rows[160_006] == ("U0", "£0.50")


def test_ascii_sample_then_windows_1252_is_a_cp1252_file(con, tmp_path):
    path = tmp_path / "late.csv"
    filler = b"".join(f"F{n},plain\n".encode() for n in range(30_000))
    path.write_bytes(b"ref,amount\n" + filler + "R-last,£12.50 – ok\n".encode("cp1252"))
    raw = read_into_duckdb(con, path, "raw")
    assert (raw.encoding, raw.cp1252_lines) == ("cp1252", ())
    assert rows_by_number(con)[30_002] == ("R-last", "£12.50 – ok")


def test_a_line_that_happens_to_be_utf8_in_a_cp1252_file_stays_cp1252(con):
    raw = read(con, rf.ACCIDENTAL_UTF8)
    assert (raw.encoding, raw.cp1252_lines, raw.rows) == ("cp1252", (), 28)
    assert rows_by_number(con) == expected(rf.ACCIDENTAL_UTF8_ROWS)
    assert rows_by_number(con)[rf.ACCIDENTAL_UTF8_LINE][2] == "typed Ã© by hand"


def test_excel_unicode_text_is_utf16_tab_delimited(con):
    raw = read(con, rf.UTF16_TEXT)
    assert (raw.encoding, raw.delimiter, raw.header_row) == ("utf-16", "\t", 1)
    assert raw.headers == rf.HEADERS
    assert rows_by_number(con) == expected(rf.UTF16_TEXT_ROWS)


# ---- line endings --------------------------------------------------------------------------------


def test_old_mac_cr_only_file_loads_with_row_numbers(con):
    raw = read(con, rf.OLD_MAC)
    assert (raw.encoding, raw.delimiter, raw.header_row) == ("utf-8", ",", rf.OLD_MAC_HEADER_ROW)
    assert rows_by_number(con) == expected(rf.OLD_MAC_ROWS)
    assert any("CR" in note for note in raw.notes)


def test_mixed_crlf_and_lf_loads(con):
    raw = read(con, rf.MIXED_ENDINGS)
    assert (raw.header_row, raw.rows) == (1, 5)
    assert rows_by_number(con) == expected(rf.MIXED_ENDINGS_ROWS)


def test_a_lone_cr_among_crlf_is_a_line_break_as_in_a_spreadsheet(con, tmp_path):
    path = tmp_path / "lone_cr.csv"
    path.write_bytes(b"a,b,c\r\n1,2,3\r\n4,5\r6,7,8\r\n9,10,11\n")
    raw = read_into_duckdb(con, path, "raw")
    assert rows_by_number(con) == {
        2: ("1", "2", "3"),
        3: ("4", "5", None),
        4: ("6", "7", "8"),
        5: ("9", "10", "11"),
    }
    assert any("lone CR" in note for note in raw.notes)


def test_mixed_endings_beyond_the_sample_fall_back_to_normalising(con, tmp_path):
    path = tmp_path / "late_mix.csv"
    top = b"ref,n\r\n" + b"".join(f"R{n},{n}\r\n".encode() for n in range(30_000))
    path.write_bytes(top + b"L1,1\nL2,2\rL3,3\r\n")
    raw = read_into_duckdb(con, path, "raw")
    rows = rows_by_number(con)
    assert raw.rows == 30_003
    assert [rows[n] for n in (30_002, 30_003, 30_004)] == [("L1", "1"), ("L2", "2"), ("L3", "3")]


# ---- sizes ---------------------------------------------------------------------------------------


def test_a_200_kb_cell_loads_whole(con):
    raw = read(con, rf.BIG_CELL)
    assert len(rf.BIG_CELL_TEXT.encode()) > 200_000
    assert (raw.rows, raw.headers) == (2, rf.HEADERS)
    assert rows_by_number(con) == expected(rf.BIG_CELL_ROWS)


def test_a_cell_over_the_limit_is_refused_naming_row_and_column(con, monkeypatch):
    monkeypatch.setenv("OUTCOMES_MAX_CELL_BYTES", "100000")
    with pytest.raises(
        ReadError,
        match=r"lines_cell_200kb\.csv: the cell in column 3 \('comment'\) of row 3 is 2\d\d\.\d KB, "
        r"more than the 100\.0 KB limit for one cell; .*OUTCOMES_MAX_CELL_BYTES=2\d{5}",
    ):
        read(con, rf.BIG_CELL)
    assert con.execute("SELECT count(*) FROM duckdb_tables()").fetchone() == (0,)


def test_a_line_far_over_the_cell_limit_is_refused_naming_the_line(con, monkeypatch):
    monkeypatch.setenv("OUTCOMES_MAX_CELL_BYTES", "50000")
    with pytest.raises(
        ReadError, match=r"line 3 is 2\d\d\.\d KB long, more than the 50\.0 KB allowed for one cell"
    ):
        read(con, rf.BIG_CELL)


def test_a_3000_column_header_is_refused_by_default_and_loads_when_allowed(con, monkeypatch):
    with pytest.raises(
        ReadError,
        match=r"line 1 has 3,000 columns, more than the limit of 2,000; .*OUTCOMES_MAX_COLUMNS=3000",
    ):
        read(con, rf.WIDE_HEADER)
    monkeypatch.setenv("OUTCOMES_MAX_COLUMNS", "3000")
    raw = read(con, rf.WIDE_HEADER)
    assert (raw.headers, raw.rows) == (rf.WIDE_HEADER_NAMES, 2)
    assert rows_by_number(con) == expected(rf.WIDE_HEADER_ROWS)


def test_a_wide_row_far_down_is_refused_by_the_column_limit(con, tmp_path, monkeypatch):
    monkeypatch.setenv("OUTCOMES_MAX_COLUMNS", "10")
    path = tmp_path / "wide_late.csv"
    filler = "".join(f"R{n},1,2\n" for n in range(30_000))
    path.write_text("ref,a,b\n" + filler + ",".join(["x"] * 40) + "\n")
    with pytest.raises(ReadError, match=r"line 30002 has 40 columns, more than the limit of 10"):
        read_into_duckdb(con, path, "raw")


def test_csv_size_and_row_limits(con, monkeypatch):
    monkeypatch.setenv("OUTCOMES_MAX_CSV_BYTES", "100")
    with pytest.raises(
        ReadError, match=r"is 147 bytes, more than the 100 bytes limit .*OUTCOMES_MAX_CSV_BYTES=147"
    ):
        read(con, rf.EXCEL_WINDOWS)
    monkeypatch.delenv("OUTCOMES_MAX_CSV_BYTES")
    monkeypatch.setenv("OUTCOMES_MAX_ROWS", "3")
    with pytest.raises(ReadError, match=r"has 29 rows, more than the limit of 3; .*ROWS=29"):
        read(con, rf.UTF8_WITH_CP1252)


def test_a_limit_that_is_not_a_number_is_a_read_error(con, monkeypatch):
    monkeypatch.setenv("OUTCOMES_MAX_ROWS", "lots")
    with pytest.raises(ReadError, match=r"OUTCOMES_MAX_ROWS='lots' is not a positive whole number"):
        read(con, rf.EXCEL_WINDOWS)


# ---- workbooks -----------------------------------------------------------------------------------


def test_a_workbook_that_unpacks_past_the_limit_is_refused(con, monkeypatch):
    raw = read(con, rf.ZIP_BOMB)  # the default limit reads it
    assert (raw.rows, raw.headers) == (rf.ZIP_BOMB_ROWS, rf.HEADERS)
    monkeypatch.setenv("OUTCOMES_MAX_XLSX_UNCOMPRESSED_BYTES", str(rf.ZIP_BOMB_TEST_LIMIT))
    with pytest.raises(
        ReadError,
        match=r"lines_zip_bomb\.xlsx: unpacks to 2\.1 MB, more than the 1\.0 MB limit for a "
        r"workbook; save the sheet you need as CSV, or set "
        r"OUTCOMES_MAX_XLSX_UNCOMPRESSED_BYTES=2\d{6} to read it anyway",
    ):
        read(con, rf.ZIP_BOMB)


def test_a_stray_value_at_the_last_cell_of_the_sheet_is_refused_before_reading(con):
    """calamine would allocate 17 billion cells for it and abort the whole process."""
    with pytest.raises(
        ReadError,
        match=r"has a value in cell XFD1048576, so it is 16,384 columns wide, more than the "
        r"limit of 2,000; if that cell is a stray entry, delete it .*OUTCOMES_MAX_COLUMNS=16384",
    ):
        read(con, rf.STRAY_FAR_CELL)


def test_a_stray_value_far_below_is_read_or_refused_by_the_row_limit(con, monkeypatch):
    raw = read(con, rf.FAR_ROW_CELL)
    assert (raw.header_row, raw.rows) == (1, 11)
    assert rows_by_number(con) == {
        **expected(rf.SMALL_SHEET_ROWS),
        300_000: (None, None, "stray"),
    }
    monkeypatch.setenv("OUTCOMES_MAX_ROWS", "1000")
    with pytest.raises(ReadError, match=r"value in cell C300000, so it is 300,000 rows long"):
        read(con, rf.FAR_ROW_CELL)


@pytest.mark.parametrize("name", ["holder_title_rows.xlsx", rf.FAR_ROW_CELL, rf.ZIP_BOMB])
def test_big_sheets_stream_row_by_row_with_the_same_result(con, monkeypatch, name):
    calamine = read(con, name)
    fast = con.execute("SELECT * FROM raw ORDER BY source_row").fetchall()
    monkeypatch.setattr(excel_reader, "FAST_GRID_CELLS", 0)
    streamed = read(con, name)
    assert con.execute("SELECT * FROM raw ORDER BY source_row").fetchall() == fast
    assert (streamed.headers, streamed.header_row) == (calamine.headers, calamine.header_row)
    assert any("row by row" in note for note in streamed.notes)


# ---- SPSS ----------------------------------------------------------------------------------------


def _damaged_sav() -> bytes:
    """The holder fixture with bytes flipped (found by fuzzing: pyreadstat 1.3 segfaults on it)."""
    good = bytearray((FIXTURES / "holder_spss.sav").read_bytes())
    rng = random.Random(1)
    for _ in range(17):
        candidate = bytearray(good)
        for _ in range(rng.randrange(1, 20)):
            candidate[rng.randrange(len(candidate))] = rng.randrange(256)
    return bytes(candidate)


def test_a_sav_that_crashes_the_spss_library_is_a_read_error(con, tmp_path):
    path = tmp_path / "damaged.sav"
    path.write_bytes(_damaged_sav())
    probe = subprocess.run(
        [sys.executable, "-c", f"import pyreadstat; pyreadstat.read_sav({str(path)!r})"],
        capture_output=True,
        check=False,
    )
    with pytest.raises(ReadError, match=r"damaged\.sav: unreadable SPSS file"):
        read_into_duckdb(con, path, "raw")
    if probe.returncode >= 0:
        pytest.skip("this pyreadstat no longer crashes on the damaged file; the ReadError held")


def test_sav_case_limit(con, monkeypatch):
    monkeypatch.setenv("OUTCOMES_MAX_ROWS", "10")
    with pytest.raises(
        ReadError, match=r"holder_spss\.sav: has 25 cases, more than the limit of 10"
    ):
        read(con, "holder_spss.sav")


# ---- properties: anything in, a RawTable or a ReadError out --------------------------------------

PROPERTY = settings(
    max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


def read_or_refuse(con: duckdb.DuckDBPyConnection, path: Path) -> RawTable | None:
    """The contract: a RawTable whose table has the documented shape, or a ReadError."""
    try:
        raw = read_into_duckdb(con, path, "raw")
    except ReadError as error:
        message = str(error)
        assert message.startswith(path.name + ": ") and "\n" not in message, message
        return None
    columns = [row[0] for row in con.execute("DESCRIBE raw").fetchall()]
    assert columns == raw.columns + ["source_row"]
    numbers = [
        row[0] for row in con.execute("SELECT source_row FROM raw ORDER BY rowid").fetchall()
    ]
    assert numbers == sorted(set(numbers)) and len(numbers) == raw.rows
    assert all(number > raw.header_row for number in numbers)
    return raw


_TEXT = st.text(
    alphabet=st.sampled_from(
        list("ab Z09.-£€–“”’éñÃ©") + [",", ";", "\t", "|", '"', "'", "\n", "\r", "\u00a0", "\x00"]
    ),
    max_size=14,
)


@PROPERTY
@given(data=st.binary(max_size=3000))
def test_arbitrary_bytes_as_csv(con, tmp_path, data):
    path = tmp_path / "anything.csv"
    path.write_bytes(data)
    read_or_refuse(con, path)


@PROPERTY
@given(
    encoding=st.sampled_from(["utf-8", "utf-8-sig", "cp1252", "latin-1", "utf-16", "utf-16-le"]),
    delimiter=st.sampled_from([",", ";", "\t", "|"]),
    endings=st.lists(st.sampled_from(["\n", "\r\n", "\r"]), min_size=1, max_size=3),
    quote_cells=st.booleans(),
    rows=st.lists(st.lists(_TEXT, min_size=1, max_size=6), min_size=1, max_size=12),
    pasted=st.lists(st.integers(min_value=0, max_value=11), max_size=3),
)
def test_arbitrary_text_in_any_encoding_delimiter_quoting_and_line_ending(
    con, tmp_path, encoding, delimiter, endings, quote_cells, rows, pasted
):
    lines = []
    for index, cells in enumerate(rows):
        if quote_cells:
            cells = ['"' + cell.replace('"', '""') + '"' for cell in cells]
        lines.append(delimiter.join(cells) + endings[index % len(endings)])
    if encoding == "utf-8":  # some lines pasted in from another tool, in Windows-1252
        data = b"".join(
            line.encode("cp1252" if index in pasted else "utf-8", errors="replace")
            for index, line in enumerate(lines)
        )
    else:
        data = "".join(lines).encode(encoding, errors="replace")
    path = tmp_path / f"text-{codecs.lookup(encoding).name}.csv"
    path.write_bytes(data)
    read_or_refuse(con, path)


def _zip_of(parts: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, content in parts.items():
            archive.writestr(name, content)
    return out.getvalue()


_WORKBOOK = (FIXTURES / "holder_title_rows.xlsx").read_bytes()


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    kind=st.sampled_from(["bytes", "zip-header", "flipped", "random-sheet"]),
    data=st.binary(max_size=2000),
    flips=st.lists(st.tuples(st.integers(0, len(_WORKBOOK) - 1), st.integers(0, 255)), max_size=8),
    sheet=st.text(max_size=300),
)
def test_arbitrary_bytes_as_xlsx(con, tmp_path, kind, data, flips, sheet):
    if kind == "bytes":
        content = data
    elif kind == "zip-header":
        content = b"PK\x03\x04" + data
    elif kind == "flipped":
        flipped = bytearray(_WORKBOOK)
        for position, value in flips:
            flipped[position] = value
        content = bytes(flipped)
    else:  # a well-formed zip whose sheet is arbitrary text
        source = zipfile.ZipFile(FIXTURES / rf.FAR_ROW_CELL)
        parts = {name: source.read(name) for name in source.namelist()}
        parts["xl/worksheets/sheet1.xml"] = sheet.encode("utf-8", errors="replace")
        content = _zip_of(parts)
    path = tmp_path / "anything.xlsx"
    path.write_bytes(content)
    read_or_refuse(con, path)


_SAV = (FIXTURES / "holder_spss.sav").read_bytes()


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    kind=st.sampled_from(["bytes", "signature", "flipped"]),
    data=st.binary(max_size=600),
    flips=st.lists(st.tuples(st.integers(0, len(_SAV) - 1), st.integers(0, 255)), max_size=12),
)
def test_arbitrary_bytes_as_sav(con, tmp_path, kind, data, flips):
    if kind == "bytes":
        content = data
    elif kind == "signature":
        content = b"$FL2" + data
    else:
        flipped = bytearray(_SAV)
        for position, value in flips:
            flipped[position] = value
        content = bytes(flipped)
    path = tmp_path / "anything.sav"
    path.write_bytes(content)
    read_or_refuse(con, path)
