"""Downloads: every table on every page as CSV and Excel, every chart as PNG and SVG.

Built on request (issue 12 item 4): the page builds only the view of the page a reader picks,
and the one-workbook download builds the others only when it is clicked, so opening Downloads
costs one page's view, not every page's.
"""

import streamlit as st

from dashboards.context import page_context
from dashboards.render import chart_downloads, file_stem, table_downloads
from dashboards.views.catalogue import builders, every_sheet
from pipeline.present.exports import to_excel_bytes

filters, role = page_context()
st.title("Downloads")
st.markdown(
    f"Tables and charts for **{filters.council}**, wave **{filters.wave}**, as the pages show "
    "them with the current filters."
    + ("" if role == "commissioner" else " Small numbers are suppressed in the public view.")
)
pages = builders(
    filters,
    role,
    domain=st.session_state.get("p_domain") or st.query_params.get("domain"),
    outcome=st.session_state.get("p_outcome") or st.query_params.get("outcome"),
    peers=st.session_state.get("p_peers")
    or [p for p in (st.query_params.get("peers") or "").split(",") if p],
)


st.download_button(
    "Download every table (one Excel workbook)",
    data=lambda: to_excel_bytes(every_sheet(pages), title="Self-directed support outcomes"),
    file_name=f"outcomes-{file_stem(str(filters.council))}-{filters.wave}.xlsx",
    mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    key="all_tables",
    on_click="ignore",
)
name = st.selectbox(
    "Tables and charts of one page",
    list(pages),
    key="downloads_page",
    help="Each page's tables as CSV and Excel, and its charts as PNG and SVG.",
)
view = pages[name]()
st.header(name, anchor=False)
if not view.charts and not view.tables:
    st.caption("Nothing to download for this selection.")
for chart in view.charts:
    st.subheader(chart.title, anchor=False)
    table_downloads(chart.download, chart.title, f"dl_{file_stem(name)}_{chart.key}_data")
    chart_downloads(chart.make_figure, chart.title, f"dl_{file_stem(name)}_{chart.key}")
for table in view.tables:
    st.subheader(table.title, anchor=False)
    table_downloads(table.download, table.title, f"dl_{file_stem(name)}_{table.key}")
