"""Loading real survey files: counts, quarantine reasons, lineage, no-ops and failed loads."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest

from pipeline.ingest import IngestError, load_survey_file, preview_survey_file
from pipeline.store import connect
from tests.conftest import FIXTURES
from tests.fixtures import make_fixtures as fx

TABLES = ("loads", "respondents", "answers", "comments", "budgets", "quarantine")


@pytest.fixture
def con(tmp_path):
    connection = connect(tmp_path / "outcomes.duckdb")
    yield connection
    connection.close()


def snapshot(con: duckdb.DuckDBPyConnection) -> dict[str, list]:
    """Every row of every data table, to prove a failed load changed nothing."""
    return {t: sorted(map(repr, con.execute(f"SELECT * FROM {t}").fetchall())) for t in TABLES}


def load_cp1252(con, **kwargs):
    return load_survey_file(
        con,
        FIXTURES / fx.HOLDER_CP1252,
        instrument="poet-holder",
        council="Northshire",
        wave=2025,
        **{"new_council": True, **kwargs},
    )


def test_windows_1252_file_with_title_rows_loads_and_quarantines_the_planted_problems(con):
    result = load_cp1252(con)
    assert result.status == "loaded"
    assert result.rows_read == fx.HOLDER_CP1252_ROWS
    assert result.rows_quarantined == 1  # the duplicate return
    assert result.rows_loaded == fx.HOLDER_CP1252_ROWS - 1
    assert result.values_quarantined == len(fx.HOLDER_CP1252_BAD)

    rows = con.execute(
        "SELECT source_row, column_name, raw_value, reason, whole_row FROM quarantine "
        "WHERE load_id = ? ORDER BY source_row",
        [result.load_id],
    ).fetchall()
    bad = {row[0]: row for row in rows if not row[4]}
    for source_row, (header, raw, _why) in fx.HOLDER_CP1252_BAD.items():
        assert bad[source_row][1] == header
        assert bad[source_row][2] == raw
        assert "is not an answer to" in bad[source_row][3]
    whole = [row for row in rows if row[4]]
    assert [row[0] for row in whole] == [fx.HOLDER_CP1252_DUPLICATE["repeat_row"]]
    assert "duplicate return" in whole[0][3]
    assert fx.HOLDER_CP1252_DUPLICATE["reference"] not in (whole[0][2] or "")

    # the rest of a return with a bad value still loads; the bad value counts as missing
    answered = con.execute(
        "SELECT question_code FROM answers a JOIN respondents r USING (respondent_key, council, wave, instrument) "
        "WHERE r.source_row = 9 ORDER BY 1"
    ).fetchall()
    codes = [row[0] for row in answered]
    assert "out_dignity" not in codes and "out_quality_of_life" in codes

    # lineage: every respondent has its load and its row as a person sees it
    source_rows = [
        r[0] for r in con.execute("SELECT source_row FROM respondents ORDER BY 1").fetchall()
    ]
    assert source_rows[0] == fx.HOLDER_CP1252_FIRST_ROW
    assert fx.HOLDER_CP1252_DUPLICATE["repeat_row"] not in source_rows


def test_label_variants_map_to_canonical_codes(con):
    load_cp1252(con)
    codes = {
        r[0]
        for r in con.execute(
            "SELECT DISTINCT answer_code FROM answers WHERE question_code LIKE 'out_%'"
        ).fetchall()
    }
    assert codes <= {
        "much_worse",
        "worse",
        "same",
        "better",
        "much_better",
        "not_applicable",
        "dont_know",
    }
    assert {
        "dont_know",
        "not_applicable",
        "same",
        "better",
    } <= codes  # "Don’t know", "N/A", "stayed the same ", "GOT BETTER"
    ages = {r[0] for r in con.execute("SELECT DISTINCT age_band FROM respondents").fetchall()}
    assert "35-44" in ages  # written with an en dash in the file


def test_free_text_survives_the_encoding_and_goes_to_comments(con):
    load_cp1252(con)
    comments = [r[0] for r in con.execute("SELECT comment_text FROM comments").fetchall()]
    assert fx.HOLDER_CP1252_COMMENT in comments
    assert (
        con.execute("SELECT count(*) FROM answers WHERE question_code LIKE 'comment%'").fetchall()[
            0
        ][0]
        == 0
    )


def test_loading_the_same_file_again_adds_nothing(con, tmp_path):
    first = load_cp1252(con)
    before = snapshot(con)
    copy = tmp_path / "renamed-copy.csv"
    shutil.copy(FIXTURES / fx.HOLDER_CP1252, copy)
    again = load_survey_file(
        con, copy, instrument="poet-holder", council="Northshire", wave=2025, new_council=True
    )
    assert again.status == "already_loaded"
    assert again.load_id == first.load_id
    assert "already loaded" in again.message
    assert snapshot(con) == before


def test_a_return_already_in_the_database_is_quarantined_whole(con, tmp_path):
    load_cp1252(con)
    edited = tmp_path / "second-export.csv"
    raw = (FIXTURES / fx.HOLDER_CP1252).read_bytes()
    edited.write_bytes(raw + b"\r\n")  # different bytes, same returns: a re-export
    result = load_survey_file(
        con, edited, instrument="poet-holder", council="Northshire", wave=2025, new_council=True
    )
    assert result.rows_loaded == 0
    assert result.rows_quarantined == fx.HOLDER_CP1252_ROWS
    # the same bytes given for another wave: one of the two is a mistake, so it is refused
    # (not called "already loaded", which would hide the slip) and nothing changes
    with pytest.raises(IngestError, match="already loaded as load .* wave 2025 \\(now 2026\\)"):
        load_survey_file(
            con, edited, instrument="poet-holder", council="Northshire", wave=2026, new_council=True
        )
    assert con.execute("SELECT count(DISTINCT wave) FROM respondents").fetchall()[0][0] == 1


def test_xlsx_with_title_rows_reports_the_unrecognised_column(con):
    result = load_survey_file(
        con,
        FIXTURES / fx.HOLDER_XLSX,
        instrument="poet-holder",
        council="Northshire",
        wave=2025,
        new_council=True,
    )
    assert result.rows_read == fx.HOLDER_XLSX_ROWS
    assert result.rows_loaded + result.rows_quarantined == fx.HOLDER_XLSX_ROWS
    assert "Internal notes" in result.unmatched_columns
    report = con.execute(
        "SELECT column_report FROM loads WHERE load_id = ?", [result.load_id]
    ).fetchall()[0][0]
    assert "Internal notes" in report and "unmatched" in report
    rows = {r[0] for r in con.execute("SELECT source_row FROM respondents").fetchall()}
    assert fx.HOLDER_XLSX_BLANK_ROW not in rows and fx.HOLDER_XLSX_BLANK_ROW + 1 in rows


def test_spss_value_labels_are_used(con):
    result = load_survey_file(
        con,
        FIXTURES / fx.HOLDER_SAV,
        instrument="poet-holder",
        council="Northshire",
        wave=2024,
        new_council=True,
    )
    assert result.rows_loaded == fx.HOLDER_SAV_ROWS
    assert result.values_quarantined == 1  # the unlabelled 9
    reason = con.execute("SELECT raw_value, column_name FROM quarantine").fetchall()
    assert reason == [("9", "out_dignity")]
    labels = {
        r[0]
        for r in con.execute(
            "SELECT DISTINCT answer_code FROM answers WHERE question_code = 'out_independence'"
        ).fetchall()
    }
    assert labels and labels <= {"much_worse", "worse", "same", "better", "much_better"}


def test_carer_latin1_tab_file_loads_against_the_carer_instrument(con):
    result = load_survey_file(
        con,
        FIXTURES / fx.CARER_LATIN1,
        instrument="poet-carer",
        council="Northshire",
        wave=2025,
        new_council=True,
    )
    assert result.rows_loaded == fx.CARER_LATIN1_ROWS
    assert (
        con.execute("SELECT count(*) FROM respondents WHERE relationship IS NOT NULL").fetchall()[
            0
        ][0]
        > 0
    )
    comments = [r[0] for r in con.execute("SELECT comment_text FROM comments").fetchall()]
    assert fx.CARER_LATIN1_COMMENT in comments


def test_numeric_answers_and_a_descending_mapping(con, tmp_path):
    ascending = load_survey_file(
        con,
        FIXTURES / fx.HOLDER_UTF8,
        instrument="poet-holder",
        council="Eastbrook",
        wave=2025,
        new_council=True,
    )
    assert ascending.rows_loaded == fx.HOLDER_UTF8_ROWS
    first = dict(
        con.execute(
            "SELECT question_code, answer_code FROM answers a JOIN respondents r "
            "USING (respondent_key, council, wave, instrument) WHERE r.source_row = 2 AND r.council = 'Eastbrook'"
        ).fetchall()
    )
    reversed_copy = tmp_path / "reversed.csv"
    reversed_copy.write_bytes((FIXTURES / fx.HOLDER_UTF8).read_bytes() + b"\n")  # new bytes
    load_survey_file(
        con,
        reversed_copy,
        instrument="poet-holder",
        council="Westmere",
        wave=2025,
        mapping={"numeric_order": "descending"},
        new_council=True,
    )
    flipped = dict(
        con.execute(
            "SELECT question_code, answer_code FROM answers a JOIN respondents r "
            "USING (respondent_key, council, wave, instrument) WHERE r.source_row = 2 AND r.council = 'Westmere'"
        ).fetchall()
    )
    opposite = {
        "much_worse": "much_better",
        "worse": "better",
        "same": "same",
        "better": "worse",
        "much_better": "much_worse",
    }
    for code in ("out_dignity", "out_control"):
        if first.get(code) in opposite:
            assert flipped[code] == opposite[first[code]]


def test_mapping_file_renames_a_column(con, tmp_path):
    mapping = tmp_path / "map.yaml"
    mapping.write_text(
        'columns:\n  "Date returned": null\n  "Internal notes": comment_change\n', encoding="utf-8"
    )
    result = load_survey_file(
        con,
        FIXTURES / fx.HOLDER_XLSX,
        instrument="poet-holder",
        council="Northshire",
        wave=2025,
        mapping=mapping,
        new_council=True,
    )
    methods = {m.column: m.method for m in result.column_report}
    assert methods["Date returned"] == "ignored"
    assert methods["Internal notes"] == "mapping"
    assert result.unmatched_columns == []


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("truncated.xlsx", "truncated"),
        ("empty.csv", "empty"),
        ("header_only.csv", "no data rows"),
        ("not_a_survey.csv", "no column matches a question"),
        ("wrong_type.pdf", ".pdf"),
    ],
)
def test_unreadable_files_are_refused_and_change_nothing(con, name, message):
    load_cp1252(con)
    before = snapshot(con)
    with pytest.raises(IngestError) as error:
        load_survey_file(
            con,
            FIXTURES / name,
            instrument="poet-holder",
            council="Northshire",
            wave=2025,
            new_council=True,
        )
    assert name in str(error.value)
    assert message.lower() in str(error.value).lower()
    assert snapshot(con) == before


def test_a_failure_inside_the_write_rolls_everything_back(con, monkeypatch):
    load_cp1252(con)
    before = snapshot(con)
    import pipeline.ingest.surveys as surveys

    real = surveys.run_sql_file

    def broken(con, name, *args, **kwargs):
        if name == "survey_write.sql":  # after the comments and quarantined answers are in
            raise RuntimeError("disk full half-way")
        return real(con, name, *args, **kwargs)

    monkeypatch.setattr(surveys, "run_sql_file", broken)
    with pytest.raises(RuntimeError):
        load_survey_file(
            con,
            FIXTURES / fx.HOLDER_UTF8,
            instrument="poet-holder",
            council="Eastbrook",
            wave=2025,
            new_council=True,
        )
    assert snapshot(con) == before


def test_no_raw_identifier_is_stored_anywhere(tmp_path):
    db = tmp_path / "plain.duckdb"
    con = connect(db)
    con.execute("SET force_compression = 'uncompressed'")  # so a byte scan would see raw text
    load_cp1252(con)
    load_survey_file(
        con,
        FIXTURES / fx.HOLDER_XLSX,
        instrument="poet-holder",
        council="Northshire",
        wave=2025,
        new_council=True,
    )
    from pipeline.ingest import load_budget_file

    load_budget_file(con, FIXTURES / fx.BUDGETS, council="Northshire", new_council=True)
    raw_ids = set(fx.BUDGETS_LINKED_IDS) | {
        fx.HOLDER_CP1252_DUPLICATE["reference"],
        str(fx.HOLDER_XLSX_FIRST_ID),
    }
    columns = con.execute(
        "SELECT table_name, column_name FROM information_schema.columns "
        "WHERE data_type = 'VARCHAR' AND table_schema = 'main'"
    ).fetchall()
    for table, column in columns:
        values = {
            r[0] for r in con.execute(f'SELECT DISTINCT "{column}" FROM "{table}"').fetchall()
        }
        assert not (values & raw_ids), (table, column)
    con.execute("CHECKPOINT")
    con.close()
    content = Path(db).read_bytes()
    for raw in raw_ids:
        assert raw.encode() not in content
    # ...while the survey and budget records of the same people still link
    con = duckdb.connect(str(db), read_only=True)
    linked = con.execute(
        "SELECT count(DISTINCT r.respondent_key) FROM respondents r JOIN budgets b "
        "ON b.person_key = r.respondent_key AND b.council = r.council"
    ).fetchall()[0][0]
    assert linked >= 20


def test_preview_shows_matches_and_what_would_be_quarantined_without_writing():
    preview = preview_survey_file(FIXTURES / fx.HOLDER_CP1252, instrument="poet-holder")
    assert preview.rows == fx.HOLDER_CP1252_ROWS
    assert set(preview.would_quarantine["source_row"]) == set(fx.HOLDER_CP1252_BAD)
    matched = dict(zip(preview.column_report["column"], preview.column_report["code"], strict=True))
    assert matched["Q12 Being supported with dignity and respect"] == "out_dignity"


def test_returns_without_a_reference_get_stable_keys_from_file_and_row(con, tmp_path):
    path = tmp_path / "anonymous.csv"
    path.write_text(
        "Client Reference,Your quality of life,Being supported with dignity and respect\n"
        "A1,Got better,Got better\n,Stayed the same,Got worse\n,Got a lot better,\nA1,Got worse,Got worse\n",
        encoding="utf-8",
    )
    result = load_survey_file(
        con, path, instrument="poet-holder", council="Northshire", wave=2025, new_council=True
    )
    assert (result.rows_loaded, result.rows_quarantined) == (3, 1)  # the second A1 is a copy
    keys = con.execute("SELECT source_row, respondent_key FROM respondents ORDER BY 1").fetchall()
    assert [row[0] for row in keys] == [2, 3, 4]
    assert len({row[1] for row in keys}) == 3
    no_reference = tmp_path / "no_reference_column.csv"
    no_reference.write_text("Your quality of life\nGot better\nGot better\n", encoding="utf-8")
    before = con.execute("SELECT count(*) FROM loads").fetchall()
    # without a reference a later copy of a return cannot be found: refused unless asked for
    with pytest.raises(IngestError, match="no respondent reference column.*--no-reference"):
        load_survey_file(
            con,
            no_reference,
            instrument="poet-holder",
            council="Northshire",
            wave=2025,
            new_council=True,
        )
    assert con.execute("SELECT count(*) FROM loads").fetchall() == before
    second = load_survey_file(
        con,
        no_reference,
        instrument="poet-holder",
        council="Northshire",
        wave=2025,
        no_reference=True,
        new_council=True,
    )
    assert (second.rows_loaded, second.rows_quarantined) == (2, 0)  # same answers, two people
    assert "cannot be detected" in second.message


def test_a_survey_with_no_outcome_or_process_question_is_refused(con, tmp_path):
    """The national ASCS return layout: numeric codes, its own numbering; not a POET survey."""
    path = tmp_path / "ascs.csv"
    path.write_text(
        "Serial,Gender,Age,q1,q2a,q2b,q3a\n1001,1,67,2,1,3,2\n1002,2,81,1,2,2,1\n",
        encoding="utf-8",
    )
    with pytest.raises(IngestError, match="no outcome or process question"):
        load_survey_file(
            con, path, instrument="poet-holder", council="Northshire", wave=2025, new_council=True
        )
    assert con.execute("SELECT count(*) FROM respondents").fetchall()[0][0] == 0


def test_spaces_around_cells_are_folded_not_quarantined(con, tmp_path):
    path = tmp_path / "padded.csv"
    path.write_text(
        "Client Reference,Your quality of life,Being supported with dignity and respect,comment_best\n"
        " A1 ,  Got better  ,   ,  Lovely  \n"
        "A1,Got worse,Got worse,\n"
        "A2,   ,   ,\n",
        encoding="utf-8",
    )
    result = load_survey_file(
        con, path, instrument="poet-holder", council="Northshire", wave=2025, new_council=True
    )
    # " A1 " and "A1" are one person: the second is a duplicate; A2 has no answer at all
    assert (result.rows_loaded, result.rows_quarantined, result.values_quarantined) == (1, 2, 0)
    reasons = [
        r[0] for r in con.execute("SELECT reason FROM quarantine ORDER BY source_row").fetchall()
    ]
    assert reasons[0].startswith("duplicate return") and reasons[1].startswith("no answers")
    assert con.execute("SELECT question_code, answer_code FROM answers").fetchall() == [
        ("out_quality_of_life", "better")
    ]
    assert con.execute("SELECT comment_text FROM comments").fetchall() == [("Lovely",)]


def test_numeric_categories_load_only_through_the_mapping_files_code_list(con, tmp_path):
    path = tmp_path / "numeric.csv"
    path.write_text(
        "Respondent number,Gender,Your quality of life\nR1,1,4\nR2,2,5\nR3,3,3\n",
        encoding="utf-8",
    )
    guessed = load_survey_file(
        con, path, instrument="poet-holder", council="Northshire", wave=2024, new_council=True
    )
    assert guessed.values_quarantined == 3  # no code list: no gender number is guessed
    assert con.execute("SELECT count(gender) FROM respondents").fetchall()[0][0] == 0
    copy = tmp_path / "numeric-with-list.csv"
    copy.write_bytes(path.read_bytes() + b"R4,1,2\n")
    listed = load_survey_file(
        con,
        copy,
        instrument="poet-holder",
        council="Northshire",
        wave=2025,
        mapping={"values": {"Gender": {1: "male", 2: "female"}}},
        new_council=True,
    )
    assert listed.values_quarantined == 1  # 3 is not in the list
    genders = con.execute(
        "SELECT source_row, gender FROM respondents WHERE wave = 2025 ORDER BY 1"
    ).fetchall()
    assert genders == [(2, "male"), (3, "female"), (4, None), (5, "male")]
    reason = con.execute(
        "SELECT reason FROM quarantine WHERE load_id = ? AND raw_value = '3'", [listed.load_id]
    ).fetchall()[0][0]
    assert "code list" in reason and "1 = male" in reason


def _loaded_tables(db: Path, path: Path) -> dict[str, list]:
    con = connect(db)
    try:
        load_survey_file(
            con, path, instrument="poet-holder", council="Northshire", wave=2025, new_council=True
        )
        return {
            table: sorted(
                map(repr, con.execute(f"SELECT * EXCLUDE ({drop}) FROM {table}").fetchall())
            )
            for table, drop in (
                ("respondents", "load_id"),
                ("answers", "load_id"),
                ("comments", "load_id"),
                ("quarantine", "load_id"),
            )
        }
    finally:
        con.close()


def test_answers_the_sample_missed_are_mapped_and_quarantined_as_a_full_map_would(
    tmp_path, monkeypatch
):
    """A long file's answers are mapped from its first rows (ANSWER_SAMPLE_ROWS), then every
    cell is checked; here the sample is two rows, so a new spelling, an invalid answer, a column
    of answers that all map to nothing (the CASE path) and a column of seventy free texts (the
    join path) all first appear after it. The load must equal one mapped from every row."""
    import pipeline.ingest.surveys as surveys

    lines = [
        "Client Reference,Your quality of life,Gender,Feeling safe inside your home,"
        "Your physical health,comment_best",
        "A1,Got better,Female,Got worse,Stayed the same,",
        "A2,Got worse,Male,Got worse,Got better,fine",
        "A3,  got A LOT better ,Female,Got worse,,",  # a spelling the sample did not have
        "A4,Maybe,Male,,Got worse,",  # invalid, and only after the sample
        "A1,Got better,Female,,,",  # a later copy of A1
        ",Stayed the same,Prefer not to say,,,no reference",
    ]
    lines += [f"B{n},Got better,Male,,free text {n},x" for n in range(70)]  # join path
    path = tmp_path / "long.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    whole = _loaded_tables(tmp_path / "whole.duckdb", path)

    remapped: list[list[str]] = []
    real_map = surveys.map_survey_answers

    def spying(con, staged, mapping, **kwargs):
        if kwargs.get("columns") is not None:
            remapped.append([m.code for m in kwargs["columns"]])
        return real_map(con, staged, mapping, **kwargs)

    monkeypatch.setattr(surveys, "ANSWER_SAMPLE_ROWS", 2)
    monkeypatch.setattr(surveys, "map_survey_answers", spying)
    sampled = _loaded_tables(tmp_path / "sampled.duckdb", path)

    assert remapped == [["out_quality_of_life", "gender", "out_physical_health"]]
    assert sampled == whole
    reasons = [row for row in whole["quarantine"] if "'Maybe' is not an answer" in row]
    assert len(reasons) == 1
    assert sum("free text" in row for row in whole["quarantine"]) == 70
    assert sum("'much_better'" in row for row in whole["answers"]) == 1  # A3's spelling
