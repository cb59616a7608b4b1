"""What a page needs from the app shell: the filters and the viewer's role.

``app.py`` renders the sidebar, works out the role and stores both in session state before it
runs the page, so a page script starts with ``filters, role = page_context()``.
"""

from __future__ import annotations

import streamlit as st

from dashboards.auth import COMMISSIONER, PUBLIC
from dashboards.state import Filters


def page_context() -> tuple[Filters, str]:
    """The current filters and role; stops the page politely when no data is loaded yet."""
    filters: Filters | None = st.session_state.get("filters")
    role: str = st.session_state.get("role", PUBLIC)
    if filters is None or not filters.ready:
        st.info(
            "No survey data is loaded yet. Run `outcomes demo` for demonstration data, or load "
            "a council's file with `outcomes ingest survey` (or the Load data page)."
        )
        st.stop()
    return filters, role


def require_commissioner() -> None:
    """Stop a page that only commissioners may see (the navigation hides it too)."""
    if st.session_state.get("role") != COMMISSIONER:
        st.warning("Sign in as a commissioner to see this page.")
        st.stop()
