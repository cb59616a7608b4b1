"""Header matching: code, wording, alias, fuzzy with a score, mapping overrides, unmatched kept."""

from __future__ import annotations

import pytest

from pipeline.ingest.headers import HeaderMatcher, Target
from pipeline.instruments import get_instrument


@pytest.fixture(scope="module")
def matcher() -> HeaderMatcher:
    holder = get_instrument("poet-holder")
    return HeaderMatcher([Target(q.code, q.wording, q.aliases) for q in holder.questions])


def test_each_way_of_matching(matcher):
    headers = [
        "Client Reference",
        "Q1. How old are you?",
        "Q12 Being supported with dignity and respect",
        "out_control",
        "Your quality of lfe",
        "Internal notes",
    ]
    got = [(m.code, m.method) for m in matcher.match(headers)]
    assert got == [
        ("respondent_id", "alias"),
        ("age_band", "wording"),
        ("out_dignity", "wording"),
        ("out_control", "code"),
        ("out_quality_of_life", "fuzzy"),
        (None, "unmatched"),
    ]
    fuzzy = matcher.match(headers)[4]
    assert 85 <= fuzzy.score < 100


def test_second_column_for_the_same_question_is_reported_not_used(matcher):
    matches = matcher.match(["Dignity", "Being supported with dignity and respect"])
    assert [m.method for m in matches] == ["alias", "duplicate"]


def test_mapping_overrides_and_can_ignore():
    holder = get_instrument("poet-holder")
    targets = [Target(q.code, q.wording, q.aliases) for q in holder.questions]
    mapped = HeaderMatcher(targets, {"How are things now?": "out_quality_of_life", "Dignity": None})
    matches = mapped.match(["How are things now?", "Dignity"])
    assert (matches[0].code, matches[0].method) == ("out_quality_of_life", "mapping")
    assert (matches[1].code, matches[1].method) == (None, "ignored")
    with pytest.raises(ValueError, match="out_nonsense"):
        HeaderMatcher(targets, {"x": "out_nonsense"})


def test_header_score_counts_recognised_cells(matcher):
    assert matcher.header_score(["Northshire survey 2025", None, None]) == 0
    assert matcher.header_score(["Client Reference", "Your quality of life", "x"]) == 2
