"""Personal details planted in comments reach no public output, approved or not (issue 9)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import duckdb
import openpyxl
import pytest

from pipeline.moderation import CommentKey, decide
from pipeline.reports.builder import build_council_report
from pipeline.store import connect, read_only_connection

PHONE, EMAIL, POSTCODE, REFERENCE = "07700 900123", "jo.bloggs@example.com", "LS1 4AB", "NS112295"
PLANTED = (
    f"My reference is {REFERENCE}, call me on {PHONE} or email {EMAIL}. "
    f"I live near {POSTCODE} and my PA was great."
)
SECRETS = (PHONE, "07700900123", EMAIL, POSTCODE, REFERENCE)


def _texts(files: dict[str, Path]) -> dict[str, str]:
    """The text of every file written, xlsx cells and pdf text included."""
    texts = {}
    for name, path in files.items():
        if path.suffix == ".xlsx":
            book = openpyxl.load_workbook(path)
            texts[name] = "\n".join(
                str(value)
                for sheet in book.worksheets
                for row in sheet.iter_rows(values_only=True)
                for value in row
                if value is not None
            )
        elif path.suffix == ".pdf":
            texts[name] = subprocess.run(
                ["pdftotext", str(path), "-"], capture_output=True, text=True, check=True
            ).stdout
        elif path.suffix == ".png":
            continue
        else:
            texts[name] = path.read_text(encoding="utf-8")
    return texts


def _council_with_comments(con: duckdb.DuckDBPyConnection) -> tuple[str, int, str]:
    council, wave, respondent = con.execute(
        "SELECT c.council, c.wave, min(c.respondent_key) FROM comments AS c "
        "WHERE c.instrument = 'poet-holder' AND c.question_code = 'comment_best' "
        "GROUP BY ALL ORDER BY count(*) DESC, 1, 2 LIMIT 1"
    ).fetchall()[0]
    return council, int(wave), respondent


@pytest.fixture(scope="module")
def planted_db(demo_db: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str, int]:
    path = tmp_path_factory.mktemp("planted") / "demo.duckdb"
    shutil.copy(demo_db, path)
    con = connect(path)
    council, wave, respondent = _council_with_comments(con)
    con.execute(
        "UPDATE comments SET comment_text = ? WHERE respondent_key = ? AND council = ? "
        "AND wave = ? AND question_code = 'comment_best'",
        [PLANTED, respondent, council, wave],
    )
    con.close()
    return path, council, wave


def test_by_default_no_comment_is_published(planted_db, tmp_path: Path) -> None:
    path, council, wave = planted_db
    con = read_only_connection(path)
    files = build_council_report(con, council, wave, tmp_path, formats=("html", "xlsx", "pdf"))
    con.close()
    texts = _texts(files)
    assert "quotes appear here once a commissioner has approved them" in " ".join(
        texts["html"].split()
    )
    book = openpyxl.load_workbook(files["xlsx"])
    assert "Comments" not in book.sheetnames
    for name, text in texts.items():
        for secret in SECRETS:
            assert secret not in text, f"{secret} is in the {name} output"
        assert "my PA was great" not in text


def test_planted_details_reach_no_public_output_once_approved(planted_db, tmp_path: Path) -> None:
    path, council, wave = planted_db
    con = connect(path)
    rows = con.execute(
        "SELECT respondent_key, comment_text FROM comments WHERE council = ? AND wave = ? "
        "AND instrument = 'poet-holder' AND question_code = 'comment_best' ORDER BY 1 LIMIT 6",
        [council, wave],
    ).fetchall()
    for respondent, _ in rows:
        key = CommentKey(respondent, "poet-holder", council, wave, "comment_best")
        decide(con, key, status="approved", by="test commissioner")  # the automatic redaction
    con.close()
    assert any(text == PLANTED for _, text in rows)

    con = read_only_connection(path)
    files = build_council_report(con, council, wave, tmp_path)  # every format
    con.close()
    texts = _texts(files)
    assert set(texts) >= {"html", "pdf", "xlsx", "csv", "easy_read"}
    for name, text in texts.items():
        for secret in SECRETS:
            assert secret not in text, f"{secret} is in the {name} output"
    # the approved quote is there, redacted, in the page and the workbook's Comments sheet
    redacted = "call me on [phone number] or email [email]"
    assert redacted in texts["html"] and redacted in texts["xlsx"]
    assert "[client reference]" in texts["html"] and "[postcode]" in texts["html"]
    book = openpyxl.load_workbook(files["xlsx"])
    assert "Comments" in book.sheetnames
