"""Trends: every outcome domain across the council's waves, with the change verdicts."""

from __future__ import annotations

from dashboards.data import query
from dashboards.plain import make_public
from dashboards.render import Chart, Table, View
from dashboards.state import Filters
from pipeline.present import charts
from pipeline.present.plain_tables import INTERVALS_SENTENCE

TREND_COLUMNS = [
    "domain",
    "wave",
    "n",
    "value",
    "lower",
    "upper",
    "verdict",
    "trend_p",
    "trend_verdict",
    "suppressed",
]


ALL_DOMAINS = "All domains"


def build(filters: Filters, role: str, domain: str = ALL_DOMAINS) -> View:
    """The trends of every domain (as small multiples), or of the one ``domain`` chosen."""
    frame = query(
        "trends", council=filters.council, instrument=filters.instrument, section="outcomes"
    )
    if role != "commissioner":  # the same wave-change rule as the reports and `outcomes trends`
        from pipeline.disclosure.pages import publish_trends

        frame = publish_trends(frame)
    view = View(title=f"Trends: {filters.council}")
    waves = sorted(int(w) for w in frame["wave"].unique()) if not frame.empty else []
    if len(waves) < 2:
        view.notes.append("Only one wave is loaded for this council, so there is no trend yet.")
    if domain != ALL_DOMAINS and not frame.empty:
        frame = frame[frame["domain"] == domain]
        title = f"Share better in {domain}, by wave"
    else:
        title = "Share better in each domain, by wave"
    shown = frame.dropna(subset=["value"])
    view.charts.append(
        Chart(
            key="trends",
            title=title,
            figure=charts.trend_chart(
                shown,
                title=title,
                high_contrast=filters.high_contrast,
                large_text=filters.large_text,
            ),
            alt=charts.alt_text("trend", shown, title=title),
            table=frame[[c for c in TREND_COLUMNS if c in frame.columns]],
        )
    )
    if waves:
        latest = frame[frame["wave"] == waves[-1]]
        columns = [
            c for c in ("domain", "wave", "value", "verdict", "trend_verdict") if c in latest
        ]
        view.tables.append(
            Table("trend_verdicts", f"Verdicts for wave {waves[-1]}", latest[columns])
        )
    view.explanations = [
        "Each wave is compared with the council's own previous wave, not with a national figure.",
        INTERVALS_SENTENCE,
    ]
    return make_public(
        view,
        role,
        instrument=filters.instrument,
        headings={
            key: {"value": "Share saying better (%)"} for key in ("trends", "trend_verdicts")
        },
    )
