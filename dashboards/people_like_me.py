"""The People like me page's figures: the wave's publication, exactly as the report set makes it.

The static page (``pipeline.reports.people_like_me``) shows every council's groups of a wave as
one publication, published beside the results pages' outcome figures, which are themselves
published with the process answer spreads. A dashboard page that protected one council alone
could hide different cells and, side by side with the static page, give a hidden count away. So
this calls the same functions in the same order (``analysis.results`` for every council,
``analysis.process_answer_spreads``, ``disclosure.pages.publish_results``,
``analysis.people_like_me``, ``disclosure.people_like_me.publish_people_like_me``), through
``dashboards.data`` so every call is cached, and caches the published frame on the data version.
Everyone, signed in or not, sees the published figures: this is a public page.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboards.data import data_versions, query


@st.cache_data(ttl=3600, max_entries=20, show_spinner=False)
def _published(wave: int, instrument: str, version: str) -> pd.DataFrame:
    from pipeline.disclosure.pages import publish_results
    from pipeline.disclosure.people_like_me import publish_people_like_me

    raw = {
        section: query("results", council=None, wave=wave, instrument=instrument, section=section)
        for section in ("outcomes", "process")
    }
    councils = sorted(raw["process"]["council"].unique()) if len(raw["process"]) else []
    spreads = query(
        "process_answer_spreads", wave=wave, instrument=instrument, councils=tuple(councils)
    )
    published = publish_results(raw, answers={"process": spreads})
    people = query("people_like_me", wave=wave, instrument=instrument)
    return publish_people_like_me(people, published["outcomes"])


def published_wave(wave: int, instrument: str = "poet-holder") -> pd.DataFrame:
    """Every council's "people like me" rows of ``wave`` as the report set publishes them."""
    return _published(int(wave), instrument, data_versions().everything).copy()
