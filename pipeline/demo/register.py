"""Synthetic budget registers and who answers the survey: the first half of the demo model.

A register is drawn per council (see :mod:`pipeline.demo.model` for the whole model and
``docs/demo-data.md`` for the numbers); each survey wave then samples the holders who reply, with
a response propensity by management option so that weighting to the register matters. Values are
canonical (codes and typed dates/amounts); :mod:`pipeline.demo.exports` makes them messy.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

WAVES = (2024, 2025)
REGISTER_AS_OF = date(2026, 3, 31)

MANAGEMENT_OPTIONS = (
    "direct_payment",
    "part_direct_payment",
    "council_managed",
    "provider_managed",
    "commissioned",
    "mixed",
)
SUPPORT_REASONS = (
    "physical",
    "sensory",
    "memory_cognition",
    "learning_disability",
    "mental_health",
    "social",
    "other",
)
AGE_BANDS = ("18-24", "25-34", "35-44", "45-54", "55-64", "65-74", "75-84", "85+")


@dataclass(frozen=True)
class CouncilProfile:
    """What makes one synthetic council different from the others."""

    name: str
    code: str  # ONS-style code, fictional
    id_prefix: str  # client ids look like "NS004217"
    register_size: int
    option_mix: dict[str, float]  # management option -> share of the register
    process_shift: float  # council mean of the process-ease latent
    review_gap_days: float  # mean days since the last review (exponential)
    holder_returns: tuple[int, int]  # returns per wave, inclusive range
    carer_returns: tuple[int, int]


COUNCILS: tuple[CouncilProfile, ...] = (
    CouncilProfile(
        name="Northshire",
        code="E10000901",
        id_prefix="NS",
        register_size=4200,
        option_mix={
            "direct_payment": 0.30,
            "part_direct_payment": 0.06,
            "council_managed": 0.36,
            "provider_managed": 0.08,
            "commissioned": 0.16,
            "mixed": 0.04,
        },
        process_shift=0.15,
        review_gap_days=220.0,
        holder_returns=(330, 400),
        carer_returns=(150, 200),
    ),
    CouncilProfile(
        name="Eastbrook",
        code="E06000902",
        id_prefix="EB",
        register_size=2700,
        option_mix={
            "direct_payment": 0.18,
            "part_direct_payment": 0.04,
            "council_managed": 0.40,
            "provider_managed": 0.06,
            "commissioned": 0.28,
            "mixed": 0.04,
        },
        process_shift=-0.2,
        review_gap_days=330.0,
        holder_returns=(250, 320),
        carer_returns=(120, 160),
    ),
    CouncilProfile(
        name="Westmere",
        code="E08000903",
        id_prefix="WM",
        register_size=3400,
        option_mix={
            "direct_payment": 0.38,
            "part_direct_payment": 0.08,
            "council_managed": 0.28,
            "provider_managed": 0.12,
            "commissioned": 0.08,
            "mixed": 0.06,
        },
        process_shift=0.0,
        review_gap_days=270.0,
        holder_returns=(280, 360),
        carer_returns=(130, 180),
    ),
)

# --- the register -------------------------------------------------------------------------

REASON_SHARE = (0.45, 0.04, 0.09, 0.20, 0.12, 0.07, 0.03)
AGE_BY_REASON = {  # rows follow SUPPORT_REASONS, columns AGE_BANDS
    "physical": (0.02, 0.04, 0.05, 0.08, 0.11, 0.17, 0.28, 0.25),
    "sensory": (0.03, 0.05, 0.06, 0.08, 0.12, 0.18, 0.26, 0.22),
    "memory_cognition": (0.0, 0.0, 0.01, 0.02, 0.06, 0.16, 0.40, 0.35),
    "learning_disability": (0.20, 0.27, 0.18, 0.14, 0.12, 0.06, 0.02, 0.01),
    "mental_health": (0.08, 0.19, 0.21, 0.20, 0.17, 0.09, 0.04, 0.02),
    "social": (0.10, 0.15, 0.16, 0.17, 0.16, 0.12, 0.09, 0.05),
    "other": (0.08, 0.12, 0.14, 0.16, 0.16, 0.14, 0.12, 0.08),
}
MEDIAN_BUDGET = (14000, 9000, 18000, 38000, 9000, 6000, 8000)  # by SUPPORT_REASONS, £ a year
GENDERS = ("female", "male", "other", "prefer_not_to_say")
GENDER_SHARE = (0.56, 0.43, 0.005, 0.005)
ETHNICITIES = ("white", "mixed", "asian", "black", "other", "prefer_not_to_say")
ETHNICITY_SHARE = (0.82, 0.02, 0.08, 0.05, 0.02, 0.01)
SETTINGS = ("community", "residential", "nursing")
SETTING_SHARE = (0.90, 0.07, 0.03)
REVIEW_OUTCOMES = ("No change", "Budget increased", "Budget reduced", "Plan changed")
REVIEW_OUTCOME_SHARE = (0.6, 0.15, 0.1, 0.15)


def draw_categories(rng: np.random.Generator, probabilities: np.ndarray) -> np.ndarray:
    """One category index per row of ``probabilities`` (rows sum to 1), vectorised."""
    cumulative = np.cumsum(probabilities, axis=-1)
    cumulative /= cumulative[..., -1:]
    u = rng.random(cumulative.shape[:-1] + (1,))
    return (u > cumulative).sum(axis=-1).astype(np.int16)


def draw_fixed(rng: np.random.Generator, shares: tuple[float, ...], size: int) -> np.ndarray:
    """Category indices for ``size`` rows drawn from one set of shares."""
    return draw_categories(rng, np.broadcast_to(np.asarray(shares, float), (size, len(shares))))


def generate_register(
    profile: CouncilProfile,
    rng: np.random.Generator,
    *,
    size: int | None = None,
    as_of: date = REGISTER_AS_OF,
) -> pd.DataFrame:
    """The council's budget register as canonical, typed values (one row per person).

    Columns: person_id, council, council_code, start_date, end_date, indicative, agreed_annual,
    client_contribution, management_option, support_reason, support_setting, age_band, gender,
    ethnicity, last_review, next_review_due, review_outcome.
    """
    n = size if size is not None else profile.register_size
    reason = draw_fixed(rng, REASON_SHARE, n)
    age_matrix = np.array([AGE_BY_REASON[r] for r in SUPPORT_REASONS])
    age = draw_categories(rng, age_matrix[reason])
    options = list(profile.option_mix)
    option = draw_fixed(rng, tuple(profile.option_mix.values()), n)
    setting = draw_fixed(rng, SETTING_SHARE, n)
    # Older people with memory or physical needs are the ones in residential and nursing care.
    young = age < AGE_BANDS.index("65-74")
    setting[young & (rng.random(n) < 0.8)] = 0

    median = np.asarray(MEDIAN_BUDGET, float)[reason] * np.where(setting > 0, 1.8, 1.0)
    agreed = np.clip(np.round(median * np.exp(rng.normal(0.0, 0.6, n)), 2), 250.0, 400_000.0)
    indicative = np.round(agreed * np.exp(rng.normal(0.02, 0.12, n)), -1)
    contributes = rng.random(n) < np.where(age >= AGE_BANDS.index("65-74"), 0.7, 0.4)
    contribution = np.where(contributes, np.round(agreed * rng.uniform(0.05, 0.4, n), 2), 0.0)

    as_of_day = np.datetime64(as_of, "D")
    start = as_of_day - (rng.beta(1.2, 2.0, n) * 7 * 365).astype("timedelta64[D]")
    ended = rng.random(n) < 0.04
    span = (as_of_day - start).astype(int)
    end = np.where(
        ended, start + (rng.random(n) * span).astype("timedelta64[D]"), np.datetime64("NaT")
    )
    gap = rng.exponential(profile.review_gap_days, n).astype("timedelta64[D]")
    last_review = as_of_day - gap
    # A first review falls 6-8 weeks after the start; before that there is no review at all.
    not_yet = last_review < start + np.timedelta64(42, "D")
    last_review = np.where(not_yet, np.datetime64("NaT"), last_review)
    next_due = np.where(
        not_yet, start + np.timedelta64(56, "D"), last_review + np.timedelta64(365, "D")
    )
    review_outcome = np.asarray(REVIEW_OUTCOMES, object)[draw_fixed(rng, REVIEW_OUTCOME_SHARE, n)]
    review_outcome[not_yet] = None

    numbers = 1000 + rng.choice(60 * n, size=n, replace=False)  # sparse, like real client ids
    return pd.DataFrame(
        {
            "person_id": [f"{profile.id_prefix}{number:06d}" for number in numbers],
            "council": profile.name,
            "council_code": profile.code,
            "start_date": start,
            "end_date": end,
            "indicative": indicative,
            "agreed_annual": agreed,
            "client_contribution": contribution,
            "management_option": pd.Categorical.from_codes(option, options),
            "support_reason": pd.Categorical.from_codes(reason, SUPPORT_REASONS),
            "support_setting": pd.Categorical.from_codes(setting, SETTINGS),
            "age_band": pd.Categorical.from_codes(age, AGE_BANDS),
            "gender": pd.Categorical.from_codes(draw_fixed(rng, GENDER_SHARE, n), GENDERS),
            "ethnicity": pd.Categorical.from_codes(
                draw_fixed(rng, ETHNICITY_SHARE, n), ETHNICITIES
            ),
            "last_review": last_review,
            "next_review_due": next_due,
            "review_outcome": review_outcome,
        }
    )


# --- who answers --------------------------------------------------------------------------

RESPONSE_PROPENSITY = {  # relative chance of returning the survey, by management option
    "direct_payment": 1.6,
    "part_direct_payment": 1.2,
    "council_managed": 0.8,
    "provider_managed": 0.9,
    "commissioned": 0.6,
    "mixed": 1.0,
}


def survey_date(wave: int) -> date:
    """Surveys go out in the autumn of the wave's year."""
    return date(wave, 10, 1)


def sample_holders(
    register: pd.DataFrame, wave: int, size: int, rng: np.random.Generator
) -> pd.DataFrame:
    """Register rows of the holders who return the wave's survey (non-response by option)."""
    day = np.datetime64(survey_date(wave), "D")
    start = register["start_date"].to_numpy("datetime64[D]")
    end = register["end_date"].to_numpy("datetime64[D]")
    active = (start <= day - np.timedelta64(30, "D")) & (np.isnat(end) | (end > day))
    eligible = register[active]
    weight = eligible["management_option"].map(RESPONSE_PROPENSITY).astype(float).to_numpy()
    chosen = rng.choice(
        len(eligible), size=min(size, len(eligible)), replace=False, p=weight / weight.sum()
    )
    people = eligible.iloc[np.sort(chosen)].reset_index(drop=True)
    people["held_days"] = (day - people["start_date"].to_numpy("datetime64[D]")).astype(int)
    return people
