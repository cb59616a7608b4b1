"""Write canonical demo survey returns as the messy files councils actually send.

Real survey exports differ in everything but content: question text as headers ("Q14. Being
supported with dignity and respect"), Windows-1252 CSVs with semicolons and labels in capitals
with stray spaces, Excel sheets with title rows, numeric 1-5 codes, a few impossible answers and
the odd return entered twice, references blank or mistyped. This module plants exactly those
problems, and records each one it planted, so the ingest path is exercised the way a council's file exercises it and the tests can
check that every planted problem was caught. Budget registers are written by
:mod:`pipeline.demo.register_exports`.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import numpy as np
import pandas as pd
import xlsxwriter

from pipeline.instruments import Instrument, Question, get_instrument, normalise_header


@dataclass(frozen=True)
class ExportStyle:
    """How one survey tool writes its export."""

    name: str
    suffix: str  # csv | xlsx
    headers: str  # numbered (Q14. wording) | alias | wording | code
    answers: str  # label | variant | numeric
    encoding: str = "utf-8"
    delimiter: str = ","
    title_rows: tuple[str, ...] = ()
    lower_case_ids: bool = False


STYLES = {
    "csv_wording": ExportStyle("csv_wording", "csv", headers="numbered", answers="label"),
    "csv_1252_variants": ExportStyle(
        "csv_1252_variants",
        "csv",
        headers="alias",
        answers="variant",
        encoding="cp1252",
        delimiter=";",
        lower_case_ids=True,
    ),
    "xlsx_titles": ExportStyle(
        "xlsx_titles",
        "xlsx",
        headers="wording",
        answers="label",
        title_rows=("{council} Council: {title} {wave}", "Exported from the survey tool on {date}"),
    ),
    "csv_numeric": ExportStyle(
        "csv_numeric", "csv", headers="code", answers="numeric", encoding="utf-8-sig"
    ),
}

# Answers no scale accepts (checked against the scale before planting): typos, out-of-range
# numbers and free text where a tick box was expected.
BAD_CHANGE = ("Got bettr", "9", "Improved a bit", "6", "Better?? not sure")
BAD_EASE = ("Very esay", "7", "Sometimes", "0")
BAD_NUMERIC = ("9", "0", "45", "Got bettr")


@dataclass
class PlantedValue:
    source_row: int  # the row number a person sees in the file (as the loader reports it)
    column: str  # the header as written
    question_code: str
    raw_value: str


@dataclass
class WrittenFile:
    """One demo file and the problems planted in it."""

    path: Path
    kind: str  # survey | budgets
    council: str
    style: str
    rows_written: int
    wave: int | None = None
    instrument: str | None = None
    planted_values: list[PlantedValue] = field(default_factory=list)
    duplicate_rows: tuple[int, int] | None = None  # (first copy, later copy) as source rows
    blank_references: list[int] = field(default_factory=list)  # source rows with no reference
    mistyped_references: list[int] = field(default_factory=list)  # source rows, typo in the id

    def as_dict(self) -> dict:
        return {
            "file": self.path.name,
            "kind": self.kind,
            "council": self.council,
            "wave": self.wave,
            "instrument": self.instrument,
            "style": self.style,
            "rows_written": self.rows_written,
            "planted_values": [vars(p) for p in self.planted_values],
            "duplicate_rows": list(self.duplicate_rows) if self.duplicate_rows else None,
            "blank_references": self.blank_references,
            "mistyped_references": self.mistyped_references,
        }


def unambiguous_aliases(instrument: Instrument) -> dict[str, str]:
    """Each question's first alias that no other question also claims (by code, wording or
    alias): a survey tool's short header names one question, so the demo never plants a header
    the instrument itself makes ambiguous."""
    claims: dict[str, set[str]] = {}
    for question in instrument.questions:
        for text in (question.code, question.wording, *question.aliases):
            claims.setdefault(normalise_header(text), set()).add(question.code)
    chosen: dict[str, str] = {}
    for question in instrument.questions:
        unique = [a for a in question.aliases if claims[normalise_header(a)] == {question.code}]
        if unique:
            chosen[question.code] = unique[0]
    return chosen


def header_for(
    question: Question, position: int, style: ExportStyle, aliases: dict[str, str]
) -> str:
    """The column header a given survey tool writes for a question."""
    if question.type == "id":
        if style.headers == "code":
            return "respondent_id"
        if question.aliases and "client reference" in question.aliases:
            return "Client Reference"
        return "Reference"
    if style.headers == "numbered":
        return f"Q{position}. {question.wording}"
    if style.headers == "alias" and aliases.get(question.code):
        return aliases[question.code].capitalize()
    if style.headers == "code":
        return question.code
    return question.wording


def _answer_variants(question: Question, code: str) -> list[str]:
    """Ways a label of ``code`` is typed in exports, all of which the scale accepts."""
    assert question.scale is not None
    label = question.scale.label_of(code)
    answer = next(a for a in question.scale.codes if a.code == code)
    variants = [label, label.upper(), label + " "]
    if answer.missing and "n/a" in answer.aliases:
        variants = ["N/A", "n/a", label]
    elif answer.aliases:
        variants.append(answer.aliases[0].capitalize())
    return variants


def render_answers(
    values: pd.Series, question: Question, style: ExportStyle, rng: np.random.Generator
) -> pd.Series:
    """Canonical codes of one question as the text a survey tool writes (blank stays blank)."""
    assert question.scale is not None
    scale = question.scale
    codes = values.astype(object)
    present = codes.notna().to_numpy()
    text = np.full(len(codes), "", dtype=object)
    if style.answers == "label":
        text[present] = [scale.label_of(c) for c in codes[present]]
    elif style.answers == "numeric" and scale.kind == "ordinal":
        # survey tools number ordered scales; categories keep their labels (a bare number for
        # a gender or ethnic group means nothing without the tool's code list)
        numeric = {a.code: str(a.numeric) for a in scale.codes if a.numeric is not None}
        text[present] = [numeric.get(c, scale.label_of(c)) for c in codes[present]]
    else:
        picks = rng.random(int(present.sum()))
        rendered = []
        for code, pick in zip(codes[present], picks, strict=True):
            variants = _answer_variants(question, code)
            rendered.append(variants[int(pick * len(variants))])
        text[present] = rendered
    return pd.Series(text, index=values.index)


def _plant_bad_values(
    table: pd.DataFrame,
    questions: dict[str, Question],
    style: ExportStyle,
    rng: np.random.Generator,
    skip_rows: set[int],
    header_row: int,
) -> list[PlantedValue]:
    """Overwrite 2-4 answers of outcome or process items with values no scale accepts."""
    candidates = [
        header
        for header, q in questions.items()
        if q.section in ("outcomes", "process") and q.scale and q.scale.name in ("change5", "ease5")
    ]
    rows = [r for r in range(len(table)) if r not in skip_rows]
    planted: list[PlantedValue] = []
    chosen_rows = rng.choice(rows, size=int(rng.integers(2, 5)), replace=False)
    for row in sorted(int(r) for r in chosen_rows):
        header = candidates[int(rng.integers(len(candidates)))]
        question = questions[header]
        assert question.scale is not None
        pool = (
            BAD_NUMERIC
            if style.answers == "numeric"
            else (BAD_CHANGE if question.scale.name == "change5" else BAD_EASE)
        )
        bad = pool[int(rng.integers(len(pool)))]
        assert question.scale.match(bad) is None, f"{bad!r} would be accepted by {header}"
        table.iat[row, table.columns.get_loc(header)] = bad
        planted.append(PlantedValue(header_row + row + 1, header, question.code, bad))
    return planted


def _spoil_references(
    frame: pd.DataFrame, id_header: str, rng: np.random.Generator, keep: set[int]
) -> tuple[list[int], list[int]]:
    """Blank about 2% of respondent references and mistype another 2% (a digit dropped), as
    happens when references are typed in from paper: those returns load but cannot be linked to
    the budget register. A dropped digit can never hit another person's id (the demo's ids all
    have the same length), so exactly these returns fail to link. Returns the 0-based rows."""
    rows = [r for r in range(len(frame)) if r not in keep]
    count = max(1, round(0.02 * len(frame)))
    chosen = [int(r) for r in rng.choice(rows, size=2 * count, replace=False)]
    blank, mistyped = sorted(chosen[:count]), sorted(chosen[count:])
    column = frame.columns.get_loc(id_header)
    for row in blank:
        frame.iat[row, column] = ""
    for row in mistyped:
        reference = str(frame.iat[row, column])
        position = int(rng.integers(len(reference) - 4, len(reference)))
        frame.iat[row, column] = reference[:position] + reference[position + 1 :]
    return blank, mistyped


def write_survey_export(
    returns: pd.DataFrame,
    folder: Path,
    *,
    council: str,
    wave: int,
    instrument: str,
    style: ExportStyle,
    rng: np.random.Generator,
) -> WrittenFile:
    """Write canonical returns as one survey tool's export, with planted problems."""
    definition = get_instrument(instrument)
    aliases = unambiguous_aliases(definition)
    table: dict[str, pd.Series] = {}
    questions: dict[str, Question] = {}
    for position, question in enumerate(definition.questions):
        header = header_for(question, position, style, aliases)
        questions[header] = question
        column = returns[question.code]
        if question.type == "coded":
            table[header] = render_answers(column, question, style, rng)
        elif question.type == "id":
            ids = column.astype(str)
            table[header] = ids.str.lower() if style.lower_case_ids else ids
        else:
            table[header] = column.astype(object).where(column.notna(), "")
    frame = pd.DataFrame(table)

    first = int(rng.integers(0, len(frame) // 2))
    later = int(rng.integers(len(frame) // 2, len(frame)))
    frame = pd.concat(
        [frame.iloc[:later], frame.iloc[[first]], frame.iloc[later:]], ignore_index=True
    )
    # Rows as a person sees them: title rows, the blank row and the header come first.
    header_row = len(style.title_rows) + (1 if style.title_rows else 0) + 1
    duplicate = (header_row + first + 1, header_row + later + 1)
    planted = _plant_bad_values(frame, questions, style, rng, {first, later}, header_row)
    id_header = header_for(definition.question("respondent_id"), 0, style, aliases)
    blank, mistyped = _spoil_references(frame, id_header, rng, {first, later})

    slug = instrument.removeprefix("poet-")
    name = f"{council.lower()}_{slug}_{wave}.{style.suffix}"
    path = folder / name
    if style.suffix == "xlsx":
        titles = [
            t.format(council=council, title=definition.title, wave=wave, date=f"01/12/{wave}")
            for t in style.title_rows
        ]
        write_xlsx(frame, path, titles=titles, sheet=f"Survey {wave}")
    else:
        _write_csv(frame, path, style)
    return WrittenFile(
        path=path,
        kind="survey",
        council=council,
        style=style.name,
        rows_written=len(frame),
        wave=wave,
        instrument=instrument,
        planted_values=planted,
        duplicate_rows=duplicate,
        blank_references=[header_row + r + 1 for r in blank],
        mistyped_references=[header_row + r + 1 for r in mistyped],
    )


def _write_csv(frame: pd.DataFrame, path: Path, style: ExportStyle) -> None:
    # newline="" with csv's own \r\n: what Excel and most survey tools write
    frame.to_csv(
        path,
        index=False,
        sep=style.delimiter,
        encoding=style.encoding,
        quoting=csv.QUOTE_MINIMAL,
        lineterminator="\r\n",
    )


def write_xlsx(
    frame: pd.DataFrame,
    path: Path,
    *,
    titles: list[str],
    sheet: str,
    date_columns: tuple[str, ...] = (),
) -> None:
    """An Excel sheet as people make them: title rows, a blank row, then the table."""
    workbook = xlsxwriter.Workbook(str(path))
    # A fixed creation time keeps the file byte-identical for a seed, so a rebuild is a no-op.
    workbook.set_properties({"created": datetime(2026, 1, 1)})
    try:
        worksheet = workbook.add_worksheet(sheet)
        bold = workbook.add_format({"bold": True})
        date_format = workbook.add_format({"num_format": "dd/mm/yyyy"})
        row = 0
        for title in titles:
            worksheet.write(row, 0, title, bold)
            row += 1
        if titles:
            row += 1  # the blank row between the titles and the table
        for column, header in enumerate(frame.columns):
            worksheet.write(row, column, header, bold)
        for values in frame.itertuples(index=False):
            row += 1
            for column, value in enumerate(values):
                if value is None or value == "" or (isinstance(value, float) and np.isnan(value)):
                    continue
                if frame.columns[column] in date_columns and isinstance(value, datetime):
                    worksheet.write_datetime(row, column, value, date_format)
                else:
                    worksheet.write(row, column, value)
    finally:
        workbook.close()
