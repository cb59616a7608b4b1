"""Gather everything one council's report shows, from the analysis API, through disclosure.

This is the only module in ``pipeline/reports`` that asks for numbers. Every table it returns has
been through :mod:`pipeline.disclosure` (the results of every council of the wave at once, since
all their reports are published together and a pooled benchmark is the sum of the others) and
:mod:`pipeline.present.findings`, so the builders downstream only format and render.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import duckdb
import pandas as pd

from pipeline import analysis
from pipeline.analysis.spreads import process_answer_spreads
from pipeline.disclosure.pages import (
    publish_official_measures,
    publish_results,
    publish_wave_changes,
)
from pipeline.disclosure.you_said import publish_you_said
from pipeline.instruments import Instrument, get_instrument
from pipeline.present.findings import describe_changes, describe_results
from pipeline.present.you_said import describe_you_said


@dataclass
class ReportContent:
    """The published content of one council's report for one wave and instrument."""

    council: str
    wave: int
    instrument: Instrument
    area_code: str
    returns: int
    outcomes: pd.DataFrame  # protected results + percent/lower_percent/... + finding
    process: pd.DataFrame
    process_distribution: pd.DataFrame  # protected answer spread of the ease5 steps
    changes: pd.DataFrame | None  # protected wave_changes + finding, None without a prior wave
    previous_wave: int | None
    comments: pd.DataFrame  # approved quotes: question_code, question, comment_text (redacted)
    generated: date = field(default_factory=date.today)
    # published official_measures (ASCOF) for the council; empty when none are loaded
    official: pd.DataFrame = field(default_factory=pd.DataFrame)
    # "people like me": every council's groups of the wave as published together (the page
    # shows this council's; the pools relate the others')
    people_like_me: pd.DataFrame = field(default_factory=pd.DataFrame)
    # "You said, we did": the council's public actions with the result beside them (published)
    you_said: pd.DataFrame = field(default_factory=pd.DataFrame)
    # approved peer responses to these results, as moderated, with the council's reply
    peer_responses: pd.DataFrame = field(default_factory=pd.DataFrame)

    @property
    def title(self) -> str:
        return f"{self.instrument.title}: results for {self.council}, {self.wave}"

    @property
    def benchmark_sources(self) -> pd.DataFrame:
        """Each benchmark used: source, label, year, kind and base, for the sources section."""
        columns = [
            "benchmark_source",
            "benchmark_label",
            "benchmark_year",
            "benchmark_kind",
            "benchmark_n",
        ]
        frames = [f for f in (self.outcomes, self.process) if len(f)]
        if not frames:
            return pd.DataFrame(columns=columns)
        rows = pd.concat(frames)
        present = [c for c in columns if c in rows]
        if "benchmark_value" in rows:
            rows = rows[rows["benchmark_value"].notna()]
        return rows[present].drop_duplicates().reset_index(drop=True)

    @property
    def answered_range(self) -> tuple[int, int] | None:
        """Smallest and largest base across the outcome questions shown."""
        bases = pd.to_numeric(self.outcomes.get("n"), errors="coerce").dropna()
        return (int(bases.min()), int(bases.max())) if len(bases) else None


def previous_wave_of(
    con: duckdb.DuckDBPyConnection, council: str, wave: int, instrument: str
) -> int | None:
    """The latest earlier wave this council has for the instrument, or None."""
    earlier = [w for w in analysis.waves(con, council=council, instrument=instrument) if w < wave]
    return max(earlier) if earlier else None


def returns_for(con: duckdb.DuckDBPyConnection, council: str, wave: int, instrument: str) -> int:
    table = analysis.available(con)
    match = table[
        (table["council"] == council)
        & (table["wave"] == wave)
        & (table["instrument"] == instrument)
    ]
    return int(match["returns"].sum()) if len(match) else 0


def area_code_for(con: duckdb.DuckDBPyConnection, council: str) -> str:
    return analysis.area_code(con, council)


def sampled_comments(
    con: duckdb.DuckDBPyConnection, council: str, wave: int, instrument: Instrument
) -> pd.DataFrame:
    """The quotes a commissioner approved, as approved (personal details redacted); none for
    groups under the threshold, and none at all until someone approves them. Comments are never
    published as written."""
    quotes = analysis.approved_quotes(con, council=council, wave=wave, instrument=instrument.id)
    return quotes[["question_code", "question", "comment_text"]]


def _answer_spreads(
    con: duckdb.DuckDBPyConnection, councils: list[str], wave: int, instrument: Instrument
) -> pd.DataFrame:
    """Every council's answer spread of the ease5 process steps (valid answers only)."""
    return process_answer_spreads(con, wave=wave, instrument=instrument.id, councils=councils)


def prefetch_results(
    con: duckdb.DuckDBPyConnection, wave: int, instrument: str = "poet-holder"
) -> dict[str, pd.DataFrame]:
    """Results of every council at once (one query per section), already protected together:
    every council's report of the wave is published, so they are one publication."""
    raw = {
        section: analysis.results(
            con, council=None, wave=wave, instrument=instrument, section=section
        )
        for section in ("outcomes", "process")
    }
    councils = sorted(raw["process"]["council"].unique()) if len(raw["process"]) else []
    spreads = _answer_spreads(con, councils, wave, get_instrument(instrument))
    published = publish_results(raw, answers={"process": spreads})
    from pipeline.reports.people_like_me import publish_wave

    published["people like me"] = publish_wave(con, wave, instrument, published["outcomes"])
    return published


def published_wave(
    con: duckdb.DuckDBPyConnection, wave: int, instrument: str = "poet-holder"
) -> tuple[dict[str, pd.DataFrame], Path | None]:
    """:func:`prefetch_results`, read from the database's publication cache when neither the
    data nor the code changed since it was written (``pipeline.reports.published_cache``);
    also returns the cache file (None when there is none)."""
    from pipeline.reports.published_cache import read_or_publish

    return read_or_publish(con, wave, instrument, lambda: prefetch_results(con, wave, instrument))


def _section_results(
    con: duckdb.DuckDBPyConnection,
    council: str,
    wave: int,
    instrument: str,
    section: str,
    prefetched: dict[str, pd.DataFrame] | None,
) -> pd.DataFrame:
    if prefetched is None or section not in prefetched:
        prefetched = published_wave(con, wave, instrument)[0]
    frame = prefetched[section]
    return frame[frame["council"] == council].reset_index(drop=True)


def _council_rows(frame: pd.DataFrame, council: str) -> pd.DataFrame:
    return frame[frame["council"] == council].reset_index(drop=True)


def gather(
    con: duckdb.DuckDBPyConnection,
    council: str,
    wave: int,
    *,
    instrument: str = "poet-holder",
    include_comments: bool = True,
    prefetched: dict[str, pd.DataFrame] | None = None,
) -> ReportContent:
    """Everything the report publishes for one council, wave and instrument, already protected.

    ``prefetched`` is :func:`prefetch_results` for the same wave and instrument, when many
    councils are built in one go.
    """
    definition = get_instrument(instrument)
    if prefetched is None:
        prefetched = published_wave(con, wave, instrument)[0]
    outcomes = _section_results(con, council, wave, instrument, "outcomes", prefetched)
    process = _section_results(con, council, wave, instrument, "process", prefetched)
    previous = previous_wave_of(con, council, wave, instrument)
    changes = None
    if previous is not None:
        raw_changes = analysis.wave_changes(
            con, council=council, wave=wave, instrument=instrument, previous=previous
        )
        changes = describe_changes(publish_wave_changes(raw_changes))
    comments = (
        sampled_comments(con, council, wave, definition)
        if include_comments
        else pd.DataFrame(columns=["question_code", "question", "comment_text"])
    )
    you_said = publish_you_said(
        analysis.you_said(con, council=council, wave=wave, instrument=instrument),
        published=pd.concat([outcomes, process], ignore_index=True),
    )
    return ReportContent(
        council=council,
        wave=int(wave),
        instrument=definition,
        area_code=area_code_for(con, council),
        returns=returns_for(con, council, wave, instrument),
        outcomes=describe_results(outcomes, definition),
        process=describe_results(process, definition),
        process_distribution=_council_rows(prefetched["process answers"], council),
        changes=changes,
        previous_wave=previous,
        comments=comments,
        people_like_me=prefetched.get("people like me", pd.DataFrame()),
        official=publish_official_measures(
            analysis.official_measures(con, council, group="comparator")
        ),
        you_said=describe_you_said(you_said),
        peer_responses=analysis.published_responses(con, council=council, wave=wave),
    )
