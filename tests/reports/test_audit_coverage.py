"""The disclosure auditor reads a council's workbook and open-data CSV, not its results page,
easy-read page or PDF. That is enough only if those show no figure the workbook does not: these
tests check it, number by number, on the demo council's report set (issue 9 item 2)."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import openpyxl

NUMBER = re.compile(r"(?<![\w#.-])\d[\d,]*(?:\.\d+)?")
YEARS = re.compile(r"^(19|20)\d\d$")  # waves, benchmark years and the framework's dates


def _workbook_numbers(path: Path) -> set[str]:
    """Every number in the workbook as it could be written: each cell value to 0-3 decimals,
    and every number inside a text cell ("57.5% of 602")."""
    found: set[str] = set()
    for sheet in openpyxl.load_workbook(path, read_only=True).worksheets:
        for row in sheet.iter_rows(values_only=True):
            for value in row:
                if isinstance(value, bool):
                    continue
                if isinstance(value, int | float):
                    found.update(f"{value:.{places}f}" for places in range(4))
                elif isinstance(value, str):
                    found.update(n.replace(",", "") for n in NUMBER.findall(value))
    return found


def _page_numbers(text: str) -> set[str]:
    text = re.sub(r"<(style|svg|script)\b.*?</\1>", " ", text, flags=re.S)
    text = re.sub(r"<[^>]+>", " ", text)
    return {
        n.replace(",", "").rstrip(".")
        for n in NUMBER.findall(text)
        if not YEARS.match(n.replace(",", "").rstrip("."))
    }


def _table_cells(html: str) -> str:
    return " ".join(re.findall(r"<td[^>]*>(.*?)</td>", html, flags=re.S))


def test_results_page_tables_show_no_figure_the_workbook_does_not(demo_reports) -> None:
    published = _workbook_numbers(demo_reports["xlsx"])
    shown = _page_numbers(_table_cells(demo_reports["html"].read_text(encoding="utf-8")))
    assert len(shown) > 50  # the tables are there and carry figures
    assert sorted(shown - published) == []


def test_easy_read_page_shows_no_figure_the_workbook_does_not(demo_reports) -> None:
    published = _workbook_numbers(demo_reports["xlsx"])
    text = demo_reports["easy_read"].read_text(encoding="utf-8")
    # "About 8 in 10 people" rounds a share the page also gives ("79 out of every 100"), so it
    # is coarser than a published figure, not a new one.
    text = re.sub(r"About \d+ in 10 people", "", text)
    shown = _page_numbers(text)
    assert shown
    assert sorted(shown - published) == []


def test_pdf_tables_show_no_figure_the_workbook_does_not(demo_reports) -> None:
    """The PDF is the results page printed: its numbers, less page numbers and the methods
    section's constants, are the workbook's."""
    text = subprocess.run(
        ["pdftotext", "-layout", str(demo_reports["pdf"]), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    html_numbers = _page_numbers(demo_reports["html"].read_text(encoding="utf-8"))
    published = _workbook_numbers(demo_reports["xlsx"]) | html_numbers
    pages = {str(n) for n in range(1, 60)}  # "Page 3 of 12" and the contents' page numbers
    axis = {str(n) for n in range(0, 101, 20)}  # the charts' scale (0% ... 100%), drawn as text
    extra = _page_numbers(text) - published - pages - axis
    assert sorted(extra) == []
