"""How a page shows a table or a chart: always with its downloads, a chart always with its data.

A :class:`Chart` carries its figure, a text alternative and the table it was drawn from; the
page shows the chart, the alt text as a caption, the table in an expander, and PNG/SVG
downloads. A :class:`Table` carries a frame; the page shows it with CSV and Excel downloads.
Static images are made only when someone presses the download button (deferred data), so
rendering a page never starts the image exporter's browser.

A view that is cached (:func:`dashboards.plain.page_view`) is first passed to :func:`prepare`,
which works out once what the page sends for it: each figure's JSON and each table's text. A
cached chart keeps the JSON instead of the plotly figure, because unpickling a figure rebuilds
and re-validates every property (most of a warm page's CPU); the figure is rebuilt from the
JSON only when someone asks for it (a PNG or SVG download).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field

import pandas as pd
import plotly.graph_objects as go
import streamlit as st


@dataclass
class Table:
    key: str
    title: str
    frame: pd.DataFrame
    protected: pd.DataFrame | None = None  # the protected figures a plain public frame shows
    analysis: pd.DataFrame | None = None  # the analysis frame a signed-in user downloads
    shown: pd.DataFrame | None = field(default=None, repr=False, compare=False)  # prepare()

    @property
    def download(self) -> pd.DataFrame:
        """What the CSV and Excel downloads hold: the analysis frame when signed in."""
        return self.frame if self.analysis is None else self.analysis


@dataclass
class Chart:
    key: str
    title: str
    figure: go.Figure
    alt: str
    table: pd.DataFrame
    protected: pd.DataFrame | None = None  # the protected figures a plain public table shows
    analysis: pd.DataFrame | None = None  # the analysis frame a signed-in user downloads
    # Set by prepare(): the figure as the page sends it (plotly JSON) and the table's text.
    spec: str | None = field(default=None, repr=False, compare=False)
    shown: pd.DataFrame | None = field(default=None, repr=False, compare=False)

    @property
    def download(self) -> pd.DataFrame:
        """What the CSV and Excel downloads hold: the analysis frame when signed in."""
        return self.table if self.analysis is None else self.analysis

    def make_figure(self) -> go.Figure:
        """The figure (for a download made when its button is pressed)."""
        return self.figure

    def __getstate__(self) -> dict:
        """Pickled (into the view cache) without the figure once its JSON is known."""
        state = dict(self.__dict__)
        if state.get("spec") is not None:
            state.pop("figure", None)
        return state

    def __getattr__(self, name: str):  # noqa: ANN204 - only ever the figure
        """The figure of an unpickled chart, rebuilt from its JSON on first use (called only
        for an attribute the instance lacks, which is the figure a cached chart left out)."""
        spec = self.__dict__.get("spec")
        if name != "figure" or spec is None:
            raise AttributeError(name)
        import plotly.io

        figure = plotly.io.from_json(spec)
        self.__dict__["figure"] = figure
        return figure


@dataclass
class View:
    """What one page shows: its tables and charts (the Downloads page offers them all)."""

    title: str
    charts: list[Chart] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    metrics: dict[str, str] = field(default_factory=dict)
    # Plain sentences under the headline: where the benchmark comes from, what intervals and
    # verdicts mean. A view with any also gets the "How we worked this out" section.
    explanations: list[str] = field(default_factory=list)

    def chart(self, key: str) -> Chart:
        return next(c for c in self.charts if c.key == key)

    def table(self, key: str) -> Table:
        return next(t for t in self.tables if t.key == key)


class _SentFigure(go.Figure):
    """A figure already serialised by :func:`prepare`, handed to ``st.plotly_chart``.

    ``st.plotly_chart`` asks a plotly figure only for ``to_dict()`` (through
    ``plotly.tools.return_figure_from_figure_or_data``) and sends that as JSON, while a plain
    dict it would first rebuild into a validated Figure. This figure answers with the JSON made
    when the view was built, so a warm page neither rebuilds nor re-validates it; the page sends
    the same JSON (``tests/dashboards/test_render_cache.py``).
    """

    def __init__(self, spec: str) -> None:  # no Figure.__init__: nothing to validate again
        object.__setattr__(self, "_spec", spec)

    def to_dict(self) -> dict:
        return json.loads(self._spec)


def prepare(view: View) -> View:
    """Work out once what the page sends for ``view`` (each chart's JSON, each table's text),
    for a view that is cached and not changed afterwards."""
    import plotly.io

    for chart in view.charts:
        chart.spec = plotly.io.to_json(chart.figure, validate=False)
        chart.shown = _shown(chart.table)
    for table in view.tables:
        table.shown = _shown(table.frame)
    return view


def file_stem(text: str) -> str:
    """A safe file name from a title."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "table"


def _csv(frame: pd.DataFrame) -> bytes:
    from pipeline.present.exports import to_csv_bytes

    return to_csv_bytes(frame)


def _excel(sheet: str, frame: pd.DataFrame) -> bytes:
    from pipeline.present.exports import to_excel_bytes

    return to_excel_bytes({sheet[:31]: frame})


def table_downloads(frame: pd.DataFrame, title: str, key: str) -> None:
    """CSV and Excel download buttons for ``frame``."""
    stem = file_stem(title)
    left, right = st.columns(2)
    left.download_button(
        f"Download {title} (CSV)",
        data=lambda: _csv(frame),
        file_name=f"{stem}.csv",
        mime="text/csv",
        key=f"csv_{key}",
        on_click="ignore",
    )
    right.download_button(
        f"Download {title} (Excel)",
        data=lambda: _excel(title, frame),
        file_name=f"{stem}.xlsx",
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        key=f"xlsx_{key}",
        on_click="ignore",
    )


def chart_downloads(make_figure: Callable[[], go.Figure], title: str, key: str) -> None:
    """PNG and SVG download buttons for the figure ``make_figure`` returns: it is called (and
    the image made) only when a button is pressed (a cached chart rebuilds its figure then)."""
    from pipeline.present.exports import figure_png, figure_svg

    stem = file_stem(title)
    left, right = st.columns(2)
    left.download_button(
        f"Download {title} (PNG)",
        data=lambda: figure_png(make_figure()),
        file_name=f"{stem}.png",
        mime="image/png",
        key=f"png_{key}",
        on_click="ignore",
    )
    right.download_button(
        f"Download {title} (SVG)",
        data=lambda: figure_svg(make_figure()),
        file_name=f"{stem}.svg",
        mime="image/svg+xml",
        key=f"svg_{key}",
        on_click="ignore",
    )


def _shown(frame: pd.DataFrame) -> pd.DataFrame:
    """A public (plain) table as text, exactly as written; an analysis frame as it is."""
    if not frame.attrs.get("plain"):
        return frame
    from pipeline.present.plain_tables import display_text

    return display_text(frame)


def _footnote(frame: pd.DataFrame) -> None:
    from pipeline.present.plain_tables import NOTE_COLUMN, PUBLIC_FOOTNOTE, SUPPRESSED_FOOTNOTE

    if frame.attrs.get("plain") and NOTE_COLUMN in frame:
        st.caption(SUPPRESSED_FOOTNOTE)
    if frame.attrs.get("marked"):
        st.caption(PUBLIC_FOOTNOTE)


def show_table(table: Table, *, heading_level: int = 3) -> None:
    """A heading, the table and its downloads."""
    st.markdown(f"{'#' * heading_level} {table.title}")
    if table.frame.empty:
        st.info("Nothing to show for this selection.")
        return
    shown = _shown(table.frame) if table.shown is None else table.shown
    st.dataframe(shown, hide_index=True, width="stretch", key=f"df_{table.key}")
    _footnote(table.frame)
    table_downloads(table.download, table.title, table.key)


def show_chart(chart: Chart, *, heading_level: int = 3) -> None:
    """A heading, the chart, its text alternative, its data table and all four downloads."""
    st.markdown(f"{'#' * heading_level} {chart.title}")
    if chart.table.empty:
        st.info("Nothing to show for this selection.")
        return
    st.plotly_chart(
        chart.figure if chart.spec is None else _SentFigure(chart.spec),
        width="stretch",
        key=f"chart_{chart.key}",
        config={"displaylogo": False},
        # Streamlit's own chart theme would repaint the text grey (about 3.7:1 on white) and
        # undo the high-contrast option; the figure already carries its accessible colours.
        theme=None,
    )
    st.caption(f"Chart description: {chart.alt}")
    with st.expander(f"Data table: {chart.title}", expanded=True):
        shown = _shown(chart.table) if chart.shown is None else chart.shown
        st.dataframe(shown, hide_index=True, width="stretch", key=f"data_{chart.key}")
        _footnote(chart.table)
    table_downloads(chart.download, chart.title, f"{chart.key}_data")
    chart_downloads(chart.make_figure, chart.title, chart.key)


def show_metrics(metrics: dict[str, str]) -> None:
    """Headline figures side by side."""
    if not metrics:
        return
    for column, (label, value) in zip(st.columns(len(metrics)), metrics.items(), strict=True):
        column.metric(label, value)


def show_view(view: View) -> None:
    """Render a view in its natural order: charts (each with its table), then other tables."""
    for note in view.notes:
        st.info(note)
    show_metrics(view.metrics)
    for sentence in view.explanations:
        st.markdown(sentence)
    for chart in view.charts:
        show_chart(chart)
    for table in view.tables:
        show_table(table)
    if view.explanations:
        show_methods()


def show_methods() -> None:
    """The "How we worked this out" section the explanations link to."""
    from pipeline.present.plain_tables import METHODS_ANCHOR, METHODS_TEXT

    st.subheader("How we worked this out", anchor=METHODS_ANCHOR)
    st.markdown(METHODS_TEXT)
