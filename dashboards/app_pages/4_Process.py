"""Process: each step of self-directed support, and the odds ratios linking steps to outcomes."""

import streamlit as st

from dashboards.context import page_context
from dashboards.plain import page_view
from dashboards.render import show_view
from dashboards.state import page_select
from dashboards.views import process
from dashboards.views.outcomes import domain_choices

filters, role = page_context()
st.title(f"Process: {filters.council}, wave {filters.wave}")
labels = domain_choices(filters.instrument)
default = "out_quality_of_life" if "out_quality_of_life" in labels else None
outcome = page_select(
    "Outcome to explain",
    list(labels),
    param="outcome",
    format_func=lambda code: labels[code],
    default=default,
)
view = page_view(process.build, filters, role, outcome, labels[outcome])
show_view(view)
