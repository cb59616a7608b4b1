"""The outcomes dashboard: ``outcomes dashboard`` or ``streamlit run dashboards/app.py``.

This script is the shell every page runs inside: it works out who is looking, draws the sidebar
filters (mirrored in the URL), applies the display options and offers only the pages the viewer
may see. Pages live in ``dashboards/app_pages/`` and only call ``pipeline.analysis`` through
``dashboards.data``.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # `streamlit run` puts only dashboards/ on the path
    sys.path.insert(0, str(ROOT))

import pandas as pd  # noqa: E402
import streamlit as st  # noqa: E402

from dashboards import auth, data, state, theme  # noqa: E402

# Not "pages/": Streamlit treats a pages/ folder beside the main script as a legacy multipage
# app, and the first widget interaction of every session is then lost when st.navigation
# takes over (found by the browser test: the first sign-in attempt arrived empty).
PAGES = Path(__file__).resolve().parent / "app_pages"

st.set_page_config(
    page_title="Self-directed support outcomes",
    layout="wide",
    initial_sidebar_state="auto",  # collapsed on a phone, so the page is not hidden
)

role = auth.current_role()


def _page(file: str, title: str, url: str, **options) -> st.Page:
    return st.Page(PAGES / file, title=title, url_path=url, **options)


results_pages = [
    # The default page is served at "/" whatever its url_path, so "/overview" needs a page of
    # its own: the same script, hidden from the menu (a shared or bookmarked /overview opens).
    _page("1_Overview.py", "Overview", "home", default=True),
    _page("2_Outcomes.py", "Outcomes", "outcomes"),
    _page("3_Trends.py", "Trends", "trends"),
    _page("4_Process.py", "Process", "process"),
    _page("5_Budgets.py", "Budgets", "budgets"),
    _page("6_Carers.py", "Carers", "carers"),
    _page("7_Compare_councils.py", "Compare councils", "compare"),
    _page("12_Official_measures.py", "Official measures", "official"),
    _page("14_You_said.py", "You said, we did", "you-said"),
    _page("15_Making_it_Real.py", "Making it Real", "making-it-real"),
    _page("17_People_like_me.py", "People like me", "people-like-me"),
]
other_pages = [_page("10_Downloads.py", "Downloads", "downloads")]
if role == auth.COMMISSIONER:
    # Lineage, quarantine and loading describe individual rows of councils' files.
    other_pages = [
        _page("8_Data_quality.py", "Data quality", "data-quality"),
        _page("9_Load_data.py", "Load data", "load-data"),
        _page("11_Quotes.py", "Quotes", "quotes"),  # comments as written are personal data
        _page("13_Actions.py", "Actions", "actions"),  # owners and unpublished actions
        _page("16_Peer_responses.py", "Peer responses", "peer-responses"),  # contacts
        *other_pages,
    ]
hidden_pages = [_page("1_Overview.py", "Overview", "overview", visibility="hidden")]

# One flat list: sectioned navigation puts its section headings straight inside the <ul>,
# which axe reports as a serious list-structure violation for screen readers.
# expanded=True: with more than twelve pages Streamlit would otherwise hide all but ten behind
# "View more", and a commissioner's Load data and Quotes links would be out of sight.
navigation = st.navigation([*results_pages, *other_pages, *hidden_pages], expanded=True)
page = navigation.url_path or "overview"  # the default page's url_path is ""
theme.apply_base_css()  # before any filter is drawn

if data.database_exists():
    inventory = data.query("available")
else:
    inventory = pd.DataFrame(columns=["council", "wave", "instrument", "returns"])
filters = state.sidebar_filters(inventory, page=page)
theme.apply_display_options(high_contrast=filters.high_contrast, large_text=filters.large_text)
auth.sign_in_panel()
st.session_state["filters"] = filters.for_page(page)
st.session_state["role"] = role

navigation.run()
st.caption(
    (
        "Commissioner view: all figures. "
        if role == auth.COMMISSIONER
        else "Public view: small "
        "numbers are suppressed and percentages withheld where bases are small. "
    )
    + data.environment_db_note()
)
