"""The sidebar filters and their mirror in the URL query string.

A link must reproduce a view, so every filter (council, wave, instrument, subgroup, weighted)
and both accessibility options live in ``st.query_params``. Parsing and serialising are plain
functions (tested without Streamlit); :func:`sidebar_filters` wires them to widgets, taking the
query string as the starting value and writing the widgets' values back on every run.

Not every page can use every filter: :data:`FILTER_PAGES` says which pages use which, and on the
others the filter is drawn disabled with the reason (its value is kept, so it comes back on the
pages that use it) and the page is given :meth:`Filters.for_page`, with that filter neutral.
A link's values are read forgivingly (:func:`read_link`): anything that is not a valid value
falls back to the nearest valid one and says so, never an exception.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from dataclasses import dataclass, replace

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
_TRUE = {"1", "true", "yes", "on", "y", "t"}
_FALSE = {"0", "false", "no", "off", "n", "f", ""}

# Page url paths (as in app.py) that use each filter. A page missing from every set here (a new
# page) gets every filter enabled; a filter is disabled only where we know it is not used.
_RESULT_PAGES = {"overview", "outcomes", "trends", "process", "carers", "compare"}
FILTER_PAGES: dict[str, tuple[frozenset[str], str]] = {
    "instrument": (
        frozenset(_RESULT_PAGES - {"carers"} | {"data-quality", "load-data", "downloads"}),
        "The Carers page always shows the carers' survey, and Budgets come from the budget "
        "register, so the survey choice does not change them; Official measures are ASCOF "
        "figures, not from the surveys.",
    ),
    "wave": (
        frozenset(_RESULT_PAGES - {"trends"} | {"data-quality", "load-data", "downloads"}),
        "Trends and Official measures show every year, and the budget register has no waves.",
    ),
    "subgroup": (
        frozenset({"outcomes", "downloads"}),
        "Subgroups apply to the Outcomes page (and its downloads) only.",
    ),
    "weighted": (
        frozenset({"overview", "process", "downloads"}),
        "Weighting applies to the shares on Overview and Process only: carers have no budget "
        "register to weight to, and answer distributions, trends and comparisons are unweighted.",
    ),
}
# Official measures (ASCOF) are per council and year: no survey, wave, subgroup or weighting.
_KNOWN_PAGES = frozenset().union(*(pages for pages, _ in FILTER_PAGES.values())) | {
    "budgets",
    "official",
}


def filter_note(name: str, page: str | None) -> str | None:
    """Why ``page`` cannot use the filter ``name`` (None when it can, or the page is unknown)."""
    pages, reason = FILTER_PAGES[name]
    if page is None or page not in _KNOWN_PAGES or page in pages:
        return None
    return reason


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

    def for_page(self, page: str | None) -> Filters:
        """These filters as ``page`` applies them: a subgroup or weighting it cannot use is off."""
        changes: dict[str, object] = {}
        if filter_note("subgroup", page):
            changes["subgroup"] = None
        if filter_note("weighted", page):
            changes["weighted"] = False
        return replace(self, **changes) if changes else self


def _first(value: object) -> str | None:
    if isinstance(value, list):
        value = value[0] if value else None
    return None if value is None else str(value)


def parse_flag(value: object) -> bool | None:
    """``1/true/yes/on`` -> True, ``0/false/no/off`` or empty -> False, anything else -> None."""
    text = (_first(value) or "").strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    return None


def _nearest_wave(wanted: int | None, waves: list[int]) -> int | None:
    if not waves:
        return None
    if wanted is None:
        return waves[-1]
    return min(waves, key=lambda w: (abs(w - wanted), -w))


def _nearest_council(wanted: str | None, councils: list[str]) -> str | None:
    if not councils:
        return None
    if wanted is None:
        return councils[0]
    folded = {c.casefold(): c for c in councils}
    if wanted.strip().casefold() in folded:
        return folded[wanted.strip().casefold()]
    close = difflib.get_close_matches(wanted.strip().casefold(), list(folded), n=1, cutoff=0.6)
    return folded[close[0]] if close else councils[0]


def read_link(params: Mapping[str, object], inventory: pd.DataFrame) -> tuple[Filters, list[str]]:
    """Filters from query parameters, and a note for each value that could not be used as given.

    ``inventory`` is ``pipeline.analysis.available(con)``: council, wave, instrument, returns.
    A council, wave or instrument not in the data is replaced by the nearest one that is
    (a council by spelling, a wave by year), so an old or mistyped link still opens a valid view.
    """
    notes: list[str] = []
    instruments = sorted(inventory["instrument"].unique()) if len(inventory) else []
    asked_instrument = _first(params.get("instrument"))
    instrument = asked_instrument
    if instrument not in instruments:
        instrument = (
            "poet-holder" if "poet-holder" in instruments or not instruments else instruments[0]
        )
        if asked_instrument is not None and instruments:
            notes.append(
                f"The link's survey '{asked_instrument}' is not loaded, so this shows "
                f"{INSTRUMENT_LABELS.get(instrument, instrument)}."
            )
    rows = inventory[inventory["instrument"] == instrument] if len(inventory) else inventory
    councils = sorted(rows["council"].unique()) if len(rows) else []
    asked_council = _first(params.get("council"))
    council = _nearest_council(asked_council, councils)
    if asked_council is not None and council is not None and asked_council != council:
        notes.append(
            f"The link's council '{asked_council}' has no {instrument} returns loaded, "
            f"so this shows {council}."
        )
    waves = (
        sorted(int(w) for w in rows.loc[rows["council"] == council, "wave"].unique())
        if council
        else []
    )
    wave_text = (_first(params.get("wave")) or "").strip()
    asked_wave = int(wave_text) if wave_text.lstrip("-").isdigit() else None
    wave = _nearest_wave(asked_wave, waves)
    if wave_text and wave is not None and asked_wave != wave:
        notes.append(
            f"The link's wave '{wave_text}' is not loaded for {council}, so this shows {wave}."
        )
    subgroup = _first(params.get("by"))
    if subgroup not in SUBGROUP_LABELS:
        if subgroup:
            notes.append(f"The link's subgroup '{subgroup}' is not one we offer: showing everyone.")
        subgroup = None
    flags: dict[str, bool] = {}
    for key, label in _FLAG_LABELS.items():
        value = parse_flag(params.get(key))
        if value is None:
            notes.append(
                f"The link's {key}='{_first(params.get(key))}' is not yes or no, so {label} is off."
            )
        flags[key] = bool(value)
    filters = Filters(
        council=council,
        wave=wave,
        instrument=instrument,
        subgroup=subgroup,
        weighted=flags["weighted"],
        high_contrast=flags["contrast"],
        large_text=flags["large_text"],
    )
    return filters, notes


_FLAG_LABELS = {
    "weighted": "weighting",
    "contrast": "high contrast",
    "large_text": "larger text",
}


def parse_filters(params: Mapping[str, object], inventory: pd.DataFrame) -> Filters:
    """Filters from query parameters (:func:`read_link` without its notes)."""
    return read_link(params, inventory)[0]


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


def sidebar_filters(inventory: pd.DataFrame, page: str | None = None) -> Filters:
    """Render the filter widgets in the sidebar and keep the query string in step with them.

    ``page`` is the url path of the page about to run: a filter it cannot use is disabled, with
    the reason beneath it. The returned filters are the viewer's choices; a page gets
    ``filters.for_page(page)``.
    """
    import streamlit as st

    start, notes = read_link(dict(st.query_params.to_dict()), inventory)
    instruments = sorted(inventory["instrument"].unique()) if len(inventory) else [start.instrument]
    first_run = "f_instrument" not in st.session_state  # the link is read once per session

    def seed(key: str, value: object, options: list | None = None) -> None:
        current = st.session_state.get(key, value)
        if options is not None and current not in options:
            current = value
        st.session_state[key] = current

    def scoped(name: str) -> dict:
        note = filter_note(name, page)
        return {"disabled": note is not None, "help": note} if note else {}

    def reason(name: str) -> None:
        note = filter_note(name, page)
        if note:
            st.caption(f"Not used on this page. {note}")

    with st.sidebar:
        st.header("Filters", anchor=False)
        if first_run:
            for note in notes:
                st.warning(note)
        seed("f_instrument", start.instrument, instruments)
        instrument = st.selectbox(
            "Survey",
            instruments,
            key="f_instrument",
            format_func=lambda i: INSTRUMENT_LABELS.get(i, i),
            **scoped("instrument"),
        )
        reason("instrument")
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
            wave = st.selectbox("Wave", waves, key="f_wave", **scoped("wave"))
            reason("wave")
        else:
            st.info("No survey data is loaded yet.")
        subgroups = ["", *SUBGROUP_LABELS]
        seed("f_subgroup", start.subgroup or "", subgroups)
        subgroup = st.selectbox(
            "Subgroup",
            subgroups,
            key="f_subgroup",
            format_func=lambda s: SUBGROUP_LABELS.get(s, "None (everyone)"),
            **scoped("subgroup"),
        )
        reason("subgroup")
        seed("f_weighted", start.weighted)
        weighted = st.toggle(
            "Weighted to the budget register",
            key="f_weighted",
            help=filter_note("weighted", page)
            or "Reweights respondents so each management option and support reason counts "
            "in proportion to the people holding budgets.",
            disabled=filter_note("weighted", page) is not None,
        )
        reason("weighted")
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


def peer_group(peers: list[str] | None, council: str | None) -> list[str]:
    """A peer group always holds the council being compared (an empty group means everyone)."""
    peers = list(peers or [])
    if peers and council and council not in peers:
        peers = [council, *peers]
    return peers


def page_multiselect(
    label: str, options: list[str], *, param: str, required: str | None = None
) -> list[str]:
    """A page's own multiple choice (a peer group), kept in the query string comma-separated.

    ``required`` (the selected council) is put back whenever anything is chosen, with a caption
    saying so: a peer group without the council being compared compares nothing.
    """
    import streamlit as st

    key = f"p_{param}"
    unknown: list[str] = []
    if key not in st.session_state:
        wanted = [w.strip() for w in (_first(st.query_params.get(param)) or "").split(",")]
        unknown = [w for w in wanted if w and w not in options]
        st.session_state[key] = [w for w in wanted if w in options]
    chosen = [v for v in st.session_state[key] if v in options]
    restored = required in options and peer_group(chosen, required) != chosen
    if restored:
        chosen = peer_group(chosen, required)
    st.session_state[key] = chosen
    chosen = st.multiselect(label, options, key=key)
    if restored:
        st.caption(f"{required} is the council being compared, so it stays in the peer group.")
    if unknown:
        st.caption("Not loaded, so left out of the peer group: " + ", ".join(unknown) + ".")
    text = ",".join(chosen)
    if text and st.query_params.get(param) != text:
        st.query_params[param] = text
    elif not text and param in st.query_params:
        del st.query_params[param]
    return chosen
