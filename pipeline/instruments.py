"""Survey instruments as data: load and validate the YAML files in ``surveys/``.

An instrument is a list of questions, each with a stable code, wording, aliases, section,
domain and a response scale. Scales list answer codes, labels, aliases, numeric codes and which
codes count as missing. Adding a survey version means adding a YAML file; nothing here names a
particular question. Both ingest and analysis read instruments through this module, so it sits
below both stages.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from pipeline import yaml_files
from pipeline.config import surveys_dir

SECTIONS = ("about_you", "process", "outcomes", "comments")
QUESTION_TYPES = ("coded", "id", "text")
SCALE_KINDS = ("ordinal", "nominal")
RESPONDENT_FIELDS = (
    "age_band",
    "gender",
    "ethnicity",
    "support_reason",
    "management_option",
    "budget_band",
    "held_for",
    "completed_by",
    "relationship",
    "hours_caring",
)


class InstrumentError(ValueError):
    """An instrument or scale file is malformed; the message names the file and the key."""


def normalise_text(value: object) -> str:
    """Fold case, accents, punctuation and spacing so that labels and headers compare equal.

    "Got a LOT better!" and "got a lot better" both become "got a lot better"; "£5,000" keeps its
    digits and the pound sign (a currency band must not collapse into a bare number). Leading
    question numbers such as "Q12." or "12a)" are removed by :func:`normalise_header`, not here.
    """
    text = unicodedata.normalize("NFKC", str(value)).casefold()
    text = text.replace("&", " and ").replace("’", "'").replace("–", "-").replace("—", "-")
    text = text.replace("'", "")
    text = re.sub(r"(?<=\d),(?=\d{3})", "", text)  # digit grouping: "£5,000" is "£5000"
    text = re.sub(r"[^\w£+%]+", " ", text)
    return re.sub(r"\s+", " ", text).strip()


_QUESTION_NUMBER = re.compile(r"^\s*(?:q(?:uestion)?\s*)?\d+[a-z]?(?:\s*[.):\-]\s*|\s+)", re.I)


def normalise_header(value: object) -> str:
    """Normalise a column header: drop a leading question number, then :func:`normalise_text`."""
    text = unicodedata.normalize("NFKC", str(value)).strip()
    text = _QUESTION_NUMBER.sub("", text, count=1)
    return normalise_text(text)


@dataclass(frozen=True)
class AnswerCode:
    code: str
    label: str
    numeric: int | None
    aliases: tuple[str, ...]
    missing: bool
    order: int  # position in the scale (missing codes after the valid ones)


@dataclass(frozen=True)
class Scale:
    name: str
    kind: str
    codes: tuple[AnswerCode, ...]
    groups: dict[str, tuple[str, ...]]
    positive: str | None

    @property
    def valid_codes(self) -> list[str]:
        return [c.code for c in self.codes if not c.missing]

    @property
    def missing_codes(self) -> list[str]:
        return [c.code for c in self.codes if c.missing]

    def label_of(self, code: str) -> str:
        for answer in self.codes:
            if answer.code == code:
                return answer.label
        return code

    def group_of(self, code: str) -> str | None:
        for group, members in self.groups.items():
            if code in members:
                return group
        return None

    @property
    def lookup(self) -> dict[str, str]:
        """Normalised label, alias, code or numeric code -> canonical answer code."""
        return _scale_lookup(self)

    def match(self, raw: object, numeric_order: str = "ascending") -> str | None:
        """Canonical code for a raw answer, or None if it matches nothing (never fuzzy).

        A number is read only on an ordered scale, whose direction is known: ascending as the
        instrument numbers it, or ``numeric_order="descending"`` for survey tools that number
        "got a lot better" as 1 (declared in a mapping file). On a nominal scale (gender,
        ethnicity, ...) a bare number means nothing without the tool's code list (SPSS value
        labels or a mapping file's ``values:``), so it is not an answer. Signed or fractional
        numbers (``-1``, ``+1``, ``1.5``) are never answers; ``4.0`` (a spreadsheet's 4) is 4.
        """
        text = unicodedata.normalize("NFKC", str(raw)).strip()
        if _NUMBER.match(text):
            return self._numeric_answer(text, numeric_order)
        key = normalise_text(raw)
        if not key:
            return None
        return self.lookup.get(key)

    def _numeric_answer(self, text: str, numeric_order: str) -> str | None:
        if self.kind != "ordinal" or text[0] in "+-":
            return None
        value = float(text.replace(",", "."))
        if not value.is_integer():
            return None
        number = int(value)
        if numeric_order == "descending":
            valid = [c for c in self.codes if c.numeric is not None and not c.missing]
            top = max(c.numeric for c in valid)
            low = min(c.numeric for c in valid)
            if low <= number <= top:
                number = top + low - number
        for answer in self.codes:
            if answer.numeric == number:
                return answer.code
        return None


_NUMBER = re.compile(r"^[+-]?\d+(?:[.,]\d+)?$")


@cache
def _scale_lookup_cached(name: str, codes: tuple[AnswerCode, ...]) -> dict[str, str]:
    table: dict[str, str] = {}
    for answer in codes:
        keys = [answer.code, answer.code.replace("_", " "), answer.label, *answer.aliases]
        for key in keys:
            table.setdefault(normalise_text(key), answer.code)
    for answer in codes:  # numeric codes last so a label such as "1" never shadows a code
        if answer.numeric is not None:
            table.setdefault(str(answer.numeric), answer.code)
            table.setdefault(f"{answer.numeric}.0", answer.code)
            table.setdefault(normalise_text(f"{answer.numeric}.0"), answer.code)
    return table


def _scale_lookup(scale: Scale) -> dict[str, str]:
    return _scale_lookup_cached(scale.name, scale.codes)


@dataclass(frozen=True)
class Question:
    code: str
    section: str
    type: str
    wording: str
    aliases: tuple[str, ...]
    domain: str
    scale: Scale | None
    respondent_field: str | None

    @property
    def is_outcome(self) -> bool:
        return self.section == "outcomes"

    @property
    def is_process(self) -> bool:
        return self.section == "process"


@dataclass(frozen=True)
class Instrument:
    id: str
    version: str
    title: str
    subject: str
    outcome_stem: str
    questions: tuple[Question, ...]
    source: Path
    scales: dict[str, Scale] = field(default_factory=dict)
    process_stem: str = ""

    @property
    def stems(self) -> tuple[str, ...]:
        """Section stems survey tools put before each item's text (removed to match headers)."""
        return tuple(s for s in (self.outcome_stem, self.process_stem) if s)

    def question(self, code: str) -> Question:
        for question in self.questions:
            if question.code == code:
                return question
        raise KeyError(f"{self.id} has no question {code!r}")

    def section(self, name: str) -> list[Question]:
        return [q for q in self.questions if q.section == name]

    @property
    def coded_questions(self) -> list[Question]:
        return [q for q in self.questions if q.type == "coded"]

    @property
    def outcome_codes(self) -> list[str]:
        return [q.code for q in self.section("outcomes")]

    @property
    def process_codes(self) -> list[str]:
        return [q.code for q in self.section("process") if q.type == "coded"]


def _require(mapping: dict, key: str, where: str, source: Path) -> Any:
    if not isinstance(mapping, dict) or key not in mapping:
        raise InstrumentError(f"{source}: {where} is missing the key {key!r}")
    return mapping[key]


def _parse_scale(name: str, spec: Any, source: Path) -> Scale:
    where = f"scales.{name}"
    if not isinstance(spec, dict):
        raise InstrumentError(f"{source}: {where} must be a mapping")
    kind = spec.get("kind", "nominal")
    if kind not in SCALE_KINDS:
        raise InstrumentError(f"{source}: {where}.kind must be one of {SCALE_KINDS}, not {kind!r}")
    raw_codes = _require(spec, "codes", where, source)
    if not isinstance(raw_codes, list) or not raw_codes:
        raise InstrumentError(f"{source}: {where}.codes must be a non-empty list")
    answers: list[AnswerCode] = []
    entries = [(entry, False) for entry in raw_codes] + [
        (entry, True) for entry in (spec.get("missing") or [])
    ]
    for position, (entry, missing) in enumerate(entries):
        key = f"{where}.{'missing' if missing else 'codes'}[{position}]"
        code = _require(entry, "code", key, source)
        if not isinstance(code, str):  # YAML reads 20_49 as the number 2049: quote codes
            raise InstrumentError(f'{source}: {key}.code must be text; quote it: "{code}"')
        numeric = entry.get("numeric")
        if numeric is not None and not isinstance(numeric, int):
            raise InstrumentError(f"{source}: {key}.numeric must be a whole number")
        aliases = entry.get("aliases") or []
        if not isinstance(aliases, list):
            raise InstrumentError(f"{source}: {key}.aliases must be a list")
        answers.append(
            AnswerCode(
                code=code,
                label=str(entry.get("label", code)),
                numeric=numeric,
                aliases=tuple(str(a) for a in aliases),
                missing=missing,
                order=position,
            )
        )
    codes = [a.code for a in answers]
    if len(set(codes)) != len(codes):
        raise InstrumentError(f"{source}: {where} repeats an answer code")
    groups_spec = spec.get("groups") or {}
    groups: dict[str, tuple[str, ...]] = {}
    for group, members in groups_spec.items():
        unknown = [m for m in members if str(m) not in codes]
        if unknown:
            raise InstrumentError(f"{source}: {where}.groups.{group} names unknown codes {unknown}")
        groups[str(group)] = tuple(str(m) for m in members)
    positive = spec.get("positive")
    if positive is not None and str(positive) not in groups:
        raise InstrumentError(f"{source}: {where}.positive {positive!r} is not one of its groups")
    scale = Scale(name, kind, tuple(answers), groups, None if positive is None else str(positive))
    _check_labels_unambiguous(scale, source, where)
    return scale


def _check_labels_unambiguous(scale: Scale, source: Path, where: str) -> None:
    seen: dict[str, str] = {}
    for answer in scale.codes:
        for key in {normalise_text(k) for k in (answer.code, answer.label, *answer.aliases)}:
            if key in seen and seen[key] != answer.code:
                raise InstrumentError(
                    f"{source}: {where}: the label or alias {key!r} belongs to both "
                    f"{seen[key]!r} and {answer.code!r}"
                )
            seen[key] = answer.code


def _check_headers_unambiguous(questions: list[Question], source: Path) -> None:
    """A wording or alias naming two questions would leave such a column unrecognised."""
    seen: dict[str, str] = {}
    for question in questions:
        keys = {normalise_header(k) for k in (question.code, question.wording, *question.aliases)}
        for key in keys:
            if key in seen and seen[key] != question.code:
                raise InstrumentError(
                    f"{source}: the wording or alias {key!r} names both {seen[key]!r} and "
                    f"{question.code!r}"
                )
            seen[key] = question.code


def load_scales(path: Path) -> dict[str, Scale]:
    """Read a scales file (``scales:`` mapping) and validate every scale in it."""
    data = _read_yaml(path)
    scales = _require(data, "scales", "the file", path)
    return {str(name): _parse_scale(str(name), spec, path) for name, spec in scales.items()}


def _read_yaml(path: Path) -> dict:
    try:
        data = yaml_files.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as error:
        raise InstrumentError(f"{path}: not valid YAML: {error}") from error
    if not isinstance(data, dict):
        raise InstrumentError(f"{path}: must hold a mapping at the top level")
    return data


def load_instrument_file(path: Path, shared_scales: dict[str, Scale] | None = None) -> Instrument:
    """Load one instrument YAML file, resolving scale names against its own and shared scales."""
    data = _read_yaml(path)
    scales = dict(shared_scales or {})
    for name, spec in (data.get("scales") or {}).items():
        scales[str(name)] = _parse_scale(str(name), spec, path)
    instrument_id = str(_require(data, "id", "the file", path))
    questions: list[Question] = []
    seen: set[str] = set()
    raw_questions = _require(data, "questions", "the file", path)
    if not isinstance(raw_questions, list) or not raw_questions:
        raise InstrumentError(f"{path}: questions must be a non-empty list")
    for position, entry in enumerate(raw_questions):
        where = f"questions[{position}]"
        code = str(_require(entry, "code", where, path))
        where = f"questions[{position}] ({code})"
        if code in seen:
            raise InstrumentError(f"{path}: {where}: the code {code!r} is used twice")
        seen.add(code)
        section = _require(entry, "section", where, path)
        if section not in SECTIONS:
            raise InstrumentError(f"{path}: {where}.section must be one of {SECTIONS}")
        qtype = entry.get("type", "coded")
        if qtype not in QUESTION_TYPES:
            raise InstrumentError(f"{path}: {where}.type must be one of {QUESTION_TYPES}")
        scale = None
        if qtype == "coded":
            scale_name = str(_require(entry, "scale", where, path))
            if scale_name not in scales:
                raise InstrumentError(f"{path}: {where}.scale {scale_name!r} is not defined")
            scale = scales[scale_name]
        field_name = entry.get("respondent_field")
        if field_name is not None and field_name not in RESPONDENT_FIELDS:
            raise InstrumentError(
                f"{path}: {where}.respondent_field must be one of {RESPONDENT_FIELDS}"
            )
        if section == "outcomes" and (scale is None or scale.positive is None):
            raise InstrumentError(f"{path}: {where}: an outcome needs a scale with `positive`")
        aliases = entry.get("aliases") or []
        if not isinstance(aliases, list):
            raise InstrumentError(f"{path}: {where}.aliases must be a list")
        questions.append(
            Question(
                code=code,
                section=section,
                type=qtype,
                wording=str(_require(entry, "wording", where, path)),
                aliases=tuple(str(a) for a in aliases),
                domain=str(entry.get("domain", code)),
                scale=scale,
                respondent_field=field_name,
            )
        )
    _check_headers_unambiguous(questions, path)
    return Instrument(
        id=instrument_id,
        version=str(data.get("version", "1")),
        title=str(data.get("title", instrument_id)),
        subject=str(data.get("subject", "respondent")),
        outcome_stem=str(data.get("outcome_stem", "")),
        process_stem=str(data.get("process_stem", "")),
        questions=tuple(questions),
        source=path,
        scales=scales,
    )


@cache
def _load_all(folder: str) -> dict[str, Instrument]:
    root = Path(folder)
    shared = _load_shared_scales(folder)
    instruments: dict[str, Instrument] = {}
    for path in sorted(root.glob("*.yaml")):
        data = _read_yaml(path)
        if path.name == "scales.yaml" or "register" in data or "themes" in data:
            # shared scales, the budget register's fields and frameworks (Making it Real) are
            # not instruments
            continue
        instrument = load_instrument_file(path, shared)
        if instrument.id in instruments:
            raise InstrumentError(f"{path}: instrument id {instrument.id!r} is already defined")
        instruments[instrument.id] = instrument
    return instruments


def shared_scales(folder: Path | None = None) -> dict[str, Scale]:
    """The scales of ``surveys/scales.yaml`` (also used for budget register categories)."""
    return _load_shared_scales(str(folder or surveys_dir()))


@cache
def _load_shared_scales(folder: str) -> dict[str, Scale]:
    path = Path(folder) / "scales.yaml"
    return load_scales(path) if path.exists() else {}


def all_instruments(folder: Path | None = None) -> dict[str, Instrument]:
    """Every instrument in ``surveys/`` (or ``folder``), by id."""
    return _load_all(str(folder or surveys_dir()))


def get_instrument(instrument_id: str, folder: Path | None = None) -> Instrument:
    """One instrument by id; the error lists the ids that exist."""
    instruments = all_instruments(folder)
    if instrument_id not in instruments:
        known = ", ".join(sorted(instruments)) or "none"
        raise InstrumentError(f"unknown instrument {instrument_id!r}; known: {known}")
    return instruments[instrument_id]
