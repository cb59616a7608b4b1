"""Plotly figure builders shared by the reports and the dashboards.

Every builder takes a tidy frame straight from the analysis API (after disclosure control) and
returns a figure; :func:`alt_text` turns the same frame into the text alternative, so what a
screen-reader user hears can never disagree with what a sighted user sees.

Accessibility choices (WCAG 2.2 AA):
- colours come from the Okabe-Ito palette, which stays distinguishable with the common forms of
  colour blindness;
- a verdict is never carried by colour alone: each has its own marker SHAPE and its own words in
  the legend and hover text;
- ``high_contrast=True`` gives a black-on-white variant with heavier lines for low-vision users.

Suppressed rows (``suppressed`` true, values blanked by ``pipeline.disclosure.protect``) are drawn
as labelled gaps with no number, never as zero.
"""

from __future__ import annotations

import math

import pandas as pd
import plotly.graph_objects as go

from pipeline.present.palette import (  # noqa: F401  (re-exported: charts.OKABE_ITO etc.)
    BACKGROUND,
    BENCHMARK_COLOUR,
    BENCHMARK_COLOUR_HIGH_CONTRAST,
    BENCHMARK_SYMBOL,
    FONT_FAMILY,
    GRID,
    HIGH_CONTRAST_GRID,
    HIGH_CONTRAST_INK,
    INK,
    LARGE_TEXT_SCALE,
    OKABE_ITO,
    SERIES_COLOURS,
    SUPPRESSED_LABEL,
    VERDICT_STYLES,
    VerdictStyle,
    contrast_ratio,
    relative_luminance,
    text_colour_on,
    verdict_style,
)


def _layout(
    fig: go.Figure,
    *,
    title: str,
    source: str | None,
    high_contrast: bool,
    height: int,
    x_title: str = "",
    y_title: str = "",
    large_text: bool = False,
) -> go.Figure:
    """Common layout: title, source line under the plot, readable fonts, white background.

    The title sits at the very top and the legend below it, so a legend that wraps onto more
    rows grows into the margin above the plot, never over the title.
    """
    ink = HIGH_CONTRAST_INK if high_contrast else INK
    grid = HIGH_CONTRAST_GRID if high_contrast else GRID
    scale = LARGE_TEXT_SCALE if large_text else 1.0
    base_size = round((14 if high_contrast else 13) * scale)
    title_size = round(18 * scale)
    height = round(height * (scale if large_text else 1.0))
    fig.update_layout(
        title={
            "text": title,
            "x": 0,
            "xanchor": "left",
            "xref": "container",  # from the left edge: long row labels must not push it off
            "pad": {"l": 10, "t": 12},
            "y": 1,
            "yref": "container",
            "yanchor": "top",
            "font": {"size": title_size, "color": ink},
        },
        font={"family": FONT_FAMILY, "size": base_size, "color": ink},
        paper_bgcolor=BACKGROUND,
        plot_bgcolor=BACKGROUND,
        height=height,
        # the right margin leaves room for half of the last tick label ("100%")
        margin={
            "l": 10,
            "r": round(30 * scale),
            "t": round(110 * scale),
            "b": 90 if source else 60,
        },
        legend={
            "orientation": "h",
            "yref": "container",
            "y": 1 - (title_size + 24) / height,
            "yanchor": "top",
            "xref": "container",
            "x": 0,
            "xanchor": "left",
            "font": {"color": ink, "size": base_size},
        },
        hoverlabel={"font_family": FONT_FAMILY, "font_size": base_size},
    )
    axis_text = {"color": ink, "size": base_size}
    axes = {
        "title_font": axis_text,
        "tickfont": axis_text,
        "gridcolor": grid,
        "zerolinecolor": grid,
        "linecolor": ink,
        "tickcolor": ink,
        "automargin": True,
    }
    fig.update_xaxes(title_text=x_title, gridwidth=1.5 if high_contrast else 1, **axes)
    fig.update_yaxes(title_text=y_title, **axes)
    # Subplot titles and other annotations (the source line, the funnel's "Overall" label)
    fig.update_annotations(font={"color": ink, "size": base_size})
    if source:
        fig.add_annotation(
            text=source,
            xref="paper",
            yref="paper",
            x=0,
            y=0,
            yshift=-60,
            xanchor="left",
            yanchor="top",
            showarrow=False,
            font={"size": round(11 * scale), "color": ink},
            align="left",
        )
    return fig


def _number(value: object) -> float | None:
    """A float, or None for blanks/NaN (suppressed cells)."""
    if value is None:
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(number) else number


def _is_suppressed(row: pd.Series, value_column: str) -> bool:
    flagged = bool(row.get("suppressed", False)) if "suppressed" in row.index else False
    return flagged or _number(row.get(value_column)) is None


def dot_interval_chart(
    frame: pd.DataFrame,
    *,
    title: str,
    label: str = "domain",
    value: str = "value",
    lower: str = "lower",
    upper: str = "upper",
    benchmark: str = "benchmark_value",
    verdict: str = "comparison",
    source: str | None = None,
    high_contrast: bool = False,
    large_text: bool = False,
    x_title: str = "Percent",
) -> go.Figure:
    """Shares with 95% intervals, one row per domain sorted by value, benchmark as a tick.

    One trace per verdict, so the legend names each verdict next to its marker shape. Suppressed
    rows keep their place at the bottom with the words "[c] too few answers to show".
    """
    data = frame.copy()
    data["_value"] = data[value].map(_number) if value in data else None
    data["_suppressed"] = [_is_suppressed(row, value) for _, row in data.iterrows()]
    shown = data[~data["_suppressed"]].sort_values("_value", ascending=True)
    hidden = data[data["_suppressed"]]
    order = [str(x) for x in hidden[label]] + [str(x) for x in shown[label]]
    fig = go.Figure()
    if len(shown):
        verdicts = (
            shown[verdict] if verdict in shown else pd.Series("not compared", index=shown.index)
        )
        for key in dict.fromkeys(str(v) for v in verdicts):
            part = shown[verdicts.astype(str) == key]
            style = verdict_style(key)
            colour = OKABE_ITO["black"] if high_contrast else style.colour
            low = part[lower].map(_number) if lower in part else part["_value"]
            high = part[upper].map(_number) if upper in part else part["_value"]
            fig.add_trace(
                go.Scatter(
                    x=part["_value"],
                    y=part[label].astype(str),
                    mode="markers",
                    name=style.label,
                    marker={
                        "symbol": style.symbol,
                        "size": 13 if high_contrast else 11,
                        "color": colour,
                        "line": {"width": 1.5, "color": colour},
                    },
                    error_x={
                        "type": "data",
                        "symmetric": False,
                        "array": (high - part["_value"]).tolist(),
                        "arrayminus": (part["_value"] - low).tolist(),
                        "color": colour,
                        "thickness": 2.5 if high_contrast else 1.5,
                        "width": 0,
                    },
                    customdata=list(zip(low, high, strict=True)),
                    hovertemplate=(
                        "%{y}: %{x:.1f}% (95% interval %{customdata[0]:.1f} to "
                        f"%{{customdata[1]:.1f}})<extra>{style.label}</extra>"
                    ),
                )
            )
        if benchmark in shown:
            marks = shown[shown[benchmark].map(_number).notna()]
            if len(marks):
                colour = BENCHMARK_COLOUR_HIGH_CONTRAST if high_contrast else BENCHMARK_COLOUR
                fig.add_trace(
                    go.Scatter(
                        x=marks[benchmark].map(_number),
                        y=marks[label].astype(str),
                        mode="markers",
                        name="Benchmark",
                        marker={
                            "symbol": BENCHMARK_SYMBOL,
                            "size": 20,
                            "color": colour,
                            "line": {"width": 3, "color": colour},
                        },
                        hovertemplate="%{y}: benchmark %{x:.1f}%<extra></extra>",
                    )
                )
    if len(hidden):
        fig.add_trace(
            go.Scatter(
                x=[0] * len(hidden),
                y=hidden[label].astype(str),
                mode="text",
                text=[SUPPRESSED_LABEL] * len(hidden),
                textposition="middle right",
                name="Too few answers to show",
                hoverinfo="skip",
                showlegend=False,
            )
        )
    # benchmark ticks underneath, so they never hide a result's marker
    fig.data = tuple(sorted(fig.data, key=lambda trace: trace.name != "Benchmark"))
    fig.update_yaxes(categoryorder="array", categoryarray=order)
    fig.update_xaxes(range=[0, 100], ticksuffix="%")
    return _layout(
        fig,
        title=title,
        source=source,
        high_contrast=high_contrast,
        height=max(320, 36 * len(order) + 170),
        x_title=x_title,
        large_text=large_text,
    )


def distribution_chart(
    frame: pd.DataFrame,
    *,
    title: str,
    category: str = "domain",
    answer: str = "answer_label",
    order: str = "answer_order",
    value: str = "value",
    source: str | None = None,
    high_contrast: bool = False,
    large_text: bool = False,
) -> go.Figure:
    """Stacked 100% bars: how answers spread over the scale, one bar per ``category``.

    Missing answer codes (``is_missing`` true) are left out, as they are from the base. Bars are
    labelled with their percentages so the colours are not needed to read them. A suppressed
    answer (no value) is left out of its bar and named after it with "[c]", as the text
    alternative names it "not shown".
    """
    data = frame.copy()
    if "is_missing" in data:
        data = data[~data["is_missing"].fillna(False).astype(bool)]
    if category not in data:
        data[category] = title
    data["_value"] = data[value].map(_number)
    answers = (
        data.sort_values(order)[answer].astype(str).drop_duplicates().tolist()
        if order in data
        else data[answer].astype(str).drop_duplicates().tolist()
    )
    palette = _diverging(len(answers), high_contrast)
    patterns = ["", "/", ".", "x", "\\", "-", "+", "|"]
    fig = go.Figure()
    for position, name in enumerate(answers):
        # Only the answers with a value: plotly.js restarts a stack at a blank, so one suppressed
        # segment would hide every segment drawn before it in the same bar.
        part = data[(data[answer].astype(str) == name) & data["_value"].notna()]
        values = part["_value"].tolist()
        fill = palette[position]
        fig.add_trace(
            go.Bar(
                x=values,
                y=part[category].astype(str),
                orientation="h",
                name=name,
                marker={
                    "color": fill,
                    "line": {"color": "#000000", "width": 1.5 if high_contrast else 0.5},
                    # overlay: the pattern is drawn over the solid fill (plotly's default leaves
                    # the fill out, so a white segment vanished); sparse, so labels stay legible
                    "pattern": {
                        "shape": patterns[position % len(patterns)],
                        "fillmode": "overlay",
                        "fgcolor": text_colour_on(fill),
                        "fgopacity": 0.5,
                        "size": 12,
                        "solidity": 0.15,
                    }
                    if high_contrast
                    else {},
                },
                text=[f"{v:.0f}%" if v >= 6 else "" for v in values],
                textposition="inside",
                insidetextanchor="middle",
                textfont={"color": text_colour_on(fill)},
                hovertemplate="%{y}: " + name + " %{x:.1f}%<extra></extra>",
            )
        )
    categories = data[category].astype(str).drop_duplicates().tolist()
    # A bar with a suppressed answer is marked "[c]" beside its name (a note beside the bar
    # would not fit next to a full one); a bar with nothing to show says so where it would be.
    tick_text, empty = [], []
    for name in categories:
        values = data.loc[data[category].astype(str) == name, "_value"]
        tick_text.append(f"{name} [c]" if values.isna().any() else name)
        if values.isna().all():
            empty.append(name)
    if empty:
        fig.add_trace(
            go.Scatter(
                x=[0] * len(empty),
                y=empty,
                mode="text",
                text=[SUPPRESSED_LABEL] * len(empty),
                textposition="middle right",
                name="Too few answers to show",
                hoverinfo="skip",
                showlegend=False,
            )
        )
    figure = _layout(
        fig,
        title=title,
        source=source,
        high_contrast=high_contrast,
        height=max(280, 44 * len(categories) + 190),
        x_title="",
        large_text=large_text,
    )
    # plotly lists stacked traces last-first; the legend reads in the bars' left-to-right order
    figure.update_layout(barmode="stack", legend_traceorder="normal")
    fig.update_xaxes(range=[0, 100], ticksuffix="%")
    fig.update_yaxes(
        categoryorder="array",
        categoryarray=categories[::-1],
        tickmode="array",
        tickvals=categories,
        ticktext=tick_text,
    )
    x_title = "Percent of people who answered"
    if any(text.endswith("[c]") for text in tick_text):
        x_title += " ([c]: an answer too few people gave is left out)"
    fig.update_xaxes(title_text=x_title)
    return figure


def _diverging(count: int, high_contrast: bool) -> list[str]:
    """Colours for an ordered scale: vermillion (bad end) through grey to blue (good end)."""
    if high_contrast:
        greys = ["#000000", "#404040", "#808080", "#bfbfbf", "#ffffff"]
        return [greys[min(i, len(greys) - 1)] for i in range(count)]
    ramps = {
        1: ["#0072B2"],
        2: ["#D55E00", "#0072B2"],
        3: ["#D55E00", "#BBBBBB", "#0072B2"],
        4: ["#D55E00", "#F0A070", "#56B4E9", "#0072B2"],
        5: ["#D55E00", "#F0A070", "#BBBBBB", "#56B4E9", "#0072B2"],
    }
    if count in ramps:
        return ramps[count]
    return [SERIES_COLOURS[i % len(SERIES_COLOURS)] for i in range(count)]


# The x axis of a trend: survey waves, or the years of an official series (ASCOF)
_PERIOD_TITLES = {"wave": "Survey wave", "year": "Year"}


def trend_chart(
    frame: pd.DataFrame,
    *,
    title: str,
    series: str = "domain",
    period: str = "wave",
    value: str = "value",
    lower: str = "lower",
    upper: str = "upper",
    source: str | None = None,
    high_contrast: bool = False,
    large_text: bool = False,
    max_lines: int = 3,
) -> go.Figure:
    """Each series over the waves, with its 95% interval as a shaded band.

    Up to ``max_lines`` series share one plot; more are drawn as small multiples (one panel per
    series, named above it), since a dozen overlapping lines and bands cannot be read.
    """
    from plotly.subplots import make_subplots

    groups = list(frame.groupby(series, sort=False))
    panels = len(groups) > max_lines
    columns = 3 if panels else 1
    rows = math.ceil(len(groups) / columns) if panels else 1
    if panels:
        fig = make_subplots(
            rows=rows,
            cols=columns,
            subplot_titles=[str(name) for name, _ in groups],
            shared_yaxes=True,
            vertical_spacing=min(0.5 / rows, 0.12),
            horizontal_spacing=0.04,
        )
    else:
        fig = go.Figure()
    symbols = ["circle", "square", "diamond", "triangle-up", "cross", "star", "x", "hexagon"]
    dashes = ["solid", "dash", "dot", "dashdot", "longdash", "longdashdot"]
    for position, (name, part) in enumerate(groups):
        place = {"row": position // columns + 1, "col": position % columns + 1} if panels else {}
        style = 0 if panels else position  # in a panel of its own a series needs no marker code
        part = part.sort_values(period)
        colour = (
            OKABE_ITO["black"] if high_contrast else SERIES_COLOURS[style % len(SERIES_COLOURS)]
        )
        values = part[value].map(_number)
        periods = part[period].astype(str)
        if lower in part and upper in part:
            low = part[lower].map(_number)
            high = part[upper].map(_number)
            fig.add_trace(
                go.Scatter(
                    x=list(periods) + list(periods[::-1]),
                    y=list(high) + list(low[::-1]),
                    mode="lines",  # plotly adds markers to short lines, dotting the band's edge
                    fill="toself",
                    fillcolor=_transparent(colour, 0.15),
                    line={"width": 0},
                    hoverinfo="skip",
                    showlegend=False,
                    name=f"{name} 95% interval",
                ),
                **place,
            )
        fig.add_trace(
            go.Scatter(
                x=periods,
                y=values,
                mode="lines+markers",
                name=str(name),
                showlegend=not panels,
                line={
                    "color": colour,
                    "width": 3 if high_contrast else 2,
                    "dash": dashes[style % len(dashes)],
                },
                marker={"symbol": symbols[style % len(symbols)], "size": 9},
                hovertemplate=f"{name}, %{{x}}: %{{y:.1f}}%<extra></extra>",
                connectgaps=False,
            ),
            **place,
        )
    fig.update_xaxes(type="category")
    fig.update_yaxes(range=[0, 100], ticksuffix="%")
    figure = _layout(
        fig,
        title=title,
        source=source,
        high_contrast=high_contrast,
        height=max(420, 230 * rows + 160) if panels else 420,
        x_title="" if panels else _PERIOD_TITLES.get(period, "Survey wave"),
        y_title="" if panels else "Percent",
        large_text=large_text,
    )
    if panels:
        figure.update_yaxes(tickvals=[0, 50, 100], title_text="")
        figure.update_yaxes(title_text="Percent", col=1)
    return figure


def _transparent(hex_colour: str, alpha: float) -> str:
    red, green, blue = (int(hex_colour[i : i + 2], 16) for i in (1, 3, 5))
    return f"rgba({red},{green},{blue},{alpha})"


def funnel_plot(
    frame: pd.DataFrame,
    *,
    title: str,
    label: str = "council",
    base: str = "n",
    value: str = "value",
    overall: str = "overall",
    verdict: str = "verdict",
    highlight: str | None = None,
    source: str | None = None,
    high_contrast: bool = False,
    large_text: bool = False,
) -> go.Figure:
    """Councils' shares against their base, with 95% and 99.8% control limits around the overall.

    Uses ``compare_councils`` output: the limit columns are per council (they depend on its base),
    so the funnel is drawn through them in base order.
    """
    data = frame.copy()
    data["_value"] = data[value].map(_number)
    data["_n"] = data[base].map(_number)
    data = data[data["_value"].notna() & data["_n"].notna()].sort_values("_n")
    fig = go.Figure()
    limit_colour = OKABE_ITO["black"] if high_contrast else OKABE_ITO["grey"]
    for low, high, name, dash in (
        ("lower_95", "upper_95", "95% limits", "dash"),
        ("lower_998", "upper_998", "99.8% limits", "dot"),
    ):
        if low in data and high in data:
            for column, show in ((low, True), (high, False)):
                fig.add_trace(
                    go.Scatter(
                        x=data["_n"],
                        y=data[column].map(_number),
                        mode="lines",
                        line={"color": limit_colour, "dash": dash, "shape": "spline"},
                        name=name,
                        legendgroup=name,
                        showlegend=show,
                        hoverinfo="skip",
                    )
                )
    if overall in data and len(data):
        centre = _number(data[overall].iloc[0])
        if centre is not None:
            fig.add_hline(
                y=centre,
                line={"color": limit_colour, "width": 1.5},
                annotation_text=f"Overall {centre:.1f}%",
                annotation_position="top left",
            )
    verdicts = (
        data[verdict].astype(str) if verdict in data else pd.Series("within", index=data.index)
    )
    for key in dict.fromkeys(verdicts):
        part = data[verdicts == key]
        style = verdict_style(key)
        colour = OKABE_ITO["black"] if high_contrast else style.colour
        sizes = [16 if highlight and str(c) == highlight else 10 for c in part[label]]
        fig.add_trace(
            go.Scatter(
                x=part["_n"],
                y=part["_value"],
                mode="markers+text" if highlight else "markers",
                text=[str(c) if highlight and str(c) == highlight else "" for c in part[label]],
                textposition="top center",
                name=style.label,
                marker={"symbol": style.symbol, "size": sizes, "color": colour},
                customdata=part[label].astype(str),
                hovertemplate="%{customdata}: %{y:.1f}% of %{x:.0f}<extra></extra>",
            )
        )
    fig.update_yaxes(ticksuffix="%")
    return _layout(
        fig,
        title=title,
        source=source,
        high_contrast=high_contrast,
        height=460,
        x_title="Number who answered (base)",
        y_title="Percent",
        large_text=large_text,
    )


def forest_plot(
    frame: pd.DataFrame,
    *,
    title: str,
    label: str = "term_label",
    estimate: str = "odds_ratio",
    lower: str = "lower",
    upper: str = "upper",
    source: str | None = None,
    high_contrast: bool = False,
    large_text: bool = False,
) -> go.Figure:
    """Odds ratios with 95% intervals on a log scale, with the no-difference line at 1.

    A term whose interval lies wholly above 1 is drawn as an upward triangle, wholly below as a
    downward one, and one that crosses 1 as a circle, so the reading does not depend on colour.
    """
    data = frame.copy()
    data["_or"] = data[estimate].map(_number)
    data = data[data["_or"].notna()].sort_values("_or")
    data["_low"] = data[lower].map(_number)
    data["_high"] = data[upper].map(_number)

    def direction(row: pd.Series) -> str:
        if row["_low"] is not None and row["_low"] > 1:
            return "higher"
        if row["_high"] is not None and row["_high"] < 1:
            return "lower"
        return "similar"

    data["_direction"] = data.apply(direction, axis=1) if len(data) else []
    words = {
        "higher": "More likely to say things got better",
        "lower": "Less likely to say things got better",
        "similar": "No clear difference",
    }
    fig = go.Figure()
    for key in ("higher", "similar", "lower"):
        part = data[data["_direction"] == key]
        if not len(part):
            continue
        style = verdict_style(key)
        colour = OKABE_ITO["black"] if high_contrast else style.colour
        fig.add_trace(
            go.Scatter(
                x=part["_or"],
                y=part[label].astype(str),
                mode="markers",
                name=words[key],
                marker={"symbol": style.symbol, "size": 11, "color": colour},
                error_x={
                    "type": "data",
                    "symmetric": False,
                    "array": (part["_high"] - part["_or"]).tolist(),
                    "arrayminus": (part["_or"] - part["_low"]).tolist(),
                    "color": colour,
                    "width": 0,
                },
                hovertemplate="%{y}: odds ratio %{x:.2f}<extra></extra>",
            )
        )
    fig.add_vline(x=1, line={"color": "#000000", "width": 1, "dash": "dash"})
    ticks = log_ticks([*data["_low"].dropna(), *data["_high"].dropna(), *data["_or"]])
    # Plotly's own log ticks print 0.2 and 0.5 as a bare "2" and "5", so name every tick
    fig.update_xaxes(
        type="log",
        tickmode="array",
        tickvals=ticks,
        ticktext=[f"{t:g}" for t in ticks],
        range=[math.log10(ticks[0]), math.log10(ticks[-1])],  # log axes take log10 bounds
    )
    fig.update_yaxes(categoryorder="array", categoryarray=data[label].astype(str).tolist())
    return _layout(
        fig,
        title=title,
        source=source,
        high_contrast=high_contrast,
        height=max(320, 34 * len(data) + 170),
        x_title="Odds ratio (log scale; 1 = no difference)",
        large_text=large_text,
    )


LOG_TICKS = (0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 20, 50, 100)


def log_ticks(values: list[float]) -> list[float]:
    """The 1-2-5 ticks covering ``values`` (and always 1, the no-difference line)."""
    positive = [v for v in values if v is not None and v == v and v > 0] or [1.0]
    low, high = min(*positive, 1.0), max(*positive, 1.0)
    below = [t for t in LOG_TICKS if t <= low] or [LOG_TICKS[0]]
    above = [t for t in LOG_TICKS if t >= high] or [LOG_TICKS[-1]]
    return [t for t in LOG_TICKS if below[-1] <= t <= above[0]]


def bar_chart(
    frame: pd.DataFrame,
    *,
    title: str,
    category: str,
    value: str,
    source: str | None = None,
    high_contrast: bool = False,
    large_text: bool = False,
    value_title: str = "",
    value_format: str = ",.0f",
) -> go.Figure:
    """A simple horizontal bar chart with its values printed on the bars."""
    data = frame.copy()
    data["_value"] = data[value].map(_number)
    data = data[data["_value"].notna()]
    colour = OKABE_ITO["black"] if high_contrast else OKABE_ITO["blue"]
    fig = go.Figure(
        go.Bar(
            x=data["_value"],
            y=data[category].astype(str),
            orientation="h",
            marker={"color": colour},
            text=[format(v, value_format) for v in data["_value"]],
            textposition="outside",
            hovertemplate="%{y}: %{x:" + value_format + "}<extra></extra>",
            showlegend=False,
        )
    )
    fig.update_yaxes(categoryorder="array", categoryarray=data[category].astype(str).tolist()[::-1])
    return _layout(
        fig,
        title=title,
        source=source,
        high_contrast=high_contrast,
        height=max(280, 34 * len(data) + 150),
        x_title=value_title,
        large_text=large_text,
    )


def _fmt(value: object, digits: int = 0, suffix: str = "%") -> str:
    number = _number(value)
    return "not shown" if number is None else f"{number:.{digits}f}{suffix}"


def alt_text(kind: str, frame: pd.DataFrame, *, title: str, **columns: str) -> str:
    """A text alternative for a chart built by this module from the same frame.

    ``kind`` is one of ``dot_interval``, ``distribution``, ``trend``, ``funnel``, ``forest`` or
    ``bar``; ``columns`` may rename the columns exactly as the builder's keyword arguments do.
    The text names every value that is shown, so nothing is available only visually.
    """
    col = {
        "label": "domain",
        "value": "value",
        "lower": "lower",
        "upper": "upper",
        "benchmark": "benchmark_value",
        "verdict": "comparison",
        **columns,
    }
    parts: list[str] = []
    if kind == "dot_interval":
        data = frame.copy()
        data["_value"] = data[col["value"]].map(_number)
        suppressed = data["_value"].isna() | (
            data["suppressed"].fillna(False).astype(bool) if "suppressed" in data else False
        )
        shown = data[~suppressed].sort_values("_value", ascending=False)
        parts.append(
            f"{title}. Dot chart of {len(shown)} results with 95% intervals, highest first."
        )
        for _, row in shown.iterrows():
            sentence = f"{row[col['label']]}: {_fmt(row['_value'])}"
            if col["lower"] in row.index and col["upper"] in row.index:
                sentence += (
                    f" (95% interval {_fmt(row[col['lower']])} to {_fmt(row[col['upper']])})"
                )
            bench = _number(row.get(col["benchmark"]))
            if bench is not None:
                sentence += f", benchmark {_fmt(bench)}"
            if col["verdict"] in row.index:
                sentence += f", {verdict_style(row[col['verdict']]).label.lower()}"
            parts.append(sentence + ".")
        hidden = data[suppressed]
        if len(hidden):
            names = ", ".join(str(x) for x in hidden[col["label"]])
            parts.append(f"Not shown because too few people answered: {names}.")
    elif kind == "distribution":
        category = columns.get("category", "domain")
        answer = columns.get("answer", "answer_label")
        data = frame
        if "is_missing" in data:
            data = data[~data["is_missing"].fillna(False).astype(bool)]
        if category not in data:
            data = data.assign(**{category: title})
        parts.append(f"{title}. Stacked bar chart of how people answered.")
        for name, part in data.groupby(category, sort=False):
            spread = "; ".join(
                f"{row[answer]} {_fmt(row[col['value']])}" for _, row in part.iterrows()
            )
            parts.append(f"{name}: {spread}.")
    elif kind == "trend":
        series = columns.get("series", "domain")
        period = columns.get("period", "wave")
        over = "years" if period == "year" else "survey waves"
        bands = " with 95% interval bands" if {col["lower"], col["upper"]} <= set(frame) else ""
        parts.append(f"{title}. Line chart over {over}{bands}.")
        for name, part in frame.groupby(series, sort=False):
            points = "; ".join(
                f"{row[period]} {_fmt(row[col['value']])}"
                for _, row in part.sort_values(period).iterrows()
            )
            parts.append(f"{name}: {points}.")
    elif kind == "funnel":
        label = columns.get("label", "council")
        base = columns.get("base", "n")
        verdict = columns.get("verdict", "verdict")
        data = frame[frame[col["value"]].map(_number).notna()]
        parts.append(
            f"{title}. Funnel plot of {len(data)} councils: percent against number who answered, "
            "with 95% and 99.8% control limits."
        )
        for _, row in data.sort_values(base).iterrows():
            words = verdict_style(row[verdict]).label.lower() if verdict in row.index else ""
            parts.append(f"{row[label]}: {_fmt(row[col['value']])} of {int(row[base])}, {words}.")
    elif kind == "forest":
        label = columns.get("label", "term_label")
        estimate = columns.get("estimate", "odds_ratio")
        data = frame[frame[estimate].map(_number).notna()]
        parts.append(
            f"{title}. Forest plot of odds ratios with 95% intervals; 1 means no difference."
        )
        for _, row in data.sort_values(estimate, ascending=False).iterrows():
            parts.append(
                f"{row[label]}: odds ratio {_fmt(row[estimate], 2, '')} (95% interval "
                f"{_fmt(row[col['lower']], 2, '')} to {_fmt(row[col['upper']], 2, '')})."
            )
    elif kind == "bar":
        category = columns["category"]
        value = columns.get("value", "value")
        data = frame[frame[value].map(_number).notna()]
        parts.append(f"{title}. Bar chart.")
        parts.extend(f"{row[category]}: {_number(row[value]):,.0f}." for _, row in data.iterrows())
    else:
        raise ValueError(f"unknown chart kind {kind!r}")
    return " ".join(parts)
