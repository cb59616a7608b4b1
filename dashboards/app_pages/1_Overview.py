"""Overview: for the chosen council, wave and instrument, every outcome domain at a glance."""

import streamlit as st

from dashboards.context import page_context
from dashboards.plain import page_view
from dashboards.render import show_view
from dashboards.views import overview

filters, role = page_context()
view = page_view(overview.build, filters, role)
st.title(view.title)
show_view(view)
