"""PDF of the local results page: the same HTML, printed by Chromium with its print stylesheet.

The print stylesheet sets A4 pages and "Page n of m" with the report's title in the footer
(CSS page margin boxes, which Chromium supports). Chromium has no ``target-counter()``, so the
contents list gets its page numbers from a first print: its outline (PDF bookmarks, one per
heading) says on which page each section starts, and the page is printed again with those
numbers after each entry. The first print carries two-digit stand-ins in the same places, so the
numbers change no line and no page break. The PDF is tagged (headings, lists and tables marked
for screen readers) and keeps the outline. See :mod:`pipeline.reports.browser` for why Chromium.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Mapping
from pathlib import Path

from pipeline.reports import browser


def _key(heading: object) -> str:
    # an outline title loses the space where a heading wrapped ("Council\n002" -> "Council002")
    return "".join(str(heading).split()).casefold()


class SectionPages(dict):
    """Heading -> page number, looked up whatever the heading's spacing."""

    def get(self, heading: object, default: object = "") -> object:
        return super().get(_key(heading), default)


class _StandIns(dict):
    """Every heading's page number as "00", for the first print."""

    def get(self, heading: object, default: object = None) -> str:  # noqa: ARG002
        return "00"


def section_pages(pdf: bytes) -> SectionPages:
    """Heading -> the page its section starts on (from 1), from the PDF's outline."""
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(pdf))
    pages = SectionPages()

    def walk(items: list) -> None:
        for item in items:
            if isinstance(item, list):
                walk(item)
                continue
            title = _key(item.title)
            page = reader.get_destination_page_number(item)
            if title not in pages and page is not None and page >= 0:
                pages[title] = str(page + 1)

    walk(reader.outline)
    return pages


def report_pdf(
    render: Callable[[Mapping[str, str] | None], str], target: Path | None = None
) -> bytes:
    """Print the page rendered by ``render(pages)`` twice: stand-in page numbers, then the
    real ones read from the first print's outline. Writes ``target`` when given."""
    first = browser.html_to_pdf(render(_StandIns()))
    data = browser.html_to_pdf(render(section_pages(first)))
    if target is not None:
        Path(target).write_bytes(data)
    return data
