"""Headers over several rows (SurveyMonkey's two, Qualtrics' three), and files that have one.

The SurveyMonkey and Qualtrics files are the tool-export corpus (``tests/fixtures/exports/``,
written by ``make_tool_exports.py`` as the tools write them); the cases around them are
``make_header_fixtures.py``'s. Expected values come from those generators, never from the reader.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from pipeline.ingest import load_survey_file
from pipeline.ingest.header_rows import find_header_block
from pipeline.ingest.headers import HeaderMatcher, Target
from pipeline.ingest.mapping import Mapping
from pipeline.ingest.readers import RawTable, read_into_duckdb
from pipeline.instruments import get_instrument
from pipeline.store import connect
from tests.fixtures import make_header_fixtures as hf
from tests.fixtures import make_tool_exports as tx

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
EXPORTS = FIXTURES / "exports"


@pytest.fixture
def con() -> duckdb.DuckDBPyConnection:
    connection = duckdb.connect()
    yield connection
    connection.close()


def matcher(instrument: str, mapping: dict | None = None) -> HeaderMatcher:
    survey = get_instrument(instrument)
    targets = [Target(q.code, q.wording, q.aliases, q.type == "id") for q in survey.questions]
    return HeaderMatcher(targets, mapping, survey.stems)


def read(con, path: Path, instrument: str | None = "poet-holder") -> RawTable:
    score = matcher(instrument).header_score if instrument else None
    return read_into_duckdb(con, path, "raw", header_score=score)


def codes(raw: RawTable, instrument: str, mapping: dict | None = None) -> list[str | None]:
    found = matcher(instrument, mapping).match(raw.headers, raw.header_labels)
    return [
        m.code if m.method not in ("unmatched", "duplicate", "ambiguous") else None for m in found
    ]


def source_rows(con) -> list[int]:
    return [row[0] for row in con.execute("SELECT source_row FROM raw ORDER BY 1").fetchall()]


def column_values(con, raw: RawTable, index: int) -> list[str | None]:
    return [
        row[0]
        for row in con.execute(
            f"SELECT {raw.columns[index]} FROM raw ORDER BY source_row"
        ).fetchall()
    ]


# ---- SurveyMonkey -------------------------------------------------------------------------------

SM_HOLDER_CODES = [
    "respondent_id", None, None, None, None, None, None, None, None,
    "age_band", "gender", "proc_information", "proc_assessment", "proc_planning",
    "out_physical_health", "out_mental_wellbeing", "out_independence", "out_dignity",
    "out_quality_of_life", "comment_best",
]  # fmt: skip


@pytest.mark.parametrize("scored", [True, False], ids=["scored", "width rule"])
def test_surveymonkey_csv_two_header_rows_are_one_header(con, scored):
    raw = read(con, EXPORTS / tx.SM_HOLDER, "poet-holder" if scored else None)
    assert (raw.header_row, raw.header_rows) == (1, 2)
    # records 3-22 are the responses; the label row (record 2) is not data
    assert source_rows(con) == list(range(3, 3 + tx.SM_HOLDER_ROWS))
    assert "Response" not in column_values(con, raw, 9)
    assert raw.headers[: len(tx.SM_META)] == tx.SM_META  # metadata: row 1 as written
    # "Response" and "Open-Ended Response" add nothing; a matrix row is its question + its label
    assert raw.headers[9] == "How old are you? (please tick one)"
    assert raw.headers[14] == (
        f"{tx.OUTCOME_STEM}\u2026 (please tick one on each row) | Your physical health"
    )
    assert raw.headers[15].endswith("\u2026 (please tick one on each row) | Your mental wellbeing")
    assert raw.headers[19] == "What is the best thing about having a personal budget?"
    assert codes(raw, "poet-holder") == SM_HOLDER_CODES
    assert any("SurveyMonkey" in note for note in raw.notes)


def test_surveymonkey_xlsx_two_header_rows_are_one_header(con):
    raw = read(con, EXPORTS / tx.SM_CARER, "poet-carer")
    assert (raw.header_row, raw.header_rows) == (1, 2)
    assert source_rows(con) == list(range(3, 3 + tx.SM_CARER_ROWS))  # Excel rows 3-17
    assert raw.headers[0] == "Respondent ID"
    assert column_values(con, raw, 0)[0] == "119600002001"
    assert raw.headers[12] == "How easy or difficult was: Getting information and advice"
    assert raw.headers[13].endswith("\u2026 | Your physical health")
    assert codes(raw, "poet-carer")[9:] == [
        "relationship", "hours_caring", "carer_assessment", "carer_information",
        "carer_physical_health", "carer_mental_wellbeing", "carer_continue_caring",
        "carer_time_for_self", "carer_cared_for_qol", "comment_change",
    ]  # fmt: skip


def test_a_matrix_label_alone_is_not_taken_for_another_question():
    # "Your physical health" under a question that is not the outcome stem is not out_physical_health
    rows = [
        ["Respondent ID", "How important is: (please tick one on each row)", ""],
        ["", "Your physical health", "Your mental wellbeing"],
        ["1001", "Very important", "Quite important"],
    ]
    block = find_header_block(rows, None)
    assert block is not None and block.layout == "surveymonkey"
    found = matcher("poet-holder").match(block.headers, block.labels(3))
    assert [m.code for m in found][1:] == [None, None]


def test_an_other_please_specify_column_is_not_taken_for_its_question():
    rows = [
        ["Respondent ID", "Are you…? (please tick one)", ""],
        ["", "Response", "Other (please specify)"],
        ["1001", "Female", ""],
    ]
    block = find_header_block(rows, None)
    assert block is not None and block.layout == "surveymonkey"
    assert block.headers[2] == "Are you…? (please tick one) | Other (please specify)"
    found = matcher("poet-holder").match(block.headers, block.labels(3))
    assert [(m.code, m.method) for m in found][1] == ("gender", "wording")
    assert found[2].method in ("unmatched", "duplicate")


# ---- Qualtrics ----------------------------------------------------------------------------------


def test_qualtrics_three_header_rows_drop_the_import_id_row(con):
    raw = read(con, EXPORTS / tx.QUALTRICS)
    assert (raw.header_row, raw.header_rows) == (1, 3)
    assert source_rows(con) == list(range(4, 22))  # 18 responses, records 4-21
    every_cell = con.execute("SELECT * EXCLUDE (source_row) FROM raw").fetchall()
    assert not any(cell and "ImportId" in cell for row in every_cell for cell in row)
    position = raw.headers.index(
        f"Q10_1 | {tx.OUTCOME_STEM}... - Your physical health"
    )  # id and text, as a person reads them
    assert raw.header_labels[position] == ("Q10_1", f"{tx.OUTCOME_STEM}... - Your physical health")
    assert raw.headers[4] == "Progress"  # the same text on both rows is said once
    found = codes(raw, "poet-holder")
    assert found[raw.headers.index("ResponseId | Response ID")] == "respondent_id"
    assert found[position] == "out_physical_health"


def test_a_mapping_may_name_a_qualtrics_column_by_its_id(con):
    raw = read(con, EXPORTS / tx.QUALTRICS)
    found = codes(raw, "poet-holder", {"Q10_1": "out_family", "Q20": None})
    assert found[raw.headers.index("Q10_1 | " + raw.header_labels[20][1])] == "out_family"
    assert "comment_change" not in found
    mapping = Mapping(values={"Q2": {"1": "male", "2": "female"}})
    gender = raw.headers.index("Q2 | Are you...?")
    assert mapping.values_for(raw.headers[gender], *raw.header_labels[gender]) == {
        "1": "male",
        "2": "female",
    }


def test_qualtrics_line_breaks_in_a_header_keep_the_records_numbered(con):
    raw = read(con, FIXTURES / hf.QUALTRICS_BREAKS)
    assert (raw.header_row, raw.header_rows) == (1, 3)
    assert source_rows(con) == list(hf.QUALTRICS_BREAKS_ROWS)
    assert column_values(con, raw, 3)[0] == hf.QUALTRICS_BREAKS_ROWS[4][3]
    assert codes(raw, "poet-holder") == [
        "respondent_id",
        "age_band",
        "out_physical_health",
        "comment_change",
    ]


# ---- one header row ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "first_row"),
    [("smartsurvey_holder.csv", 2), ("msforms_holder.xlsx", 2), ("jisc_holder.csv", None)],
)
def test_a_single_header_row_is_read_as_written(con, name, first_row):
    raw = read(con, EXPORTS / name)
    assert raw.header_rows == 1
    assert all(label is None for label in raw.header_labels)
    assert not any("header rows" in note for note in raw.notes)
    if first_row is not None:
        assert source_rows(con)[0] == first_row


def test_title_rows_above_a_single_header_are_unaffected(con):
    raw = read(con, FIXTURES / "holder_title_rows.xlsx")
    assert raw.header_rows == 1
    assert source_rows(con)[0] == raw.header_row + 1


def test_a_first_return_that_looks_like_a_label_row_stays_data(con):
    raw = read(con, FIXTURES / hf.KEYED_ANONYMOUS)
    assert (raw.header_row, raw.header_rows) == (1, 1)
    assert source_rows(con) == list(hf.KEYED_ROWS)
    assert raw.headers == hf.KEYED_HEADER
    assert column_values(con, raw, 2)[0] == "35-44"


@pytest.mark.parametrize(
    "row2",
    [
        ["", "Response", "4"],  # a number: data
        ["", "Response", "2025-01-14"],  # a date: data
        ["X1", "Response", "Got better"],  # filled under the first column: data
        ["", "Got better", ""],  # blank under a question's first column
        ["", "Age", "Health"],  # no label of SurveyMonkey's own and no matrix
    ],
    ids=["number", "date", "id filled", "blank under a question", "no evidence"],
)
def test_a_second_row_is_labels_only_on_evidence(row2):
    rows = [["Respondent ID", "How old are you?", "Your physical health"], row2, ["X2", "", ""]]
    block = find_header_block(rows, None)
    assert block is not None
    assert (block.layout, block.first, block.last) == ("single", 0, 0)


def test_an_import_id_row_needs_the_two_qualtrics_rows_above_it():
    rows = [
        ["Q1", "Q2", "Q3"],
        ["", "", ""],
        ['{"ImportId":"QID1"}', '{"ImportId":"QID2"}', '{"ImportId":"QID3"}'],
        ["1", "2", "3"],
    ]
    block = find_header_block(rows, None)
    assert block is not None and block.layout == "single"


# ---- through a load -------------------------------------------------------------------------


def test_a_load_reports_the_combined_header_and_real_row_numbers(tmp_path):
    con = connect(tmp_path / "t.duckdb")
    try:
        result = load_survey_file(
            con,
            EXPORTS / tx.SM_HOLDER,
            instrument="poet-holder",
            council="Northshire",
            wave=2025,
            new_council=True,
        )
        report = sorted(result.column_report, key=lambda match: match.index)
        assert report[16].column.endswith("| Being as independent as you want to be")
        assert report[16].code == "out_independence"
        # the planted bad answer is on CSV record 8, as the file shows it
        rows = con.execute(
            "SELECT source_row FROM quarantine WHERE load_id = ? AND NOT whole_row",
            [result.load_id],
        ).fetchall()
        assert rows == [(tx.SM_HOLDER_BAD_DIGNITY_ROW,)]
        stored = con.execute(
            "SELECT column_report FROM loads WHERE load_id = ?", [result.load_id]
        ).fetchone()[0]
        assert "Being as independent as you want to be" in stored
    finally:
        con.close()
