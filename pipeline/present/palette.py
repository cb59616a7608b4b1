"""The one palette, verdict styles and contrast rules every chart, page and report draws with.

Colours are the Okabe-Ito palette (Okabe & Ito 2008), which stays distinguishable with the common
forms of colour blindness; a verdict is carried by its marker shape and words as well as colour.
The reports' plotly and SVG charts and the dashboards' theme import from here, so the dashboard
and a published page can never draw one verdict two ways.
"""

from __future__ import annotations

from dataclasses import dataclass

# The Okabe-Ito palette (Okabe & Ito 2008), in its usual order.
OKABE_ITO = {
    "black": "#000000",
    "orange": "#E69F00",
    "sky_blue": "#56B4E9",
    "bluish_green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "reddish_purple": "#CC79A7",
    "grey": "#767676",  # not in the eight; the lightest grey with 4.5:1 contrast on white
}
SERIES_COLOURS = [
    OKABE_ITO[name]
    for name in ("blue", "orange", "bluish_green", "vermillion", "reddish_purple", "sky_blue")
]

FONT_FAMILY = "Arial, Helvetica, sans-serif"
SUPPRESSED_LABEL = "[c] too few answers to show"


@dataclass(frozen=True)
class VerdictStyle:
    """How one verdict is drawn: words, marker shape and colour (shape and words carry it)."""

    label: str
    symbol: str
    colour: str


VERDICT_STYLES: dict[str, VerdictStyle] = {
    "better": VerdictStyle("Better than the benchmark", "triangle-up", OKABE_ITO["blue"]),
    "similar": VerdictStyle("Similar to the benchmark", "circle", OKABE_ITO["black"]),
    "worse": VerdictStyle("Worse than the benchmark", "triangle-down", OKABE_ITO["vermillion"]),
    "higher": VerdictStyle("Higher than the benchmark", "triangle-up", OKABE_ITO["blue"]),
    "lower": VerdictStyle("Lower than the benchmark", "triangle-down", OKABE_ITO["vermillion"]),
    "improved": VerdictStyle("Improved since the last survey", "triangle-up", OKABE_ITO["blue"]),
    "no change": VerdictStyle("No real change since the last survey", "circle", OKABE_ITO["black"]),
    "within": VerdictStyle("Within the expected range", "circle", OKABE_ITO["black"]),
    "above": VerdictStyle("Above the expected range", "triangle-up", OKABE_ITO["blue"]),
    "below": VerdictStyle("Below the expected range", "triangle-down", OKABE_ITO["vermillion"]),
    "below floor": VerdictStyle(
        "Below the published national floor", "triangle-down", OKABE_ITO["vermillion"]
    ),
    "not below floor": VerdictStyle(
        "Not below the published national floor", "circle", OKABE_ITO["black"]
    ),
    "above ceiling": VerdictStyle(
        "Above the published national ceiling", "triangle-up", OKABE_ITO["blue"]
    ),
    "not above ceiling": VerdictStyle(
        "Not above the published national ceiling", "circle", OKABE_ITO["black"]
    ),
    "not compared": VerdictStyle("Not compared", "circle-open", OKABE_ITO["grey"]),
}
BENCHMARK_SYMBOL = "line-ns-open"
# Okabe-Ito orange has under 3:1 contrast on white (WCAG 1.4.11), so the benchmark tick is black
# and told apart from the "similar" dot by its shape.
BENCHMARK_COLOUR = OKABE_ITO["black"]
BENCHMARK_COLOUR_HIGH_CONTRAST = OKABE_ITO["black"]


def verdict_style(verdict: object) -> VerdictStyle:
    """The style of a verdict; anything unknown is drawn as "not compared" with its own words."""
    key = str(verdict).strip().lower() if verdict is not None and verdict == verdict else ""
    if key in VERDICT_STYLES:
        return VERDICT_STYLES[key]
    style = VERDICT_STYLES["not compared"]
    return VerdictStyle(str(verdict) if key else style.label, style.symbol, style.colour)


# Chart colours. Every piece of chart text is INK (or HIGH_CONTRAST_INK) on BACKGROUND, well over
# the 4.5:1 WCAG AA minimum; tests/reports/test_charts.py checks the ratios.
BACKGROUND = "#ffffff"
INK = "#0b0c0c"
HIGH_CONTRAST_INK = "#000000"
GRID = "#d9d9d9"
HIGH_CONTRAST_GRID = "#595959"
# "Larger text" scales every font in a chart by this much, like the page's own text.
LARGE_TEXT_SCALE = 1.3


def relative_luminance(hex_colour: str) -> float:
    """WCAG 2.2 relative luminance of a ``#rrggbb`` colour."""
    channels = []
    for start in (1, 3, 5):
        value = int(hex_colour[start : start + 2], 16) / 255
        channels.append(value / 12.92 if value <= 0.04045 else ((value + 0.055) / 1.055) ** 2.4)
    red, green, blue = channels
    return 0.2126 * red + 0.7152 * green + 0.0722 * blue


def contrast_ratio(first: str, second: str) -> float:
    """WCAG contrast ratio between two ``#rrggbb`` colours (1 to 21)."""
    light, dark = sorted((relative_luminance(first), relative_luminance(second)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def text_colour_on(fill: str) -> str:
    """Black or white, whichever reads better on ``fill`` (for labels inside bars)."""
    black, white = HIGH_CONTRAST_INK, "#ffffff"
    return black if contrast_ratio(black, fill) >= contrast_ratio(white, fill) else white
