"""The instrument files are data: they load, validate, and errors name the file and the key."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.instruments import (
    InstrumentError,
    all_instruments,
    get_instrument,
    load_instrument_file,
    normalise_header,
    shared_scales,
)

REFERENCE_HOLDER_OUTCOMES = [
    "out_physical_health",
    "out_mental_wellbeing",
    "out_independence",
    "out_control",
    "out_support",
    "out_dignity",
    "out_safe_home",
    "out_safe_out",
    "out_family",
    "out_friends",
    "out_paid_supporters",
    "out_community",
    "out_paid_job",
    "out_home",
    "out_self_esteem",
    "out_quality_of_life",
]


def test_both_instruments_load_with_the_reference_codes():
    instruments = all_instruments()
    assert {"poet-holder", "poet-carer"} <= set(instruments)
    holder = instruments["poet-holder"]
    assert holder.outcome_codes == REFERENCE_HOLDER_OUTCOMES
    assert len(instruments["poet-carer"].outcome_codes) == 11
    assert holder.question("proc_review").scale.name == "ease5"
    assert holder.question("respondent_id").type == "id"


def test_change5_scale_matches_labels_variants_and_numbers_but_never_guesses():
    scale = get_instrument("poet-holder").question("out_dignity").scale
    assert scale.match("Got a LOT better!") == "much_better"
    assert scale.match(" stayed   the same ") == "same"
    assert scale.match("Don’t know") == "dont_know"
    assert scale.match("N/A") == "not_applicable"
    assert scale.match("1") == "much_worse"
    assert scale.match("5.0") == "much_better"
    assert scale.match("1", numeric_order="descending") == "much_better"
    assert scale.match("Got bettr") is None  # a near miss is not an answer
    assert scale.match("6") is None
    assert scale.missing_codes == ["not_applicable", "dont_know"]
    assert scale.groups["better"] == ("better", "much_better")


def test_budget_band_labels_with_thousands_separators_match():
    scale = shared_scales()["budget_band"]
    assert scale.match("£5,000 to £9,999") == "5k_10k"


def test_header_normalisation_drops_question_numbers():
    assert normalise_header("Q12. Being supported with dignity and respect") == (
        "being supported with dignity and respect"
    )
    assert normalise_header("12a) Your quality of life") == "your quality of life"


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "broken.yaml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "id: x\nquestions:\n  - {section: outcomes, wording: w, scale: change5}\n",
            "questions[0] is missing the key 'code'",
        ),
        (
            "id: x\nquestions:\n  - {code: a, section: elsewhere, wording: w, scale: change5}\n",
            "questions[0] (a).section",
        ),
        (
            "id: x\nquestions:\n  - {code: a, section: outcomes, wording: w, scale: nope}\n",
            "questions[0] (a).scale 'nope' is not defined",
        ),
        (
            "id: x\nquestions:\n  - {code: a, section: outcomes, wording: w, scale: change5}\n  - {code: a, section: outcomes, wording: w, scale: change5}\n",
            "the code 'a' is used twice",
        ),
        ("questions: []\n", "the file is missing the key 'id'"),
        ("id: x\nquestions: [\n", "not valid YAML"),
    ],
)
def test_malformed_instrument_errors_name_file_and_key(tmp_path, text, expected):
    path = _write(tmp_path, text)
    with pytest.raises(InstrumentError) as error:
        load_instrument_file(path, shared_scales())
    assert str(path) in str(error.value)
    assert expected in str(error.value)


def test_an_instrument_can_define_its_own_scale(tmp_path):
    path = _write(
        tmp_path,
        "id: short\nscales:\n  change3:\n    kind: ordinal\n    positive: better\n"
        "    codes:\n      - {code: worse, label: Worse, numeric: 1}\n"
        "      - {code: same, label: Same, numeric: 2}\n      - {code: better, label: Better, numeric: 3}\n"
        "    missing: [{code: dont_know, label: Don't know}]\n"
        "    groups: {better: [better], worse: [worse]}\n"
        "questions:\n  - {code: out_x, section: outcomes, wording: X, scale: change3}\n",
    )
    instrument = load_instrument_file(path, shared_scales())
    scale = instrument.question("out_x").scale
    assert scale.match("3") == "better"
    assert scale.match("Got a lot better") is None  # not a label of this scale


def test_ambiguous_alias_is_refused(tmp_path):
    path = _write(
        tmp_path,
        "id: amb\nscales:\n  s:\n    codes:\n      - {code: a, label: Yes}\n"
        "      - {code: b, label: No, aliases: [yes]}\n"
        "questions:\n  - {code: q, section: process, wording: Q, scale: s}\n",
    )
    with pytest.raises(InstrumentError, match="belongs to both 'a' and 'b'"):
        load_instrument_file(path, shared_scales())


def test_unquoted_numeric_code_is_refused(tmp_path):
    path = _write(
        tmp_path,
        "id: n\nscales:\n  s:\n    codes:\n      - {code: 20_49, label: x}\n"
        "questions:\n  - {code: q, section: process, wording: Q, scale: s}\n",
    )
    with pytest.raises(InstrumentError, match="code must be text; quote it"):
        load_instrument_file(path, shared_scales())


def test_an_alias_naming_two_questions_is_refused(tmp_path):
    path = _write(
        tmp_path,
        "id: two\nquestions:\n"
        "  - {code: a, section: process, wording: A, scale: ease5, aliases: [budget amount]}\n"
        "  - {code: b, section: process, wording: B, scale: ease5, aliases: [Budget Amount]}\n",
    )
    with pytest.raises(InstrumentError, match="names both 'a' and 'b'"):
        load_instrument_file(path, shared_scales())


def test_numbers_are_read_only_on_ordered_scales_and_never_from_signed_or_fractional_text():
    from pipeline.instruments import shared_scales

    scales = shared_scales()
    change = scales["change5"]
    assert change.match("4") == "better" and change.match("4.0") == "better"
    assert change.match("1", "descending") == "much_better"
    for text in ("-1", "+1", "1.5", "0", "6", "-4"):
        assert change.match(text) is None, text
        assert change.match(text, "descending") is None, text
    # a nominal question's number means nothing without the tool's code list (the national
    # return codes Gender 1 = Male; our scale lists female first): never guessed
    for scale in ("gender", "ethnicity", "support_reason", "management_option", "yesno"):
        assert scales[scale].match("1") is None, scale
    assert scales["gender"].match("Male") == "male"
    assert scales["views3"].match("No") == "not_at_all"  # YAML must not read the alias as False
