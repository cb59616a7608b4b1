"""The survey as web pages, built from an instrument's YAML: what the site and paper keying show.

Nothing here names a question. Each section of the instrument (about you, the process, the
outcomes, comments) is one page; each coded question is a set of radios (one fieldset, its
legend the question) and each free-text question a text box. "Who filled it in" is the
question whose ``respondent_field`` is ``completed_by``, asked first. The easy-read version
uses the same questions and answer codes with plainer words and a face beside answers that have
a direction, from ``surveys/easy-read/survey-site.yaml``. What a person sends is checked here
against the scale (a value that is not one of the question's answers is an error on that field);
the merger then sends it through the loader's own validation as well.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

from markupsafe import Markup

from pipeline import yaml_files
from pipeline.collect.pictures import face_svg
from pipeline.config import surveys_dir
from pipeline.instruments import SECTIONS, Instrument, Question

VERSIONS = ("standard", "easy_read")
COMMENT_LIMIT = 2000  # characters: a paragraph or two, and a bound on what a form can post
STANDARD_HEADINGS = {
    "about_you": "About you",
    "process": "Getting your personal budget",
    "outcomes": "What has changed",
    "comments": "Your comments",
}


@dataclass(frozen=True)
class Option:
    code: str
    label: str
    picture: Markup | None = None
    key: int = 0  # the number typed for it when keying paper (its position, from 1)


@dataclass(frozen=True)
class Field:
    """One question as shown: its legend or label, and its answers (none for free text)."""

    code: str
    legend: str
    options: tuple[Option, ...]
    hint: str = ""

    @property
    def is_text(self) -> bool:
        return not self.options

    def option(self, code: str) -> Option | None:
        return next((o for o in self.options if o.code == code), None)


@dataclass(frozen=True)
class Page:
    section: str
    heading: str
    intro: str
    fields: tuple[Field, ...]


@cache
def _easy_read(folder: str) -> dict:
    path = Path(folder) / "easy-read" / "survey-site.yaml"
    return yaml_files.safe_load(path.read_text(encoding="utf-8")) if path.exists() else {}


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:] if text[:2] != text[:2].upper() else text


def _standard_legend(instrument: Instrument, question: Question) -> str:
    wording = question.wording.strip()
    if wording.endswith("?") or question.section not in ("outcomes", "process"):
        return wording
    stem = instrument.outcome_stem if question.is_outcome else instrument.process_stem
    if not stem:
        return wording
    return f"{stem.rstrip(':. ')}: {_lower_first(wording)}?"


def _easy_legend(easy: dict, question: Question) -> str:
    override = (easy.get("questions") or {}).get(question.code)
    if override:
        return str(override)
    scale = question.scale.name if question.scale else ""
    ask = ((easy.get("asks") or {}).get(scale) or {}).get(question.section)
    if ask:
        return f"{question.domain}. {ask}"
    return question.wording


def _options(question: Question, version: str, easy: dict) -> tuple[Option, ...]:
    if question.scale is None:
        return ()
    words = (easy.get("answers") or {}).get(question.scale.name) or {}
    options = []
    for position, answer in enumerate(question.scale.codes, start=1):
        label, picture = answer.label, None
        if version == "easy_read" and answer.code in words:
            entry = words[answer.code] or {}
            label = str(entry.get("text", label))
            if entry.get("mood") is not None:
                picture = face_svg(int(entry["mood"]))
        options.append(Option(answer.code, label, picture, position))
    return tuple(options)


def completed_by_question(instrument: Instrument) -> Question | None:
    """The instrument's "who filled it in" question, if it has one."""
    return next((q for q in instrument.questions if q.respondent_field == "completed_by"), None)


def build_pages(
    instrument: Instrument, version: str = "standard", folder: Path | None = None
) -> list[Page]:
    """The instrument's pages in order (sections without questions left out)."""
    if version not in VERSIONS:
        raise ValueError(f"version must be one of {VERSIONS}")
    easy = _easy_read(str(folder or surveys_dir()))
    who = completed_by_question(instrument)
    pages = []
    for section in SECTIONS:
        questions = [q for q in instrument.section(section) if q.type != "id"]
        if who is not None and who in questions:
            questions.remove(who)
            questions.insert(0, who)
        if not questions:
            continue
        fields = []
        for question in questions:
            legend = (
                _easy_legend(easy, question)
                if version == "easy_read"
                else _standard_legend(instrument, question)
            )
            hint = ""
            if question.type == "text":
                hint = (
                    "You do not have to write anything."
                    if version == "easy_read"
                    else f"Optional. Up to {COMMENT_LIMIT} characters. Please do not write "
                    "names, addresses or phone numbers."
                )
            fields.append(Field(question.code, legend, _options(question, version, easy), hint))
        section_words = (easy.get("sections") or {}).get(section) or {}
        heading = (
            str(section_words.get("heading", STANDARD_HEADINGS.get(section, section)))
            if version == "easy_read"
            else STANDARD_HEADINGS.get(section, section)
        )
        intro = str(section_words.get("intro", "")) if version == "easy_read" else ""
        pages.append(Page(section, heading, intro, tuple(fields)))
    return pages


def read_page(page: Page, form: dict[str, str]) -> tuple[dict[str, str], dict[str, str]]:
    """The answers a page's form sent, and an error message per field that sent something that
    is not one of its answers. Unanswered questions are simply absent (every question may be
    left out, as on paper)."""
    answers: dict[str, str] = {}
    errors: dict[str, str] = {}
    for field in page.fields:
        value = (form.get(field.code) or "").strip()
        if not value:
            continue
        if field.is_text:
            if len(value) > COMMENT_LIMIT:
                errors[field.code] = (
                    f"Your answer is {len(value)} characters; it must be {COMMENT_LIMIT} or fewer"
                )
            else:
                answers[field.code] = value
        elif field.option(value) is None:
            errors[field.code] = f"Select one of the answers to: {field.legend}"
        else:
            answers[field.code] = value
    return answers, errors


def read_keyed(page: Page, form: dict[str, str]) -> tuple[dict[str, str], dict[str, str]]:
    """Paper keying: each coded answer typed as its number on the form (1, 2, ...) or its code
    or words; comments typed as written. Errors name the numbers that are allowed."""
    answers: dict[str, str] = {}
    errors: dict[str, str] = {}
    for field in page.fields:
        value = (form.get(field.code) or "").strip()
        if not value:
            continue
        if field.is_text:
            answers[field.code] = value[:COMMENT_LIMIT]
            continue
        chosen = None
        if value.isdigit():
            chosen = next((o for o in field.options if o.key == int(value)), None)
        else:
            folded = value.casefold().replace(" ", "_")
            chosen = next(
                (
                    o
                    for o in field.options
                    if folded in (o.code, o.label.casefold().replace(" ", "_"))
                ),
                None,
            )
        if chosen is None:
            errors[field.code] = (
                f"'{value}' is not an answer to {field.legend}: type a number from 1 to "
                f"{len(field.options)}"
            )
        else:
            answers[field.code] = chosen.code
    return answers, errors
