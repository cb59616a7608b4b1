"""Budgets: people and spend by management option and reason, sizes, direct payments, reviews."""

import streamlit as st

from dashboards.context import page_context
from dashboards.plain import page_view
from dashboards.render import show_view
from dashboards.views import budgets

filters, role = page_context()
view = page_view(budgets.build, filters, role)
st.title(view.title)
show_view(view)
