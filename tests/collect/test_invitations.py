"""Invitations and reminders (issue 11 item 2): the register file matched back to the sample.

The register is the Liquidlogic fixture written as that system exports it; returns are a survey
export whose "Client Reference" is the register's reference, as a council's paper returns keyed
by reference would be.
"""

from __future__ import annotations

import csv
import subprocess

import openpyxl
import pytest
from typer.testing import CliRunner

from pipeline.cli import app
from pipeline.collect.codes import normalise
from pipeline.collect.invitations import InvitationError, write_invitations
from pipeline.collect.sampling import draw_sample
from pipeline.ingest import load_budget_file, load_survey_file
from pipeline.ingest.pseudonymise import Pseudonymiser, pseudonym_key
from pipeline.store import connect
from tests.conftest import FIXTURES
from tests.fixtures import make_register_fixtures as rx

REGISTER = FIXTURES / "registers" / rx.LIQUIDLOGIC
COUNCIL = "Kirklees"


@pytest.fixture
def con(tmp_path):
    connection = connect(tmp_path / "outcomes.duckdb")
    load_budget_file(connection, REGISTER, council=COUNCIL)
    draw_sample(connection, council=COUNCIL, wave=2025, size=20, seed=8)
    yield connection
    connection.close()


def _rows(path) -> list[list[str]]:
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # a BOM, so Excel opens it as UTF-8
    return list(csv.reader(raw.decode("utf-8-sig").splitlines()))


def _sample(con) -> dict[str, str]:
    """person_key -> invitation code (normalised)."""
    return dict(con.execute("SELECT person_key, invitation_code FROM samples").fetchall())


def test_mail_merge_matches_every_sampled_person_to_their_reference(con, tmp_path) -> None:
    result = write_invitations(
        con, council=COUNCIL, wave=2025, register=REGISTER, out_dir=tmp_path / "out", paper=()
    )
    assert (result.invited, result.found, result.not_found) == (20, 20, 0)
    rows = _rows(result.files["csv"])
    assert rows[0] == ["Invitation code", "Reference"]
    keys = Pseudonymiser(pseudonym_key())
    sample = _sample(con)
    for printed, reference in rows[1:]:
        assert printed[5] == "-" and len(printed) == 11
        assert sample[keys.key_for(COUNCIL, reference)] == normalise(printed)
    assert len(rows) == 21 and len({r[1] for r in rows[1:]}) == 20
    sheet = openpyxl.load_workbook(result.files["xlsx"]).active
    assert [[c.value for c in row] for row in sheet.iter_rows()] == rows
    # nothing of the survey travels in the mail merge
    assert all(len(row) == 2 for row in rows)


def test_people_missing_from_the_register_file_are_counted(con, tmp_path) -> None:
    keys = Pseudonymiser(pseudonym_key())
    sample = _sample(con)
    lines = REGISTER.read_text(encoding="utf-8-sig").splitlines()
    sampled_refs = [
        line.split(",")[0]
        for line in lines[1:]
        if keys.key_for(COUNCIL, line.split(",")[0]) in sample
    ]
    dropped = set(sampled_refs[:3])
    partial = tmp_path / "register-extract.csv"
    partial.write_text(
        "\r\n".join(line for line in lines if line.split(",")[0] not in dropped),
        encoding="utf-8-sig",
    )
    result = write_invitations(
        con, council=COUNCIL, wave=2025, register=partial, out_dir=tmp_path, paper=()
    )
    assert (result.found, result.not_found) == (17, 3)
    assert "3 could not be found" in " ".join(result.summary())
    assert not dropped & {row[1] for row in _rows(result.files["csv"])[1:]}


def test_reminders_leave_out_people_who_answered(con, tmp_path) -> None:
    merged = write_invitations(
        con, council=COUNCIL, wave=2025, register=REGISTER, out_dir=tmp_path, paper=()
    )
    answered = [row[1] for row in _rows(merged.files["csv"])[1:5]]
    returns = tmp_path / "returns.csv"
    returns.write_text(
        "Client Reference,out_dignity,out_control\r\n"
        + "".join(f"{reference},Got better,Stayed the same\r\n" for reference in answered)
        + "LAS9999999,Got worse,Got worse\r\n",  # someone outside the sample
        encoding="utf-8",
    )
    load_survey_file(con, returns, instrument="poet-holder", council=COUNCIL, wave=2025)
    reminders = write_invitations(
        con,
        council=COUNCIL,
        wave=2025,
        register=REGISTER,
        out_dir=tmp_path / "reminders",
        reminders=True,
        paper=(),
    )
    rows = _rows(reminders.files["csv"])[1:]
    assert reminders.invited == 16 and len(rows) == 16
    assert not set(answered) & {row[1] for row in rows}
    assert reminders.files["csv"].name == "kirklees-2025-poet-holder-reminders.csv"


def test_mail_merge_is_safe_to_open_in_a_spreadsheet(tmp_path) -> None:
    # (a leading tab or carriage return never reaches the merge: the readers strip cells)
    dangerous = ['=HYPERLINK("http://x")', "+441234", "-2+3", "@SUM(A1)"]
    register = tmp_path / "register.csv"
    register.write_text(
        "Person ID,Start Date\r\nA1,01/04/2024\r\n"
        + "".join(
            '"' + reference.replace('"', '""') + '",01/04/2024\r\n' for reference in dangerous
        ),
        encoding="utf-8",
    )
    con = connect(tmp_path / "safe.duckdb")
    load_budget_file(con, register, council=COUNCIL)
    draw_sample(con, council=COUNCIL, wave=2025, size=5, seed=1)
    result = write_invitations(
        con, council=COUNCIL, wave=2025, register=register, out_dir=tmp_path / "out", paper=()
    )
    assert result.found == 5
    for row in _rows(result.files["csv"]):
        for cell in row:
            assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), cell
    references = {row[1] for row in _rows(result.files["csv"])[1:]}
    assert references == {"A1"} | {"'" + reference for reference in dangerous}
    sheet = openpyxl.load_workbook(result.files["xlsx"]).active
    cells = [cell for row in sheet.iter_rows(min_row=2) for cell in row]
    assert all(cell.data_type == "s" for cell in cells)  # text, never a formula
    assert {cell.value for cell in cells[1::2]} == {"A1", *dangerous}


def test_paper_questionnaires_carry_each_code(con, tmp_path) -> None:
    con.execute(
        "DELETE FROM samples WHERE invitation_code NOT IN "
        "(SELECT invitation_code FROM samples ORDER BY invitation_code LIMIT 2)"
    )
    result = write_invitations(
        con,
        council=COUNCIL,
        wave=2025,
        register=REGISTER,
        out_dir=tmp_path,
        site="https://survey.kirklees.example",
    )
    printed = [row[0] for row in _rows(result.files["csv"])[1:]]
    assert len(printed) == 2
    for version in ("standard", "easy-read"):
        text = subprocess.run(
            ["pdftotext", "-layout", str(result.files[version]), "-"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        pages = text.split("\f")
        per_person = (len(pages) - 1) // 2
        for index, code in enumerate(printed):
            mine = "\n".join(pages[index * per_person : (index + 1) * per_person])
            assert mine.count(code) >= per_person  # on every page of that person's copy
            assert printed[1 - index] not in mine
        assert "https://survey.kirklees.example" in text
        assert "Since you have had your personal budget" in text or "since you got" in text
        # tick boxes numbered as staff key them
        assert "Got a lot better (5)" in text or "A lot better (5)" in text
    easy = subprocess.run(
        ["pdftotext", str(result.files["easy-read"]), "-"], capture_output=True, text=True
    ).stdout
    words = " ".join(easy.split())  # lines wrap in the PDF
    assert "Physical health. Has this got better or worse since you got your budget?" in words


def test_invitations_refuse_without_a_sample_and_cli_says_how_many_matched(tmp_path) -> None:
    db = tmp_path / "cli.duckdb"
    con = connect(db)
    load_budget_file(con, REGISTER, council=COUNCIL)
    with pytest.raises(InvitationError, match="Kirklees, wave 2025, poet-holder: no sample"):
        write_invitations(con, council=COUNCIL, wave=2025, register=REGISTER, out_dir=tmp_path)
    draw_sample(con, council=COUNCIL, wave=2025, size=12, seed=4)
    con.close()
    runner = CliRunner()
    result = runner.invoke(
        app,
        [
            "invitations",
            "--council",
            "kirklees",
            "--wave",
            "2025",
            "--register",
            str(REGISTER),
            "--out",
            str(tmp_path / "letters"),
            "--paper",
            "none",
            "--db",
            str(db),
        ],
    )
    assert result.exit_code == 0, result.output
    assert "12 of 12 sampled people found in the register file (310 rows read)" in result.output
    status = runner.invoke(
        app, ["sample-status", "--council", "Kirklees", "--wave", "2025", "--db", str(db)]
    )
    assert status.exit_code == 0, status.output
    assert "12 invited" in status.output and "0 returned" in status.output
