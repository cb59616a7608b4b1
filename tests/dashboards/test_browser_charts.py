"""Charts as a browser draws them: every segment on its stack, AA text contrast, larger text.

Run with ``pytest -m browser``; shares the served demo database of ``test_browser``.
"""

from __future__ import annotations

import pytest

from pipeline.present.charts import contrast_ratio
from tests.dashboards.test_browser import (  # noqa: F401 (fixtures)
    demo_db,
    page,
    server,
    wait_for_app,
)

pytestmark = [pytest.mark.browser, pytest.mark.slow]
# Eastbrook 2025 has a suppressed answer after a shown one (female: 6%, [c], 29%, ...)
OUTCOMES = (
    "outcomes?council=Eastbrook&wave=2025&instrument=poet-holder&by=gender&domain=out_self_esteem"
)

# Each drawn bar's start and end as plotly.js laid them out, by category and answer.
BARS = """() => {
  const gd = document.querySelector('.js-plotly-plot');
  const out = [];
  gd.calcdata.forEach((trace, i) => {
    if (gd.data[i].type !== 'bar') return;
    trace.filter(bar => Number.isFinite(bar.s1) && !bar.isBlank)
      .forEach(bar => out.push([String(bar.p), gd.data[i].name, bar.s0, bar.s1]));
  });
  return out;
}"""

# The fill colour of every piece of SVG text in the charts (ticks, titles, legend, labels).
TEXT_FILLS = """() => Array.from(document.querySelectorAll('.js-plotly-plot text'))
  .filter(t => t.textContent.trim() && !t.closest('.bars'))
  .map(t => getComputedStyle(t).fill)"""
# The colour of the chart's text description (a caption under the chart).
CAPTION_COLOURS = """() => Array.from(document.querySelectorAll(
  '[data-testid="stCaptionContainer"] p')).map(p => getComputedStyle(p).color)"""


def _hex(css_colour: str) -> str:
    """``rgb(...)`` or ``rgba(...)`` as ``#rrggbb``, a translucent colour blended onto white."""
    parts = [float(part) for part in css_colour[css_colour.index("(") + 1 : -1].split(",")]
    alpha = parts[3] if len(parts) == 4 else 1.0
    red, green, blue = (round(alpha * c + (1 - alpha) * 255) for c in parts[:3])
    return f"#{red:02x}{green:02x}{blue:02x}"


def _open(tab, url: str) -> None:
    tab.goto(url)
    wait_for_app(tab)
    tab.wait_for_function(
        "() => { const c = document.querySelector('.js-plotly-plot'); return c && c.calcdata; }"
    )


def test_every_segment_starts_where_the_one_before_ends(page, server) -> None:  # noqa: F811
    _open(page, f"{server}/{OUTCOMES}")
    bars = page.evaluate(BARS)
    assert bars
    ends: dict[str, float] = {}
    for category, _answer, start, end in bars:  # traces are drawn in scale order
        assert start == pytest.approx(ends.get(category, 0.0))
        ends[category] = end


@pytest.mark.parametrize("mode", ["", "&contrast=1"])
def test_chart_text_has_aa_contrast(page, server, mode) -> None:  # noqa: F811
    _open(page, f"{server}/{OUTCOMES}{mode}")
    fills = {_hex(fill) for fill in page.evaluate(TEXT_FILLS)}
    assert fills
    assert all(contrast_ratio(fill, "#ffffff") >= 4.5 for fill in fills), fills
    captions = {_hex(colour) for colour in page.evaluate(CAPTION_COLOURS)}
    assert captions
    assert all(contrast_ratio(colour, "#ffffff") >= 4.5 for colour in captions), captions


SIZES = """() => ({
  title: parseFloat(getComputedStyle(document.querySelector('[data-testid="stMain"] h1 span')
    || document.querySelector('[data-testid="stMain"] h1')).fontSize),
  chart: Math.max(...Array.from(document.querySelectorAll('.js-plotly-plot .gtitle, '
    + '.js-plotly-plot .xtick text')).map(t => parseFloat(getComputedStyle(t).fontSize))),
})"""


def test_larger_text_makes_titles_and_charts_bigger(page, server) -> None:  # noqa: F811
    _open(page, f"{server}/{OUTCOMES}")
    normal = page.evaluate(SIZES)
    _open(page, f"{server}/{OUTCOMES}&large_text=1")
    page.wait_for_function(
        "(before) => parseFloat(getComputedStyle(document.querySelector("
        "'[data-testid=\"stMain\"] h1')).fontSize) > before",
        arg=normal["title"],
    )
    large = page.evaluate(SIZES)
    assert large["title"] > normal["title"]
    assert large["chart"] > normal["chart"]
