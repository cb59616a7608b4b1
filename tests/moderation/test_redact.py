"""The redaction rules one by one: placeholders, the NHS check digit, a council's own format."""

from __future__ import annotations

from pipeline.moderation.patterns import load_rules
from pipeline.moderation.redact import nhs_number_is_valid, redact, redact_for_council


def test_each_kind_gets_its_placeholder() -> None:
    result = redact(
        "Mrs Patel at 4 Mill Lane, M1 1AE (0161 496 0123, m.khan@example.org, NHS 943 476 5919, "
        "ref NS112295)"
    )
    assert result.text == (
        "Mrs [name] at [address], [postcode] ([phone number], [email], NHS [NHS number], "
        "ref [client reference])"
    )
    assert [s.kind for s in result.spans] == [
        "name",
        "address",
        "postcode",
        "phone",
        "email",
        "nhs_number",
        "client_reference",
    ]
    assert {s.kind for s in result.blocking} == result.kinds - {"name", "address"}


def test_ten_digits_with_a_wrong_check_digit_are_not_an_nhs_number() -> None:
    assert nhs_number_is_valid("9434765919")
    assert not nhs_number_is_valid("9434765918")
    assert "nhs_number" not in redact("number 943 476 5918").kinds


def test_a_council_adds_its_own_reference_format() -> None:
    text = "My file is EB/2024/0173."
    assert redact(text).spans == ()
    assert redact_for_council(text, "Eastbrook").text == "My file is [client reference]."
    assert "Eastbrook" in load_rules().council_client_references
    assert redact(text, client_reference_patterns=[r"\bEB/\d{4}/\d{4}\b"]).kinds == {
        "client_reference"
    }


def test_ambiguous_names_need_evidence() -> None:
    assert redact("Will helped.").spans == ()
    assert redact("My PA Will helped.").text == "My PA [name] helped."
    assert redact("Will Smith helped.").text == "[name] helped."
    assert redact("Mrs Green helped.").text == "Mrs [name] helped."
    assert redact("I go to Green Lane day centre.").spans == ()


def test_a_name_to_get_in_touch_with_is_redacted() -> None:
    # "Lee", "Chris", "Tim" are names, not everyday words: redacted on their capital alone
    assert redact("Lee sorted it.").text == "[name] sorted it."
    assert redact("Chris and Tim were great.").text == "[name] and [name] were great."
    # an ambiguous name after "ring", "ask for", "tell" is a person to contact
    assert redact("Ring Will on Mondays.").text == "Ring [name] on Mondays."
    assert redact("Please ask Rob for the forms.").text == "Please ask [name] for the forms."
    assert redact("I will ring the office.").spans == ()
