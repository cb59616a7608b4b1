"""The redaction rules as data: ``surveys/redaction/rules.yaml`` and the names lists beside it.

Loaded once per process into a typed :class:`RedactionRules`, so a council's own client-reference
format is a line of YAML rather than code.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from pipeline import yaml_files
from pipeline.config import surveys_dir


@dataclass(frozen=True)
class RedactionRules:
    placeholders: dict[str, str]
    uk_phone: re.Pattern[str]
    email: re.Pattern[str]
    postcode: re.Pattern[str]
    nhs_number: re.Pattern[str]
    address: re.Pattern[str]
    default_client_references: tuple[str, ...]
    council_client_references: dict[str, tuple[str, ...]]
    forenames: frozenset[str]
    surnames: frozenset[str]
    ambiguous_names: frozenset[str]

    def client_references_for(self, council: str | None) -> tuple[str, ...]:
        """The default client-reference patterns plus the council's own, if it has any."""
        own = self.council_client_references.get(council or "", ())
        return self.default_client_references + own


def _name_list(path: Path) -> frozenset[str]:
    names: set[str] = set()
    for line in path.read_text(encoding="utf-8").splitlines():
        names.update(line.split("#", 1)[0].split())
    return frozenset(names)


def _address_pattern(street_types: list[str], prefix: str) -> re.Pattern[str]:
    types = "|".join(sorted((re.escape(t) for t in street_types), key=len, reverse=True))
    # "12 Acacia Road", "12a Old Mill Lane", "Flat 3, 12 Acacia Road": the number, one to three
    # capitalised words, then a street type as a word of its own
    return re.compile(
        rf"\b{prefix}\d{{1,4}}[A-Za-z]?,?\s+(?:[A-Z][a-z'’-]+\s+){{1,3}}(?:{types})\b\.?"
    )


@cache
def load_rules(folder: str | None = None) -> RedactionRules:
    """The rules in ``surveys/redaction/rules.yaml`` and the names lists beside it (or those in
    another folder laid out the same way)."""
    base = Path(folder) if folder else surveys_dir() / "redaction"
    data = yaml_files.safe_load((base / "rules.yaml").read_text(encoding="utf-8"))
    references = data.get("client_references") or {}
    names = base / "names"
    return RedactionRules(
        placeholders=dict(data["placeholders"]),
        uk_phone=re.compile(data["uk_phone"]),
        email=re.compile(data["email"]),
        postcode=re.compile(data["postcode"]),
        nhs_number=re.compile(data["nhs_number"]),
        address=_address_pattern(data["street_types"], data.get("address_prefix", "")),
        default_client_references=tuple(references.get("default") or ()),
        council_client_references={
            str(council): tuple(patterns or ())
            for council, patterns in (references.get("councils") or {}).items()
        },
        forenames=_name_list(names / "forenames.txt"),
        surnames=_name_list(names / "surnames.txt"),
        ambiguous_names=_name_list(names / "ambiguous.txt"),
    )
