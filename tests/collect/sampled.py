"""A database with a budget register loaded and a sample drawn by hand, for the survey site's
tests (until `outcomes sample` is the way samples are made, these rows stand in for it)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from pipeline.collect import codes
from pipeline.ingest.budgets import load_budget_file
from pipeline.store.connection import connect

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
REGISTER = FIXTURES / "budgets_register.csv"
COUNCIL = "Northshire"
WAVE = 2025


@dataclass(frozen=True)
class Sampled:
    db: Path
    council: str
    codes: list[str]  # normalised invitation codes, in person order
    person_keys: list[str]
    instruments: list[str]  # the instrument each code's person was sampled for


def add_sample(
    db: Path, size: int, *, instrument: str = "poet-holder", sample_id: int = 1, wave: int = WAVE
) -> tuple[list[str], list[str]]:
    """Sample rows for ``size`` people of the loaded register (cycling through it when the
    register is smaller, each extra row a distinct made-up person key); codes from new_code()."""
    con = connect(db)
    try:
        council = con.execute("SELECT min(council) FROM budgets").fetchone()[0]
        keys = [
            k
            for (k,) in con.execute("SELECT DISTINCT person_key FROM budgets ORDER BY 1").fetchall()
        ]
        con.execute(
            "INSERT INTO sample_draws (sample_id, council, wave, instrument, seed, strata, "
            "allocation, population) VALUES (?, ?, ?, ?, 1, 'management_option', "
            "'proportional', ?)",
            [sample_id, council, wave, instrument, len(keys)],
        )
        rows, made = [], []
        for index in range(size):
            key = keys[index % len(keys)]
            if index >= len(keys):  # more people than the register: distinct stand-in keys
                key = f"{key[:-8]}{index:08d}"
            code = codes.new_code()
            rows.append((sample_id, council, wave, instrument, key, "all", len(keys), code))
            made.append(code)
        con.executemany("INSERT INTO samples VALUES (?, ?, ?, ?, ?, ?, ?, ?)", rows)
        return made, [row[4] for row in rows]
    finally:
        con.close()


def sampled_database(folder: Path, size: int = 20, *, instrument: str = "poet-holder") -> Sampled:
    db = folder / "outcomes.duckdb"
    con = connect(db)
    try:
        load_budget_file(con, REGISTER, council=COUNCIL, new_council=True)
        council = con.execute("SELECT min(council) FROM budgets").fetchone()[0]
    finally:
        con.close()
    made, keys = add_sample(db, size, instrument=instrument)
    return Sampled(db, council, made, keys, [instrument] * size)
