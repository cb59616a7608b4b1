"""Trends: every domain across waves with intervals and the improved / no change / worse verdict."""

import streamlit as st

from dashboards.context import page_context
from dashboards.plain import page_view
from dashboards.render import show_view
from dashboards.state import page_select
from dashboards.views import outcomes, trends

filters, role = page_context()
st.title(f"Trends: {filters.council}")
domains = list(outcomes.domain_choices(filters.instrument).values())
domain = page_select("Outcome domain", [trends.ALL_DOMAINS, *domains], param="trend_domain")
view = page_view(trends.build, filters, role, domain)
show_view(view)
