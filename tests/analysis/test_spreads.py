"""Every council's spreads in one query are exactly what distribution() gives one at a time."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from pipeline.analysis import distribution
from pipeline.analysis.spreads import every_council_distribution
from pipeline.instruments import get_instrument
from tests.seeding import new_database, seed_returns

EASE = ["very_difficult", "difficult", "neither", "easy", "very_easy", "not_applicable", None]


@pytest.fixture(scope="module")
def con(tmp_path_factory):
    """Four councils of different sizes (small ones trip suppression) and a second wave."""
    con = new_database(tmp_path_factory.mktemp("spreads"))
    rng = np.random.default_rng(11)
    holder = get_instrument("poet-holder")
    steps = [q.code for q in holder.section("process") if q.scale and q.scale.name == "ease5"]
    for council, size in (("Avon", 120), ("Brent", 23), ("Cumbria", 7), ("Devon", 60)):
        for wave in (2024, 2025):
            frame = pd.DataFrame(
                {
                    "council": council,
                    "wave": wave,
                    "instrument": "poet-holder",
                    "respondent_key": [f"{council}-{wave}-{i}" for i in range(size)],
                }
            )
            for code in steps:
                frame[code] = rng.choice(EASE, size=size, p=[0.05, 0.1, 0.2, 0.3, 0.2, 0.1, 0.05])
            if council == "Devon":
                frame[steps[0]] = None  # a step nobody in Devon answered: no rows, as one by one
            seed_returns(con, frame)
    yield con, steps
    con.close()


def test_every_council_matches_one_at_a_time(con) -> None:
    con, steps = con
    together = every_council_distribution(
        con, wave=2025, instrument="poet-holder", question_codes=steps
    )
    one_by_one = []
    for council in ("Avon", "Brent", "Cumbria", "Devon"):
        for code in steps:
            frame = distribution(
                con, council=council, wave=2025, instrument="poet-holder", question_code=code
            )
            if not frame.empty:
                one_by_one.append(frame)
    expected = pd.concat(one_by_one, ignore_index=True)
    assert together["suppressed"].any()  # the small councils exercise the suppression rule
    pd.testing.assert_frame_equal(together, expected, check_dtype=False)


def test_no_answers_gives_the_columns_and_no_rows(con) -> None:
    con, steps = con
    frame = every_council_distribution(
        con, wave=1999, instrument="poet-holder", question_codes=steps
    )
    assert frame.empty and "suppression_reason" in frame.columns
