"""Build a council's full set of downloads, or every council's set and an index page.

``outcomes report`` and the dashboards' Downloads page both call these two functions. The
content is gathered once (:func:`content.gather`, through disclosure control) and every format
is rendered from that one object, so the page, PDF, workbook, CSV, charts and easy-read summary
always carry the same numbers.
"""

from __future__ import annotations

import multiprocessing
import os
import re
import tempfile
import unicodedata
from collections.abc import Iterable
from concurrent.futures import ProcessPoolExecutor, as_completed
from pathlib import Path

import duckdb
import pandas as pd

from pipeline.present import charts, exports, svg
from pipeline.present.findings import round_half_away
from pipeline.reports import browser
from pipeline.reports.content import ReportContent, gather, published_wave
from pipeline.reports.pdf import report_pdf
from pipeline.reports.render import (
    render_easy_read_html,
    render_index_html,
    report_renderer,
)
from pipeline.reports.tables import TABLE_DESCRIPTIONS, notes, open_data, publication_tables
from pipeline.store.connection import database_file

FORMATS = ("html", "pdf", "xlsx", "csv", "charts", "easy_read", "people_like_me")


def slug(text: str) -> str:
    """A safe file-name part from any council name (crafted names cannot escape the folder)."""
    ascii_text = unicodedata.normalize("NFKD", str(text)).encode("ascii", "ignore").decode()
    cleaned = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return cleaned[:60] or "council"


def file_stem(content: ReportContent) -> str:
    return f"{slug(content.council)}-{content.wave}-{content.instrument.id}"


def source_line(content: ReportContent) -> str:
    """The line under every chart: survey, council, wave, base and benchmark sources."""
    sources = content.benchmark_sources
    names = sorted(
        {
            f"{row['benchmark_source']}"
            for _, row in sources.iterrows()
            if pd.notna(row.get("benchmark_source"))
        }
    )
    line = (
        f"Source: {content.instrument.title}, {content.council}, {content.wave} "
        f"({content.returns} returns). 95% Wilson intervals."
    )
    if names:
        line += " Benchmark: " + "; ".join(names) + "."
    return line


def chart_figures(content: ReportContent) -> dict[str, dict]:
    """The downloadable charts, from the published frames: for each, the SVG with its title
    and source line (the PNG is drawn from it) and the alt text."""
    source = source_line(content)
    figures: dict[str, dict] = {}
    if len(content.outcomes):
        title = f"Share who said things got better: {content.council}, {content.wave}"
        columns = {"value": "percent", "lower": "lower_percent", "upper": "upper_percent"}
        alt = charts.alt_text("dot_interval", content.outcomes, title=title, **columns)
        figures["outcomes"] = {
            "svg": svg.dot_interval_svg(
                content.outcomes, title=title, description=alt, standalone=True, source=source
            ),
            "alt": alt,
        }
    if len(content.process_distribution):
        title = f"How easy each step was: {content.council}, {content.wave}"
        spread = content.process_distribution.assign(
            value=content.process_distribution["value"].map(round_half_away)
        )
        alt = charts.alt_text("distribution", spread, title=title)
        figures["process"] = {
            "svg": svg.stacked_svg(
                spread, title=title, description=alt, standalone=True, source=source
            ),
            "alt": alt,
        }
    return figures


def write_charts(content: ReportContent, folder: Path, stem: str) -> dict[str, Path]:
    """SVG of each chart, the same picture as PNG (drawn by the report browser at 2x for
    print), and its alt text as a .txt."""
    folder.mkdir(parents=True, exist_ok=True)
    written: dict[str, Path] = {}
    for name, chart in chart_figures(content).items():
        png = folder / f"{stem}-{name}.png"
        png.write_bytes(browser.svg_to_png(str(chart["svg"])))
        svg_path = folder / f"{stem}-{name}.svg"
        svg_path.write_text(
            '<?xml version="1.0" encoding="UTF-8"?>\n' + str(chart["svg"]), encoding="utf-8"
        )
        alt_path = folder / f"{stem}-{name}-alt-text.txt"
        alt_path.write_text(chart["alt"] + "\n", encoding="utf-8")
        written[f"chart_{name}_png"] = png
        written[f"chart_{name}_svg"] = svg_path
        written[f"chart_{name}_alt"] = alt_path
    return written


def write_content(
    content: ReportContent,
    out_dir: Path,
    formats: Iterable[str] = FORMATS,
) -> dict[str, Path]:
    """Write the chosen formats of an already gathered report into ``out_dir``."""
    formats = tuple(formats)
    unknown = set(formats) - set(FORMATS)
    if unknown:
        raise ValueError(f"unknown report formats {sorted(unknown)}; choose from {FORMATS}")
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    stem = file_stem(content)
    names = {
        "html": f"{stem}-results.html",
        "pdf": f"{stem}-results.pdf",
        "xlsx": f"{stem}-tables.xlsx",
        "csv": f"{stem}-open-data.csv",
        "easy_read": f"{stem}-easy-read.html",
        "people_like_me": f"{stem}-people-like-me.html",
        "people_like_me_csv": f"{stem}-people-like-me.csv",
    }
    downloads = {
        label: names[key]
        for key, label in (
            ("pdf", "PDF"),
            ("xlsx", "Excel tables"),
            ("csv", "open data (CSV)"),
            ("easy_read", "easy read"),
            ("people_like_me", "people like me"),
        )
        if key in formats and (key != "people_like_me" or len(content.people_like_me))
    }
    written: dict[str, Path] = {}
    if "html" in formats or "pdf" in formats:
        render = report_renderer(content, downloads=downloads)
    if "html" in formats:
        written["html"] = out_dir / names["html"]
        written["html"].write_text(render(None), encoding="utf-8")
    if "pdf" in formats:
        written["pdf"] = out_dir / names["pdf"]
        report_pdf(render, written["pdf"])
    if "xlsx" in formats:
        tables = publication_tables(content)
        written["xlsx"] = out_dir / names["xlsx"]
        written["xlsx"].write_bytes(
            exports.to_excel_bytes(
                tables,
                notes(content),
                title=content.title,
                descriptions=TABLE_DESCRIPTIONS,
            )
        )
    if "csv" in formats:
        written["csv"] = out_dir / names["csv"]
        written["csv"].write_bytes(exports.to_csv_bytes(open_data(content)))
    if "easy_read" in formats:
        written["easy_read"] = out_dir / names["easy_read"]
        written["easy_read"].write_text(render_easy_read_html(content), encoding="utf-8")
    if "people_like_me" in formats:
        from pipeline.reports.people_like_me import write_files

        written.update(write_files(content, out_dir, names, formats))
    if "charts" in formats:
        written.update(write_charts(content, out_dir / "charts", stem))
    return written


def build_council_report(
    con: duckdb.DuckDBPyConnection,
    council: str,
    wave: int,
    out_dir: Path,
    *,
    instrument: str = "poet-holder",
    formats: Iterable[str] = FORMATS,
    include_comments: bool = True,
) -> dict[str, Path]:
    """Write one council's downloads for a wave into ``out_dir``; returns format -> file."""
    formats = tuple(formats)
    if {"pdf", "charts"} & set(formats):
        browser.start()  # Chromium starts on its own thread while the report is gathered
    content = gather(con, council, wave, instrument=instrument, include_comments=include_comments)
    return write_content(content, out_dir, formats)


_worker: dict = {}


def _start_worker(db_path: str, formats: tuple[str, ...]) -> None:
    """A worker's own read-only connection and, when it makes charts, its image browser, started
    while the parent publishes the wave (so the browser's start costs no wall time)."""
    from pipeline.store import read_only_connection

    _worker.update(con=read_only_connection(db_path))
    if {"pdf", "charts"} & set(formats):
        browser.start()  # one browser per worker, reused for every PDF and chart


def _worker_prefetched(published: Path) -> dict[str, pd.DataFrame]:
    """The wave's published results, read once per worker from the parent's file."""
    if _worker.get("published") != published:
        _worker.update(published=published, prefetched=pd.read_pickle(published))
    return _worker["prefetched"]


def _build_in_worker(
    council: str,
    wave: int,
    instrument: str,
    folder: Path,
    formats: tuple[str, ...],
    published: Path,
) -> tuple[str, dict[str, Path]]:
    content = gather(
        _worker["con"],
        council,
        wave,
        instrument=instrument,
        prefetched=_worker_prefetched(published),
    )
    return council, write_content(content, folder, formats)


def build_all_councils(
    con: duckdb.DuckDBPyConnection,
    wave: int,
    out_dir: Path,
    *,
    instrument: str = "poet-holder",
    formats: Iterable[str] = FORMATS,
    progress: bool = True,
    workers: int | None = None,
) -> dict[str, dict[str, Path]]:
    """Every council's set (one folder each) and an ``index.html`` linking them all.

    Results for all councils are fetched and published once, in this process (the disclosure
    audit of a whole wave is the costliest step, so workers must not each repeat it), and handed
    to the workers as a file. ``workers`` > 1 builds councils in parallel processes, each with
    its own read-only connection and image browser, started while the wave is published
    (default: one per CPU, at most 4; an in-memory database always builds in this process).
    """
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

    from pipeline import analysis

    formats = tuple(formats)
    table = analysis.available(con)
    rows = table[(table["wave"] == wave) & (table["instrument"] == instrument)]
    councils = sorted(rows["council"].astype(str).unique())
    returns = dict(zip(rows["council"].astype(str), rows["returns"], strict=False))
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    db_path = database_file(con)
    if workers is None:
        workers = min(os.cpu_count() or 1, 4)
    if not db_path or db_path == ":memory:" or len(councils) < 2:
        workers = 1
    built: dict[str, dict[str, Path]] = {}
    with Progress(
        "[progress.description]{task.description}",
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        disable=not progress,
    ) as bar:
        task = bar.add_task(f"Council reports, {wave}", total=len(councils))
        if workers == 1:
            prefetched = published_wave(con, wave, instrument)[0] if councils else None
            for council in councils:
                content = gather(con, council, wave, instrument=instrument, prefetched=prefetched)
                built[council] = write_content(content, out_dir / slug(council), formats)
                bar.advance(task)
        else:
            context = multiprocessing.get_context("spawn")
            with (
                ProcessPoolExecutor(
                    max_workers=workers,
                    mp_context=context,
                    initializer=_start_worker,
                    initargs=(db_path, formats),
                ) as pool,
                tempfile.TemporaryDirectory(prefix="outcomes-report-") as scratch,
            ):
                # The workers start (imports, connection, browser) while this process publishes.
                warming = [pool.submit(os.getpid) for _ in range(workers)]
                frames, published = published_wave(con, wave, instrument)
                if published is None:  # no cache folder: hand the frames over in a file
                    published = Path(scratch) / "published.pickle"
                    pd.to_pickle(frames, published)
                for future in warming:
                    future.result()
                futures = [
                    pool.submit(
                        _build_in_worker,
                        council,
                        wave,
                        instrument,
                        out_dir / slug(council),
                        formats,
                        published,
                    )
                    for council in councils
                ]
                for future in as_completed(futures):
                    council, files = future.result()
                    built[council] = files
                    bar.advance(task)
    entries = [
        {
            "council": council,
            "returns": int(returns.get(council, 0)),
            "files": {
                key: path.relative_to(out_dir).as_posix()
                for key, path in built[council].items()
                if not key.startswith("chart_") or key.endswith("_png")
            },
        }
        for council in councils
    ]
    index = out_dir / "index.html"
    index.write_text(render_index_html(entries, wave=wave, instrument=instrument), encoding="utf-8")
    built["__index__"] = {"html": index}
    return built
