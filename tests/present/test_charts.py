"""The chart builders: every value drawn, readable axes, WCAG AA text contrast, larger text."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from pipeline.present import charts

SCALE = ["Got a lot worse", "Got worse", "Stayed the same", "Got better", "Got a lot better"]


def _distribution(values: dict[str, list[float | None]]) -> pd.DataFrame:
    rows = []
    for group, shares in values.items():
        for order, (label, share) in enumerate(zip(SCALE, shares, strict=True)):
            rows.append(
                {
                    "subgroup_value": group,
                    "answer_label": label,
                    "answer_order": order,
                    "is_missing": False,
                    "value": share,
                    "suppressed": share is None,
                }
            )
    return pd.DataFrame(rows)


def _drawn(figure) -> dict[tuple[str, str], float]:
    return {
        (str(y), trace.name): x
        for trace in figure.data
        if trace.type == "bar"
        for x, y in zip(trace.x, trace.y, strict=True)
    }


def test_a_suppressed_answer_does_not_hide_the_rest_of_its_bar() -> None:
    # plotly.js restarts a stack at a blank value, which hid "female: Got worse 20%"
    frame = _distribution(
        {
            "female": [None, 20.0, None, 33.3, 20.0],
            "male": [17.8, 11.1, None, 31.1, 33.3],
            "not known": [None, None, None, None, None],
        }
    )
    figure = charts.distribution_chart(frame, title="t", category="subgroup_value")
    shown = frame.dropna(subset=["value"])
    expected = {(r.subgroup_value, r.answer_label): r.value for r in shown.itertuples()}
    assert _drawn(figure) == expected
    assert all(x is not None for trace in figure.data if trace.type == "bar" for x in trace.x)
    ticks = dict(zip(figure.layout.yaxis.tickvals, figure.layout.yaxis.ticktext, strict=True))
    assert ticks == {"female": "female [c]", "male": "male [c]", "not known": "not known [c]"}
    empty = [trace for trace in figure.data if trace.type == "scatter"]
    assert [list(trace.y) for trace in empty] == [["not known"]]
    alt = charts.alt_text("distribution", frame, title="t", category="subgroup_value")
    assert "female: Got a lot worse not shown; Got worse 20%" in alt


def test_a_complete_distribution_has_no_marks() -> None:
    frame = _distribution({"Everyone": [10.0, 20.0, 30.0, 25.0, 15.0]})
    figure = charts.distribution_chart(frame, title="t", category="subgroup_value")
    assert list(figure.layout.yaxis.ticktext) == ["Everyone"]
    assert figure.layout.legend.traceorder == "normal"  # the legend reads as the bars do
    assert "[c]" not in figure.layout.xaxis.title.text


def test_forest_plot_log_axis_names_its_ticks() -> None:
    frame = pd.DataFrame(
        {
            "term_label": ["Information", "Review"],
            "odds_ratio": [0.4, 2.5],
            "lower": [0.25, 1.3],
            "upper": [0.7, 4.2],
        }
    )
    axis = charts.forest_plot(frame, title="t").layout.xaxis
    assert axis.type == "log"
    assert list(axis.tickvals) == [0.2, 0.5, 1, 2, 5]
    assert list(axis.ticktext) == ["0.2", "0.5", "1", "2", "5"]
    assert list(axis.range) == pytest.approx([math.log10(0.2), math.log10(5)])  # ends on ticks


def test_log_ticks_always_include_one() -> None:
    assert charts.log_ticks([1.5, 1.8]) == [1, 2]
    assert charts.log_ticks([]) == [1]


def test_contrast_ratio_matches_wcag_examples() -> None:
    assert charts.contrast_ratio("#000000", "#ffffff") == pytest.approx(21)
    assert charts.contrast_ratio("#767676", "#ffffff") == pytest.approx(4.54, abs=0.01)


def _text_colours(figure) -> list[str]:
    layout = figure.layout
    colours = [layout.font.color, layout.title.font.color, layout.legend.font.color]
    for axis in (layout.xaxis, layout.yaxis):
        colours += [axis.tickfont.color, axis.title.font.color]
    colours += [a.font.color for a in layout.annotations]
    return colours


@pytest.mark.parametrize("high_contrast", [False, True])
def test_chart_text_meets_aa_contrast(high_contrast: bool) -> None:
    frame = _distribution({"Everyone": [10.0, 20.0, 30.0, 25.0, 15.0]})
    figure = charts.distribution_chart(
        frame, title="t", category="subgroup_value", source="Source", high_contrast=high_contrast
    )
    background = figure.layout.paper_bgcolor
    assert figure.layout.plot_bgcolor == background
    for colour in _text_colours(figure):
        assert colour is not None
        assert charts.contrast_ratio(colour, background) >= 4.5, colour
    for trace in figure.data:  # the percentages printed inside the bars
        assert charts.contrast_ratio(trace.textfont.color, trace.marker.color) >= 4.5
    if high_contrast:
        assert figure.layout.font.color == charts.HIGH_CONTRAST_INK
        assert figure.layout.xaxis.gridcolor == charts.HIGH_CONTRAST_GRID


def _trends(domains: int) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {"domain": f"Domain {d}", "wave": w, "value": 50.0 + d, "lower": 40.0, "upper": 60.0}
            for d in range(domains)
            for w in (2023, 2024)
        ]
    )


def test_many_trends_become_small_multiples() -> None:
    figure = charts.trend_chart(_trends(16), title="t")
    assert len({trace.xaxis for trace in figure.data}) == 16  # one panel per domain
    assert not any(trace.showlegend for trace in figure.data)
    titles = [a.text for a in figure.layout.annotations]
    assert titles == [f"Domain {d}" for d in range(16)]


def test_a_few_trends_share_one_plot_with_the_legend_under_the_title() -> None:
    figure = charts.trend_chart(_trends(2), title="t")
    layout = figure.layout
    assert [t.name for t in figure.data if t.showlegend is not False] == ["Domain 0", "Domain 1"]
    assert layout.title.yref == layout.legend.yref == "container"
    assert layout.title.xref == "container"  # long row labels cannot push it off the right
    assert layout.title.yanchor == layout.legend.yanchor == "top"
    assert layout.legend.y < layout.title.y  # the legend starts below the title's top
    title_bottom = 1 - (layout.title.pad.t + layout.title.font.size) / layout.height
    assert layout.legend.y < title_bottom


def test_an_official_series_is_drawn_and_described_over_years_without_bands() -> None:
    """ASCOF figures are years of a published series with no intervals: the axis and the text
    alternative must not call them survey waves or promise interval bands."""
    lines = pd.DataFrame(
        {"place": ["England", "England", "Eastbrook"], "year": [2022, 2023, 2023],
         "value": [91.0, 92.2, 88.5]}
    )  # fmt: skip
    figure = charts.trend_chart(lines, title="t", series="place", period="year")
    assert figure.layout.xaxis.title.text == "Year"
    alt = charts.alt_text("trend", lines, title="t", series="place", period="year")
    assert alt.startswith("t. Line chart over years.") and "interval" not in alt
    waves = charts.alt_text("trend", _trends(2), title="t")
    assert "Line chart over survey waves with 95% interval bands." in waves
    assert charts.trend_chart(_trends(2), title="t").layout.xaxis.title.text == "Survey wave"


def test_larger_text_scales_every_font_up() -> None:
    frame = _distribution({"Everyone": [10.0, 20.0, 30.0, 25.0, 15.0]})
    normal = charts.distribution_chart(frame, title="t", category="subgroup_value")
    large = charts.distribution_chart(frame, title="t", category="subgroup_value", large_text=True)
    assert large.layout.font.size > normal.layout.font.size
    assert large.layout.title.font.size > normal.layout.title.font.size
    assert large.layout.xaxis.tickfont.size > normal.layout.xaxis.tickfont.size
    assert large.layout.height > normal.layout.height
