"""Trends: every domain across waves with intervals and the improved / no change / worse verdict."""

import streamlit as st

from dashboards.context import page_context
from dashboards.render import show_view
from dashboards.views import trends

filters, role = page_context()
view = trends.build(filters, role)
st.title(view.title)
show_view(view)
