"""Every page opened from a link with every kind of filter value renders: no exception, no
"Page not found", and a filter a page cannot use is disabled there with the reason.

One AppTest per page and link (pages x links below); the links between them cover each value
of each filter (weighted yes/no/garbage, every kind of subgroup, peers with and without the
selected council, councils and waves that are not loaded), rather than every product of them,
which would take minutes for the same coverage of each parser and each page.
"""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from dashboards.state import FILTER_PAGES
from tests.dashboards.conftest import APP

PAGES = {
    "1_Overview.py": "overview",
    "2_Outcomes.py": "outcomes",
    "3_Trends.py": "trends",
    "4_Process.py": "process",
    "5_Budgets.py": "budgets",
    "6_Carers.py": "carers",
    "7_Compare_councils.py": "compare",
    "8_Data_quality.py": "data-quality",
    "9_Load_data.py": "load-data",
    "10_Downloads.py": "downloads",
    "12_Official_measures.py": "official",
}
BASE = {"council": "Brightwater", "wave": "2024", "instrument": "poet-holder"}
LINKS = {
    "defaults": {},
    "weighted-1-by-option": {**BASE, "weighted": "1", "by": "management_option"},
    "weighted-true-peers-without-own": {
        **BASE,
        "weighted": "true",
        "by": "age_band",
        "peers": "Avonford,Caldermoor",
    },
    "weighted-yes-unknown-everything": {
        "council": "Nowhere",
        "wave": "2031",
        "instrument": "nope",
        "weighted": "yes",
        "by": "shoe_size",
        "peers": "Nowhere,Avonford",
        "domain": "out_nothing",
        "outcome": "out_nothing",
    },
    "weighted-garbage-misspelt-council": {
        "council": "brightwatr",
        "wave": "soon",
        "weighted": "maybe",
        "peers": "Brightwater",
        "contrast": "2",
        "large_text": "yes",
    },
    "carers-weighted-by-gender": {
        **BASE,
        "instrument": "poet-carer",
        "weighted": "1",
        "by": "gender",
        "peers": ",,",
    },
    "weighted-0-by-ethnicity-public": {**BASE, "weighted": "0", "by": "ethnicity"},
}


@pytest.mark.parametrize("link", list(LINKS))
@pytest.mark.parametrize("script", list(PAGES))
def test_every_page_renders_from_every_link(dashboard_db, monkeypatch, script, link) -> None:
    monkeypatch.setenv("OUTCOMES_DB", str(dashboard_db))
    public = link.endswith("-public")
    at = AppTest.from_file(str(APP), default_timeout=120)
    if not public:
        at.session_state["signed_in_user"] = "tester"
    at.query_params.update(LINKS[link])
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    if public and PAGES[script] in ("data-quality", "load-data"):
        with pytest.raises(ValueError, match="Could not find a navigation page"):
            at.switch_page(f"app_pages/{script}")
        return
    at.switch_page(f"app_pages/{script}").run()
    assert not at.exception, [e.value for e in at.exception]
    shown = " ".join(str(e.value) for e in [*at.main.markdown, *at.main.title, *at.warning])
    assert "Page not found" not in shown
    assert at.main.title, "the page drew no title"
    page = PAGES[script]
    for name, key in (("subgroup", "f_subgroup"), ("weighted", "f_weighted")):
        pages, reason = FILTER_PAGES[name]
        widget = (at.sidebar.selectbox if name == "subgroup" else at.sidebar.toggle)(key=key)
        assert widget.disabled == (page not in pages), (name, page)
        captions = [c.value for c in at.sidebar.caption]
        assert (f"Not used on this page. {reason}" in captions) == (page not in pages)


def test_a_link_with_values_that_do_not_fit_opens_with_notes(dashboard_db, monkeypatch) -> None:
    monkeypatch.setenv("OUTCOMES_DB", str(dashboard_db))
    at = AppTest.from_file(str(APP), default_timeout=120)
    at.query_params.update(LINKS["weighted-garbage-misspelt-council"])
    at.run()
    assert not at.exception
    notes = [w.value for w in at.sidebar.warning]
    assert any("council 'brightwatr'" in n and "shows Brightwater" in n for n in notes)
    assert any("wave 'soon'" in n for n in notes)
    assert any("weighted='maybe'" in n for n in notes)
    assert at.sidebar.selectbox(key="f_council").value == "Brightwater"
    assert at.sidebar.toggle(key="f_weighted").value is False
    assert at.query_params.get("council") in ("Brightwater", ["Brightwater"])
    assert "weighted" not in at.query_params  # the link is corrected to what is shown


def test_peers_always_keep_the_selected_council(dashboard_db, monkeypatch) -> None:
    monkeypatch.setenv("OUTCOMES_DB", str(dashboard_db))
    at = AppTest.from_file(str(APP), default_timeout=120)
    at.session_state["signed_in_user"] = "tester"
    at.query_params.update({**BASE, "peers": "Avonford,Caldermoor"})
    at.run()
    at.switch_page("app_pages/7_Compare_councils.py").run()
    peers = at.multiselect(key="p_peers")
    assert peers.value == ["Brightwater", "Avonford", "Caldermoor"]
    note = "Brightwater is the council being compared, so it stays in the peer group."
    assert note in [c.value for c in at.main.caption]
    peers.set_value(["Avonford"]).run()  # the viewer removes their own council
    assert at.multiselect(key="p_peers").value == ["Brightwater", "Avonford"]
    assert at.query_params.get("peers") in ("Brightwater,Avonford", ["Brightwater,Avonford"])
    at.multiselect(key="p_peers").set_value([]).run()  # empty: every council, as it says
    assert not at.exception and "peers" not in at.query_params
