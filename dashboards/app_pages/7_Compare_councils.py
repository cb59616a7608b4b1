"""Compare councils: a funnel plot and ranked table, against all councils or a peer group."""

import streamlit as st

from dashboards.context import page_context
from dashboards.data import query
from dashboards.plain import page_view
from dashboards.render import show_view
from dashboards.state import page_multiselect, page_select
from dashboards.views import compare
from dashboards.views.outcomes import domain_choices

filters, role = page_context()
st.title(f"Compare councils: wave {filters.wave}")
labels = domain_choices(filters.instrument)
question_code = page_select(
    "Outcome domain", list(labels), param="domain", format_func=lambda code: labels[code]
)
group = page_select(
    "Compare with",
    list(compare.GROUP_CHOICES),
    param="group",
    format_func=lambda key: compare.GROUP_CHOICES[key],
    default="chosen",
)
peers: list[str] = []
if group == "chosen":
    peers = page_multiselect(
        "Peer group (leave empty to compare with all loaded councils)",
        query("councils"),
        param="peers",
        required=filters.council,
    )
view = page_view(compare.build, filters, role, question_code, labels[question_code], peers, group)
show_view(view)
