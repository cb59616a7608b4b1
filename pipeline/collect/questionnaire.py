"""Printable paper questionnaires, standard and easy read, with each person's code printed.

The questions, answers, easy-read words and faces are the survey site's own
(``pipeline.collect.forms.build_pages``, from the instrument YAML and
``surveys/easy-read/survey-site.yaml``), so paper and online ask the same thing in the same
words, and each answer carries the number staff type when keying the paper return (the form's
option ``key``). One PDF holds one questionnaire per person, in the mail merge's order, each
starting on a new page with the code on every page (a loose page can still be keyed). Rendered
with Jinja2 (autoescaped) and WeasyPrint with no network access, as the reports are.

Speed: laying out a questionnaire takes WeasyPrint about 1.5 seconds, so 600 of them would take
a quarter of an hour. The questionnaire is therefore laid out once, the codes are laid out on
otherwise empty pages of the same size (a page per questionnaire page, the code in the box at the
top of the first and in the corner of every page: fast, they hold one line), and pypdf lays each
code page over a copy of the matching questionnaire page.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

from pipeline.collect.forms import Page, build_pages
from pipeline.instruments import get_instrument

TEMPLATES = Path(__file__).with_name("templates")
VERSIONS = {"standard": "standard", "easy-read": "easy_read"}


@cache
def _environment() -> Environment:
    return Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


@cache
def _css() -> Markup:
    text = (TEMPLATES / "questionnaire.css").read_text(encoding="utf-8")
    if "</" in text:
        raise ValueError("questionnaire.css must not contain '</' (it is inlined)")
    return Markup(text)


@dataclass(frozen=True)
class NumberedField:
    number: int
    legend: str
    hint: str
    options: tuple


@dataclass(frozen=True)
class NumberedPage:
    heading: str
    intro: str
    fields: tuple[NumberedField, ...]


def _numbered(pages: list[Page]) -> list[NumberedPage]:
    """Questions numbered 1, 2, … through the whole questionnaire, as paper surveys are."""
    number = 0
    out = []
    for page in pages:
        fields = []
        for field in page.fields:
            number += 1
            fields.append(NumberedField(number, field.legend, field.hint, field.options))
        out.append(NumberedPage(page.heading, page.intro, tuple(fields)))
    return out


def _render(template: str, **values: object) -> str:
    return _environment().get_template(template).render(css=_css(), **values)


def questionnaire_html(instrument_id: str, *, version: str, site: str) -> str:
    """The HTML of the questionnaire (``version`` standard or easy-read), with an empty code box."""
    if version not in VERSIONS:
        raise ValueError(f"version must be one of {', '.join(VERSIONS)}")
    instrument = get_instrument(instrument_id)
    pages = _numbered(build_pages(instrument, VERSIONS[version]))
    easy_read = version == "easy-read"
    return _render(
        "questionnaire.html.j2",
        title=instrument.title + (" (easy read)" if easy_read else ""),
        pages=pages,
        site=site,
        easy_read=easy_read,
        version_class="easy-read" if easy_read else "standard",
    )


def _no_fetch(url: str, *args: object, **kwargs: object) -> dict:
    raise ValueError(f"questionnaires never fetch external resources ({url!r} refused)")


def _pdf(html: str) -> bytes:
    from weasyprint import HTML

    return HTML(string=html, url_fetcher=_no_fetch, base_url=None).write_pdf()


def write_questionnaires(
    instrument_id: str,
    codes_as_printed: Sequence[str],
    target: Path,
    *,
    version: str = "standard",
    site: str,
) -> Path:
    """Write one questionnaire per code, in the order given, to the PDF ``target``."""
    from pypdf import PdfReader, PdfWriter

    form = PdfReader(
        io.BytesIO(_pdf(questionnaire_html(instrument_id, version=version, site=site)))
    )
    per_person = len(form.pages)
    stamps = PdfReader(
        io.BytesIO(
            _pdf(
                _render(
                    "questionnaire_codes.html.j2",
                    codes=list(codes_as_printed),
                    pages=per_person,
                    version_class="easy-read" if version == "easy-read" else "standard",
                )
            )
        )
    )
    if len(stamps.pages) != per_person * len(codes_as_printed):
        raise RuntimeError(
            f"the code pages ({len(stamps.pages)}) do not line up with {len(codes_as_printed)} "
            f"questionnaires of {per_person} pages"
        )
    writer = PdfWriter()
    for index, stamp in enumerate(stamps.pages):
        page = form.pages[index % per_person]
        blank = writer.add_blank_page(float(page.mediabox.width), float(page.mediabox.height))
        blank.merge_page(page)
        blank.merge_page(stamp)
    writer.compress_identical_objects()
    with Path(target).open("wb") as handle:
        writer.write(handle)
    return Path(target)
