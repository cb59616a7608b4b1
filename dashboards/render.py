"""How a page shows a table or a chart: always with its downloads, a chart always with its data.

A :class:`Chart` carries its figure, a text alternative and the table it was drawn from; the
page shows the chart, the alt text as a caption, the table in an expander, and PNG/SVG
downloads. A :class:`Table` carries a frame; the page shows it with CSV and Excel downloads.
Static images are made only when someone presses the download button (deferred data), so
rendering a page never starts the image exporter's browser.
"""

from __future__ import annotations

import re
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

    @property
    def download(self) -> pd.DataFrame:
        """What the CSV and Excel downloads hold: the analysis frame when signed in."""
        return self.table if self.analysis is None else self.analysis


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


def chart_downloads(figure: go.Figure, title: str, key: str) -> None:
    """PNG and SVG download buttons for ``figure`` (made on demand)."""
    from pipeline.present.exports import figure_png, figure_svg

    stem = file_stem(title)
    left, right = st.columns(2)
    left.download_button(
        f"Download {title} (PNG)",
        data=lambda: figure_png(figure),
        file_name=f"{stem}.png",
        mime="image/png",
        key=f"png_{key}",
        on_click="ignore",
    )
    right.download_button(
        f"Download {title} (SVG)",
        data=lambda: figure_svg(figure),
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
    st.dataframe(_shown(table.frame), hide_index=True, width="stretch", key=f"df_{table.key}")
    _footnote(table.frame)
    table_downloads(table.download, table.title, table.key)


def show_chart(chart: Chart, *, heading_level: int = 3) -> None:
    """A heading, the chart, its text alternative, its data table and all four downloads."""
    st.markdown(f"{'#' * heading_level} {chart.title}")
    if chart.table.empty:
        st.info("Nothing to show for this selection.")
        return
    st.plotly_chart(
        chart.figure,
        width="stretch",
        key=f"chart_{chart.key}",
        config={"displaylogo": False},
        # Streamlit's own chart theme would repaint the text grey (about 3.7:1 on white) and
        # undo the high-contrast option; the figure already carries its accessible colours.
        theme=None,
    )
    st.caption(f"Chart description: {chart.alt}")
    with st.expander(f"Data table: {chart.title}", expanded=True):
        st.dataframe(_shown(chart.table), hide_index=True, width="stretch", key=f"data_{chart.key}")
        _footnote(chart.table)
    table_downloads(chart.download, chart.title, f"{chart.key}_data")
    chart_downloads(chart.figure, chart.title, chart.key)


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
