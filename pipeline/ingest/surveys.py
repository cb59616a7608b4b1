"""Load a survey export (CSV, XLSX or SPSS) into DuckDB through one transaction.

Steps: hash the file (a file already loaded is a no-op); read it into a temp table; match its
headers to the instrument's questions; map each column's distinct answers to canonical codes;
pseudonymise respondent references; quarantine invalid answers (the rest of the return loads)
and later copies of a return (quarantined whole, the first copy kept); write everything with
its load id and source row.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import partial
from pathlib import Path

import duckdb
import pandas as pd
import pyarrow as pa

from pipeline.ingest.councils import identify_council, remember_council, survey_day
from pipeline.ingest.headers import (
    UNUSED_METHODS,
    ColumnMatch,
    HeaderMatcher,
    Target,
    other_texts,
)
from pipeline.ingest.key_guard import check_key_for_load
from pipeline.ingest.loading import (
    CASE_ANSWERS_LIMIT,
    UNSEEN_ANSWER,
    IngestError,
    LoadResult,
    already_loaded_result,
    answer_ids_by_lookup,
    check_wave,
    column_report_json,
    distinct_values,
    existing_load,
    insertion_order_not_kept,
    limited_memory,
    literal_safe,
    next_load_id,
    register_frame,
    run_sql_file,
    value_map_rows,
)
from pipeline.ingest.mapping import Mapping, load_mapping
from pipeline.ingest.progress import Steps
from pipeline.ingest.pseudonymise import Pseudonymiser
from pipeline.ingest.readers import RawTable, ReadError, read_into_duckdb, sha256_of
from pipeline.instruments import Instrument, get_instrument
from pipeline.store.connection import code_ids
from pipeline.store.transactions import transaction

RAW_TABLE = "raw_survey"
# Rows without a reference join their key through this marker and their row number; a unit
# separator cannot occur in a cell read from a file.
_ANONYMOUS = "\x1fno reference\x1f"
_ANONYMOUS_SQL = "(chr(31) || 'no reference' || chr(31))"


@dataclass
class StagedSurvey:
    """A survey file read and matched, ready to validate and write (or to preview)."""

    raw: RawTable
    instrument: Instrument
    matches: list[ColumnMatch]
    value_map: pd.DataFrame  # question_code, raw_value, answer_code (None = invalid), reason

    @property
    def coded(self) -> list[ColumnMatch]:
        return [
            m
            for m in self.matches
            if m.code
            and m.method not in ("duplicate", "ignored")
            and self.instrument.question(m.code).type == "coded"
        ]

    def of_type(self, question_type: str) -> list[ColumnMatch]:
        return [
            m
            for m in self.matches
            if m.code
            and m.method not in ("duplicate", "ignored")
            and self.instrument.question(m.code).type == question_type
        ]


@dataclass
class Preview:
    """What a load would do, without writing: for the dashboard's Load data page."""

    column_report: pd.DataFrame
    unmatched: list[str]
    would_quarantine: pd.DataFrame
    rows: int


def _targets(instrument: Instrument) -> list[Target]:
    return [Target(q.code, q.wording, q.aliases, q.type == "id") for q in instrument.questions]


def stage_survey_file(
    con: duckdb.DuckDBPyConnection,
    path: Path,
    instrument: Instrument,
    mapping: Mapping,
    sheet: str | None,
    *,
    map_answers: bool = True,
    no_reference: bool = False,
) -> StagedSurvey:
    """Read, match headers and (unless told not to yet) map answers.

    Raises IngestError for a file that was not understood: no outcome or process question
    recognised (a different survey, or headers that need a mapping), or no respondent reference
    column unless ``no_reference`` (then later copies of a return cannot be found).
    """
    try:
        matcher = HeaderMatcher(_targets(instrument), mapping.columns, instrument.stems)
    except ValueError as error:
        raise IngestError(f"{mapping.source}: {error}") from error
    try:
        raw = read_into_duckdb(
            con,
            path,
            RAW_TABLE,
            sheet=sheet or mapping.sheet,
            header_score=matcher.header_score,
            trim=False,  # answers are folded when mapped; references and comments trimmed here
        )
    except ReadError as error:
        raise IngestError(str(error)) from error
    matches = matcher.match(raw.headers, getattr(raw, "header_labels", None))
    staged = StagedSurvey(raw, instrument, matches, pd.DataFrame())
    if not staged.coded:
        raise IngestError(
            f"{path.name}: no column matches a question of {instrument.id} "
            f"({instrument.title}); check --instrument, or map the headers with --mapping"
        )
    if not any(
        instrument.question(m.code or "").section in ("outcomes", "process") for m in staged.coded
    ):
        found = ", ".join(m.code or "" for m in staged.coded)
        raise IngestError(
            f"{path.name}: no outcome or process question of {instrument.id} "
            f"({instrument.title}) was recognised (only: {found}); this looks like another "
            "survey (the national Adult Social Care Survey return has a layout of its own). "
            "Check --instrument, or map the headers with --mapping; nothing was loaded"
        )
    if not staged.of_type("id") and not no_reference:
        raise IngestError(
            f"{path.name}: no respondent reference column found (a header such as 'Respondent "
            "ID', 'Client ref no.' or 'Serial'); without one a second copy of a return cannot be "
            "told from a new person. Map the column with --mapping, or load anyway with "
            "--no-reference; nothing was loaded"
        )
    if map_answers:
        map_survey_answers(con, staged, mapping)
    return staged


# A longer file has its answers mapped from its first rows; every cell is then checked against
# that map as it is translated, and a column with an answer the sample missed is mapped again
# from all its rows. On a million-row export the sample took a tenth of the full pass's 0.8 s
# (issue 12); a file this short, or shorter, is mapped whole.
ANSWER_SAMPLE_ROWS = 100_000


def map_survey_answers(
    con: duckdb.DuckDBPyConnection,
    staged: StagedSurvey,
    mapping: Mapping,
    *,
    first_rows: int | None = None,
    columns: list[ColumnMatch] | None = None,
) -> None:
    """Fill ``staged.value_map``: each column's distinct answers mapped to canonical codes.

    ``first_rows`` maps only the answers found in the file's first rows (see
    ``ANSWER_SAMPLE_ROWS``); ``columns`` maps those columns again from every row, keeping the
    other columns' rows of the map.
    """
    instrument = staged.instrument
    remap = columns is not None
    columns = staged.coded if columns is None else columns
    rows = []
    values = distinct_values(con, RAW_TABLE, [m.index for m in columns], first_rows=first_rows)
    labels = list(staged.raw.header_labels) + [None] * len(staged.matches)
    for match in columns:
        question = instrument.question(match.code or "")
        assert question.scale is not None
        rows += value_map_rows(
            values[match.index],
            match,
            question.scale,
            mapping.order_for(question.scale.name),
            describe=lambda code, q=question: f"{q.code} ({q.domain})",
            code_list=mapping.values_for(match.column, *other_texts(labels[match.index])),
        )
    value_map = pd.DataFrame(
        rows, columns=["question_code", "raw_value", "answer_code", "reason"]
    ).astype({"answer_code": "object", "reason": "object"})
    if remap:
        kept = staged.value_map[~staged.value_map["question_code"].isin([m.code for m in columns])]
        value_map = pd.concat([kept, value_map], ignore_index=True)
    staged.value_map = value_map


def _columns_with_unseen_answers(
    con: duckdb.DuckDBPyConnection, staged: StagedSurvey
) -> list[ColumnMatch]:
    """The coded columns holding an answer the map has not seen (``UNSEEN_ANSWER`` in ``coded``).

    One pass over small integers: a twentieth of the time of mapping every row's answers.
    """
    coded = staged.coded
    checks = ", ".join(f"bool_or(a{n} = {UNSEEN_ANSWER})" for n in range(len(coded)))
    found = con.execute(f"SELECT {checks} FROM coded").fetchall()[0]
    return [match for match, unseen in zip(coded, found, strict=True) if unseen]


@dataclass(frozen=True)
class _References:
    """The file's references, ready to hash: each distinct one with the first row it is on (so
    its later copies are known), the rows without one, and the SQL (over the raw table ``r``)
    of each row's reference, which ``coded`` keeps for the join with the keys."""

    groups: pa.Table | None
    blank_rows: list[int]
    reference: str


def _file_references(con: duckdb.DuckDBPyConnection, staged: StagedSurvey) -> _References:
    """One GROUP BY over the reference column; rows without a reference get a key from file
    and row."""
    ids = staged.of_type("id")
    if not ids:
        blank_rows = [
            row[0] for row in con.execute(f"SELECT source_row FROM {RAW_TABLE}").fetchall()
        ]
        return _References(None, blank_rows, f"({_ANONYMOUS_SQL} || r.source_row)")
    cell = f"nullif(trim(c{ids[0].index}), '')"
    groups = con.sql(
        f"SELECT {cell} AS reference, min(source_row) AS first_row FROM {RAW_TABLE} "
        f"WHERE reference IS NOT NULL GROUP BY reference"
    ).to_arrow_table()
    blank_rows = [
        row[0]
        for row in con.execute(
            f"SELECT source_row FROM {RAW_TABLE} WHERE {cell} IS NULL"
        ).fetchall()
    ]
    reference = f"coalesce({cell.replace('(c', '(r.c', 1)}, {_ANONYMOUS_SQL} || r.source_row)"
    return _References(groups, blank_rows, reference)


# References are hashed this many at a time, so only one batch is ever held as Python strings.
_KEY_BATCH = 100_000


def _reference_key_frame(
    references: _References, council: str, sha256: str, pseudonymiser: Pseudonymiser
) -> pa.Table:
    """raw_id, respondent_key, first_row for every reference and every row without one.

    An Arrow table rather than a DataFrame of Python strings: a million references and their
    64-character keys take a few tens of megabytes as Arrow columns against some hundreds as
    Python objects, and DuckDB scans Arrow without taking the GIL per value (issue 12).
    """
    groups, blank_rows = references.groups, references.blank_rows
    raw_ids: list[pa.Array] = []
    keys: list[pa.Array] = []
    first_rows: list[pa.Array] = []
    if groups is not None:
        for batch in groups.to_batches(max_chunksize=_KEY_BATCH):
            references = batch.column(0)
            raw_ids.append(references.cast(pa.string()))
            keys.append(
                pa.array(pseudonymiser.keys_for(council, references.to_pylist()), pa.string())
            )
            first_rows.append(batch.column(1).cast(pa.int64()))
    raw_ids.append(pa.array([f"{_ANONYMOUS}{row}" for row in blank_rows], pa.string()))
    keys.append(
        pa.array(
            [pseudonymiser.anonymous_key(council, sha256, row) for row in blank_rows], pa.string()
        )
    )
    first_rows.append(pa.array(blank_rows, pa.int64()))
    return pa.table(
        {
            "raw_id": pa.chunked_array(raw_ids, pa.string()),
            "respondent_key": pa.chunked_array(keys, pa.string()),
            "first_row": pa.chunked_array(first_rows, pa.int64()),
        }
    )


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _sql_literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _write(
    con: duckdb.DuckDBPyConnection,
    staged: StagedSurvey,
    mapping: Mapping,
    params: dict,
    council: str,
    sha256: str,
    pseudonymiser: Pseudonymiser,
) -> None:
    coded = staged.coded
    ids = code_ids(con)
    fields = _respondent_fields(staged)
    references = _file_references(con, staged)
    map_survey_answers(con, staged, mapping, first_rows=ANSWER_SAMPLE_ROWS)
    translate = _answer_translation(con, staged, params, ids, references.reference)
    with ThreadPoolExecutor(max_workers=1) as pool:
        # Hashing a million references is pure Python: it starts once this thread's Python work
        # is done (mapping the answers waited on the GIL for 0.3 s beside it) and runs while
        # DuckDB, which releases the GIL, translates the answers.
        keys = pool.submit(_reference_key_frame, references, council, sha256, pseudonymiser)
        translate()
        unseen = _columns_with_unseen_answers(con, staged)
        if unseen:  # answers the sample missed: map those columns from every row, then again
            map_survey_answers(con, staged, mapping, columns=unseen)
            _answer_translation(con, staged, params, ids, references.reference)()
        con.register("reference_keys_view", keys.result())
    # `coded` holds all the rest of the file needs: its memory goes before the writes
    con.execute(f'DROP TABLE "{RAW_TABLE}"')
    any_answer = ", ".join(f"c.a{n}" for n in range(len(coded)))  # NULL when none is valid
    position = {m.index: n for n, m in enumerate(coded)}
    texts = staged.of_type("text")
    run_sql_file(
        con,
        "survey_accept.sql",
        params,
        any_answer=any_answer,
        kept_columns="".join(
            [f", c.a{position[m.index]} AS {_quote('field_' + f)}" for m, f in fields]
            + [f", c.t{k}" for k in range(len(texts))]
        ),
    )
    con.unregister("reference_keys_view")
    for n in _columns_with_invalid_answers(staged):
        run_sql_file(
            con,
            "survey_invalid.sql",
            {**params, "column_name": coded[n].column, "question_code": coded[n].code},
            n=str(n),
        )
    if texts:
        with insertion_order_not_kept(con):
            run_sql_file(
                con,
                "survey_comments.sql",
                params,
                texts="\nUNION ALL\n".join(
                    f"SELECT respondent_key, {_sql_literal(m.code or '')}, t{k} FROM accepted "
                    f"WHERE rejection IS NULL AND t{k} IS NOT NULL"
                    for k, m in enumerate(texts)
                ),
            )
    id_matches = staged.of_type("id")
    # an "about you" answer is stored as its code: the code of the answer id, by list position
    code_of_id = [None] * max(ids.values(), default=0)
    for code, code_id in ids.items():
        code_of_id[code_id - 1] = code
    run_sql_file(
        con,
        "survey_write.sql",
        {**params, "code_of_id": code_of_id},
        field_names=", ".join(f for _, f in fields) if fields else "age_band",
        field_values=(
            ", ".join(f"($code_of_id)[a.{_quote('field_' + f)}]" for _, f in fields)
            if fields
            else "NULL"
        ),
        id_column_name=_sql_literal(id_matches[0].column) if id_matches else "NULL",
        id_raw_value="'pseudonym ' || left(a.respondent_key, 16)",
        answers="\nUNION ALL\n".join(
            f"SELECT return_id, {ids[m.code or '']}::SMALLINT, a{n} FROM coded "
            f"ANTI JOIN rejected USING (source_row) WHERE a{n} IS NOT NULL"
            for n, m in enumerate(coded)
        ),
    )


def _columns_with_invalid_answers(staged: StagedSurvey) -> list[int]:
    """Positions (in ``staged.coded``) of the columns with an answer that maps to nothing:
    ``coded`` keeps their raw cells (``raw{n}``) for the quarantine."""
    value_map = staged.value_map
    invalid = set(value_map.loc[value_map["reason"].notna(), "question_code"])
    return [n for n, match in enumerate(staged.coded) if match.code in invalid]


def _respondent_fields(staged: StagedSurvey) -> list[tuple[ColumnMatch, str]]:
    """The matched "about you" columns and the respondents column each fills."""
    fields = [(m, staged.instrument.question(m.code or "").respondent_field) for m in staged.coded]
    return [(m, f) for m, f in fields if f]


def _answer_translation(
    con: duckdb.DuckDBPyConnection,
    staged: StagedSurvey,
    params: dict,
    ids: dict[str, int],
    reference: str,
) -> Callable[[], None]:
    """The map as temp ``value_map``, and what makes temp table ``coded``: every row's answers
    as code ids (run by calling it; building it is Python, running it DuckDB's).

    A cell's id is NULL when it is blank or its answer maps to nothing, and ``UNSEEN_ANSWER``
    when its answer is not in the map at all (which was then made from a sample). A column
    usually has a dozen distinct answers, each cell is looked up among them by one ENUM cast
    (``answer_ids_by_lookup``), or compared with them in a CASE when they cannot be an ENUM's
    members; a column with many distinct answers (free text where a tick box was expected)
    joins the map instead, so the query stays small. All give the same table.
    """
    coded = staged.coded
    value_map = staged.value_map.assign(
        answer_id=staged.value_map["answer_code"].map(ids).astype("Int16")
    )
    register_frame(con, "value_map", value_map)
    answers_of = {code: rows for code, rows in value_map.groupby("question_code", sort=False)}
    values: dict[str, object] = {}
    joins, coded_values = [], []
    for n, m in enumerate(coded):
        rows = answers_of.get(m.code)
        cell = f"r.c{m.index}"
        if rows is not None and len(rows) > CASE_ANSWERS_LIMIT:
            joins.append(
                f"LEFT JOIN value_map AS m{n} ON m{n}.question_code = {_sql_literal(m.code or '')} "
                f"AND m{n}.raw_value = {cell}"
            )
            coded_values.append(
                f"CASE WHEN {cell} IS NOT NULL AND m{n}.raw_value IS NULL "
                f"THEN {UNSEEN_ANSWER} ELSE m{n}.answer_id END AS a{n}"
            )
            continue
        answers = [] if rows is None else list(rows.itertuples(index=False))
        raw_values = [row.raw_value for row in answers]
        answer_ids = [None if pd.isna(row.answer_id) else int(row.answer_id) for row in answers]
        if any(i is not None for i in answer_ids) and literal_safe(raw_values):
            coded_values.append(answer_ids_by_lookup(cell, raw_values, answer_ids) + f" AS a{n}")
            continue
        cases = []
        for k, answer_id in enumerate(answer_ids):
            values[f"v{n}_{k}_"] = raw_values[k]
            cases.append(
                f"WHEN {cell} = $v{n}_{k}_ THEN {'NULL' if answer_id is None else answer_id}"
            )
        cases.append(f"WHEN {cell} IS NOT NULL THEN {UNSEEN_ANSWER}")
        coded_values.append(f"CAST(CASE {' '.join(cases)} END AS SMALLINT) AS a{n}")
    return_base = con.execute("SELECT coalesce(max(return_id), 0) FROM respondents").fetchall()[0][
        0
    ]
    kept = [f"nullif(trim(r.c{m.index}), '') AS t{k}" for k, m in enumerate(staged.of_type("text"))]
    kept += [f"r.c{coded[n].index} AS raw{n}" for n in _columns_with_invalid_answers(staged)]
    return partial(
        run_sql_file,
        con,
        "survey_coded.sql",
        {**params, **values, "return_base": int(return_base)},
        raw=RAW_TABLE,
        coded_values=", ".join(coded_values + kept),
        coded_joins="\n".join(joins),
        reference=reference,
    )


def load_survey_file(
    con: duckdb.DuckDBPyConnection,
    path: str | Path,
    *,
    instrument: str,
    council: str,
    wave: int,
    mapping: Path | str | dict | Mapping | None = None,
    sheet: str | None = None,
    progress: bool = False,
    no_reference: bool = False,
    new_council: bool = False,
) -> LoadResult:
    """Load one survey file for a council and wave; one transaction, a no-op if already loaded.

    ``no_reference`` loads a file that has no respondent reference column; every row is then a
    new return (duplicates cannot be detected) and the load report says so. ``council`` is
    resolved through the council register (:mod:`pipeline.ingest.councils`); ``new_council``
    accepts one the register lacks.
    """
    path = Path(path)
    wave = check_wave(path.name, wave)
    definition = get_instrument(instrument)
    choice = identify_council(con, path.name, council, allow_new=new_council, on=survey_day(wave))
    council = choice.name
    rules = load_mapping(mapping)
    steps = Steps(f"Loading {path.name}", total=5, enabled=progress)
    with steps, limited_memory(con):
        if not path.exists():
            raise IngestError(f"{path}: file not found")
        steps.advance("reading")
        with ThreadPoolExecutor(max_workers=1) as pool:
            hashing = pool.submit(sha256_of, path)  # hashlib releases the GIL on big reads
            staged = stage_survey_file(
                con, path, definition, rules, sheet, map_answers=False, no_reference=no_reference
            )
            sha256 = hashing.result()
        steps.advance("pseudonymising")
        with transaction(con):
            previous = existing_load(
                con,
                sha256,
                path.name,
                kind="survey",
                council=council,
                wave=int(wave),
                instrument=definition.id,
            )
            if previous:
                _drop_temps(con)
                return already_loaded_result(path, sha256, previous)
            checked_key = check_key_for_load(con)
            load_id = next_load_id(con)
            params = {
                "load_id": load_id,
                "instrument": definition.id,
                "version": definition.version,
                "council": council,
                "wave": int(wave),
            }
            steps.advance("validating and writing")
            _write(con, staged, rules, params, council, sha256, checked_key.pseudonymiser)
            counts = con.execute(
                "SELECT count(*) FILTER (WHERE rejection IS NULL), "
                "count(*) FILTER (WHERE rejection IS NOT NULL) FROM accepted"
            ).fetchall()[0]
            values_bad = con.execute(
                "SELECT count(*) FROM quarantine WHERE load_id = ? AND NOT whole_row", [load_id]
            ).fetchall()[0][0]
            con.execute(
                "INSERT INTO loads (load_id, kind, instrument, instrument_version, council, "
                "council_code, wave, file_name, sha256, sheet, rows_read, rows_loaded, "
                "rows_quarantined, values_quarantined, column_report) "
                "VALUES (?, 'survey', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    load_id,
                    definition.id,
                    definition.version,
                    council,
                    choice.ons_code,
                    int(wave),
                    path.name,
                    sha256,
                    staged.raw.sheet,
                    staged.raw.rows,
                    counts[0],
                    counts[1],
                    values_bad,
                    column_report_json(staged.matches),
                ],
            )
            remember_council(con, choice, load_id)
            steps.advance("committing")
        _drop_temps(con)
        steps.advance("done")
    result = LoadResult(
        load_id=load_id,
        status="loaded",
        file_name=path.name,
        sha256=sha256,
        rows_read=staged.raw.rows,
        rows_loaded=int(counts[0]),
        rows_quarantined=int(counts[1]),
        values_quarantined=int(values_bad),
        column_report=staged.matches,
        notes=list(staged.raw.notes),
    )
    result.message = _summary(result, has_reference=bool(staged.of_type("id"))) + checked_key.note
    if choice.note:
        result.message += f"; note: {choice.note}"
    return result


def _summary(result: LoadResult, has_reference: bool = True) -> str:
    text = (
        f"{result.file_name}: loaded {result.rows_loaded} of {result.rows_read} rows as load "
        f"{result.load_id}; {result.rows_quarantined} rows and {result.values_quarantined} "
        "answers quarantined"
    )
    if result.unmatched_columns:
        text += f"; columns not recognised: {', '.join(result.unmatched_columns)}"
    if not has_reference:
        text += (
            "; loaded with --no-reference: no respondent reference, so a second copy of a "
            "return cannot be detected"
        )
    return text


def _drop_temps(con: duckdb.DuckDBPyConnection) -> None:
    for table in (RAW_TABLE, "reference_keys", "accepted", "rejected", "value_map", "coded"):
        con.execute(f'DROP TABLE IF EXISTS "{table}"')


def preview_survey_file(
    path: str | Path,
    *,
    instrument: str,
    mapping: Path | str | dict | Mapping | None = None,
    sheet: str | None = None,
    no_reference: bool = False,
) -> Preview:
    """Match and validate a file in memory, writing nothing: what a load would do."""
    path = Path(path)
    con = duckdb.connect()
    try:
        staged = stage_survey_file(
            con,
            path,
            get_instrument(instrument),
            load_mapping(mapping),
            sheet,
            no_reference=no_reference,
        )
        register_frame(con, "value_map", staged.value_map)
        names = {m.code: m.column for m in staged.coded}
        bad = staged.value_map[staged.value_map["reason"].notna()]
        rows = []
        for record in bad.itertuples():
            index = next(m.index for m in staged.coded if m.code == record.question_code)
            for (source_row,) in con.execute(
                f"SELECT source_row FROM {RAW_TABLE} WHERE c{index} = ? ORDER BY 1",
                [record.raw_value],
            ).fetchall():
                rows.append(
                    (source_row, names[record.question_code], record.raw_value, record.reason)
                )
        return Preview(
            column_report=pd.DataFrame([m.as_dict() for m in staged.matches]),
            unmatched=[m.column for m in staged.matches if m.method in UNUSED_METHODS],
            would_quarantine=pd.DataFrame(
                rows, columns=["source_row", "column_name", "raw_value", "reason"]
            ).sort_values(["source_row", "column_name"], ignore_index=True),
            rows=staged.raw.rows,
        )
    finally:
        con.close()
