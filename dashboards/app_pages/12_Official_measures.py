"""Official measures: the council's ASCOF figures against its region and England."""

import streamlit as st

from dashboards.context import page_context
from dashboards.render import show_view
from dashboards.views import official

filters, role = page_context()
st.title(f"Official measures: {filters.council}")
view = official.build(filters, role)
show_view(view)
