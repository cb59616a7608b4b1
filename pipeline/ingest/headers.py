"""Recognise which question (or register field) each column of an export holds.

A column is matched, in this order, by: an explicit mapping file entry; its question code; its
question wording (normalised, with any "Q12." numbering dropped); an alias; and last a fuzzy
match (rapidfuzz) that is reported with its score so a person can check it. Columns that match
nothing are reported, never silently dropped. Answer labels are never matched fuzzily; only
headers are, because a wrong header guess shows up in the load report while a wrong answer guess
would silently corrupt results.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass

from rapidfuzz import fuzz, process

from pipeline.config import THRESHOLDS
from pipeline.instruments import normalise_header, normalise_text


@dataclass(frozen=True)
class Target:
    """Something a column can be: a question of an instrument or a field of the budget register."""

    code: str
    wording: str
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class ColumnMatch:
    index: int  # position in the file (0-based), i.e. raw table column c{index}
    column: str  # the header as written in the file
    code: str | None  # the matched question or field code; None when unmatched
    method: str  # mapping | code | wording | alias | fuzzy | unmatched | ignored | duplicate
    score: float  # 100 for exact methods; the fuzzy score otherwise

    def as_dict(self) -> dict:
        return asdict(self)


def _lookup(targets: Iterable[Target]) -> dict[str, tuple[str, str]]:
    table: dict[str, tuple[str, str]] = {}
    for target in targets:
        table.setdefault(normalise_text(target.code), (target.code, "code"))
        table.setdefault(normalise_text(target.code.replace("_", " ")), (target.code, "code"))
    for target in targets:
        table.setdefault(normalise_header(target.wording), (target.code, "wording"))
    for target in targets:
        for alias in target.aliases:
            table.setdefault(normalise_header(alias), (target.code, "alias"))
    return table


class HeaderMatcher:
    """Match headers against a fixed set of targets; cheap enough to score candidate header rows."""

    def __init__(self, targets: Sequence[Target], mapping: dict[str, str | None] | None = None):
        self.targets = list(targets)
        self.codes = {t.code for t in self.targets}
        self._exact = _lookup(self.targets)
        self._mapping = {normalise_header(k): v for k, v in (mapping or {}).items()}
        unknown = sorted(v for v in self._mapping.values() if v is not None and v not in self.codes)
        if unknown:
            raise ValueError(f"the mapping names codes this file type does not have: {unknown}")
        self._fuzzy_choices = list(self._exact)

    def exact(self, header: str) -> tuple[str, str] | None:
        """(code, method) by mapping, code, wording or alias; None if nothing matches exactly."""
        key = normalise_header(header)
        if key in self._mapping:
            code = self._mapping[key]
            return (code, "mapping") if code else ("", "ignored")
        return self._exact.get(key)

    def header_score(self, cells: list[str]) -> float:
        """How much a candidate row looks like this file's header: exact matches counted."""
        return float(sum(1 for cell in cells if cell and self.exact(str(cell))))

    def match(
        self, headers: Sequence[str], labels: Sequence[str | None] | None = None
    ) -> list[ColumnMatch]:
        """Match every header; ``labels`` (SPSS variable labels) are tried where a name fails."""
        labels = list(labels) if labels else [None] * len(headers)
        matches: list[ColumnMatch] = []
        taken: set[str] = set()
        for index, header in enumerate(headers):
            header_text = "" if header is None else str(header)
            found = self.exact(header_text)
            if found is None and labels[index]:
                found = self.exact(str(labels[index]))
            score = 100.0
            if found is None:
                found, score = self._fuzzy(header_text, labels[index])
            if found is None:
                matches.append(ColumnMatch(index, header_text, None, "unmatched", score))
                continue
            code, method = found
            if method == "ignored":
                matches.append(ColumnMatch(index, header_text, None, "ignored", 100.0))
            elif code in taken:
                matches.append(ColumnMatch(index, header_text, code, "duplicate", score))
            else:
                taken.add(code)
                matches.append(ColumnMatch(index, header_text, code, method, score))
        return matches

    def _fuzzy(self, header: str, label: str | None) -> tuple[tuple[str, str] | None, float]:
        best: tuple[tuple[str, str] | None, float] = (None, 0.0)
        for text in (header, label):
            if not text:
                continue
            key = normalise_header(text)
            if len(key) < 4:  # "q1", "id2": too short to guess safely
                continue
            hit = process.extractOne(
                key,
                self._fuzzy_choices,
                scorer=fuzz.token_sort_ratio,
                score_cutoff=THRESHOLDS.fuzzy_header_cutoff,
            )
            if hit and hit[1] > best[1]:
                best = ((self._exact[hit[0]][0], "fuzzy"), float(hit[1]))
        return best
