"""Put known survey returns and budget records straight into a migrated database.

Analysis tests use this to build exact, small datasets whose statistics they recompute
independently; ingest has its own tests on real files. Nothing here is used by the product.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

from pipeline.instruments import RESPONDENT_FIELDS, get_instrument
from pipeline.store import connect

_load_counter = iter(range(10_000, 10**9))


def seed_returns(con: duckdb.DuckDBPyConnection, returns: pd.DataFrame) -> int:
    """Insert survey returns given wide with canonical codes.

    ``returns`` needs ``council``, ``wave``, ``instrument`` and ``respondent_key``; columns named
    after respondent fields (age_band, management_option, ...) fill ``respondents``; columns named
    after coded questions become ``answers`` rows (blank/None = no answer). Returns the load id.
    """
    load_id = next(_load_counter)
    frame = returns.copy()
    frame["load_id"] = load_id
    frame["source_row"] = np.arange(1, len(frame) + 1)
    base = con.execute("SELECT coalesce(max(return_id), 0) FROM respondents").fetchall()[0][0]
    frame["return_id"] = base + frame["source_row"]
    con.execute(
        "INSERT INTO loads (load_id, kind, instrument, council, wave, file_name, sha256, "
        "rows_read, rows_loaded, rows_quarantined, values_quarantined) "
        "VALUES (?, 'survey', ?, ?, ?, 'seeded', ?, ?, ?, 0, 0)",
        [
            load_id,
            str(frame["instrument"].iloc[0]),
            str(frame["council"].iloc[0]),
            int(frame["wave"].iloc[0]),
            f"seed-{load_id}",
            len(frame),
            len(frame),
        ],
    )
    _remember_council(con, str(frame["council"].iloc[0]), load_id)
    fields = [f for f in RESPONDENT_FIELDS if f in frame.columns]
    people = frame[
        [
            "return_id",
            "respondent_key",
            "instrument",
            "council",
            "wave",
            *fields,
            "load_id",
            "source_row",
        ]
    ]
    con.register("seed_people", people)
    columns = ", ".join(people.columns)
    con.execute(f"INSERT INTO respondents ({columns}) SELECT {columns} FROM seed_people")
    con.unregister("seed_people")
    instruments = {i: get_instrument(i) for i in frame["instrument"].unique()}
    rows = []
    for instrument_id, instrument in instruments.items():
        part = frame[frame["instrument"] == instrument_id]
        codes = [q.code for q in instrument.coded_questions if q.code in part.columns]
        long = part.melt(
            id_vars=["return_id"],
            value_vars=codes,
            var_name="question_code",
            value_name="answer_code",
        ).dropna(subset=["answer_code"])
        rows.append(long)
    answers = pd.concat(rows)
    con.register("seed_answers", answers)
    inserted = con.execute(
        "INSERT INTO answer_values SELECT s.return_id, q.code_id, a.code_id FROM seed_answers s "
        "JOIN codes q ON q.code = s.question_code JOIN codes a ON a.code = s.answer_code"
    ).fetchall()[0][0]
    con.unregister("seed_answers")
    if inserted != len(answers):  # a code no instrument defines would silently vanish
        raise ValueError(f"seeded {len(answers)} answers but only {inserted} have known codes")
    return load_id


def seed_budgets(con: duckdb.DuckDBPyConnection, records: pd.DataFrame) -> int:
    """Insert budget records (columns named as in the ``budgets`` table)."""
    load_id = next(_load_counter)
    frame = records.copy()
    frame["load_id"] = load_id
    frame["source_row"] = np.arange(1, len(frame) + 1)
    con.execute(
        "INSERT INTO loads (load_id, kind, council, file_name, sha256, rows_read, rows_loaded, "
        "rows_quarantined, values_quarantined) VALUES (?, 'budgets', ?, 'seeded', ?, ?, ?, 0, 0)",
        [load_id, str(frame["council"].iloc[0]), f"seed-{load_id}", len(frame), len(frame)],
    )
    _remember_council(con, str(frame["council"].iloc[0]), load_id)
    con.register("seed_budgets", frame)
    columns = ", ".join(frame.columns)
    con.execute(f"INSERT INTO budgets ({columns}) SELECT {columns} FROM seed_budgets")
    con.unregister("seed_budgets")
    return load_id


def new_database(folder: Path) -> duckdb.DuckDBPyConnection:
    """A fresh migrated database in ``folder`` (a pytest tmp_path)."""
    return connect(folder / "test.duckdb")


def _remember_council(con: duckdb.DuckDBPyConnection, council: str, load_id: int) -> None:
    """Seeded councils are fictional: kept as --new-council ones are, so loads find them."""
    con.execute(
        "INSERT INTO councils (name, registered, first_load) VALUES (?, false, ?) "
        "ON CONFLICT (name) DO NOTHING",
        [council, load_id],
    )
