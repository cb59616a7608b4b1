"""Official measures: the council's ASCOF figures beside its region's and England's.

Context for the survey results, not a test of them: one chart per topic over the years loaded,
with the council, region and England as lines, and the year the 2023-24 framework renumbered
the measures named in the chart's title (the lines either side are not one series).
"""

from __future__ import annotations

import pandas as pd

from dashboards.data import query
from dashboards.render import Chart, Table, View
from dashboards.state import Filters
from pipeline.present import charts

TABLE_COLUMNS = [
    "topic",
    "framework_name",
    "code",
    "period",
    "council_value",
    "council_note",
    "region_value",
    "region_note",
    "england_value",
]
HEADINGS = {
    "topic": "Measure",
    "framework_name": "Framework",
    "code": "ASCOF code",
    "period": "Year",
    "council_value": "Council",
    "council_note": "Council: why blank",
    "region_value": "Region",
    "region_note": "Region: why blank",
    "england_value": "England",
    "peer_mean": "Comparator group mean",
    "peer_min": "Comparator group lowest",
    "peer_max": "Comparator group highest",
    "peer_councils": "Comparator councils with a figure",
}
PEER_COLUMNS = ["peer_mean", "peer_min", "peer_max", "peer_councils"]


def _peer_columns(frame: pd.DataFrame) -> list[str]:
    """The comparator group's columns, shown only when a group with figures is loaded."""
    has_peers = pd.to_numeric(frame.get("peer_councils"), errors="coerce").fillna(0).gt(0).any()
    return PEER_COLUMNS if has_peers else []


def _lines(part: pd.DataFrame) -> pd.DataFrame:
    """The topic's rows as one line per place (council, region, England) for the trend chart."""
    places = {
        "council_value": str(part["council"].iloc[0]),
        "region_value": f"Region ({part['region'].iloc[0]})",
        "england_value": "England",
        "peer_mean": "Comparator group mean",
    }
    frames = [
        pd.DataFrame({"place": name, "year": part["year"], "value": part[column]})
        for column, name in places.items()
        if part[column].notna().any()
    ]
    lines = pd.concat(frames, ignore_index=True).dropna(subset=["value"])
    return lines.assign(lower=float("nan"), upper=float("nan"))


def build(filters: Filters, role: str) -> View:
    """One chart per chosen ASCOF measure, and the table of every figure (published as is)."""
    from pipeline.disclosure.pages import publish_official_measures

    # the comparator group is the council's loaded nearest-neighbour file (none loaded: no peers)
    frame = publish_official_measures(
        query("official_measures", council=filters.council, group="comparator")
    )
    view = View(title=f"Official measures: {filters.council}")
    if frame.empty:
        view.notes.append(
            "No ASCOF figures are loaded. Load the open-data file with "
            "`outcomes ingest benchmark FILE`."
        )
        return view
    for topic, part in frame.groupby("topic", sort=False):
        lines = _lines(part)
        if lines.empty:
            continue
        codes = part.drop_duplicates("framework")
        change = ""
        if len(codes) > 1:
            new = codes[codes["framework"] == 2023].iloc[0]
            change = f" (framework changed in 2023-24: now ASCOF {new['code']})"
        title = f"{topic}{change}"
        view.charts.append(
            Chart(
                key=f"official_{part['code'].iloc[0]}_{len(view.charts)}",
                title=title,
                figure=charts.trend_chart(
                    lines,
                    title=title,
                    series="place",
                    period="year",
                    high_contrast=filters.high_contrast,
                    large_text=filters.large_text,
                ),
                alt=charts.alt_text("trend", lines, title=title, series="place", period="year"),
                table=lines[["place", "year", "value"]],
            )
        )
    view.tables.append(
        Table(
            "official_measures",
            "Official measures (ASCOF), every year loaded",
            frame[TABLE_COLUMNS + _peer_columns(frame)].rename(columns=HEADINGS),
        )
    )
    view.explanations = [
        "ASCOF is the official Adult Social Care Outcomes Framework: published figures from a "
        "different survey and from councils' returns, shown as context, never tested against "
        "the survey results.",
        "The 2023-24 framework renumbered the measures; figures either side of the change are "
        "not one series.",
    ]
    return view


PANEL_TOPICS = (
    "Self-directed support (people who use services)",
    "Direct payments (people who use services)",
)


def latest_panel(council: str) -> Table | None:
    """The latest year's self-directed support and direct payment shares against region and
    England, for the Overview and Budgets pages (None when no ASCOF figures are loaded)."""
    from pipeline.disclosure.pages import publish_official_measures

    frame = publish_official_measures(query("official_measures", council=council))
    if frame.empty:
        return None
    part = frame[frame["topic"].isin(PANEL_TOPICS)]
    if part.empty:
        return None
    latest = part.sort_values("year").groupby("topic", sort=False).tail(1)
    columns = ["topic", "period", "code", "council_value", "region_value", "england_value"]
    shown = latest[columns].rename(columns=HEADINGS)
    return Table(
        "official_panel",
        "Official measures (ASCOF): self-directed support and direct payments, latest year",
        shown.reset_index(drop=True),
    )
