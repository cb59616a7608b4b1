"""Headers written over more than one row, as survey tools write them (shared by CSV and XLSX).

The readers pass the first rows of a file; :func:`find_header_block` says which of them are
header rows, what each column's header is as a person reads it (``headers``, for the load
report) and the texts the column is matched under (``forms``, for ``HeaderMatcher``). Two
layouts are recognised, each only on evidence that a data row cannot give:

- **SurveyMonkey** ("All responses" CSV or XLSX): row 1 holds the respondent metadata ("Respondent
  ID", "Collector ID", ...) and each question's text, written only over the first column of a
  matrix or multiple-choice question; row 2 is blank under the metadata and holds each column's
  label: a matrix row ("Your physical health"), "Response" for a single answer, "Open-Ended
  Response" for text. A column's question is the row-1 text carried right across the blanks of
  its question, followed by its row-2 label; "Response" and "Open-Ended Response" add nothing.
- **Qualtrics** (CSV): row 1 the question ids ("Q10_1", "ResponseId"), row 2 the question text,
  row 3 ``{"ImportId":"QID10_1"}`` for every column. The ImportId row is dropped; the column is
  reported as "Q10_1 | <text>" and matched under the id and the text, so a mapping file may name
  either.

Any other file has one header row, chosen by :func:`choose_header_row`, and is read as before.
Only the first rows are looked at, so the cost does not grow with the file.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from pipeline.ingest.raw_table import (
    HEADER_SEARCH_ROWS,
    STRIPPED_CHARACTERS,
    HeaderScore,
    choose_header_row,
)

HEADER_JOIN = " | "  # between the parts of a header written over several rows, in the report
# SurveyMonkey's own row-2 labels: they say what kind of answer the column holds, not which.
SURVEYMONKEY_ANSWER_LABELS = frozenset({"response", "open-ended response"})
SURVEYMONKEY_LABELS = SURVEYMONKEY_ANSWER_LABELS | {"other (please specify)"}
DATA_ROWS_COMPARED = 50  # rows below a candidate sub-header row whose values it must not repeat

_IMPORT_ID = re.compile(r'^\{\s*"ImportId"\s*:', re.I)
_NUMBER = re.compile(r"^[-+]?[£$€]?\d[\d,]*(?:\.\d+)?%?$")
_DATE = re.compile(r"^\d{1,4}[-/.]\d{1,2}[-/.]\d{1,4}\b")
# "(please tick one on each row)": an instruction inside a question's text, not its words
_INSTRUCTION = re.compile(
    r"\s*\(\s*(?:please\s+)?(?:tick|select|choose|circle|mark)\b[^)]*\)", re.I
)


@dataclass(frozen=True)
class HeaderBlock:
    """The header rows found among the first rows of a file (indexes into those rows, 0-based)."""

    first: int  # the first header row
    last: int  # the last header row: data starts on the row below it
    headers: list[str]  # each column's header as a person reads it (the load report's text)
    forms: list[tuple[str, ...]]  # texts each column is matched under; () = its header alone
    layout: str  # "single" | "surveymonkey" | "qualtrics"

    @property
    def rows(self) -> int:
        return self.last - self.first + 1

    def labels(self, width: int) -> list[str | tuple[str, ...] | None]:
        """``RawTable.header_labels`` for a table ``width`` columns wide."""
        labels: list[str | tuple[str, ...] | None] = [form or None for form in self.forms]
        return (labels + [None] * width)[:width]

    def note(self, first_row: int) -> str | None:
        """One sentence for the load report, given the file's row number of ``first``."""
        if self.layout == "surveymonkey":
            return (
                f"rows {first_row}-{first_row + 1} are SurveyMonkey's two header rows: each "
                "column is its question (row 1, carried across a matrix) and its row-2 label; "
                "they are not data"
            )
        if self.layout == "qualtrics":
            return (
                f"rows {first_row}-{first_row + 2} are Qualtrics' three header rows: question "
                "ids, question text and ImportId; the columns are matched by id or text, and "
                "none of the three rows is data"
            )
        return None


def find_header_block(
    records: Sequence[Sequence[str | None]], header_score: HeaderScore | None
) -> HeaderBlock | None:
    """The header rows among the first rows of a file; None if every row is blank."""
    rows = [
        [(cell or "").strip(STRIPPED_CHARACTERS) for cell in row]
        for row in records[: HEADER_SEARCH_ROWS * 3]
    ]
    chosen = choose_header_row(rows, header_score)
    if chosen < 0:
        return None
    block = _qualtrics(rows, chosen)
    if block is None:
        for top in (chosen, chosen - 1):  # the scorer may have picked either of the two rows
            if 0 <= top < len(rows) - 1 and _surveymonkey_rows(rows, top):
                block = _surveymonkey(rows, top)
                break
    if block is None:
        block = HeaderBlock(chosen, chosen, list(rows[chosen]), [], "single")
    return block


# --------------------------------------------------------------------------------------------
# Qualtrics


def _qualtrics(rows: list[list[str]], chosen: int) -> HeaderBlock | None:
    """Ids, text and ImportId rows: recognised by the ImportId row, within two rows of the header."""
    for index in range(max(chosen, 2), min(chosen + 3, len(rows))):
        if not _is_import_id_row(rows[index]):
            continue
        ids, texts = rows[index - 2], rows[index - 1]
        width = sum(1 for cell in rows[index] if cell)
        if sum(1 for cell in ids if cell) < width or sum(1 for cell in texts if cell) < width:
            return None  # Qualtrics fills every column of all three rows
        headers: list[str] = []
        forms: list[tuple[str, ...]] = []
        for position in range(max(len(ids), len(texts))):
            code = ids[position] if position < len(ids) else ""
            text = texts[position] if position < len(texts) else ""
            parts = list(dict.fromkeys(part for part in (code, text) if part))
            headers.append(HEADER_JOIN.join(parts))
            forms.append(tuple(parts))
        return HeaderBlock(index - 2, index, headers, forms, "qualtrics")
    return None


def _is_import_id_row(row: list[str]) -> bool:
    filled = [cell for cell in row if cell]
    return len(filled) >= 2 and all(_IMPORT_ID.match(cell) for cell in filled)


# --------------------------------------------------------------------------------------------
# SurveyMonkey


def _surveymonkey_rows(rows: list[list[str]], top: int) -> bool:
    """Is row ``top + 1`` SurveyMonkey's row of labels under the question row ``top``?

    All of these must hold, so that a data row is never taken for labels:
    1. the row is blank under a leading block of filled header cells (the respondent metadata,
       "Respondent ID" first), and the question part starts with a filled header cell;
    2. after that block, the row is filled under every filled header cell (each question's first
       column has its label), with at least two labels;
    3. it holds one of SurveyMonkey's own labels ("Response", "Open-Ended Response"), or a label
       under a blank header cell (a matrix question's later columns);
    4. none of its cells reads like data of its column: no number, no date, and no value that
       occurs again in the same column of the rows below (answers repeat; labels do not).
    """
    questions, labels = rows[top], rows[top + 1]
    width = max(len(questions), len(labels))
    questions = questions + [""] * (width - len(questions))
    labels = labels + [""] * (width - len(labels))
    metadata = 0
    while metadata < width and questions[metadata] and not labels[metadata]:
        metadata += 1
    if metadata == 0 or metadata == width or not questions[metadata]:
        return False
    part = range(metadata, width)
    if any(questions[i] and not labels[i] for i in part):
        return False
    if any(labels[i] for i in range(metadata)) or sum(1 for i in part if labels[i]) < 2:
        return False
    own_label = any(labels[i].casefold() in SURVEYMONKEY_LABELS for i in part)
    matrix = any(labels[i] and not questions[i] for i in part)
    if not (own_label or matrix):
        return False
    below = rows[top + 2 : top + 2 + DATA_ROWS_COMPARED]
    for i in part:
        label = labels[i]
        if not label or label.casefold() in SURVEYMONKEY_LABELS:
            continue
        if _NUMBER.match(label) or _DATE.match(label):
            return False
        if any(i < len(row) and row[i] == label for row in below):
            return False
    return True


def _surveymonkey(rows: list[list[str]], top: int) -> HeaderBlock:
    questions, labels = rows[top], rows[top + 1]
    width = max(len(questions), len(labels))
    questions = questions + [""] * (width - len(questions))
    labels = labels + [""] * (width - len(labels))
    headers: list[str] = []
    forms: list[tuple[str, ...]] = []
    question = ""
    for position in range(width):
        label = labels[position]
        if questions[position]:
            question = questions[position]
        if not label:  # the metadata block: the header is row 1's text as written
            headers.append(questions[position])
            forms.append(())
            continue
        asked = _INSTRUCTION.sub("", question).strip()
        if label.casefold() in SURVEYMONKEY_ANSWER_LABELS or not question:
            headers.append(question or label)
            forms.append(tuple(dict.fromkeys(text for text in (question, asked) if text)))
        else:
            headers.append(f"{question}{HEADER_JOIN}{label}")
            forms.append((f"{asked} - {label}",))
    return HeaderBlock(top, top + 1, headers, forms, "surveymonkey")
