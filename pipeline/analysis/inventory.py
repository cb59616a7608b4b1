"""What is loaded: councils, waves, files, quarantined rows and unmatched columns.

These are the lists the faces build their menus from; they read the store directly and never
aggregate answers.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd

from pipeline.instruments import get_instrument
from pipeline.store import read_only_connection

from .sql_files import run_sql


def open_database(db_path: str | Path) -> duckdb.DuckDBPyConnection:
    """A read-only connection, retried while a load commits (the faces never write)."""
    return read_only_connection(db_path)


def available(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """One row per council, wave and instrument with survey data: ``returns`` is the count."""
    return con.execute(
        "SELECT council, wave, instrument, returns FROM survey_returns "
        "ORDER BY council, wave, instrument"
    ).df()


def councils(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Councils with survey returns or budget records, alphabetically."""
    rows = con.execute(
        "SELECT council FROM respondents UNION SELECT council FROM budgets ORDER BY council"
    ).fetchall()
    return [row[0] for row in rows]


def loaded_council(con: duckdb.DuckDBPyConnection, text: str) -> str:
    """The council as stored, for a name typed in any case, a register variant or an ONS code.

    Loads store the council register's name (pipeline/ingest/councils.py), so "LEEDS", "Leeds
    City Council" and "E08000035" all find "Leeds". A council with no data is a ``ValueError``
    naming the councils that are loaded.
    """
    from pipeline.council_register import UnknownCouncil, normalise_council_name, resolve_council

    stored = councils(con)
    if text in stored:
        return text
    key = normalise_council_name(text)
    same = [name for name in stored if normalise_council_name(name) == key]
    if same:
        return same[0]
    try:
        named = resolve_council(text).name
    except UnknownCouncil:
        named = None
    if named in stored:
        return named
    raise ValueError(f"no data for council {text!r}; loaded: {', '.join(stored) or 'none'}")


def waves(
    con: duckdb.DuckDBPyConnection, council: str | None = None, instrument: str | None = None
) -> list[int]:
    """Survey waves (years) loaded, optionally for one council and/or instrument, ascending."""
    rows = con.execute(
        "SELECT DISTINCT wave FROM survey_returns "
        "WHERE ($council IS NULL OR council = $council) "
        "AND ($instrument IS NULL OR instrument = $instrument) ORDER BY wave",
        {"council": council, "instrument": instrument},
    ).fetchall()
    return [int(row[0]) for row in rows]


def loads(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """The ``loads`` table, newest first (the lineage of every row in the database)."""
    return con.execute("SELECT * FROM loads ORDER BY loaded_at DESC, load_id DESC").df()


def quarantine(con: duckdb.DuckDBPyConnection, load_id: int | None = None) -> pd.DataFrame:
    """Rows and values that could not be loaded, with the file they came from and the reason."""
    return con.execute(
        "SELECT q.load_id, l.file_name, q.source_row, q.column_name, q.raw_value, q.reason, "
        "q.whole_row FROM quarantine AS q LEFT JOIN loads AS l USING (load_id) "
        "WHERE $load_id IS NULL OR q.load_id = $load_id "
        "ORDER BY q.load_id, q.source_row NULLS FIRST, q.column_name",
        {"load_id": load_id},
    ).df()


def unmatched_columns(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """``[load_id, file_name, column, note]`` for headers that matched no question or field."""
    return run_sql(con, "unmatched_columns")


def domains(instrument: str, section: str = "outcomes") -> pd.DataFrame:
    """``[question_code, domain, section, measure]``: the reported questions of a section.

    ``measure`` is the scale's headline group (better, easy, fully, supportive, yes); questions
    without one (such as "who helped you most") are not share measures and are left out.
    """
    spec = get_instrument(instrument)
    rows = [
        {
            "question_code": question.code,
            "domain": question.domain,
            "section": question.section,
            "measure": question.scale.positive,
        }
        for question in spec.section(section)
        if question.scale is not None and question.scale.positive is not None
    ]
    return pd.DataFrame(rows, columns=["question_code", "domain", "section", "measure"])
