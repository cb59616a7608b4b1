"""Every page under Streamlit's AppTest: it renders, and its key numbers equal the analysis API's.

The expected numbers come from calling ``pipeline.analysis`` directly on the same database, so a
page that recomputed, rounded or mislabelled anything would fail here.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from pipeline.present.findings import round_half_away
from tests.dashboards.conftest import APP

COUNCIL, WAVE = "Brightwater", 2024
QUERY = {"council": COUNCIL, "wave": str(WAVE), "instrument": "poet-holder"}


@pytest.fixture
def api(dashboard_db):
    import pipeline.analysis as analysis

    con = analysis.open_database(dashboard_db)
    yield analysis, con
    con.close()


def open_page(
    db: Path, monkeypatch, page: str | None = None, *, signed_in: bool = True, query=None
) -> AppTest:
    monkeypatch.setenv("OUTCOMES_DB", str(db))
    at = AppTest.from_file(str(APP), default_timeout=120)
    if signed_in:
        at.session_state["signed_in_user"] = "tester"
    at.query_params.update(query or QUERY)
    at.run()
    if page:
        at.switch_page(f"app_pages/{page}").run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _walk(node):
    yield node
    for child in getattr(node, "children", {}).values():
        yield from _walk(child)


def frame(at: AppTest, title: str) -> pd.DataFrame:
    """The first table after the heading ``title`` (a chart's data table, or a plain table)."""
    seen_heading = False
    for node in _walk(at.main):
        if node.type == "markdown" and str(node.value).lstrip("# ").strip() == title:
            seen_heading = True
        elif seen_heading and node.type == "dataframe":
            signed_in = "signed_in_user" in at.session_state and at.session_state["signed_in_user"]
            return _analysis_names(node.value) if signed_in else node.value
    raise AssertionError(f"no table under the heading {title!r}")


# Page-specific headings (dashboards/views/*.py) on top of the standard plain headings.
PAGE_HEADINGS = {
    "Share saying better (%)": "value",
    "Share saying better now (%)": "value",
    "Earlier share saying better (%)": "previous_value",
    "Share giving this answer (%)": "value",
    "Number giving this answer": "count",
    "Share finding it easy (%)": "value",
    "Number finding it easy": "count",
    "Step": "domain",
    "How the budget is managed": "management_option_label",
    "Management option": "subgroup_value",
}


def _analysis_names(table: pd.DataFrame) -> pd.DataFrame:
    """A signed-in plain table under analysis column names, so it can be set against the API."""
    from pipeline.present.plain_tables import HEADINGS, P_HEADINGS

    names = {heading: column for column, heading in {**HEADINGS, **P_HEADINGS}.items()}
    names.update(PAGE_HEADINGS)
    return table.rename(columns={h: names.get(h, h) for h in table.columns})


def metric(at: AppTest, label: str) -> str:
    return next(m.value for m in at.metric if m.label == label)


def same_numbers(shown: pd.Series, expected: pd.Series) -> None:
    """The page writes shares to one decimal place and counts whole (a marked cell ends "*")."""
    text = shown.astype(str).str.rstrip("*").str.replace(",", "").replace("", "nan")
    np.testing.assert_allclose(
        pd.to_numeric(text, errors="coerce").to_numpy(dtype=float),
        pd.to_numeric(expected, errors="coerce").to_numpy(dtype=float),
        atol=0.05 + 1e-9,
        equal_nan=True,
    )


def test_overview_shows_base_domains_and_changes(dashboard_db, monkeypatch, api) -> None:
    analysis, con = api
    at = open_page(dashboard_db, monkeypatch)
    inventory = analysis.available(con)
    base = inventory[
        (inventory.council == COUNCIL)
        & (inventory.wave == WAVE)
        & (inventory.instrument == "poet-holder")
    ]["returns"].sum()
    assert metric(at, "Returns (base)") == f"{base:,}"
    rates = analysis.response_rates(con, council=COUNCIL, wave=WAVE, instrument="poet-holder")
    rate = 100 * rates["respondents"].sum() / rates["population"].sum()
    assert metric(at, "Response rate") == f"{rate:.1f}%"

    expected = analysis.results(
        con,
        council=COUNCIL,
        wave=WAVE,
        instrument="poet-holder",
        section="outcomes",
        benchmark="national",
    ).set_index("domain")
    shown = frame(at, "Share better in each outcome domain (unweighted)").set_index("domain")
    assert set(shown.index) == set(expected.index)
    for column in ("n", "count", "value", "lower", "upper"):
        same_numbers(shown[column], expected.loc[shown.index, column])
    assert [c.lower() for c in shown["comparison"]] == [
        str(c).lower() for c in expected.loc[shown.index, "comparison"].fillna("")
    ]

    changes = analysis.wave_changes(con, council=COUNCIL, wave=WAVE, instrument="poet-holder")
    top = changes.loc[changes["difference"].abs().sort_values(ascending=False).index].head(3)
    shown_changes = frame(at, "Largest changes since the last wave")
    assert list(shown_changes["domain"]) == list(top["domain"])
    same_numbers(shown_changes["difference"], top["difference"])
    assert any("Chart description" in c.value for c in at.caption)


def test_changing_the_council_in_the_sidebar_changes_the_numbers(
    dashboard_db, monkeypatch, api
) -> None:
    analysis, con = api
    at = open_page(dashboard_db, monkeypatch)
    at.sidebar.selectbox(key="f_council").set_value("Dunsworth").run()
    assert not at.exception
    assert at.query_params["council"] == ["Dunsworth"] or at.query_params["council"] == "Dunsworth"
    expected = analysis.results(
        con, council="Dunsworth", wave=WAVE, instrument="poet-holder", benchmark="national"
    ).set_index("domain")
    shown = frame(at, "Share better in each outcome domain (unweighted)").set_index("domain")
    same_numbers(shown["value"], expected.loc[shown.index, "value"])


def test_weighted_toggle_uses_weighted_results(dashboard_db, monkeypatch, api) -> None:
    analysis, con = api
    at = open_page(dashboard_db, monkeypatch, query={**QUERY, "weighted": "1"})
    expected = analysis.results(
        con,
        council=COUNCIL,
        wave=WAVE,
        instrument="poet-holder",
        weighted=True,
        benchmark="national",
    ).set_index("domain")
    shown = frame(at, "Share better in each outcome domain (weighted)").set_index("domain")
    same_numbers(shown["value"], expected.loc[shown.index, "value"])


def test_outcomes_distribution_by_subgroup(dashboard_db, monkeypatch, api) -> None:
    analysis, con = api
    query = {**QUERY, "by": "management_option", "domain": "out_control"}
    at = open_page(dashboard_db, monkeypatch, "2_Outcomes.py", query=query)
    expected = analysis.distribution(
        con,
        council=COUNCIL,
        wave=WAVE,
        instrument="poet-holder",
        question_code="out_control",
        by="management_option",
    )
    shown = frame(at, "Control over your life: the full answer scale")
    assert len(shown) == len(expected)
    from pipeline.present.plain_tables import subgroup_labels

    labels = subgroup_labels("poet-holder", "management_option")
    shown = shown.rename(columns={shown.columns[0]: "subgroup_value"})
    key = ["subgroup_value", "answer_label"]
    merged = shown.merge(
        expected.assign(
            subgroup_value=[
                "Not stated" if pd.isna(v) else labels.get(str(v), str(v))
                for v in expected["subgroup_value"]
            ]
        ),
        on=key,
        suffixes=("_shown", "_api"),
    )
    assert len(merged) == len(expected)
    same_numbers(merged["value_shown"], merged["value_api"])
    same_numbers(merged["count_shown"], merged["count_api"])


def test_trends_page_matches_trends(dashboard_db, monkeypatch, api) -> None:
    analysis, con = api
    at = open_page(dashboard_db, monkeypatch, "3_Trends.py")
    expected = analysis.trends(con, council=COUNCIL, instrument="poet-holder")
    shown = frame(at, "Share better in each domain, by wave")
    shown["wave"] = shown["wave"].astype(int)
    merged = shown.merge(expected, on=["domain", "wave"], suffixes=("_shown", "_api"))
    assert len(merged) == len(expected) == len(shown)
    same_numbers(merged["value_shown"], merged["value_api"])
    assert [v.lower() for v in merged["verdict_shown"].fillna("")] == [
        str(v).lower() for v in merged["verdict_api"].fillna("")
    ]


def test_process_page_shows_ease_and_odds_ratios(dashboard_db, monkeypatch, api) -> None:
    analysis, con = api
    at = open_page(dashboard_db, monkeypatch, "4_Process.py")
    steps = analysis.results(
        con,
        council=COUNCIL,
        wave=WAVE,
        instrument="poet-holder",
        section="process",
        benchmark="none",
    ).set_index("domain")
    shown = frame(at, "Share finding each step easy (or positive)").set_index("domain")
    codes = ["proc_information", "proc_assessment", "proc_review"]
    assert set(steps.reset_index().set_index("question_code").loc[codes, "domain"]) <= set(
        shown.index
    )
    same_numbers(shown["value"], steps.loc[shown.index, "value"])
    odds = analysis.drivers(
        con, council=COUNCIL, wave=WAVE, instrument="poet-holder", outcome="out_quality_of_life"
    )
    shown_odds = frame(at, "Which steps go with a better outcome: Quality of life")
    assert len(shown_odds) == len(odds)
    same_numbers(
        pd.to_numeric(shown_odds["odds_ratio"], errors="coerce").dropna().sort_values(),
        odds["odds_ratio"].dropna().sort_values(),
    )


def test_budgets_page_headline_and_tables(dashboard_db, monkeypatch, api) -> None:
    analysis, con = api
    at = open_page(dashboard_db, monkeypatch, "5_Budgets.py")
    summary = analysis.budget_summary(con, council=COUNCIL)
    people = int(summary["headline"].iloc[0]["people"])
    assert people == 1200  # the register seeded for Brightwater
    assert metric(at, "People") == f"{people:,}"
    share = summary["headline"].iloc[0]["share_direct_payment"]
    assert metric(at, "Direct payment share") == f"{share:.1f}%"
    by_option = frame(at, "People and spend by management option")
    assert int(pd.to_numeric(by_option["people"].str.replace(",", "")).sum()) == people
    same_numbers(
        by_option.sort_values("people")["people"],
        summary["by_option"].sort_values("people")["people"],
    )


def test_carers_page_uses_the_carer_survey(dashboard_db, monkeypatch, api) -> None:
    analysis, con = api
    at = open_page(dashboard_db, monkeypatch, "6_Carers.py")
    assert metric(at, "Returns (base)") == "60"
    expected = analysis.results(
        con, council=COUNCIL, wave=WAVE, instrument="poet-carer", benchmark="national"
    ).set_index("domain")
    shown = frame(at, "Share better in each outcome domain (unweighted)").set_index("domain")
    assert set(shown.index) == set(expected.index)
    same_numbers(shown["value"], expected.loc[shown.index, "value"])


def test_compare_page_with_and_without_peers(dashboard_db, monkeypatch, api) -> None:
    analysis, con = api
    query = {**QUERY, "domain": "out_independence"}
    at = open_page(dashboard_db, monkeypatch, "7_Compare_councils.py", query=query)
    expected = analysis.compare_councils(
        con, wave=WAVE, instrument="poet-holder", question_code="out_independence"
    ).sort_values("rank")
    shown = frame(at, "Independence: funnel plot, wave 2024")
    assert list(shown["council"]) == list(expected["council"])
    same_numbers(shown["value"], expected["value"])
    peers = ["Avonford", "Brightwater", "Caldermoor"]
    at.multiselect(key="p_peers").set_value(peers).run()
    assert not at.exception
    grouped = analysis.compare_councils(
        con, wave=WAVE, instrument="poet-holder", question_code="out_independence", peers=peers
    ).sort_values("rank")
    shown = frame(at, "Independence: funnel plot, wave 2024")
    assert list(shown["council"]) == list(grouped["council"])
    same_numbers(shown["value"], grouped["value"])


def test_data_quality_lists_every_load(dashboard_db, monkeypatch, api) -> None:
    analysis, con = api
    at = open_page(dashboard_db, monkeypatch, "8_Data_quality.py")
    loads = analysis.loads(con)
    assert sorted(frame(at, "Loads and their lineage")["load_id"]) == sorted(loads["load_id"])


def test_downloads_page_offers_every_table_and_chart(dashboard_db, monkeypatch) -> None:
    at = open_page(dashboard_db, monkeypatch, "10_Downloads.py")
    labels = [b.label for b in at.download_button]
    assert "Download every table (one Excel workbook)" in labels
    for kind in ("CSV", "Excel", "PNG", "SVG"):
        assert any(
            f"Share better in each outcome domain (unweighted) ({kind})" in x for x in labels
        )
    # one page's downloads at a time, built when that page is chosen
    chooser = at.selectbox(key="downloads_page")
    assert chooser.options[0] == "Overview" and "Data quality" in chooser.options
    assert not any("Loads and their lineage" in x for x in labels)
    chooser.set_value("Data quality").run()
    labels = [b.label for b in at.download_button]
    assert any("Loads and their lineage (CSV)" in x for x in labels)
    assert not any("Share better in each outcome domain" in x for x in labels)


def test_the_one_workbook_holds_every_page(dashboard_db, monkeypatch) -> None:
    """What the one-workbook button builds when clicked: every page's tables."""
    from dashboards.state import Filters
    from dashboards.views.catalogue import builders, every_sheet

    monkeypatch.setenv("OUTCOMES_DB", str(dashboard_db))
    pages = builders(Filters(council=COUNCIL, wave=WAVE, instrument="poet-holder"), "public")
    sheets = every_sheet(pages)
    for page in ("Overview", "Outcomes", "Trends", "Process", "Budgets", "Compare"):
        assert any(name.startswith(page) for name in sheets), (page, list(sheets))
    assert not any(name.startswith("Data quality") for name in sheets)  # public: none


def test_public_view_hides_commissioner_pages_and_protects_numbers(
    dashboard_db, monkeypatch, api
) -> None:
    analysis, con = api
    from pipeline.disclosure import protect

    at = open_page(dashboard_db, monkeypatch, signed_in=False, query={**QUERY, "by": "ethnicity"})
    for hidden_page in ("app_pages/9_Load_data.py", "app_pages/8_Data_quality.py"):
        with pytest.raises(ValueError, match="Could not find a navigation page"):
            at.switch_page(hidden_page)
    at = open_page(dashboard_db, monkeypatch, signed_in=False, query={**QUERY, "by": "ethnicity"})
    at.switch_page("app_pages/10_Downloads.py").run()
    labels = [b.label for b in at.download_button]
    assert not any("quarantine" in x.lower() or "lineage" in x.lower() for x in labels)

    at = open_page(
        dashboard_db,
        monkeypatch,
        "2_Outcomes.py",
        signed_in=False,
        query={**QUERY, "by": "ethnicity", "domain": "out_paid_job"},
    )
    raw = analysis.distribution(
        con,
        council=COUNCIL,
        wave=WAVE,
        instrument="poet-holder",
        question_code="out_paid_job",
        by="ethnicity",
    )
    raw["subgroup_value"] = raw["subgroup_value"].fillna("Not stated").astype(str)
    published = protect(raw, group_columns=("subgroup_value",), complement=False)
    shown = frame(at, "Getting and keeping a paid job: the full answer scale")
    share = "Share giving this answer (%)"
    hidden = shown[share].eq("[c]")
    assert hidden.sum() == published["suppressed"].astype(bool).sum() > 0
    assert len(shown) == len(published)
    # Every published share is shown rounded to one decimal place, in the same order.
    visible = published.loc[~published["suppressed"].astype(bool).to_numpy(), "value"]
    assert shown.loc[~hidden.to_numpy(), share].tolist() == [
        "" if pd.isna(v) else f"{round_half_away(v):.1f}" for v in visible
    ]
    # Something the commissioners see is really hidden from the public.
    assert hidden.sum() > raw["value"].isna().sum()
    assert any("[c] = hidden" in c.value for c in at.caption)


PUBLIC_PAGES = {
    "1_Overview.py": "National figures come from the",
    "2_Outcomes.py": "not compared with a national figure",
    "3_Trends.py": "compared with the council's own previous wave",
    "4_Process.py": "no national figure for these steps",
    "5_Budgets.py": "council's own budget register",
    "6_Carers.py": "National figures come from the Third National Personal Budget Survey 2014",
    "7_Compare_councils.py": "an exact figure worked out from these councils' own returns",
}
BAD_CELLS = {"None", "none", "nan", "NaN", "<NA>", "NaT"}


@pytest.mark.parametrize("page", sorted(PUBLIC_PAGES))
def test_public_pages_are_plain(dashboard_db, monkeypatch, page) -> None:
    query = {**QUERY, "by": "management_option"}
    at = open_page(dashboard_db, monkeypatch, page, signed_in=False, query=query)
    tables = [node.value for node in _walk(at.main) if node.type == "dataframe"]
    assert tables
    for table in tables:
        assert not [c for c in table.columns if "_" in str(c)], list(table.columns)
        cells = {str(v) for v in table.astype(object).to_numpy().ravel()}
        assert not cells & BAD_CELLS, cells & BAD_CELLS
        assert not table.isna().to_numpy().any()
    texts = [str(m.value) for m in at.markdown]
    assert any(PUBLIC_PAGES[page] in t for t in texts), texts
    assert any("[How we worked this out](#how-we-worked-this-out)" in t for t in texts)
    assert any(s.value == "How we worked this out" for s in at.subheader)


def test_overview_benchmark_sentence_says_year_and_floor(dashboard_db, monkeypatch) -> None:
    at = open_page(dashboard_db, monkeypatch, signed_in=False)
    sentence = next(m.value for m in at.markdown if "National figures come from" in m.value)
    assert "Second national POET survey 2013 (2013;" in sentence
    assert "published floor" in sentence and "not an exact rate" in sentence
    shown = frame(at, "Share better in each outcome domain (unweighted)")
    assert "National figure" in shown and "question_code" not in shown
