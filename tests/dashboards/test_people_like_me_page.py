"""The public People like me page (issue 13 item 4 on the dashboard) under AppTest: it shows the
same published figures and words as the report set's static page (the wave-wide publication of
``pipeline.reports.content.prefetch_results``), for every situation a person can choose."""

from __future__ import annotations

import pytest

from pipeline import analysis
from pipeline.present.people_like_me import council_groups
from pipeline.reports.content import prefetch_results
from tests.dashboards.test_actions_pages import _text, open_page


@pytest.fixture(scope="module")
def static_groups(dashboard_db) -> dict:
    """What the static page shows for Avonford, 2024, group by group."""
    con = analysis.open_database(dashboard_db)
    try:
        published = prefetch_results(con, 2024, "poet-holder")["people like me"]
    finally:
        con.close()
    own = published[published["council"] == "Avonford"]
    return council_groups(own, "Avonford")


def _shown(at) -> str:  # noqa: ANN001 - an AppTest
    return _text(at) + " ".join(h.value for h in at.header) + " ".join(i.value for i in at.info)


def test_the_page_says_what_the_static_page_says_for_each_situation(
    dashboard_db, monkeypatch, static_groups
) -> None:
    at = open_page(dashboard_db, monkeypatch, "app_pages/17_People_like_me.py", signed_in=False)
    assert "People like me in Avonford" in " ".join(t.value for t in at.title)
    situations = at.radio(key="people_like_me_situation")
    assert (
        list(situations.options)
        == [
            "How is your personal budget managed?",
            "What is the main reason you need support?",
            "How old are you?",
            "How long have you had your personal budget?",
        ][: len(situations.options)]
    )
    checked = 0
    for situation, groups in static_groups.items():
        at.radio(key="people_like_me_situation").set_value(situation).run()
        for group in groups[:2]:
            at.radio(key=f"people_like_me_{situation}").set_value(group.label).run()
            assert not at.exception, [e.value for e in at.exception]
            text = _shown(at)
            assert group.heading in text
            if group.message:
                assert group.message in text
                continue
            for finding in group.findings:
                assert finding.sentence in text and finding.comparator in text
                if finding.detail:
                    assert finding.detail in text
            checked += 1
    assert checked >= 4


def test_signed_in_commissioners_see_the_same_published_words(
    dashboard_db, monkeypatch, static_groups
) -> None:
    at = open_page(dashboard_db, monkeypatch, "app_pages/17_People_like_me.py", signed_in=True)
    first = next(iter(static_groups.values()))[0]
    assert first.heading in _shown(at)
    if not first.message:
        assert first.findings[0].sentence in _shown(at)
