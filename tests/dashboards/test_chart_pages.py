"""The charts pages draw, under AppTest: what the figure holds agrees with its data table."""

from __future__ import annotations

import json

import pandas as pd

from dashboards.state import Filters
from dashboards.views import outcomes
from pipeline.present.plain_tables import subgroup_labels
from tests.dashboards.test_pages import COUNCIL, QUERY, WAVE, frame, open_page


def _figure(at, index: int = 0) -> dict:
    elements = at.get("plotly_chart")
    return json.loads(elements[index].proto.spec)


def _segments(figure: dict) -> dict[tuple[str, str], float]:
    return {
        (str(y), trace["name"]): x
        for trace in figure["data"]
        if trace["type"] == "bar"
        for x, y in zip(trace["x"], trace["y"], strict=True)
    }


def test_outcomes_by_subgroup_draws_exactly_the_tables_shown_cells(dashboard_db, monkeypatch):
    # Public view of Brightwater by gender: suppressed answers sit between shown ones (female:
    # [c], "Got worse 20%", [c], ...), which plotly.js used to draw over.
    query = {**QUERY, "by": "gender", "domain": "out_physical_health"}
    at = open_page(dashboard_db, monkeypatch, "2_Outcomes.py", query=query, signed_in=False)
    # The page shows the plain table; the figures it is made from carry the codes to compare.
    filters = Filters(COUNCIL, WAVE, "poet-holder", subgroup="gender")
    view = outcomes.build(filters, "public", "out_physical_health")
    chart = next(c for c in view.charts if c.title == "Physical health: the full answer scale")
    table = chart.protected
    answered = table[~table["is_missing"].astype(bool)]
    shown = answered.dropna(subset=["value"])
    assert answered["value"].isna().any()  # the case that went wrong
    figure = _figure(at)
    names = subgroup_labels("poet-holder", "gender")  # groups are drawn by label, not code
    assert "prefer_not_to_say" in names and names["prefer_not_to_say"] != "prefer_not_to_say"
    group = answered["subgroup_value"].map(lambda value: names.get(value, value))
    answered = answered.assign(group=group)
    shown = answered.dropna(subset=["value"])
    assert _segments(figure) == {
        (row.group, row.answer_label): row.value for row in shown.itertuples()
    }
    marked = {
        text.removesuffix(" [c]")
        for text in figure["layout"]["yaxis"]["ticktext"]
        if text.endswith(" [c]")
    }
    assert marked == set(answered.loc[answered["value"].isna(), "group"])
    assert not any("_" in str(text) for text in figure["layout"]["yaxis"]["ticktext"])


def test_trends_draw_one_panel_per_domain_or_the_chosen_domain(dashboard_db, monkeypatch):
    at = open_page(dashboard_db, monkeypatch, "3_Trends.py")
    table = frame(at, "Share better in each domain, by wave")
    figure = _figure(at)
    lines = [t for t in figure["data"] if t.get("mode") == "lines+markers"]
    assert len({t["xaxis"] for t in lines}) == table["domain"].nunique() > 3
    titles = [a["text"] for a in figure["layout"]["annotations"]]
    assert titles == list(pd.unique(table["domain"]))

    query = {**QUERY, "trend_domain": "Quality of life"}
    at = open_page(dashboard_db, monkeypatch, "3_Trends.py", query=query)
    one = frame(at, "Share better in Quality of life, by wave")
    assert set(one["domain"]) == {"Quality of life"}
    lines = [t for t in _figure(at)["data"] if t.get("mode") == "lines+markers"]
    assert [t["name"] for t in lines] == ["Quality of life"]
