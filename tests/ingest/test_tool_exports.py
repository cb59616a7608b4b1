"""Loading exports as survey tools write them: each file's honest counts, columns and answers.

The corpus is ``tests/fixtures/exports/`` (written by ``tests/fixtures/make_tool_exports.py``);
what each load must give is ``tests/fixtures/exports/expected.yaml``, worked out by hand from
the data, never from our loader. A refused file must leave the database byte-for-byte as it was.

This was the acceptance check for issue 8: the loader failed 12 of its 13 cases before the
issue's work (two header rows, stems, id wordings, numeric nominal codes, refusals).
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest
import yaml

from pipeline.ingest import IngestError, load_survey_file
from pipeline.store import connect
from tests.conftest import FIXTURES

EXPORTS = FIXTURES / "exports"
CASES = yaml.safe_load((EXPORTS / "expected.yaml").read_text(encoding="utf-8"))["files"]
NOT_USED = ("unmatched", "ignored", "duplicate")  # column-report methods of a column not loaded


def case_id(case: dict) -> str:
    return case["file"] + (" no_reference" if case.get("no_reference") else "")


def load(con: duckdb.DuckDBPyConnection, case: dict):
    mapping = case.get("mapping")
    return load_survey_file(
        con,
        EXPORTS / case["file"],
        instrument=case["instrument"],
        council="Testshire",
        wave=2025,
        mapping=None if mapping is None else EXPORTS / mapping,
        sheet=case.get("sheet"),
        new_council=True,
        no_reference=bool(case.get("no_reference", False)),
    )


def every_table(con: duckdb.DuckDBPyConnection) -> dict[str, list[str]]:
    """Every row of every table in the database, to prove a refused load changed nothing."""
    names = [
        row[0]
        for row in con.execute(
            "SELECT table_name FROM duckdb_tables() WHERE NOT temporary ORDER BY 1"
        ).fetchall()
    ]
    return {
        name: sorted(map(repr, con.execute(f'SELECT * FROM "{name}"').fetchall())) for name in names
    }


def stored_answer(con, load_id: int, row: int, question: str) -> str | None:
    found = con.execute(
        "SELECT a.answer_code FROM answers AS a JOIN respondents AS r USING (return_id) "
        "WHERE r.load_id = ? AND r.source_row = ? AND a.question_code = ?",
        [load_id, row, question],
    ).fetchall()
    assert len(found) <= 1, f"row {row} has {len(found)} answers to {question}"
    return found[0][0] if found else None


@pytest.mark.parametrize("case", CASES, ids=case_id)
def test_tool_export(case: dict, tmp_path: Path) -> None:
    database = tmp_path / "t.duckdb"
    con = connect(database)
    try:
        if case["status"] == "refused":
            check_refused(con, case, database)
        else:
            check_loaded(con, case)
    finally:
        con.close()


def check_refused(con: duckdb.DuckDBPyConnection, case: dict, database: Path) -> None:
    con.execute("CHECKPOINT")
    before_bytes = database.read_bytes()
    before = every_table(con)
    with pytest.raises(IngestError) as refusal:
        load(con, case)
    message = str(refusal.value)
    assert case["refusal_contains"].lower() in message.lower(), message
    assert case["file"] in message, f"the refusal should name the file: {message}"
    assert every_table(con) == before
    con.close()
    assert database.read_bytes() == before_bytes, "a refused load changed the database file"


def check_loaded(con: duckdb.DuckDBPyConnection, case: dict) -> None:
    result = load(con, case)
    assert result.status == "loaded", result.message
    counts = {
        "rows_read": result.rows_read,
        "rows_loaded": result.rows_loaded,
        "rows_quarantined": result.rows_quarantined,
        "values_quarantined": result.values_quarantined,
    }
    assert counts == {key: case[key] for key in counts}, result.message

    # the column report: every column of the file, in order, with the question it loaded into
    expected_columns = list(case["columns"].items())
    report = sorted(result.column_report, key=lambda m: m.index)
    got_codes = [None if m.method in NOT_USED else m.code for m in report]
    assert got_codes == [code for _, code in expected_columns], [m.column for m in report]
    if case.get("header_rows", 1) == 1:  # one header row: the header is reported as written
        assert [m.column for m in report] == [header for header, _ in expected_columns]
    for header in case.get("reported", []):
        assert header in result.unmatched_columns, result.unmatched_columns

    # what is in the database agrees with the result
    load_id = result.load_id
    stored = con.execute(
        "SELECT rows_read, rows_loaded, rows_quarantined, values_quarantined FROM loads "
        "WHERE load_id = ?",
        [load_id],
    ).fetchall()
    assert stored == [tuple(counts.values())]
    respondents = con.execute(
        "SELECT count(*) FROM respondents WHERE load_id = ?", [load_id]
    ).fetchall()[0][0]
    assert respondents == case["rows_loaded"]
    whole, single = con.execute(
        "SELECT count(*) FILTER (WHERE whole_row), count(*) FILTER (WHERE NOT whole_row) "
        "FROM quarantine WHERE load_id = ?",
        [load_id],
    ).fetchall()[0]
    assert (whole, single) == (case["rows_quarantined"], case["values_quarantined"])
    comments = con.execute("SELECT count(*) FROM comments WHERE load_id = ?", [load_id]).fetchall()[
        0
    ][0]
    assert comments == case["comments"]

    # only the questions the file's columns match hold answers
    loaded_codes = {code for _, code in expected_columns if code}
    answered = {
        row[0]
        for row in con.execute(
            "SELECT DISTINCT question_code FROM answers WHERE load_id = ?", [load_id]
        ).fetchall()
    }
    assert answered <= loaded_codes, answered - loaded_codes

    wrong = []
    for check in case["answers"]:
        got = stored_answer(con, load_id, check["row"], check["question"])
        if got != check["answer"]:
            wrong.append(
                f"row {check['row']} {check['question']}: {got!r}, not {check['answer']!r}"
            )
    assert not wrong, wrong
