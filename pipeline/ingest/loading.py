"""What every load shares: its result, its errors, the file-hash check and one transaction.

A load either commits everything (loads row, data rows, quarantine rows) or nothing: a file that
fails half-way leaves the database exactly as it was.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import duckdb

from pipeline.config import ingest_memory_limit
from pipeline.ingest.headers import UNUSED_METHODS, ColumnMatch
from pipeline.instruments import Scale
from pipeline.store.transactions import sql_statements

if TYPE_CHECKING:
    import pandas as pd


class IngestError(ValueError):
    """A file that cannot be loaded at all; the message names the file and what to do."""


EARLIEST_WAVE = 1990  # personal budgets began in the 2000s; earlier years are typing slips


def check_wave(file_name: str, wave: object) -> int:
    """A wave is the survey's year: a whole number from 1990 to next year."""
    latest = dt.date.today().year + 1
    try:
        year = int(str(wave).strip())
    except ValueError:
        year = None
    if year is None or not EARLIEST_WAVE <= year <= latest:
        raise IngestError(
            f"{file_name}: --wave {wave} is not a survey year; give the year the survey ran, "
            f"from {EARLIEST_WAVE} to {latest} (e.g. --wave 2025)"
        )
    return year


@dataclass
class LoadResult:
    load_id: int | None
    status: str  # "loaded" | "already_loaded"
    file_name: str
    sha256: str
    rows_read: int = 0
    rows_loaded: int = 0
    rows_quarantined: int = 0
    values_quarantined: int = 0
    column_report: list[ColumnMatch] = field(default_factory=list)
    message: str = ""
    notes: list[str] = field(default_factory=list)  # how the file was read (encodings, headers)

    @property
    def unmatched_columns(self) -> list[str]:
        return [m.column for m in self.column_report if m.method in UNUSED_METHODS]

    def column_frame(self) -> pd.DataFrame:
        import pandas as pd  # here: `outcomes key check` imports this module and needs no pandas

        return pd.DataFrame([m.as_dict() for m in self.column_report])


def existing_load(
    con: duckdb.DuckDBPyConnection, sha256: str, file_name: str = "", **target: object
) -> tuple[int, str] | None:
    """The load that already holds a file with this content, if any.

    ``target`` (council, wave, instrument, kind) is what this load is for: the same bytes
    already loaded for another council, wave or survey is refused rather than called "already
    loaded", because one of the two is a mistake the person must see (unload the wrong one).
    """
    rows = con.execute(
        "SELECT load_id, file_name, kind, council, wave, instrument FROM loads "
        "WHERE sha256 = ? ORDER BY load_id LIMIT 1",
        [sha256],
    ).fetchall()  # fetchall, not fetchone: DuckDB 2.0 keeps an unfinished result busy
    if not rows:
        return None
    load_id, previous_name, *stored = rows[0]
    was = dict(zip(("kind", "council", "wave", "instrument"), stored, strict=True))
    differs = [
        f"{key} {was[key]!r} (now {value!r})"
        for key, value in target.items()
        if was.get(key) is not None and value is not None and str(was[key]) != str(value)
    ]
    if differs:
        raise IngestError(
            f"{file_name or previous_name}: these exact bytes were already loaded as load "
            f"{load_id} ({previous_name}) with {', '.join(differs)}; one of the two is wrong. "
            f"If load {load_id} is the mistake, remove it with `outcomes unload {load_id}` (or "
            "the Load data page's Unload), then load this file again"
        )
    return (int(load_id), str(previous_name))


def already_loaded_result(path: Path, sha256: str, previous: tuple[int, str]) -> LoadResult:
    load_id, file_name = previous
    return LoadResult(
        load_id=load_id,
        status="already_loaded",
        file_name=path.name,
        sha256=sha256,
        message=(f"{path.name}: already loaded as load {load_id} ({file_name}); nothing was added"),
    )


def quarantine_summary(
    con: duckdb.DuckDBPyConnection, load_id: int, limit: int = 8
) -> list[tuple[str, int, str]]:
    """(column, count, one example reason) per column a load quarantined, largest first.

    A file with thousands of bad values is summarised by column rather than listed value by
    value; ``outcomes quarantine --load N`` lists them all. Whole rows count under "whole row".
    """
    rows = con.execute(
        "SELECT CASE WHEN whole_row THEN 'whole row' ELSE coalesce(column_name, '') END AS col, "
        "count(*) AS n, min(reason) AS example FROM quarantine WHERE load_id = ? "
        "GROUP BY col ORDER BY n DESC, col LIMIT ?",
        [load_id, limit],
    ).fetchall()
    return [(str(col), int(n), str(example)) for col, n, example in rows]


@contextmanager
def limited_memory(con: duckdb.DuckDBPyConnection) -> Iterator[None]:
    """Cap DuckDB's memory for one load (see config.ingest_memory_limit), then restore it."""
    before = con.execute("SELECT current_setting('memory_limit')").fetchall()[0][0]
    con.execute(f"SET memory_limit = '{ingest_memory_limit()}'")
    try:
        yield
    finally:
        con.execute(f"SET memory_limit = '{before}'")


@contextmanager
def insertion_order_not_kept(con: duckdb.DuckDBPyConnection) -> Iterator[None]:
    """Let DuckDB write the next inserts in any row order, then restore the setting.

    With the order kept DuckDB wrote a survey's half a million comments on one core, in twice
    the time (issue 12); a table's rows have no order anyone reads them by.
    """
    before = con.execute("SELECT current_setting('preserve_insertion_order')").fetchall()[0][0]
    con.execute("SET preserve_insertion_order = false")
    try:
        yield
    finally:
        con.execute(f"SET preserve_insertion_order = {'true' if before else 'false'}")


def next_load_id(con: duckdb.DuckDBPyConnection) -> int:
    return int(con.execute("SELECT nextval('load_id_seq')").fetchall()[0][0])


def column_report_json(matches: list[ColumnMatch]) -> str:
    return json.dumps([m.as_dict() for m in matches], ensure_ascii=False)


def distinct_values(
    con: duckdb.DuckDBPyConnection,
    table: str,
    indexes: list[int],
    *,
    first_rows: int | None = None,
) -> dict[int, list[str]]:
    """The distinct non-blank values of several columns, in one query.

    One ``SELECT DISTINCT`` per column joined by ``UNION ALL`` reads each column once and runs
    the columns in parallel; it took half the time of one scan with a ``list(DISTINCT ...)``
    aggregate per column on a million-row export (issue 12). ``first_rows`` looks only at the
    table's first rows (its row groups beyond them are skipped): a sample, for a caller that
    then checks every cell against what the sample found.
    """
    indexes = list(dict.fromkeys(indexes))
    if not indexes:
        return {}
    rows = "" if first_rows is None else f" AND rowid < {int(first_rows)}"
    union = " UNION ALL ".join(
        f'SELECT DISTINCT {position} AS position, c{index} AS value FROM "{table}" '
        f"WHERE c{index} IS NOT NULL{rows}"
        for position, index in enumerate(indexes)
    )
    found: dict[int, list[str]] = {index: [] for index in indexes}
    for position, value in con.execute(union).fetchall():
        found[indexes[position]].append(value)
    return found


# A column with at most this many distinct answers is translated by a CASE over its answers
# (compared as parameters), a larger one by a join with value_map.
CASE_ANSWERS_LIMIT = 64


# The code id a translated cell holds when its answer was not among those mapped: a sign that
# the answers were mapped from a sample that missed it (code ids are positive).
UNSEEN_ANSWER = -1


def answer_ids_by_lookup(cell: str, raw_values: list[str], answer_ids: list[int | None]) -> str:
    """Each cell's answer id by one hash lookup: the cell cast to an ENUM of the column's
    distinct answers, whose position picks the id (NULL where the answer maps to nothing or
    the cell is blank, ``UNSEEN_ANSWER`` where the answer is not in ``raw_values``).

    A CASE compares a cell with each answer in turn; a survey tool's export has twenty-odd
    spellings per question, and the lookup took three quarters of the CASE's time on a
    million-row export (issue 12). Values travel as SQL literals (a type cannot take
    parameters), quoted by doubling single quotes; a value with a NUL character cannot be a
    literal, so the caller keeps the CASE for such a column.
    """
    members = ", ".join(_string_literal(value) for value in raw_values)
    ids = ", ".join("NULL" if i is None else str(int(i)) for i in answer_ids)
    # list position 1 is the unseen marker, 2.. the answers'; position 0 (a blank cell) is NULL
    return (
        f"CAST((CAST([{UNSEEN_ANSWER}, {ids}] AS SMALLINT[]))"
        f"[coalesce(enum_code(TRY_CAST({cell} AS ENUM({members}))) + 2, "
        f"({cell} IS NOT NULL)::INTEGER)] AS SMALLINT)"
    )


def literal_safe(values: list[str]) -> bool:
    """Whether the values can be an ENUM's members: each once, none with a NUL character (which
    a SQL string literal cannot hold)."""
    return len(set(values)) == len(values) and all("\x00" not in value for value in values)


def _string_literal(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def case_over_answers(cell: str, cases: list[str], sql_type: str) -> str:
    """``CAST(CASE cell WHEN ... END AS type)``; NULL of that type when nothing maps."""
    if not cases:
        return f"CAST(NULL AS {sql_type})"
    return f"CAST(CASE {cell} {' '.join(cases)} END AS {sql_type})"


def value_map_rows(
    values: list[str],
    match: ColumnMatch,
    scale: Scale,
    numeric_order: str,
    describe: Callable[[str], str],
    code_list: dict[str, str] | None = None,
) -> list[tuple[str, str, str | None, str | None]]:
    """(code, raw value, canonical answer or None, reason) for each distinct value of a column.

    Values are mapped once per distinct value in Python and applied to every row in SQL, which
    keeps a million-row file fast while the matching rules stay readable. A cell holding only
    spaces is a blank: no answer and no reason, so it is neither loaded nor quarantined.
    """
    rows = []
    scale_codes = {a.code for a in scale.codes}
    for raw in values:
        if not str(raw).strip():
            rows.append((match.code or "", raw, None, None))
            continue
        listed = None if code_list is None else code_list.get(str(raw).strip())
        if listed is not None and listed not in scale_codes:
            listed = None  # a code list naming a code the scale lacks is not guessed at
        answer = listed if listed is not None else scale.match(raw, numeric_order)
        reason = None
        if (
            answer is None
            and code_list is not None
            and str(raw).strip().lstrip("+-").replace(".", "").isdigit()
        ):
            reason = (
                f"{raw!r} is not in the code list the mapping file gives for this column "
                f"({', '.join(f'{k} = {v}' for k, v in code_list.items())})"
            )
        elif answer is None:
            reason = (
                f"{raw!r} is not an answer to {describe(match.code or '')}; expected one of: "
                + ", ".join(a.label for a in scale.codes)
            )
        rows.append((match.code or "", raw, answer, reason))
    return rows


def register_frame(con: duckdb.DuckDBPyConnection, name: str, frame: pd.DataFrame) -> None:
    """Make a pandas frame a temp table (replacing any earlier one of that name)."""
    con.register(f"{name}_view", frame)
    con.execute(f'CREATE OR REPLACE TEMP TABLE "{name}" AS SELECT * FROM "{name}_view"')
    con.unregister(f"{name}_view")


SQL_DIR = Path(__file__).parent / "sql"


def run_sql_file(
    con: duckdb.DuckDBPyConnection, name: str, params: dict, **identifiers: str
) -> None:
    """Run the statements of ``sql/<name>`` with identifiers filled in and named parameters.

    Identifiers (table and column names built from instrument codes, never user values) are
    formatted into the text; values always travel as ``$parameters``.
    """
    text = (SQL_DIR / name).read_text(encoding="utf-8").format(**identifiers)
    for statement in sql_statements(text):
        used = {key: value for key, value in params.items() if f"${key}" in statement}
        con.execute(statement, used).fetchall()  # finish each result: DuckDB 2.0 keeps it open
