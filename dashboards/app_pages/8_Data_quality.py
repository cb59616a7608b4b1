"""Data quality (commissioners): loads with lineage, quarantine, unmatched columns, coverage."""

import streamlit as st

from dashboards.context import page_context, require_commissioner
from dashboards.render import show_view
from dashboards.views import quality

require_commissioner()
filters, role = page_context()
view = quality.build(filters, role)
st.title(view.title)
show_view(view)
