"""Official measures: the council's ASCOF figures against its region and England."""

import streamlit as st

from dashboards.context import page_context
from dashboards.plain import page_view
from dashboards.render import show_view
from dashboards.views import official

filters, role = page_context()
st.title(f"Official measures: {filters.council}")
view = page_view(official.build, filters, role)  # one chart per measure: build once, keep
show_view(view)
