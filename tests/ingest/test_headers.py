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


@pytest.fixture(scope="module")
def with_stems() -> HeaderMatcher:
    holder = get_instrument("poet-holder")
    targets = [Target(q.code, q.wording, q.aliases, q.type == "id") for q in holder.questions]
    return HeaderMatcher(targets, stems=holder.stems)


def test_section_stems_and_tick_one_tails_are_stripped(with_stems):
    headers = [
        "Since you have had your personal budget, what has happened to… your physical health?",
        "How easy or difficult was: Having your needs assessed",
        "Q14. Being supported with dignity and respect (please tick one)",
    ]
    got = [(m.code, m.method) for m in with_stems.match(headers)]
    assert got == [
        ("out_physical_health", "wording"),
        ("proc_assessment", "wording"),
        ("out_dignity", "wording"),
    ]


@pytest.mark.parametrize(
    "header", ["Client ref no.", "Respondent number", "Case number", "Serial", "Client ID"]
)
def test_id_columns_are_recognised_by_their_words(with_stems, header):
    (match,) = with_stems.match([header])
    assert match.code == "respondent_id" and match.method in ("alias", "id words")


def test_collector_id_is_not_the_respondent_reference(with_stems):
    (match,) = with_stems.match(["Collector ID"])
    assert match.code != "respondent_id"


def test_exact_column_wins_over_an_earlier_fuzzy_one(with_stems):
    matches = with_stems.match(["Your quality of lfe now", "Your quality of life"])
    assert (matches[1].code, matches[1].method) == ("out_quality_of_life", "wording")
    assert matches[0].code != "out_quality_of_life" or matches[0].method == "duplicate"
    assert matches[0].method in ("duplicate", "unmatched")


def test_fuzzy_match_reports_its_runner_up_and_close_calls_are_not_used(with_stems):
    (fuzzy,) = with_stems.match(["Your quality of lfe"])
    assert fuzzy.method == "fuzzy" and fuzzy.code == "out_quality_of_life"
    (weak,) = with_stems.match(["feeling safe"])  # home or outside: below the cutoff, unused
    assert weak.method == "unmatched" and weak.runner_up in ("out_safe_home", "out_safe_out")
    close_pair = HeaderMatcher(
        [Target("a", "support at home weekly"), Target("b", "support at home weekday")]
    )
    (close,) = close_pair.match(["support at home weekdy"])
    assert close.method == "ambiguous" and close.code is None
    assert " or " in (close.runner_up or "")
