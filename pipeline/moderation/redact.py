"""Find personal details in a free-text comment and replace each with a typed placeholder.

Phone numbers are found by ``phonenumbers`` (Google's libphonenumber: offline, no model); the
UK shapes of postcodes, NHS numbers (checked with their mod-11 digit), addresses and client
references are regular expressions in ``surveys/redaction/rules.yaml``; names come from the lists in
``surveys/redaction/names/``. Where two findings overlap the more specific kind wins (an NHS number with a
good check digit is not also a phone number). This is a safety net for the commissioner who
moderates each quote, not a replacement for them: nothing is published unless approved.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

import phonenumbers

from pipeline.moderation.patterns import RedactionRules, load_rules

KINDS = ("email", "nhs_number", "client_reference", "postcode", "phone", "address", "name")
# Kinds found with near certainty: a quote still holding one of these cannot be approved.
BLOCKING_KINDS = frozenset({"email", "nhs_number", "client_reference", "postcode", "phone"})
KIND_LABELS = {
    "email": "email",
    "nhs_number": "NHS number",
    "client_reference": "client reference",
    "postcode": "postcode",
    "phone": "phone number",
    "address": "address",
    "name": "name",
}

_TITLES = frozenset({"Mr", "Mrs", "Ms", "Miss", "Mx", "Dr", "Nurse", "Auntie", "Aunty", "Uncle"})
# A lower-case word just before an ambiguous name that says a person follows ("my PA Will").
_PERSON_CUES = frozenset(
    {
        "pa",
        "carer",
        "worker",
        "called",
        "named",
        "daughter",
        "son",
        "husband",
        "wife",
        "partner",
        "friend",
        "brother",
        "sister",
        "mum",
        "dad",
        "assistant",
        "nurse",
        "manager",
        "coordinator",
        "co-ordinator",
        "neighbour",
        "grandson",
        "granddaughter",
        "niece",
        "nephew",
        "thank",
        "thanks",
        # asked to get in touch with someone: "ring Lee on ...", "ask for Will"
        "ring",
        "rang",
        "call",
        "phone",
        "phoned",
        "ask",
        "asked",
        "contact",
        "email",
        "text",
        "tell",
        "told",
    }
)
_MONTHS = frozenset({"January", "March", "April", "May", "June", "July", "August"})
_MONTH_CUES = frozenset(
    {"in", "since", "until", "till", "by", "from", "last", "next", "early", "late", "mid", "of"}
)
_WORD = re.compile(r"\b[A-Z][a-z]+(?:['’][A-Z][a-z]+|-[A-Z][a-z]+)?\b")


@dataclass(frozen=True)
class Span:
    """One personal detail found: its kind, where it is in the original text, and the text."""

    kind: str
    start: int
    end: int
    text: str

    @property
    def label(self) -> str:
        return KIND_LABELS[self.kind]


@dataclass(frozen=True)
class Redaction:
    """A comment with its personal details replaced by placeholders, and what was replaced."""

    original: str
    text: str
    spans: tuple[Span, ...]

    @property
    def kinds(self) -> set[str]:
        return {span.kind for span in self.spans}

    @property
    def blocking(self) -> tuple[Span, ...]:
        """The details found with near certainty (phone, email, postcode, NHS number, client
        reference): a quote still holding one of these must not be approved."""
        return tuple(span for span in self.spans if span.kind in BLOCKING_KINDS)


def nhs_number_is_valid(digits: str) -> bool:
    """The NHS number mod-11 check: weights 10..2 on the first nine digits."""
    if len(digits) != 10 or not digits.isdigit():
        return False
    total = sum(int(d) * w for d, w in zip(digits[:9], range(10, 1, -1), strict=True))
    check = 11 - total % 11
    if check == 11:
        check = 0
    return check != 10 and check == int(digits[9])


def _regex_spans(kind: str, pattern: re.Pattern[str], text: str) -> Iterable[Span]:
    for match in pattern.finditer(text):
        group = 1 if pattern.groups else 0
        start, end = match.span(group)
        yield Span(kind, start, end, text[start:end])


def _phone_spans(text: str, rules: RedactionRules) -> Iterable[Span]:
    matcher = phonenumbers.PhoneNumberMatcher(text, "GB", leniency=phonenumbers.Leniency.POSSIBLE)
    for match in matcher:
        raw, start, end = match.raw_string, match.start, match.end
        # "(0161 496 0123, ...": the library keeps an opening bracket that belongs to the text
        if raw.startswith("(") and raw.count("(") > raw.count(")"):
            raw, start = raw[1:], start + 1
        if raw.endswith(")") and raw.count(")") > raw.count("("):
            raw, end = raw[:-1], end - 1
        if phonenumbers.is_valid_number(match.number) or rules.uk_phone.match(raw.strip()):
            yield Span("phone", start, end, raw)


def _nhs_spans(text: str, rules: RedactionRules) -> Iterable[Span]:
    for span in _regex_spans("nhs_number", rules.nhs_number, text):
        if nhs_number_is_valid(re.sub(r"\D", "", span.text)):
            yield span


def _name_spans(text: str, rules: RedactionRules) -> list[Span]:
    words = list(_WORD.finditer(text))
    known = rules.forenames | rules.surnames

    def previous_word(start: int) -> str:
        before = re.findall(r"[A-Za-z-]+", text[:start])
        return before[-1] if before else ""

    def adjacent(a: re.Match[str], b: re.Match[str]) -> bool:
        return a.end() < b.start() and text[a.end() : b.start()].strip() == ""

    def sure(index: int) -> bool:
        word = words[index].group()
        return word in known and word not in rules.ambiguous_names

    found: list[Span] = []
    for index, match in enumerate(words):
        word = match.group()
        if word not in known:
            continue
        name = word not in rules.ambiguous_names
        if not name:
            before = previous_word(match.start())
            neighbours = [
                j
                for j in (index - 1, index + 1)
                if 0 <= j < len(words)
                and adjacent(*(sorted((words[j], match), key=lambda m: m.start())))
            ]
            after = text[match.end() :].lstrip()
            is_date = word in _MONTHS and (
                before.lower() in _MONTH_CUES or re.match(r"\d", after) is not None
            )
            name = not is_date and (
                before in _TITLES
                or before.lower() in _PERSON_CUES
                or any(sure(j) for j in neighbours)
            )
        if name:
            found.append(Span("name", match.start(), match.end(), word))
    # "John Smith" is one name, not two placeholders
    merged: list[Span] = []
    for span in found:
        if merged and text[merged[-1].end : span.start].strip() == "":
            last = merged.pop()
            span = Span("name", last.start, span.end, text[last.start : span.end])
        merged.append(span)
    return merged


def find_details(
    text: str,
    *,
    client_reference_patterns: Iterable[str] | None = None,
    rules: RedactionRules | None = None,
) -> tuple[Span, ...]:
    """Every personal detail in ``text``, in order, none overlapping another."""
    rules = rules or load_rules()
    patterns = (
        tuple(client_reference_patterns)
        if client_reference_patterns is not None
        else rules.default_client_references
    )
    candidates: list[Span] = [
        *_regex_spans("email", rules.email, text),
        *_nhs_spans(text, rules),
        *(
            span
            for pattern in patterns
            for span in _regex_spans("client_reference", re.compile(pattern), text)
        ),
        *_regex_spans("postcode", rules.postcode, text),
        *_phone_spans(text, rules),
        *_regex_spans("address", rules.address, text),
        *_name_spans(text, rules),
    ]
    priority = {kind: rank for rank, kind in enumerate(KINDS)}
    chosen: list[Span] = []
    for span in sorted(candidates, key=lambda s: (priority[s.kind], s.start - s.end)):
        if all(span.end <= other.start or span.start >= other.end for other in chosen):
            chosen.append(span)
    return tuple(sorted(chosen, key=lambda s: s.start))


def redact(
    text: str,
    *,
    client_reference_patterns: Iterable[str] | None = None,
    rules: RedactionRules | None = None,
) -> Redaction:
    """``text`` with each personal detail replaced by its placeholder ("[phone number]").

    ``client_reference_patterns`` are the council's own reference formats (regular expressions;
    :meth:`RedactionRules.client_references_for` gives the default plus a council's own).
    """
    rules = rules or load_rules()
    spans = find_details(text, client_reference_patterns=client_reference_patterns, rules=rules)
    parts: list[str] = []
    position = 0
    for span in spans:
        parts += [text[position : span.start], rules.placeholders[span.kind]]
        position = span.end
    parts.append(text[position:])
    return Redaction(original=text, text="".join(parts), spans=spans)


def redact_for_council(text: str, council: str | None) -> Redaction:
    """:func:`redact` with the council's own client-reference formats from the rules."""
    rules = load_rules()
    return redact(text, client_reference_patterns=rules.client_references_for(council), rules=rules)
