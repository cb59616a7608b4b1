"""Recognise which question (or register field) each column of an export holds.

A column is matched, in this order, by: an explicit mapping file entry; its question code; its
question wording (normalised, with any "Q12." numbering dropped); an alias; and last a fuzzy
match (rapidfuzz) that is reported with its score so a person can check it. Columns that match
nothing are reported, never silently dropped. Answer labels are never matched fuzzily; only
headers are, because a wrong header guess shows up in the load report while a wrong answer guess
would silently corrupt results.
"""

from __future__ import annotations

import re
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
    is_id: bool = False  # the respondent or person reference: also recognised by its words


@dataclass(frozen=True)
class ColumnMatch:
    index: int  # position in the file (0-based), i.e. raw table column c{index}
    column: str  # the header as written in the file
    code: str | None  # the matched question or field code; None when unmatched
    # mapping | code | wording | alias | id words | fuzzy | ambiguous | unmatched | ignored |
    # duplicate
    method: str
    score: float  # 100 for exact methods; the fuzzy score otherwise
    runner_up: str | None = None  # the next-best question for this column, if any
    runner_up_score: float | None = None

    def as_dict(self) -> dict:
        return asdict(self)


# Words a reference column is named with ("Client ref no.", "Respondent number", "Case ID"); a
# header made only of these (and at least one of the first set) is the id column.
ID_WORDS = {"ref", "reference", "number", "id", "serial", "client", "respondent", "case", "userno"}
ID_FILLER = {"no", "num", "of", "the", "unique", "survey", "response", "user", "person", "code"}
# "please tick one" style tails that survey tools leave on a question's text
_TAILS = re.compile(
    r"\s*\(?\s*(?:please\s+)?(?:tick|select|choose|circle|mark)\s+(?:only\s+)?(?:one|all that "
    r"apply|one box|one answer|one option)(?:\s+box)?\s*\)?\s*[.:]?\s*$",
    re.I,
)
# a bracketed format or unit after a register's header: "Start date (dd/mm/yyyy)", "Budget (£)"
_UNIT_TAILS = re.compile(
    r"\s*[(\[]\s*(?:d{1,2}[/.\-]m{1,2}[/.\-]y{2,4}|y{4}-mm-dd|£|gbp|£s|in £)\s*[)\]]\s*$", re.I
)
# methods whose column is reported in the load report but not loaded
UNUSED_METHODS = ("unmatched", "duplicate", "ambiguous")
AMBIGUOUS_MARGIN = 3.0  # fuzzy scores this close for two questions: report, do not guess
RUNNER_UP_RANGE = 25.0  # candidates this far below the cutoff are reported, never used


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
    """Match headers against a fixed set of targets; cheap enough to score candidate header rows.

    Matching is one assignment over all columns, not first come first served: every column is
    scored against every target, exact matches (mapping, code, wording, alias, id words) are
    assigned before any fuzzy one, each target gets its best column, and a column whose two best
    fuzzy candidates are within AMBIGUOUS_MARGIN of each other is reported and not used.
    ``stems`` are section stems ("Since you have had your personal budget, what has happened
    to") that survey tools put in front of each item; they are removed before matching.
    """

    def __init__(
        self,
        targets: Sequence[Target],
        mapping: dict[str, str | None] | None = None,
        stems: Sequence[str] = (),
    ):
        self.targets = list(targets)
        self.codes = {t.code for t in self.targets}
        self._exact = _lookup(self.targets)
        self._mapping = {normalise_header(k): v for k, v in (mapping or {}).items()}
        unknown = sorted(v for v in self._mapping.values() if v is not None and v not in self.codes)
        if unknown:
            raise ValueError(f"the mapping names codes this file type does not have: {unknown}")
        self._fuzzy_choices = list(self._exact)
        self._stems = sorted({normalise_text(s) for s in stems if s.strip()}, key=len, reverse=True)
        self._id_code = next((t.code for t in self.targets if t.is_id), None)

    def _keys(self, header: str) -> list[str]:
        """The normalised forms a header is tried under: as written, without stem and tail."""
        text = _UNIT_TAILS.sub("", _TAILS.sub("", str(header)))
        keys = [normalise_header(header), normalise_header(text)]
        for key in list(keys):
            for stem in self._stems:
                if key.startswith(stem + " "):
                    rest = key[len(stem) :].strip()
                    keys.append(normalise_header(rest))
        return list(dict.fromkeys(k for k in keys if k))

    def exact(self, header: str, *others: str) -> tuple[str, str] | None:
        """(code, method) by mapping, code, wording, alias or id words; None if none matches.

        ``others`` are more texts of the same column (an SPSS variable label; a header row's
        parts, such as Qualtrics' question id and text): a mapping entry for any of them wins,
        then each text is tried in turn.
        """
        texts = [header, *others]
        for key in (key for text in texts for key in self._keys(text)):
            if key in self._mapping:
                code = self._mapping[key]
                return (code, "mapping") if code else ("", "ignored")
        for text in texts:
            for key in self._keys(text):
                if key in self._exact:
                    return self._exact[key]
            if self._id_code:
                words = set(normalise_header(text).split())
                if words and words & ID_WORDS and words <= ID_WORDS | ID_FILLER:
                    return (self._id_code, "id words")
        return None

    def header_score(self, cells: list[str]) -> float:
        """How much a candidate row looks like this file's header: exact matches counted."""
        return float(sum(1 for cell in cells if cell and self.exact(str(cell))))

    def match(
        self,
        headers: Sequence[str],
        labels: Sequence[str | tuple[str, ...] | None] | None = None,
    ) -> list[ColumnMatch]:
        """Match every header; ``labels`` (``RawTable.header_labels``: an SPSS variable label, or
        the texts of a header written over several rows) are tried too."""
        labels = list(labels) if labels else [None] * len(headers)
        texts = ["" if header is None else str(header) for header in headers]
        others = [other_texts(label) for label in labels] + [()] * len(texts)
        exact: dict[int, tuple[str, str]] = {}
        for index, text in enumerate(texts):
            found = self.exact(text, *others[index])
            if found is not None:
                exact[index] = found
        fuzzy = {
            index: self._fuzzy(text, others[index])
            for index, text in enumerate(texts)
            if index not in exact
        }
        taken: dict[str, int] = {}
        results: dict[int, ColumnMatch] = {}
        for index, (code, method) in exact.items():  # exact first, in column order
            if method == "ignored":
                results[index] = ColumnMatch(index, texts[index], None, "ignored", 100.0)
            elif code in taken:
                results[index] = ColumnMatch(index, texts[index], code, "duplicate", 100.0)
            else:
                taken[code] = index
                results[index] = ColumnMatch(index, texts[index], code, method, 100.0)
        # fuzzy candidates best score first, so each question gets its best-matching column
        order = sorted(fuzzy, key=lambda i: (-(fuzzy[i][0][1] if fuzzy[i] else 0.0), i))
        for index in order:
            candidates = [c for c in fuzzy[index] if c[0] not in taken]
            best = candidates[0] if candidates else None
            runner = candidates[1] if len(candidates) > 1 else None
            runner_up = (runner[0], runner[1]) if runner else (None, None)
            if best is None or best[1] < THRESHOLDS.fuzzy_header_cutoff:
                near = fuzzy[index][0] if fuzzy[index] else None
                duplicate = (
                    near
                    if near and near[0] in taken and near[1] >= THRESHOLDS.fuzzy_header_cutoff
                    else None
                )
                results[index] = ColumnMatch(
                    index,
                    texts[index],
                    duplicate[0] if duplicate else None,
                    "duplicate" if duplicate else "unmatched",
                    near[1] if near else 0.0,
                    None if duplicate or not near else near[0],
                    None if duplicate or not near else near[1],
                )
            elif runner and best[1] - runner[1] < AMBIGUOUS_MARGIN:
                both = f"{best[0]} ({best[1]:.0f}) or {runner[0]}"
                results[index] = ColumnMatch(
                    index, texts[index], None, "ambiguous", best[1], both, runner[1]
                )
            else:
                taken[best[0]] = index
                results[index] = ColumnMatch(
                    index, texts[index], best[0], "fuzzy", best[1], *runner_up
                )
        return [results[index] for index in range(len(texts))]

    def _fuzzy(self, header: str, others: tuple[str, ...]) -> list[tuple[str, float]]:
        """Up to three (code, score) candidates, best first (only the cutoff and above are used)."""
        best: dict[str, float] = {}
        for text in (header, *others):
            if not text:
                continue
            for key in self._keys(text):
                if len(key) < 4:  # "q1", "id2": too short to guess safely
                    continue
                for choice, score, _ in process.extract(
                    key,
                    self._fuzzy_choices,
                    scorer=fuzz.token_sort_ratio,
                    score_cutoff=THRESHOLDS.fuzzy_header_cutoff - RUNNER_UP_RANGE,
                    limit=8,
                ):
                    code = self._exact[choice][0]
                    best[code] = max(best.get(code, 0.0), float(score))
        return sorted(best.items(), key=lambda item: -item[1])[:3]


def other_texts(label: str | tuple[str, ...] | None) -> tuple[str, ...]:
    """A column's texts besides its header, from ``RawTable.header_labels``: none, one (an SPSS
    variable label) or several (the parts of a header written over several rows)."""
    if not label:
        return ()
    return tuple(str(text) for text in label) if isinstance(label, tuple) else (str(label),)
