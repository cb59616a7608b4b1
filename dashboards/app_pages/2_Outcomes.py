"""Outcomes: one domain at a time, the full answer scale, by subgroup, weighted or not."""

import streamlit as st

from dashboards.context import page_context
from dashboards.plain import page_view
from dashboards.render import show_view
from dashboards.state import page_select
from dashboards.views import outcomes

filters, role = page_context()
st.title("Outcomes")
labels = outcomes.domain_choices(filters.instrument)
question_code = page_select(
    "Outcome domain", list(labels), param="domain", format_func=lambda code: labels[code]
)
view = page_view(outcomes.build, filters, role, question_code)
st.header(view.title, anchor=False)
show_view(view)
