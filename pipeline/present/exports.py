"""Turn published tables and figures into files: CSV, Excel, SVG, PNG and tidy open data.

Everything that leaves the system as a download goes through here, so the two rules for
downloads live in one place:
- nothing in a download can run: text starting with ``=``, ``+``, ``-``, ``@``, tab or carriage
  return gets a leading apostrophe (the OWASP advice for CSV injection), while real numbers stay
  numbers, so a negative change such as -4.2 is still a number in Excel;
- numbers are stored as numbers (Excel cells are written by type, never as formulas).
"""

from __future__ import annotations

import atexit
import io
import math
import numbers
import threading
from collections.abc import Mapping
from datetime import date, datetime

import pandas as pd
import plotly.graph_objects as go

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
EXCEL_SHEET_NAME_LIMIT = 31
_EXCEL_BAD_SHEET_CHARACTERS = str.maketrans({c: " " for c in "[]:*?/\\"})

OPEN_DATA_COLUMNS = [
    "Indicator ID",
    "Indicator name",
    "Period",
    "Area",
    "Area code",
    "Benchmark",
    "Compared to benchmark",
    "Count",
    "Value unit",
    "Value",
    "Lower confidence limit 95%",
    "Upper confidence limit 95%",
    "Denominator",
]


def neutralise(value: object) -> object:
    """Make a cell inert for spreadsheets; numbers, dates and blanks pass through unchanged.

    A string whose first character would start a formula gets an apostrophe in front, which
    spreadsheets show as text; that includes "-4" typed as text, since only true numbers are
    trusted to be numbers.
    """
    if isinstance(value, str):
        return "'" + value if value.startswith(FORMULA_TRIGGERS) else value
    return value


def neutralise_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy with every text cell and column name neutralised; numeric columns untouched."""
    safe = frame.copy()
    for column in safe.columns:
        if safe[column].dtype == object or pd.api.types.is_string_dtype(safe[column]):
            safe[column] = safe[column].map(neutralise).astype(object)
    safe.columns = [neutralise(str(c)) for c in safe.columns]
    return safe


def to_csv_bytes(frame: pd.DataFrame) -> bytes:
    """CSV as UTF-8 with a byte-order mark (so Excel reads £ and accents right), neutralised."""
    buffer = io.StringIO()
    neutralise_frame(frame).to_csv(buffer, index=False, lineterminator="\r\n")
    return buffer.getvalue().encode("utf-8-sig")


def excel_sheet_name(name: str, taken: set[str] | None = None) -> str:
    """A valid, unique Excel sheet name (31 characters, no []:*?/\\ , not starting with ')."""
    clean = str(name).translate(_EXCEL_BAD_SHEET_CHARACTERS).strip().strip("'") or "Sheet"
    clean = clean[:EXCEL_SHEET_NAME_LIMIT]
    taken = taken if taken is not None else set()
    candidate, counter = clean, 2
    while candidate.lower() in taken:
        suffix = f" ({counter})"
        candidate = clean[: EXCEL_SHEET_NAME_LIMIT - len(suffix)] + suffix
        counter += 1
    taken.add(candidate.lower())
    return candidate


def _cell_kind(value: object) -> str:
    if value is None or value is pd.NA or value is pd.NaT:
        return "blank"
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, numbers.Number):
        return "blank" if isinstance(value, float) and math.isnan(value) else "number"
    if isinstance(value, datetime | date | pd.Timestamp):
        return "date"
    return "string"


def to_excel_bytes(
    sheets: Mapping[str, pd.DataFrame],
    notes: Mapping[str, object] | None = None,
    *,
    title: str = "Outcomes tables",
    descriptions: Mapping[str, str] | None = None,
) -> bytes:
    """An .xlsx workbook: a contents sheet, a notes sheet, then one sheet per table.

    Every cell is written by its type (``write_number``/``write_string``/``write_datetime``), so
    numbers are numbers and no text can become a formula; text is also neutralised so it stays
    inert if the workbook is re-saved as CSV. ``notes`` maps a heading (source, definitions,
    suppression rules, date, ...) to its text; ``descriptions`` gives each table a line on the
    contents sheet.
    """
    import xlsxwriter

    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(
        buffer,
        {
            "in_memory": True,
            "strings_to_formulas": False,
            "strings_to_urls": False,
            "strings_to_numbers": False,
        },
    )
    workbook.set_properties({"title": title})
    bold = workbook.add_format({"bold": True, "text_wrap": True, "valign": "top"})
    heading = workbook.add_format({"bold": True, "font_size": 14})
    wrap = workbook.add_format({"text_wrap": True, "valign": "top"})
    number = workbook.add_format({"num_format": "General"})
    date_format = workbook.add_format({"num_format": "yyyy-mm-dd"})
    taken: set[str] = {"contents", "notes"}
    names = {key: excel_sheet_name(key, taken) for key in sheets}

    contents = workbook.add_worksheet("Contents")
    contents.write_string(0, 0, neutralise(title), heading)
    contents.write_string(2, 0, "Sheet", bold)
    contents.write_string(2, 1, "What it holds", bold)
    contents.write_string(3, 0, "Notes")
    contents.write_string(3, 1, "Sources, definitions, suppression rules and date of the tables")
    for row, (key, sheet_name) in enumerate(names.items(), start=4):
        contents.write_url(row, 0, f"internal:'{sheet_name}'!A1", string=sheet_name)
        contents.write_string(row, 1, neutralise(str((descriptions or {}).get(key, key))))
    contents.set_column(0, 0, 34)
    contents.set_column(1, 1, 90)

    notes_sheet = workbook.add_worksheet("Notes")
    notes_sheet.write_string(0, 0, "Notes", heading)
    for row, (key, text) in enumerate((notes or {}).items(), start=2):
        notes_sheet.write_string(row, 0, neutralise(str(key)), bold)
        notes_sheet.write_string(row, 1, neutralise(str(text)), wrap)
    notes_sheet.set_column(0, 0, 30)
    notes_sheet.set_column(1, 1, 110)

    for key, frame in sheets.items():
        sheet = workbook.add_worksheet(names[key])
        for column_index, column in enumerate(frame.columns):
            sheet.write_string(0, column_index, neutralise(str(column)), bold)
            width = max([len(str(column))] + [len(str(v)) for v in frame[column].head(200)])
            sheet.set_column(column_index, column_index, min(max(width + 2, 8), 60))
        for row_index, values in enumerate(frame.itertuples(index=False, name=None), start=1):
            for column_index, value in enumerate(values):
                kind = _cell_kind(value)
                if kind == "number":
                    sheet.write_number(row_index, column_index, float(value), number)
                elif kind == "bool":
                    sheet.write_boolean(row_index, column_index, bool(value))
                elif kind == "date":
                    sheet.write_datetime(
                        row_index, column_index, pd.Timestamp(value).to_pydatetime(), date_format
                    )
                elif kind == "string":
                    sheet.write_string(row_index, column_index, neutralise(str(value)))
        sheet.freeze_panes(1, 0)
        if len(frame.columns):
            sheet.autofilter(0, 0, max(len(frame), 1), len(frame.columns) - 1)
    workbook.close()
    return buffer.getvalue()


# --- figures --------------------------------------------------------------------------------

_kaleido_lock = threading.Lock()
_kaleido_started = False


def start_image_server() -> None:
    """Start kaleido's browser once for a batch of images (about 3 s); later calls are free."""
    global _kaleido_started
    import kaleido

    with _kaleido_lock:
        if not _kaleido_started:
            kaleido.start_sync_server(silence_warnings=True)
            _kaleido_started = True
            atexit.register(stop_image_server)  # close the browser before its temp folder goes


def stop_image_server() -> None:
    """Close the batch browser started by :func:`start_image_server`."""
    global _kaleido_started
    import kaleido

    with _kaleido_lock:
        if _kaleido_started:
            kaleido.stop_sync_server(silence_warnings=True)
            _kaleido_started = False


def _render(
    fig: go.Figure, image_format: str, width: int, height: int | None, scale: float
) -> bytes:
    import kaleido

    start_image_server()
    opts = {
        "format": image_format,
        "width": width,
        "height": height or fig.layout.height or 500,
        "scale": scale,
    }
    return kaleido.calc_fig_sync(fig, opts=opts)


def figure_png(
    fig: go.Figure, *, width: int = 900, height: int | None = None, scale: float = 2
) -> bytes:
    """PNG bytes of a figure via kaleido and Debian's chromium, at 2x for sharp print."""
    return _render(fig, "png", width, height, scale)


def figure_svg(fig: go.Figure, *, width: int = 900, height: int | None = None) -> str:
    """SVG text of a figure via kaleido (vector, so it stays sharp at any size)."""
    data = _render(fig, "svg", width, height, 1)
    return data.decode("utf-8") if isinstance(data, bytes) else str(data)


# --- open data ------------------------------------------------------------------------------

COMPARED_WORDS = {
    "better": "Better",
    "similar": "Similar",
    "worse": "Worse",
    "higher": "Higher",
    "lower": "Lower",
    "not compared": "Not compared",
    "below floor": "Below the published floor",
    "not below floor": "Not below the published floor",
    "above ceiling": "Above the published ceiling",
    "not above ceiling": "Not above the published ceiling",
}


def _indicator_name(row: pd.Series) -> str:
    measure = str(row.get("measure", "better") or "better")
    domain = str(row.get("domain", row.get("question_code", "")))
    if row.get("section") == "outcomes" or measure == "better":
        return f"{domain}: percent saying it got better since having a personal budget"
    return f"{domain}: percent answering '{measure}'"


def tidy_open_data(
    results_frame: pd.DataFrame,
    area: str,
    area_code: str | None,
    period: object,
) -> pd.DataFrame:
    """The results in the column shape of public-health benchmarking downloads.

    One row per indicator; ``Benchmark`` names the comparator and its year; suppressed rows keep
    their indicator with blank count and values so a reader sees the gap, not a zero.
    """
    rows = []
    for _, row in results_frame.iterrows():
        suppressed = bool(row.get("suppressed", False))
        benchmark = ""
        if pd.notna(row.get("benchmark_value")) and row.get("benchmark_value") is not None:
            source = row.get("benchmark_label") or row.get("benchmark_source") or "Benchmark"
            year = row.get("benchmark_year")
            benchmark = (
                f"{source} ({int(year)})" if pd.notna(year) and year is not None else str(source)
            )
        compared = row.get("comparison")
        rows.append(
            {
                "Indicator ID": f"{row.get('instrument', '')}:{row.get('question_code', '')}:"
                f"{row.get('measure', '')}",
                "Indicator name": _indicator_name(row),
                "Period": str(period),
                "Area": area,
                "Area code": area_code or "",
                "Benchmark": benchmark,
                "Compared to benchmark": COMPARED_WORDS.get(str(compared), str(compared or ""))
                if not suppressed
                else "Not compared",
                "Count": None if suppressed else _maybe_number(row.get("count")),
                "Value unit": "%",
                "Value": None if suppressed else _maybe_number(row.get("value")),
                "Lower confidence limit 95%": None
                if suppressed
                else _maybe_number(row.get("lower")),
                "Upper confidence limit 95%": None
                if suppressed
                else _maybe_number(row.get("upper")),
                # the base stays unless disclosure control hid it, as in the workbook
                "Denominator": _maybe_number(row.get("n")),
            }
        )
    frame = pd.DataFrame(rows, columns=OPEN_DATA_COLUMNS)
    for column in ("Value", "Lower confidence limit 95%", "Upper confidence limit 95%"):
        frame[column] = pd.to_numeric(frame[column], errors="coerce").astype("Float64")
    for column in ("Count", "Denominator"):  # whole people, so whole numbers in the file
        frame[column] = pd.to_numeric(frame[column], errors="coerce").round().astype("Int64")
    return frame


def _maybe_number(value: object) -> float | None:
    if value is None:
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(number) else number
