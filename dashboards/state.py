"""The sidebar filters and their mirror in the URL query string.

A link must reproduce a view, so every filter (council, wave, instrument, subgroup, weighted)
and both accessibility options live in ``st.query_params``. Parsing and serialising are plain
functions (tested without Streamlit); :func:`sidebar_filters` wires them to widgets, taking the
query string as the starting value and writing the widgets' values back on every run.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import pandas as pd

SUBGROUP_LABELS = {
    "management_option": "How the budget is managed",
    "support_reason": "Main reason for support",
    "age_band": "Age band",
    "gender": "Gender",
    "ethnicity": "Ethnic group",
    "budget_band": "Budget a year",
    "held_for": "Time with a budget",
}
INSTRUMENT_LABELS = {
    "poet-holder": "Personal budget holders",
    "poet-carer": "Carers",
}
_TRUE = {"1", "true", "yes", "on"}


@dataclass(frozen=True)
class Filters:
    """What every page is asked to show."""

    council: str | None
    wave: int | None
    instrument: str
    subgroup: str | None = None
    weighted: bool = False
    high_contrast: bool = False
    large_text: bool = False

    @property
    def ready(self) -> bool:
        """True when there is a council and wave to show (data is loaded)."""
        return self.council is not None and self.wave is not None


def _first(value: object) -> str | None:
    if isinstance(value, list):
        value = value[0] if value else None
    return None if value is None else str(value)


def _flag(params: Mapping[str, object], key: str) -> bool:
    return (_first(params.get(key)) or "").strip().lower() in _TRUE


def parse_filters(params: Mapping[str, object], inventory: pd.DataFrame) -> Filters:
    """Filters from query parameters, falling back to loaded data where a value is absent or stale.

    ``inventory`` is ``pipeline.analysis.available(con)``: council, wave, instrument, returns.
    A council, wave or instrument not in the data is replaced by the first one that is, so an
    old link still opens a valid view.
    """
    instruments = sorted(inventory["instrument"].unique()) if len(inventory) else []
    instrument = _first(params.get("instrument"))
    if instrument not in instruments:
        instrument = (
            "poet-holder" if "poet-holder" in instruments or not instruments else instruments[0]
        )
    rows = inventory[inventory["instrument"] == instrument] if len(inventory) else inventory
    councils = sorted(rows["council"].unique()) if len(rows) else []
    council = _first(params.get("council"))
    if council not in councils:
        council = councils[0] if councils else None
    waves = (
        sorted(int(w) for w in rows.loc[rows["council"] == council, "wave"].unique())
        if council
        else []
    )
    wave_text = _first(params.get("wave"))
    wave = int(wave_text) if wave_text and wave_text.lstrip("-").isdigit() else None
    if wave not in waves:
        wave = waves[-1] if waves else None
    subgroup = _first(params.get("by"))
    if subgroup not in SUBGROUP_LABELS:
        subgroup = None
    return Filters(
        council=council,
        wave=wave,
        instrument=instrument,
        subgroup=subgroup,
        weighted=_flag(params, "weighted"),
        high_contrast=_flag(params, "contrast"),
        large_text=_flag(params, "large_text"),
    )


def to_query(filters: Filters) -> dict[str, str]:
    """The query string for ``filters`` (defaults left out so links stay short)."""
    query: dict[str, str] = {"instrument": filters.instrument}
    if filters.council is not None:
        query["council"] = filters.council
    if filters.wave is not None:
        query["wave"] = str(filters.wave)
    if filters.subgroup:
        query["by"] = filters.subgroup
    if filters.weighted:
        query["weighted"] = "1"
    if filters.high_contrast:
        query["contrast"] = "1"
    if filters.large_text:
        query["large_text"] = "1"
    return query


def sidebar_filters(inventory: pd.DataFrame) -> Filters:
    """Render the filter widgets in the sidebar and keep the query string in step with them."""
    import streamlit as st

    start = parse_filters(dict(st.query_params.to_dict()), inventory)
    instruments = sorted(inventory["instrument"].unique()) if len(inventory) else [start.instrument]

    def seed(key: str, value: object, options: list | None = None) -> None:
        current = st.session_state.get(key, value)
        if options is not None and current not in options:
            current = value
        st.session_state[key] = current

    with st.sidebar:
        st.header("Filters", anchor=False)
        seed("f_instrument", start.instrument, instruments)
        instrument = st.selectbox(
            "Survey",
            instruments,
            key="f_instrument",
            format_func=lambda i: INSTRUMENT_LABELS.get(i, i),
        )
        rows = inventory[inventory["instrument"] == instrument] if len(inventory) else inventory
        councils = sorted(rows["council"].unique()) if len(rows) else []
        council = None
        wave = None
        if councils:
            seed("f_council", start.council if start.council in councils else councils[0], councils)
            council = st.selectbox("Council", councils, key="f_council")
            waves = sorted(int(w) for w in rows.loc[rows["council"] == council, "wave"].unique())
            default_wave = start.wave if start.wave in waves else waves[-1]
            seed("f_wave", default_wave, waves)
            wave = st.selectbox("Wave", waves, key="f_wave")
        else:
            st.info("No survey data is loaded yet.")
        subgroups = ["", *SUBGROUP_LABELS]
        seed("f_subgroup", start.subgroup or "", subgroups)
        subgroup = st.selectbox(
            "Subgroup",
            subgroups,
            key="f_subgroup",
            format_func=lambda s: SUBGROUP_LABELS.get(s, "None (everyone)"),
        )
        seed("f_weighted", start.weighted)
        weighted = st.toggle(
            "Weighted to the budget register",
            key="f_weighted",
            help="Reweights respondents so each management option and support reason counts "
            "in proportion to the people holding budgets.",
        )
        st.header("Display", anchor=False)
        seed("f_contrast", start.high_contrast)
        high_contrast = st.toggle("High contrast", key="f_contrast")
        seed("f_large_text", start.large_text)
        large_text = st.toggle("Larger text", key="f_large_text")

    filters = Filters(
        council=council,
        wave=wave,
        instrument=instrument,
        subgroup=subgroup or None,
        weighted=weighted,
        high_contrast=high_contrast,
        large_text=large_text,
    )
    wanted = to_query(filters)
    for key in [k for k in st.query_params if k not in wanted and k in _OWNED_KEYS]:
        del st.query_params[key]
    for key, value in wanted.items():
        if st.query_params.get(key) != value:
            st.query_params[key] = value
    return filters


_OWNED_KEYS = {"instrument", "council", "wave", "by", "weighted", "contrast", "large_text"}


def page_select(
    label: str,
    options: list[str],
    *,
    param: str,
    format_func=str,
    default: str | None = None,
) -> str:
    """A page's own choice (a domain, an outcome) kept in the query string like the filters."""
    import streamlit as st

    key = f"p_{param}"
    if st.session_state.get(key) not in options:
        wanted = _first(st.query_params.get(param))
        fallback = default if default in options else options[0]
        st.session_state[key] = wanted if wanted in options else fallback
    choice = st.selectbox(label, options, key=key, format_func=format_func)
    if st.query_params.get(param) != choice:
        st.query_params[param] = choice
    return choice


def page_multiselect(label: str, options: list[str], *, param: str) -> list[str]:
    """A page's own multiple choice (a peer group), kept in the query string comma-separated."""
    import streamlit as st

    key = f"p_{param}"
    if key not in st.session_state:
        wanted = (_first(st.query_params.get(param)) or "").split(",")
        st.session_state[key] = [w for w in wanted if w in options]
    st.session_state[key] = [v for v in st.session_state[key] if v in options]
    chosen = st.multiselect(label, options, key=key)
    text = ",".join(chosen)
    if text and st.query_params.get(param) != text:
        st.query_params[param] = text
    elif not text and param in st.query_params:
        del st.query_params[param]
    return chosen
