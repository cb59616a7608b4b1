"""Carers: the carers' survey, shown the same way as the Overview."""

import streamlit as st

from dashboards.context import page_context
from dashboards.plain import page_view
from dashboards.render import show_view
from dashboards.views import carers

filters, role = page_context()
st.title(f"Carers: {filters.council}, wave {filters.wave}")
view = page_view(carers.build, filters, role)
show_view(view)
