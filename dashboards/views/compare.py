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


GROUP_CHOICES = {
    "chosen": "All loaded councils, or councils I choose",
    "comparator": "My comparator group",
    "region": "Councils in my region",
    "type": "Councils of my type",
}
GROUP_NAMES = {
    "comparator": "the comparator group",
    "region": "the councils of the region",
    "type": "the councils of the same type",
}


def build(
    filters: Filters,
    role: str,
    question_code: str,
    domain: str,
    peers: list[str] | None,
    group: str | None = None,
) -> View:
    """``group`` (comparator, region, type) replaces ``peers`` with that group's loaded members;
    the page then says how many of the group have survey returns loaded."""
    # A link can name a council that is not loaded; the analysis refuses those, so drop them.
    known = set(query("councils"))
    group_note = None
    if group in GROUP_NAMES and filters.council:
        members = query("comparator_group", council=filters.council, group=group)
        others = [m for m in members if m != filters.council]
        loaded = [m for m in others if m in known]
        peers = [filters.council, *loaded] if loaded else []
        group_note = (
            f"{filters.council} has no {GROUP_NAMES[group].removeprefix('the ')} loaded"
            + (" (load one with `outcomes ingest peers FILE`)" if group == "comparator" else "")
            + ", so it is compared with all loaded councils."
            if not others
            else f"Of {len(others)} councils in {GROUP_NAMES[group]} of {filters.council}, "
            f"{len(loaded)} have survey returns loaded"
            + (" and are compared." if loaded else "; it is compared with all loaded councils.")
        )
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
    label = GROUP_NAMES.get(group or "", "the chosen peer group")
    group_text = label if peers else "all loaded councils"
    view = View(title=f"{domain}: councils compared with {group_text}")
    if group_note:
        view.notes.append(group_note)
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
        f"Each council is compared with {group_text} together in wave {filters.wave} (“All "
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
