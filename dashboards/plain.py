"""What each viewer sees of a view: every on-screen table plain (:mod:`pipeline.present.plain_tables`).

The public sees plain headings, labels, rounded numbers and blanks, with small numbers hidden.
A signed-in commissioner sees the same plain headings and labels on screen, plus p values and
the small numbers the public does not see, each marked; their CSV and Excel downloads keep the
analysis frame (codes, kinds, test statistics) because those are for analysts to work with
(docs/decisions.md D36). Which cells are marked comes from the public view of the same page
(:func:`mark_public_hidden`), so the two views always agree on what is small (D37).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pandas as pd
import streamlit as st

from dashboards.auth import COMMISSIONER
from dashboards.render import View, prepare
from pipeline.present.plain_tables import analyst_table, mark_cells, plain_table


def make_public(
    view: View,
    role: str,
    *,
    instrument: str | None = None,
    subgroup: str | None = None,
    headings: dict[str, dict[str, str]] | None = None,
) -> View:
    """``view`` with each chart's table and each table made plain for ``role``.

    ``headings`` maps a chart or table key to heading overrides for that table only.
    """
    headings = headings or {}
    signed_in = role == COMMISSIONER

    def plain(frame, key):
        make = analyst_table if signed_in else plain_table
        table = make(frame, instrument=instrument, subgroup=subgroup, headings=headings.get(key))
        table.attrs["plain"] = True
        return table

    for chart in view.charts:
        if signed_in:  # downloads keep the analysis frame
            chart.analysis, chart.table = chart.table, plain(chart.table, chart.key)
        else:
            # Each keeps the protected frame its plain table was made from: the disclosure
            # auditor attacks that, since it holds every figure the plain table shows and more.
            chart.protected, chart.table = chart.table, plain(chart.table, chart.key)
    for table in view.tables:
        if signed_in:
            table.analysis, table.frame = table.frame, plain(table.frame, table.key)
        else:
            table.protected, table.frame = table.frame, plain(table.frame, table.key)
    return view


def public_hidden(analysis: pd.DataFrame, protected: pd.DataFrame | None) -> set[tuple[int, str]]:
    """``(row position, analysis column)`` of every figure ``analysis`` shows that the public
    frame of the same table (``protected``, as the disclosure module published it) does not.

    Rows are matched by index label (the views filter but never renumber); a row the public
    view leaves out altogether has all its figures hidden.
    """
    cells: set[tuple[int, str]] = set()
    numeric = [c for c in analysis.columns if pd.api.types.is_numeric_dtype(analysis[c])]
    numeric = [c for c in numeric if not pd.api.types.is_bool_dtype(analysis[c])]
    for position, label in enumerate(analysis.index):
        public_row = (
            protected.loc[label] if protected is not None and label in protected.index else None
        )
        for column in numeric:
            if pd.isna(analysis.at[label, column]):
                continue
            if public_row is None or column not in public_row or pd.isna(public_row[column]):
                cells.add((position, column))
    return cells


def mark_public_hidden(view: View, public: View) -> View:
    """Mark in the signed-in ``view`` exactly the cells the ``public`` view of the page hides."""
    public_frames = {c.key: c.protected for c in public.charts}
    public_frames |= {t.key: t.protected for t in public.tables}
    signed_in = [(c.key, c.analysis, c.table) for c in view.charts]
    signed_in += [(t.key, t.analysis, t.frame) for t in view.tables]
    for key, analysis, table in signed_in:
        if analysis is None or key not in public_frames:
            continue
        names = table.attrs.get("headings", {})
        cells = public_hidden(analysis, public_frames[key])
        mark_cells(table, {(row, names[col]) for row, col in cells if names.get(col) in table})
    return view


# Which data each page's view reads, so its cached view is dropped only when that data changes
# (pipeline.analysis.versions). "council": only the council's own rows (every wave) and reference
# data; "council_wave": those and the other councils of the wave (pooled benchmarks). A builder
# not listed here (Trends, Compare councils, Data quality) is keyed on the whole data.
VIEW_SCOPES = {
    "dashboards.views.overview": "council_wave",
    "dashboards.views.carers": "council_wave",
    "dashboards.views.process": "council_wave",
    "dashboards.views.outcomes": "council",
    "dashboards.views.budgets": "council",
    "dashboards.views.official": "council",
}
_VIEW_CACHE_SECONDS = 3600


def _build_page_view(build: Callable[..., View], filters, role: str, *args, **kwargs) -> View:
    from dashboards.auth import PUBLIC

    view = build(filters, role, *args, **kwargs)
    if role == COMMISSIONER:
        mark_public_hidden(view, build(filters, PUBLIC, *args, **kwargs))
    return prepare(view)  # after the marks: a marked cell's text ends in "*"


@st.cache_data(ttl=_VIEW_CACHE_SECONDS, max_entries=1000, show_spinner=False)
def _cached_page_view(
    key: tuple, _build: Callable[..., View], _filters, _role: str, _args: tuple, _kwargs: dict
) -> View:
    """The built view, cached whole (figures, plain tables, marks): ``key`` says what it shows
    and which version of the data it was built from; the other arguments are not hashed."""
    return _build_page_view(_build, _filters, _role, *_args, **_kwargs)


def view_key(build: Callable[..., View], filters, role: str, *args: Any, **kwargs: Any) -> tuple:
    """What a page's view depends on: builder, filters, role, page choices and data version."""
    from dashboards.data import data_versions, database_path

    path = database_path()
    versions = data_versions(path)
    scope = VIEW_SCOPES.get(build.__module__)
    if scope == "council":
        token = versions.scope(council=filters.council, pooled=False)
    elif scope == "council_wave":
        token = versions.scope(council=filters.council, wave=filters.wave)
    else:
        token = ("all", versions.everything)
    name = f"{build.__module__}.{build.__qualname__}"
    choices = (repr(args), repr(sorted(kwargs.items())))
    return (name, repr(filters), role, choices, str(path), token)


def page_view(build, filters, role: str, *args, **kwargs) -> View:
    """``build(filters, role, ...)``; signed in, with the public view's hidden cells marked.

    The public view is built by the same function, so its disclosure result (whatever the
    page uses: ``pipeline.disclosure`` ``protect`` or ``publication.publish``) is the one the
    marks follow. The finished view (figures and tables, not only the queries under it) is
    cached per filters, role, page choices and the version of the data it reads, so a page
    seen before costs no rebuilding, and the Downloads page reuses the pages' own views.
    """
    key = view_key(build, filters, role, *args, **kwargs)
    return _cached_page_view(key, build, filters, role, args, kwargs)
