"""Small databases with one, two or three tiny councils beside three ordinary ones.

Each tiny council has a question where only a few people said "better" (a count under 5), a
budget register with a band of two people, and answers to every process step. Built with
``tests/seeding.py`` so the counts are known exactly.
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pandas as pd

from pipeline.instruments import get_instrument
from tests.seeding import new_database, seed_budgets, seed_returns

ORDINARY = ("Ashby", "Brill", "Corfe")
TINY = ("Dent", "Eyam", "Flint")
SMALL_QUESTION = "out_paid_job"  # the tiny councils' hidden count
SMALL_COUNT = 3
WAVE = 2025
CHANGE = ["much_worse", "worse", "same", "better", "much_better"]
EASE = ["very_difficult", "difficult", "neither", "easy", "very_easy"]


def survey(council: str, size: int, seed: int, small: int | None = None) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    holder = get_instrument("poet-holder")
    frame = pd.DataFrame(
        {
            "council": council,
            "wave": WAVE,
            "instrument": "poet-holder",
            "respondent_key": [f"{council}-{i}" for i in range(size)],
        }
    )
    for code in holder.outcome_codes:
        frame[code] = rng.choice(CHANGE, size=size, p=[0.05, 0.1, 0.25, 0.4, 0.2])
    if small is not None:
        frame[SMALL_QUESTION] = ["better"] * small + ["same"] * (size - small)
    for question in holder.section("process"):
        if question.scale is not None and question.scale.name == "ease5":
            frame[question.code] = rng.choice(EASE, size=size)
    return frame


def register(council: str, size: int, seed: int, tiny_band: bool) -> pd.DataFrame:
    """People with agreed budgets; a tiny council has exactly two people in the top band."""
    rng = np.random.default_rng(seed)
    start = pd.Timestamp(date(2023, 4, 1))
    starts = [start + timedelta(days=int(d)) for d in rng.integers(0, 500, size)]
    agreed = rng.uniform(3000, 20000, size).round(2)
    if tiny_band:
        agreed[:2] = 250000.0
    return pd.DataFrame(
        {
            "person_key": [f"{council}-p{i}" for i in range(size)],
            "council": council,
            "start_date": [s.date() for s in starts],
            "indicative": (agreed * rng.uniform(0.8, 1.2, size)).round(2),
            "agreed_annual": agreed,
            "management_option": rng.choice(["direct_payment", "council_managed"], size),
            "support_reason": rng.choice(["physical", "learning_disability"], size),
            "last_review": [(s + timedelta(days=200)).date() for s in starts],
        }
    )


def build_case(folder: Path, tiny: int) -> Path:
    """Three ordinary councils and ``tiny`` tiny ones; returns the database path."""
    con = new_database(folder)
    try:
        for position, council in enumerate(ORDINARY):
            seed_returns(con, survey(council, 60 + 10 * position, seed=position))
            seed_budgets(con, register(council, 80, seed=position, tiny_band=False))
        for position, council in enumerate(TINY[:tiny]):
            seed_returns(con, survey(council, 40, seed=10 + position, small=SMALL_COUNT))
            seed_budgets(con, register(council, 40, seed=10 + position, tiny_band=True))
        con.execute("CHECKPOINT")
    finally:
        con.close()
    return folder / "test.duckdb"
