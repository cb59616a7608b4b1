"""Load a council's budget register: amounts, dates, management option, support reason, reviews.

Reading, header matching, quarantine and the one-transaction rule are the survey loader's; what
differs is the field types. Dates (UK 31/01/2025 or ISO) and money ("£12,345.50") are parsed in
DuckDB so a national-scale register of a million rows loads in seconds; the rules (two-digit
years, plausible dates, ambiguous amounts) are in :mod:`pipeline.ingest.register_values`.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from pathlib import Path

import duckdb
import pandas as pd
import pyarrow as pa

from pipeline.ingest.councils import identify_council, remember_council
from pipeline.ingest.headers import ColumnMatch, HeaderMatcher, Target
from pipeline.ingest.key_guard import check_key_for_load
from pipeline.ingest.loading import (
    CASE_ANSWERS_LIMIT,
    IngestError,
    LoadResult,
    already_loaded_result,
    case_over_answers,
    column_report_json,
    distinct_values,
    existing_load,
    limited_memory,
    next_load_id,
    register_frame,
    run_sql_file,
    value_map_rows,
)
from pipeline.ingest.mapping import Mapping, load_mapping
from pipeline.ingest.progress import Steps
from pipeline.ingest.pseudonymise import Pseudonymiser
from pipeline.ingest.readers import ReadError, read_into_duckdb, sha256_of
from pipeline.ingest.register_fields import RegisterField, register_fields
from pipeline.ingest.register_values import (
    NOT_A_DATE,
    DateRange,
    date_in_range,
    date_range_reason,
    date_read_expression,
    money_expression,
    money_reason,
)
from pipeline.store.transactions import transaction

RAW_TABLE = "raw_budgets"
PERSON_REFERENCE = "person_reference__raw"  # parsed's column of the id as the file gives it


def _quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _parse_and_check(
    con: duckdb.DuckDBPyConnection,
    matched: list[tuple[ColumnMatch, RegisterField]],
    mapping: Mapping,
    dates: DateRange,
) -> tuple[list[str], list[str], Callable[[], None]]:
    """The budgets columns filled, the expression of each over ``parsed``, and what creates
    temp tables ``parsed`` and ``problems`` (run by calling it: building it is Python, running
    it DuckDB's, so the caller can start hashing in between).

    ``parsed`` holds each date and amount twice (the text and what it reads as) and the person
    reference as given, no more: the range checks are applied as the rows are written, so a
    million-row register is materialised once between the raw table and ``budgets``.
    """
    value_rows: list[tuple] = []
    answers = distinct_values(con, RAW_TABLE, [m.index for m, f in matched if f.type == "category"])
    params: dict[str, object] = {}  # a category's answers, compared in a CASE
    joins: list[str] = []  # a category with too many answers for a CASE joins value_map
    selects = ["r.source_row"]
    values: list[str] = []  # what each budgets column is, over parsed
    checks: list[str] = []
    columns: list[str] = []
    for match, field in matched:
        raw = f"r.c{match.index}"
        name = _quote(match.column)
        if field.type == "id":
            selects.append(f"{raw} AS {PERSON_REFERENCE}")
            continue
        if field.type in ("date", "money"):
            # read once into <code>__read beside the text; checks and the value use that column
            text, read = f"{field.code}__text", f"{field.code}__read"
            # read_into_duckdb strips every cell (trim=True), so the reads need not trim again
            reading = (
                date_read_expression(raw, dates, stripped=True)
                if field.type == "date"
                else money_expression(raw, stripped=True)
            )
            selects += [f"{raw} AS {text}", f"{reading} AS {read}"]
            if field.type == "date":
                wrong = f"NOT ({date_in_range(read, dates)})"
                not_read, why_wrong = _quote(NOT_A_DATE), date_range_reason(text, read, dates)
            else:
                lower = 0 if field.minimum is None else field.minimum
                wrong = f"{read} < {lower}"
                if field.maximum is not None:
                    wrong += f" OR {read} > {field.maximum}"
                range_text = (
                    f"{lower:,.0f} to {field.maximum:,.0f}"
                    if field.maximum
                    else f"{lower:,.0f} or more"
                )
                not_read = money_reason(text)
                why_wrong = f"'amount outside the accepted range {range_text}'"
            values.append(f"CASE WHEN {wrong} THEN NULL ELSE {read} END")
            checks.append(
                f"SELECT source_row, {name}, {text}, {not_read}, false "
                f"FROM parsed WHERE {text} IS NOT NULL AND {read} IS NULL"
            )
            checks.append(
                f"SELECT source_row, {name}, {text}, {why_wrong}, false FROM parsed WHERE {wrong}"
            )
        elif field.type == "category":
            assert field.scale is not None
            rows = value_map_rows(
                answers[match.index],
                match,
                field.scale,
                mapping.order_for(field.scale.name),
                describe=lambda code, f=field: f"{f.wording}",
                code_list=mapping.values_for(match.column),
            )
            value_rows += rows
            alias = f"m_{field.code}"
            if len(rows) > CASE_ANSWERS_LIMIT:
                joins.append(
                    f"LEFT JOIN value_map {alias} ON {alias}.question_code = '{field.code}' "
                    f"AND {alias}.raw_value = {raw}"
                )
                selects.append(f"{alias}.answer_code AS {field.code}")
            else:
                # a dozen answers: comparing with them beats a hash join (as for surveys, D61)
                cases = []
                for k, (_, raw_value, answer_code, _) in enumerate(rows):
                    if answer_code is not None:
                        params[f"{field.code}_{k}_value"] = raw_value
                        params[f"{field.code}_{k}_code"] = answer_code
                        cases.append(f"WHEN ${field.code}_{k}_value THEN ${field.code}_{k}_code")
                selects.append(f"{case_over_answers(raw, cases, 'VARCHAR')} AS {field.code}")
            if field.keep_label:
                selects.append(f"{raw} AS {field.keep_label}")
                columns.append(field.keep_label)
                values.append(field.keep_label)
            checks.append(
                f"SELECT r.source_row, {name}, {raw}, {alias}.reason, false FROM {RAW_TABLE} r "
                f"JOIN value_map {alias} ON {alias}.question_code = '{field.code}' "
                f"AND {alias}.raw_value = {raw} WHERE {alias}.answer_code IS NULL AND {alias}.reason IS NOT NULL"
            )
            values.append(field.code)
        else:
            selects.append(f"{raw} AS {field.code}")
            values.append(field.code)
        columns.append(field.code)
    register_frame(
        con,
        "value_map",
        pd.DataFrame(
            value_rows, columns=["question_code", "raw_value", "answer_code", "reason"]
        ).astype({"raw_value": "object", "answer_code": "object", "reason": "object"}),
    )
    id_match = next(m for m, f in matched if f.type == "id")
    checks.append(
        f"SELECT source_row, {_quote(id_match.column)}, NULL, "
        f"'no person id: a budget record needs the person''s id to link and deduplicate', true "
        f"FROM {RAW_TABLE} WHERE c{id_match.index} IS NULL"
    )

    def parse_and_check() -> None:
        con.execute(
            f"CREATE OR REPLACE TEMP TABLE parsed AS "
            f"SELECT {', '.join(selects)} FROM {RAW_TABLE} r {' '.join(joins)}",
            params,
        )
        # one statement: DuckDB runs the checks' scans as one plan, not fifteen round trips
        con.execute(
            "CREATE OR REPLACE TEMP TABLE problems (source_row BIGINT, column_name VARCHAR, "
            "raw_value VARCHAR, reason VARCHAR, whole_row BOOLEAN)"
        )
        con.execute("INSERT INTO problems " + " UNION ALL ".join(f"({check})" for check in checks))

    return columns, values, parse_and_check


def _person_keys(distinct: pa.Table, council: str, pseudonymiser: Pseudonymiser) -> pa.Table:
    """raw_id and person_key for each distinct id, hashed 100,000 at a time."""
    raw_ids: list[pa.Array] = []
    keys: list[pa.Array] = []
    for batch in distinct.to_batches(max_chunksize=100_000):
        ids = batch.column(0).cast(pa.string())
        raw_ids.append(ids)
        keys.append(pa.array(pseudonymiser.keys_for(council, ids.to_pylist()), pa.string()))
    return pa.table(
        {
            "raw_id": pa.chunked_array(raw_ids, pa.string()),
            "person_key": pa.chunked_array(keys, pa.string()),
        }
    )


def _register_matcher(rules: Mapping) -> HeaderMatcher:
    """The header matcher for register fields (plus any mapping file's columns)."""
    fields = register_fields()
    try:
        return HeaderMatcher(
            [Target(f.code, f.wording, f.aliases, f.type == "id") for f in fields], rules.columns
        )
    except ValueError as error:
        raise IngestError(f"{rules.source}: {error}") from error


def register_references(
    path: str | Path,
    *,
    mapping: Path | str | dict | Mapping | None = None,
    sheet: str | None = None,
) -> pd.DataFrame:
    """Each row's person reference exactly as the register file holds it (``source_row``,
    ``reference``), found the way :func:`load_budget_file` finds it: same readers, same header
    matching, same mapping file. Nothing is stored; the file is read into a private in-memory
    database. Used to address invitations, because the database keeps only pseudonyms.
    """
    path = Path(path)
    if not path.exists():
        raise IngestError(f"{path}: file not found")
    rules = load_mapping(mapping)
    matcher = _register_matcher(rules)
    scratch = duckdb.connect()
    try:
        try:
            raw = read_into_duckdb(
                scratch,
                path,
                RAW_TABLE,
                sheet=sheet or rules.sheet,
                header_score=matcher.header_score,
            )
        except ReadError as error:
            raise IngestError(str(error)) from error
        matches = matcher.match(raw.headers, getattr(raw, "header_labels", None))
        id_match = next(
            (
                m
                for m in matches
                if m.code == "person_id" and m.method not in ("duplicate", "ignored")
            ),
            None,
        )
        if id_match is None:
            raise IngestError(
                f"{path.name}: no person id column found (expected a header such as 'Person ID'); "
                "map it with --mapping"
            )
        return scratch.execute(
            f"SELECT source_row, c{id_match.index} AS reference FROM {RAW_TABLE} "
            f"WHERE c{id_match.index} IS NOT NULL ORDER BY source_row"
        ).df()
    finally:
        scratch.close()


def load_budget_file(
    con: duckdb.DuckDBPyConnection,
    path: str | Path,
    *,
    council: str,
    mapping: Path | str | dict | Mapping | None = None,
    sheet: str | None = None,
    progress: bool = False,
    new_council: bool = False,
) -> LoadResult:
    """Load a budget register for one council; one transaction, a no-op if already loaded.

    ``council`` is resolved through the council register as for surveys; ``new_council``
    accepts one the register lacks.
    """
    path = Path(path)
    choice = identify_council(con, path.name, council, allow_new=new_council)
    council = choice.name
    rules = load_mapping(mapping)
    fields = register_fields()
    by_code = {f.code: f for f in fields}
    matcher = _register_matcher(rules)
    steps = Steps(f"Loading {path.name}", total=4, enabled=progress)
    with steps, limited_memory(con):
        if not path.exists():
            raise IngestError(f"{path}: file not found")
        # The file is hashed while DuckDB reads it, as the survey loader does; a file already
        # loaded is then a no-op whether or not it reads, as when it was hashed first.
        read_error: ReadError | None = None
        with ThreadPoolExecutor(max_workers=1) as pool:
            hashing = pool.submit(sha256_of, path)  # hashlib releases the GIL on big reads
            try:
                raw = read_into_duckdb(
                    con,
                    path,
                    RAW_TABLE,
                    sheet=sheet or rules.sheet,
                    header_score=matcher.header_score,
                )
            except ReadError as error:
                read_error = error
            sha256 = hashing.result()
        previous = existing_load(con, sha256, path.name, kind="budgets", council=council)
        if previous:
            con.execute(f'DROP TABLE IF EXISTS "{RAW_TABLE}"')
            return already_loaded_result(path, sha256, previous)
        if read_error is not None:
            raise IngestError(str(read_error)) from read_error
        steps.advance("matching")
        matches = matcher.match(raw.headers, getattr(raw, "header_labels", None))
        matched = [
            (m, by_code[m.code])
            for m in matches
            if m.code and m.method not in ("duplicate", "ignored")
        ]
        if not any(f.type == "id" for _, f in matched):
            raise IngestError(
                f"{path.name}: no person id column found (expected a header such as 'Person ID'); "
                "map it with --mapping"
            )
        if len(matched) < 2:
            raise IngestError(f"{path.name}: no budget register fields recognised besides the id")
        id_match = next(m for m, f in matched if f.type == "id")
        steps.advance("validating")
        with transaction(con):
            previous = existing_load(con, sha256, path.name, kind="budgets", council=council)
            if previous:
                return already_loaded_result(path, sha256, previous)
            checked_key = check_key_for_load(con)
            pseudonymiser = checked_key.pseudonymiser
            column = f"c{id_match.index}"
            distinct = con.sql(
                f"SELECT DISTINCT {column} FROM {RAW_TABLE} WHERE {column} IS NOT NULL"
            ).to_arrow_table()
            columns, values, parse_and_check = _parse_and_check(
                con, matched, rules, DateRange.around(date.today())
            )
            # Hashing a million ids is pure Python: it runs in a thread while DuckDB (which
            # releases the GIL) parses the dates and amounts, as the survey loader does, once
            # this thread's Python work is done (it would wait on the GIL beside it), and into
            # Arrow batches so the ids and keys never sit in memory as Python strings.
            with ThreadPoolExecutor(max_workers=1) as pool:
                hashing = pool.submit(_person_keys, distinct, council, pseudonymiser)
                parse_and_check()
                id_keys = hashing.result()
            load_id = next_load_id(con)
            steps.advance("writing")
            con.register("id_keys", id_keys)
            try:
                run_sql_file(
                    con,
                    "budgets_write.sql",
                    {"load_id": load_id, "council": council},
                    columns=", ".join(columns),
                    values=", ".join(values),
                    reference=PERSON_REFERENCE,
                )
            finally:
                con.unregister("id_keys")
            rejected, bad_values = con.execute(
                "SELECT count(DISTINCT source_row) FILTER (WHERE whole_row), "
                "count(*) FILTER (WHERE NOT whole_row) FROM problems"
            ).fetchall()[0]
            loaded = raw.rows - rejected
            con.execute(
                "INSERT INTO loads (load_id, kind, council, council_code, file_name, sha256, "
                "sheet, rows_read, rows_loaded, rows_quarantined, values_quarantined, "
                "column_report) VALUES (?, 'budgets', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    load_id,
                    council,
                    choice.ons_code,
                    path.name,
                    sha256,
                    raw.sheet,
                    raw.rows,
                    loaded,
                    rejected,
                    bad_values,
                    column_report_json(matches),
                ],
            )
            remember_council(con, choice, load_id)
        for table in (RAW_TABLE, "parsed", "problems", "value_map"):
            con.execute(f'DROP TABLE IF EXISTS "{table}"')
        steps.advance("done")
    result = LoadResult(
        load_id=load_id,
        status="loaded",
        file_name=path.name,
        sha256=sha256,
        rows_read=raw.rows,
        rows_loaded=int(loaded),
        rows_quarantined=int(rejected),
        values_quarantined=int(bad_values),
        column_report=matches,
        notes=list(raw.notes),
    )
    result.message = (
        f"{path.name}: loaded {result.rows_loaded} of {result.rows_read} budget records as load "
        f"{load_id}; {rejected} rows and {bad_values} values quarantined"
        + (
            f"; columns not recognised: {', '.join(result.unmatched_columns)}"
            if result.unmatched_columns
            else ""
        )
        + checked_key.note
    )
    return result
