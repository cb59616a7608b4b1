"""Compare councils: a funnel plot and a ranked table, against all councils or a peer group."""

from __future__ import annotations

from dashboards.data import query
from dashboards.plain import make_public
from dashboards.render import Chart, View
from dashboards.state import Filters, peer_group
from pipeline.present import charts
from pipeline.present.plain_tables import FUNNEL_SENTENCE

COMPARE_COLUMNS = [
    "rank",
    "council",
    "n",
    "count",
    "value",
    "lower",
    "upper",
    "overall",
    "verdict",
    "suppressed",
]


def build(
    filters: Filters, role: str, question_code: str, domain: str, peers: list[str] | None
) -> View:
    # A link can name a council that is not loaded; the analysis refuses those, so drop them.
    known = set(query("councils"))
    peers = peer_group([p for p in peers or [] if p in known], filters.council)
    frame = query(
        "compare_councils",
        wave=filters.wave,
        instrument=filters.instrument,
        question_code=question_code,
        peers=list(peers) if peers else None,
    )
    if role != "commissioner":
        from pipeline.disclosure.pages import publish_council_comparison

        frame = publish_council_comparison(frame)
    group = "the chosen peer group" if peers else "all loaded councils"
    view = View(title=f"{domain}: councils compared with {group}")
    if frame["council"].nunique() < 2:
        view.notes.append(
            "Only one council is loaded for this wave, so there is nothing to compare."
        )
    title = f"{domain}: funnel plot, wave {filters.wave}"
    view.charts.append(
        Chart(
            key="funnel",
            title=title,
            figure=charts.funnel_plot(
                frame,
                title=title,
                highlight=filters.council,
                high_contrast=filters.high_contrast,
                large_text=filters.large_text,
            ),
            alt=charts.alt_text("funnel", frame, title=title),
            table=frame.sort_values("rank")[[c for c in COMPARE_COLUMNS if c in frame.columns]],
        )
    )
    view.explanations = [
        f"Each council is compared with {group} together in wave {filters.wave} (“All "
        "councils”): an exact figure worked out from these councils' own returns, not a "
        "national survey.",
        FUNNEL_SENTENCE,
    ]
    return make_public(
        view,
        role,
        instrument=filters.instrument,
        headings={"funnel": {"value": "Share saying better (%)", "count": "Number saying better"}},
    )
