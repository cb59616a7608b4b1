"""Small, accessible inline SVG charts for the HTML page, the PDF and the easy-read summary.

These are drawn directly from the published frames rather than through a browser, so a page for
150 councils builds in seconds, stays vector-sharp in the PDF and carries ``role="img"``, a
``<title>`` and a ``<desc>`` (the chart's text alternative from :func:`charts.alt_text`). The
styles (Okabe-Ito colours, a marker shape per verdict) are the same as the plotly builders'.
Every piece of text is escaped.
"""

from __future__ import annotations

import itertools
import math
import textwrap

import pandas as pd
from markupsafe import Markup, escape

from pipeline.present.charts import OKABE_ITO, VERDICT_STYLES, _diverging, verdict_style

_ids = itertools.count(1)
FONT = "Arial, Helvetica, sans-serif"
INK = "#0b0c0c"


def _number(value: object) -> float | None:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(number) else number


def _frame(
    width: int,
    height: int,
    title: str,
    description: str,
    body: str,
    *,
    standalone: bool = False,
    source: str | None = None,
) -> Markup:
    """Wrap a chart body; ``standalone`` adds the visible title on top and the source line
    underneath, for the downloadable .svg files (on the page the heading and caption do that)."""
    ident = f"chart{next(_ids)}"
    top = 0
    extra = ""
    if standalone:
        top = 34
        extra += (
            f'<text x="10" y="24" font-size="17" font-weight="bold" fill="{INK}">'
            f"{escape(title)}</text>"
        )
    bottom = height + top
    if source:
        lines = textwrap.wrap(source, 100)
        for number, line in enumerate(lines):
            extra += (
                f'<text x="10" y="{bottom + 16 + 15 * number}" font-size="11" fill="{INK}">'
                f"{escape(line)}</text>"
            )
        bottom += 15 * len(lines) + 10
    size = f'width="{width}" height="{bottom}"' if standalone else 'width="100%"'
    return Markup(
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" viewBox="0 0 {width} {bottom}" '
        f'{size} aria-labelledby="{ident}-title {ident}-desc" class="chart" '
        f'font-family="{FONT}" preserveAspectRatio="xMinYMin meet">'
        f'<title id="{ident}-title">{escape(title)}</title>'
        f'<desc id="{ident}-desc">{escape(description)}</desc>'
        f'<rect width="100%" height="100%" fill="#ffffff"/>{extra}'
        f'<g transform="translate(0 {top})">{body}</g></svg>'
    )


def marker(symbol: str, x: float, y: float, size: float, colour: str) -> str:
    """An SVG shape for a plotly marker symbol used by the verdict styles."""
    half = size / 2
    if symbol == "triangle-up":
        points = f"{x},{y - half} {x - half},{y + half} {x + half},{y + half}"
        return f'<polygon points="{points}" fill="{colour}"/>'
    if symbol == "triangle-down":
        points = f"{x},{y + half} {x - half},{y - half} {x + half},{y - half}"
        return f'<polygon points="{points}" fill="{colour}"/>'
    if symbol == "circle-open":
        return (
            f'<circle cx="{x}" cy="{y}" r="{half - 1}" fill="#ffffff" stroke="{colour}" '
            'stroke-width="2"/>'
        )
    return f'<circle cx="{x}" cy="{y}" r="{half}" fill="{colour}"/>'


def dot_interval_svg(
    frame: pd.DataFrame,
    *,
    title: str,
    description: str,
    label: str = "domain",
    value: str = "percent",
    lower: str = "lower_percent",
    upper: str = "upper_percent",
    benchmark: str = "benchmark_value",
    verdict: str = "comparison",
    standalone: bool = False,
    source: str | None = None,
) -> Markup:
    """Shares with intervals and benchmark ticks, sorted highest first, with a shape legend."""
    data = frame.copy()
    data["_v"] = data[value].map(_number)
    shown = data[data["_v"].notna()].sort_values("_v", ascending=False)
    hidden = data[data["_v"].isna()]
    rows = list(shown.iterrows()) + list(hidden.iterrows())
    left, right, top, row_height = 250, 40, 70, 30
    plot = 640 - left - right
    height = top + row_height * len(rows) + 40

    def x_of(percent: float) -> float:
        return round(left + plot * max(0.0, min(percent, 100.0)) / 100, 1)

    parts = []
    # legend: one entry per verdict present, plus the benchmark tick
    present = list(dict.fromkeys(str(v) for v in shown.get(verdict, [])))
    legend_x = 10
    for key in present:
        style = verdict_style(key)
        parts.append(marker(style.symbol, legend_x + 6, 18, 12, style.colour))
        parts.append(
            f'<text x="{legend_x + 16}" y="22" font-size="12" fill="{INK}">'
            f"{escape(style.label)}</text>"
        )
        legend_x += 30 + 6.3 * len(style.label)
    if benchmark in shown and shown[benchmark].map(_number).notna().any():
        parts.append(
            f'<line x1="{legend_x + 6}" x2="{legend_x + 6}" y1="10" y2="26" stroke="#000" '
            'stroke-width="3"/>'
        )
        parts.append(
            f'<text x="{legend_x + 14}" y="22" font-size="12" fill="{INK}">Benchmark</text>'
        )
    for tick in range(0, 101, 20):
        x = x_of(tick)
        parts.append(
            f'<line x1="{x}" x2="{x}" y1="{top - 10}" y2="{height - 35}" stroke="#d9d9d9"/>'
            f'<text x="{x}" y="{height - 18}" font-size="12" text-anchor="middle" '
            f'fill="{INK}">{tick}%</text>'
        )
    for position, (_, row) in enumerate(rows):
        y = top + row_height * position + row_height / 2 - 10
        parts.append(
            f'<text x="{left - 10}" y="{y + 4}" font-size="13" text-anchor="end" fill="{INK}">'
            f"{escape(str(row[label]))}</text>"
        )
        centre = _number(row["_v"])
        if centre is None:
            parts.append(
                f'<text x="{left + 4}" y="{y + 4}" font-size="12" fill="{INK}">'
                "[c] too few answers to show</text>"
            )
            continue
        style = verdict_style(row.get(verdict, "not compared"))
        low, high = _number(row.get(lower)), _number(row.get(upper))
        if low is not None and high is not None:
            parts.append(
                f'<line x1="{x_of(low)}" x2="{x_of(high)}" y1="{y}" y2="{y}" '
                f'stroke="{style.colour}" stroke-width="2"/>'
            )
        bench = _number(row.get(benchmark))
        if bench is not None:
            bx = x_of(bench)
            parts.append(
                f'<line x1="{bx}" x2="{bx}" y1="{y - 10}" y2="{y + 10}" stroke="#000" '
                'stroke-width="3"/>'
            )
        parts.append(marker(style.symbol, x_of(centre), y, 13, style.colour))
    return _frame(
        640, height, title, description, "".join(parts), standalone=standalone, source=source
    )


def stacked_svg(
    frame: pd.DataFrame,
    *,
    title: str,
    description: str,
    category: str = "domain",
    answer: str = "answer_label",
    order: str = "answer_order",
    value: str = "value",
    standalone: bool = False,
    source: str | None = None,
) -> Markup:
    """100% stacked bars, one per category, percentages printed on segments of 8% or more."""
    data = frame.copy()
    answers = data.sort_values(order)[answer].drop_duplicates().tolist() if len(data) else []
    colours = _diverging(len(answers), False)
    # white only on the dark blue: white on vermillion is under 4.5:1, black on it is not
    text_colour = {
        a: ("#ffffff" if c == "#0072B2" else "#000000")
        for a, c in zip(answers, colours, strict=True)
    }
    categories = data[category].drop_duplicates().tolist() if len(data) else []
    left, top, bar, gap = 250, 60, 22, 12
    plot = 640 - left - 30
    height = top + (bar + gap) * len(categories) + 30
    parts = []
    legend_x = 10
    for name, colour in zip(answers, colours, strict=True):
        parts.append(
            f'<rect x="{legend_x}" y="10" width="12" height="12" fill="{colour}" stroke="#000" '
            'stroke-width="0.5"/>'
            f'<text x="{legend_x + 16}" y="21" font-size="12" fill="{INK}">'
            f"{escape(str(name))}</text>"
        )
        legend_x += 26 + 6.2 * len(str(name))
    marked = False
    for position, name in enumerate(categories):
        y = top + (bar + gap) * position
        part = data[data[category] == name]
        values = {str(r[answer]): _number(r[value]) for _, r in part.iterrows()}
        # A suppressed answer is left out of its bar and the bar's name marked "[c]", as the
        # dashboard's chart does, so the bar agrees with its text description answer by answer.
        hidden = any(v is None for v in values.values())
        marked = marked or hidden
        parts.append(
            f'<text x="{left - 10}" y="{y + bar / 2 + 4}" font-size="13" text-anchor="end" '
            f'fill="{INK}">{escape(str(name))}{" [c]" if hidden else ""}</text>'
        )
        if all(v is None for v in values.values()):
            parts.append(
                f'<text x="{left + 4}" y="{y + bar / 2 + 4}" font-size="12" fill="{INK}">'
                "[c] too few answers to show</text>"
            )
            continue
        x = float(left)
        for name_answer, colour in zip(answers, colours, strict=True):
            share = values.get(str(name_answer))
            if share is None:
                continue
            width = plot * share / 100
            parts.append(
                f'<rect x="{x:.1f}" y="{y}" width="{width:.1f}" height="{bar}" fill="{colour}" '
                'stroke="#ffffff" stroke-width="0.5"/>'
            )
            if share >= 8:
                parts.append(
                    f'<text x="{x + width / 2:.1f}" y="{y + bar / 2 + 4}" font-size="11" '
                    f'text-anchor="middle" fill="{text_colour[name_answer]}">{share:.0f}%</text>'
                )
            x += width
    if marked:
        parts.append(
            f'<text x="{left}" y="{height - 8}" font-size="11" fill="{INK}">'
            "[c]: an answer too few people gave is left out</text>"
        )
    return _frame(
        640, height, title, description, "".join(parts), standalone=standalone, source=source
    )


def pictogram_svg(percent: float, *, title: str, description: str) -> Markup:
    """Ten people, the share of them filled in: "about 8 in 10", for the easy-read summary."""
    filled = int(math.floor(percent / 10 + 0.5))
    parts = []
    for index in range(10):
        x = 10 + index * 46
        colour = OKABE_ITO["blue"] if index < filled else "#ffffff"
        parts.append(
            f'<g stroke="#000" stroke-width="2" fill="{colour}">'
            f'<circle cx="{x + 18}" cy="16" r="11"/>'
            f'<path d="M{x + 4} 62 v-20 a14 14 0 0 1 28 0 v20 z"/></g>'
        )
    return _frame(480, 70, title, description, "".join(parts))


__all__ = ["VERDICT_STYLES", "dot_interval_svg", "pictogram_svg", "stacked_svg"]
