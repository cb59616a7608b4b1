"""A cached view sends exactly what its freshly built view would (issue 12 item 4).

Cached views keep each figure as the JSON the page sends and each table as the text it shows
(:func:`dashboards.render.prepare`), so a warm page neither rebuilds plotly figures nor
re-formats tables. These tests hold that to what ``st.plotly_chart`` and ``st.dataframe`` would
have been given from the figure and frame themselves.
"""

from __future__ import annotations

import json
import pickle

import plotly.io
import plotly.tools
import pytest

from dashboards.plain import _build_page_view
from dashboards.render import _SentFigure, _shown, prepare
from dashboards.state import Filters
from dashboards.views import budgets, outcomes, overview, trends
from tests.dashboards.test_pages import COUNCIL, WAVE, open_page

FILTERS = Filters(COUNCIL, WAVE, "poet-holder")
BUILDS = [
    (overview.build, ()),
    (outcomes.build, ("out_physical_health",)),
    (trends.build, ()),
    (budgets.build, ()),
]


def _sent(figure) -> str:  # noqa: ANN001 - a plotly figure
    """The spec ``st.plotly_chart`` sends for ``figure`` (its own two steps)."""
    as_dict = plotly.tools.return_figure_from_figure_or_data(figure, validate_figure=True)
    return plotly.io.to_json(as_dict, validate=False)


@pytest.mark.parametrize("role", ["public", "commissioner"])
@pytest.mark.parametrize(("build", "args"), BUILDS)
def test_a_cached_view_sends_the_same_figures_and_tables(
    dashboard_db, monkeypatch, build, args, role
):
    monkeypatch.setenv("OUTCOMES_DB", str(dashboard_db))
    fresh = build(FILTERS, role, *args)
    cached = pickle.loads(pickle.dumps(_build_page_view(build, FILTERS, role, *args)))
    assert fresh.charts or fresh.tables
    for before, after in zip(fresh.charts, cached.charts, strict=True):
        assert "figure" not in after.__dict__  # the pickle held the JSON, not the figure
        assert _sent(_SentFigure(after.spec)) == _sent(before.figure)
        assert "figure" not in after.__dict__  # and showing it did not rebuild the figure
        # A download rebuilds the figure from the JSON: the same figure (properties in plotly's
        # own order, as unpickling a figure always gave).
        rebuilt = json.loads(plotly.io.to_json(after.make_figure()))
        assert rebuilt == json.loads(plotly.io.to_json(before.figure))
    for before, after in zip(fresh.tables, cached.tables, strict=True):
        if role == "public":
            assert after.shown.equals(_shown(before.frame))
        assert after.download.equals(before.download)


def test_a_view_built_outside_the_cache_still_draws_its_own_figure(dashboard_db, monkeypatch):
    monkeypatch.setenv("OUTCOMES_DB", str(dashboard_db))
    view = overview.build(FILTERS, "public")
    chart = view.charts[0]
    assert chart.spec is None and chart.shown is None
    assert chart.make_figure() is chart.figure
    assert json.loads(prepare(view).charts[0].spec) == json.loads(_sent(chart.figure))


def test_a_warm_page_sends_what_the_first_run_sent(dashboard_db, monkeypatch):
    at = open_page(dashboard_db, monkeypatch, "3_Trends.py", signed_in=False)
    first = [element.proto.spec for element in at.get("plotly_chart")]
    tables = [element.value for element in at.get("arrow_data_frame")]
    at.run()  # served from the view cache
    assert [element.proto.spec for element in at.get("plotly_chart")] == first
    again = [element.value for element in at.get("arrow_data_frame")]
    assert all(a.equals(b) for a, b in zip(tables, again, strict=True))
    assert first
