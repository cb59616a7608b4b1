"""A small database with several councils, two waves, both surveys and budget registers.

Built with ``tests/seeding.py`` (not the ingest path, which has its own tests) so the page tests
know exactly what is loaded. Answers are random but seeded, so every run sees the same data.
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from pipeline.instruments import get_instrument
from tests.seeding import seed_budgets, seed_returns

COUNCILS = ("Avonford", "Brightwater", "Caldermoor", "Dunsworth")
WAVES = (2023, 2024)
OPTIONS = ("direct_payment", "council_managed", "provider_managed", "mixed")
REASONS = ("physical", "learning_disability", "mental_health", "memory_cognition")
APP = Path(__file__).resolve().parents[2] / "dashboards" / "app.py"


def _returns(instrument_id: str, council: str, wave: int, size: int, rng) -> pd.DataFrame:
    instrument = get_instrument(instrument_id)
    frame = pd.DataFrame(
        {
            "respondent_key": [f"{council}-{wave}-{i}" for i in range(size)],
            "council": council,
            "wave": wave,
            "instrument": instrument_id,
        }
    )
    for question in instrument.coded_questions:
        scale = question.scale
        valid = scale.valid_codes
        if question.respondent_field in ("management_option",):
            valid = [c for c in valid if c in OPTIONS] or valid
        if question.respondent_field in ("support_reason",):
            valid = [c for c in valid if c in REASONS] or valid
        # Better outcomes in later waves and in larger councils, so comparisons have signal.
        weights = np.ones(len(valid))
        if question.section == "outcomes" and scale.positive:
            positive = set(scale.groups[scale.positive])
            lift = 1.6 + 0.5 * (wave - WAVES[0]) + 0.2 * COUNCILS.index(council)
            weights = np.array([lift if c in positive else 1.0 for c in valid])
        answers = rng.choice(valid, size=size, p=weights / weights.sum()).astype(object)
        if scale.missing_codes and question.section != "about_you":
            answers[rng.random(size) < 0.05] = scale.missing_codes[0]
        answers[rng.random(size) < 0.03] = None
        column = question.respondent_field or question.code
        frame[column] = answers
    return frame


def _register(council: str, size: int, rng) -> pd.DataFrame:
    start = pd.Timestamp(date(2021, 4, 1))
    starts = [start + timedelta(days=int(d)) for d in rng.integers(0, 900, size)]
    agreed = rng.gamma(2.0, 9000.0, size).round(2)
    return pd.DataFrame(
        {
            "person_key": [f"{council}-p{i}" for i in range(size)],
            "council": council,
            "start_date": [s.date() for s in starts],
            "indicative": (agreed * rng.uniform(0.8, 1.2, size)).round(2),
            "agreed_annual": agreed,
            "management_option": rng.choice(OPTIONS, size),
            "support_reason": rng.choice(REASONS, size),
            "age_band": rng.choice(["18-24", "25-34", "45-54", "65-74", "85+"], size),
            "last_review": [
                (s + timedelta(days=int(d))).date()
                for s, d in zip(starts, rng.integers(200, 500, size), strict=True)
            ],
        }
    )


def build_dashboard_database(folder: Path) -> Path:
    """Write the page-test database under ``folder`` and return its path."""
    from pipeline.store import connect

    rng = np.random.default_rng(20240501)
    path = folder / "dashboard.duckdb"
    con = connect(path)
    try:
        for position, council in enumerate(COUNCILS):
            for wave in WAVES:
                seed_returns(con, _returns("poet-holder", council, wave, 140 + 40 * position, rng))
            seed_returns(con, _returns("poet-carer", council, WAVES[-1], 60, rng))
            seed_budgets(con, _register(council, 900 + 300 * position, rng))
        con.execute("CHECKPOINT")
    finally:
        con.close()
    return path


@pytest.fixture(scope="session")
def dashboard_db(tmp_path_factory) -> Path:
    return build_dashboard_database(tmp_path_factory.mktemp("dashboard"))


@pytest.fixture(scope="session")
def browser():
    """One headless Chromium for every browser test module (Playwright's sync API allows only
    one running instance per thread)."""
    from playwright.sync_api import sync_playwright

    from tests.dashboards.test_browser import CHROMIUM, CHROMIUM_ARGS

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()
