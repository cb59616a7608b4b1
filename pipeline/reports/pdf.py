"""PDF from the same HTML as the local results page, through WeasyPrint.

WeasyPrint reads the page's print stylesheet: A4 pages, "Page n of m" in the footer, a contents
list whose page numbers come from ``target-counter``, and the inline SVG charts drawn as vectors
(so they stay sharp at any zoom). No network: a URL fetcher that refuses everything keeps a
crafted link in the data from ever being fetched while the PDF is built.
"""

from __future__ import annotations

from pathlib import Path


def _no_fetch(url: str, *args: object, **kwargs: object) -> dict:
    raise ValueError(f"reports never fetch external resources ({url!r} refused)")


def html_to_pdf(html: str, target: Path | None = None) -> bytes:
    """Render an HTML page (with inline CSS and SVG) to PDF bytes, writing them if asked."""
    from weasyprint import HTML

    document = HTML(string=html, url_fetcher=_no_fetch, base_url=None)
    data = document.write_pdf()
    if target is not None:
        Path(target).write_bytes(data)
    return data
