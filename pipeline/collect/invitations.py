"""Invitations: the mail-merge file the council's letters need, and the paper questionnaires.

The database keeps only pseudonyms, so the council supplies its register file again; it is read
exactly as ``outcomes ingest budgets`` reads it (``pipeline.ingest.budgets.register_references``)
and each reference is hashed with the database's own key (``key_guard.pseudonymiser_for_lookup``)
to find the sampled people. The mail merge holds the invitation code as printed and the
reference as the register wrote it, nothing of the survey: the council's letter system adds the
name and address from its own records. Nothing read from the register is stored.

Spreadsheet safety: a value that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage
return would run as a formula when the CSV is opened in Excel, so in the CSV it is prefixed with
an apostrophe by the same rule every download uses (``pipeline.present.exports.neutralise``;
Excel shows the value as text). In the XLSX every cell is written as a string, never a formula,
so there the value is kept exactly as written.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pandas as pd

from pipeline.analysis.collection import unanswered_sample
from pipeline.collect.codes import display
from pipeline.collect.questionnaire import write_questionnaires
from pipeline.config import survey_site_address
from pipeline.ingest.budgets import register_references
from pipeline.ingest.key_guard import pseudonymiser_for_lookup
from pipeline.ingest.loading import IngestError
from pipeline.present.exports import neutralise

MAIL_MERGE_COLUMNS = ("Invitation code", "Reference")


class InvitationError(ValueError):
    """Invitations that cannot be written; the message names the council, wave or file."""


@dataclass
class InvitationFiles:
    """What ``outcomes invitations`` wrote and how well the register matched the sample."""

    council: str
    wave: int
    instrument: str
    reminders: bool
    invited: int  # people the files are for (the sample, or those not yet answered)
    found: int  # of them, found in the register file
    files: dict[str, Path] = field(default_factory=dict)
    register_rows: int = 0

    @property
    def not_found(self) -> int:
        return self.invited - self.found

    def summary(self) -> list[str]:
        who = "sampled people who have not answered yet" if self.reminders else "sampled people"
        lines = [
            f"{self.council}, wave {self.wave}, {self.instrument}: {self.found} of {self.invited} "
            f"{who} found in the register file ({self.register_rows} rows read)."
        ]
        if self.not_found:
            lines.append(
                f"{self.not_found} could not be found: their reference is not in this register "
                "file (a different extract from the one loaded?). They have no row in the mail "
                "merge; load the register they are in, or send theirs by hand."
            )
        lines += [f"Wrote {path}" for path in self.files.values()]
        return lines


def _sample_people(
    con: duckdb.DuckDBPyConnection, council: str, wave: int, instrument: str, reminders: bool
) -> pd.DataFrame:
    if reminders:
        frame = unanswered_sample(con, council=council, wave=wave, instrument=instrument)
        return frame.rename(columns={"invitation_code": "printed"})
    frame = con.execute(
        "SELECT invitation_code, person_key FROM samples WHERE council = ? AND wave = ? "
        "AND instrument = ? ORDER BY invitation_code",
        [council, int(wave), instrument],
    ).df()
    frame["printed"] = frame["invitation_code"].map(display)
    return frame[["printed", "person_key"]]


def match_register(
    con: duckdb.DuckDBPyConnection,
    people: pd.DataFrame,
    register: Path,
    *,
    council: str,
    mapping: Path | None = None,
    sheet: str | None = None,
) -> tuple[pd.DataFrame, int]:
    """``people`` (``printed``, ``person_key``) with the register's ``reference`` for each found
    (the first row that names them), in reference order; and the register's row count."""
    try:
        rows = register_references(register, mapping=mapping, sheet=sheet)
        pseudonymiser = pseudonymiser_for_lookup(con)
    except IngestError as error:
        raise InvitationError(str(error)) from error
    references = rows.drop_duplicates("reference")
    references = references.assign(
        person_key=pseudonymiser.keys_for(council, references["reference"].astype(str).tolist())
    ).drop_duplicates("person_key")
    matched = people.merge(references[["person_key", "reference"]], on="person_key", how="inner")
    return matched.sort_values("reference", kind="stable").reset_index(drop=True), len(rows)


def write_mail_merge(matched: pd.DataFrame, target_stem: Path) -> tuple[Path, Path]:
    """``<stem>.csv`` (UTF-8 with BOM, so Excel reads it as UTF-8) and ``<stem>.xlsx``."""
    import xlsxwriter

    csv_path = target_stem.with_suffix(".csv")
    with csv_path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\r\n")
        writer.writerow(MAIL_MERGE_COLUMNS)
        for code, reference in matched[["printed", "reference"]].itertuples(index=False):
            writer.writerow([neutralise(str(code)), neutralise(str(reference))])
    xlsx_path = target_stem.with_suffix(".xlsx")
    workbook = xlsxwriter.Workbook(str(xlsx_path), {"strings_to_formulas": False})
    try:
        sheet = workbook.add_worksheet("Mail merge")
        bold = workbook.add_format({"bold": True})
        text = workbook.add_format({"num_format": "@"})
        sheet.write_row(0, 0, MAIL_MERGE_COLUMNS, bold)
        for row, (code, reference) in enumerate(
            matched[["printed", "reference"]].itertuples(index=False), start=1
        ):
            # write_string: a reference such as "=1+1" or "00123" stays text as written
            sheet.write_string(row, 0, str(code), text)
            sheet.write_string(row, 1, str(reference), text)
        sheet.set_column(0, 0, 16, text)
        sheet.set_column(1, 1, 20, text)
    finally:
        workbook.close()
    return csv_path, xlsx_path


def write_invitations(
    con: duckdb.DuckDBPyConnection,
    *,
    council: str,
    wave: int,
    register: Path,
    out_dir: Path,
    instrument: str = "poet-holder",
    reminders: bool = False,
    paper: tuple[str, ...] = ("standard", "easy-read"),
    site: str | None = None,
    mapping: Path | None = None,
    sheet: str | None = None,
) -> InvitationFiles:
    """Write the mail merge and the ``paper`` questionnaires (``standard``, ``easy-read``; none
    for an empty tuple) for a drawn sample, or with ``reminders`` for its people who have not
    answered yet."""
    wave = int(wave)
    drawn = con.execute(
        "SELECT count(*) FROM samples WHERE council = ? AND wave = ? AND instrument = ?",
        [council, wave, instrument],
    ).fetchall()[0][0]
    if not drawn:
        raise InvitationError(
            f"{council}, wave {wave}, {instrument}: no sample has been drawn; draw one first with "
            f'`outcomes sample --council "{council}" --wave {wave} --size N`'
        )
    people = _sample_people(con, council, wave, instrument, reminders)
    matched, register_rows = match_register(
        con, people, Path(register), council=council, mapping=mapping, sheet=sheet
    )
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    slug = "".join(ch if ch.isalnum() else "-" for ch in council.lower()).strip("-")
    stem = f"{slug}-{wave}-{instrument}-{'reminders' if reminders else 'invitations'}"
    result = InvitationFiles(
        council=council,
        wave=wave,
        instrument=instrument,
        reminders=reminders,
        invited=len(people),
        found=len(matched),
        register_rows=register_rows,
    )
    csv_path, xlsx_path = write_mail_merge(matched, out_dir / stem)
    result.files.update({"csv": csv_path, "xlsx": xlsx_path})
    if paper and len(matched):
        address = site or survey_site_address()
        codes = matched["printed"].tolist()
        for version in paper:
            target = out_dir / f"{stem}-questionnaires-{version}.pdf"
            result.files[version] = write_questionnaires(
                instrument, codes, target, version=version, site=address
            )
    return result
