"""The signed-in (commissioner) pages: plain on screen, analysis frames in the downloads, and
small numbers marked exactly where the public view of the same page hides them."""

from __future__ import annotations

import re

import pandas as pd
import pytest

from tests.dashboards.test_pages import QUERY, _walk, open_page


def frame(at, title: str) -> pd.DataFrame:
    """The first table after the heading ``title``, under the headings the page shows."""
    seen = False
    for node in _walk(at.main):
        if node.type == "markdown" and str(node.value).lstrip("# ").strip() == title:
            seen = True
        elif seen and node.type == "dataframe":
            return node.value
    raise AssertionError(f"no table under the heading {title!r}")


BAD_CELLS = {"None", "none", "nan", "NaN", "<NA>", "NaT"}
SIGNED_IN_PAGES = [
    "1_Overview.py",
    "2_Outcomes.py",
    "3_Trends.py",
    "4_Process.py",
    "5_Budgets.py",
    "6_Carers.py",
    "7_Compare_councils.py",
]
SNAKE = re.compile(r"^[a-z0-9]+(_[a-z0-9]+)+$")
CODES = re.compile(r"^(out|proc|about|carer)_[a-z_]+$")


@pytest.mark.parametrize("page", SIGNED_IN_PAGES)
def test_signed_in_pages_are_plain(dashboard_db, monkeypatch, page) -> None:
    query = {**QUERY, "by": "management_option"}
    at = open_page(dashboard_db, monkeypatch, page, query=query)
    tables = [node.value for node in _walk(at.main) if node.type == "dataframe"]
    assert tables
    for table in tables:
        assert not [c for c in table.columns if SNAKE.match(str(c))], list(table.columns)
        cells = {str(v) for v in table.astype(object).to_numpy().ravel()}
        assert not cells & BAD_CELLS, cells & BAD_CELLS
        assert not [c for c in cells if CODES.match(c)], cells
        assert not table.isna().to_numpy().any()
        for heading in table.columns:
            if str(heading).endswith("(%)"):
                numbers = [v.rstrip("*") for v in table[heading] if v]
                assert all(re.fullmatch(r"-?\d+\.\d", v) for v in numbers), numbers
            if "p value" in str(heading):
                assert all(re.fullmatch(r"<0\.001|[01]\.\d{3}", v) for v in table[heading] if v)


def test_overview_signed_in_shows_adjusted_p_values(dashboard_db, monkeypatch) -> None:
    import pipeline.analysis as analysis

    at = open_page(dashboard_db, monkeypatch)
    shown = frame(at, "Share better in each outcome domain (unweighted)")
    con = analysis.open_database(dashboard_db)
    try:
        expected = analysis.results(
            con,
            council=QUERY["council"],
            wave=int(QUERY["wave"]),
            instrument="poet-holder",
            section="outcomes",
            benchmark="national",
        )
    finally:
        con.close()
    assert list(shown["Question"]) == list(expected["domain"])
    assert "Adjusted p value" in shown.columns
    want = [
        "" if pd.isna(p) else ("<0.001" if p < 0.001 else f"{p:.3f}")
        for p in expected["p_adjusted"]
    ]
    assert list(shown["Adjusted p value"]) == want


def _hidden_cells(table: pd.DataFrame) -> set[tuple[str, str]]:
    return {
        (str(table.iloc[i, 0]), str(h))
        for h in table.columns
        for i, v in enumerate(table[h])
        if str(v) == "[c]"
    }


@pytest.mark.parametrize(
    ("page", "query", "title"),
    [
        (
            "2_Outcomes.py",
            {"by": "ethnicity", "domain": "out_paid_job"},
            "Getting and keeping a paid job: the full answer scale",
        ),
        ("6_Carers.py", {}, "Share better in each outcome domain (unweighted)"),
    ],
)
def test_signed_in_marks_exactly_what_the_public_hides(
    dashboard_db, monkeypatch, page, query, title
) -> None:
    query = {**QUERY, **query}
    public = frame(open_page(dashboard_db, monkeypatch, page, signed_in=False, query=query), title)
    signed_in = frame(open_page(dashboard_db, monkeypatch, page, query=query), title)
    hidden = _hidden_cells(public)
    if page == "2_Outcomes.py":
        assert hidden  # the demo database has small numbers here
    # Row by row (group, answer and so on), the marked cells are the hidden ones.
    public_rows = public.drop(columns=[c for c in public.columns if c == "Note"])
    keys = [c for c in public_rows.columns if c in signed_in.columns]
    assert len(signed_in) == len(public_rows)
    marked = {(i, h) for h in keys for i, v in enumerate(signed_in[h]) if str(v).endswith("*")}
    # A figure the public hides reads [c] there; a cell with no figure at all (the share of
    # "not applicable") is blank when signed in and is not a hidden figure.
    hidden_positions = {
        (i, h)
        for h in keys
        for i, v in enumerate(public_rows[h])
        if str(v) == "[c]" and str(signed_in[h].iloc[i]) != ""
    }
    assert marked == hidden_positions
    if page == "2_Outcomes.py":
        assert marked
    # Unmarked signed-in cells equal the public cells where the public shows a figure.
    for i, h in {(i, h) for h in keys for i in range(len(public_rows))} - hidden_positions:
        if str(public_rows[h].iloc[i]) != "[c]":
            assert str(signed_in[h].iloc[i]) == str(public_rows[h].iloc[i]), (i, h)
    if marked:
        at = open_page(dashboard_db, monkeypatch, page, query=query)
        assert any("hidden in the public view" in c.value for c in at.caption)


def test_on_the_demo_database_marks_equal_public_hides(monkeypatch, tmp_path) -> None:
    """The demo database (``outcomes demo``), Outcomes by ethnicity: what a commissioner sees
    marked is exactly what the public sees as [c]."""
    from pipeline.demo import build_demo

    build_demo(tmp_path / "demo.duckdb", out_dir=tmp_path / "files", progress=False)
    db = tmp_path / "demo.duckdb"
    query = {"by": "ethnicity"}
    public_at = open_page(db, monkeypatch, "2_Outcomes.py", signed_in=False, query=query)
    title = next(
        str(m.value).lstrip("# ") for m in public_at.markdown if "full answer scale" in str(m.value)
    )
    public = frame(public_at, title)
    signed_in = frame(open_page(db, monkeypatch, "2_Outcomes.py", query=query), title)
    keys = [c for c in public.columns if c in signed_in.columns]
    hidden = {
        (i, h)
        for h in keys
        for i, v in enumerate(public[h])
        if str(v) == "[c]" and str(signed_in[h].iloc[i]) != ""
    }
    marked = {(i, h) for h in keys for i, v in enumerate(signed_in[h]) if str(v).endswith("*")}
    assert hidden and marked == hidden
