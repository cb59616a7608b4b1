"""The generative model behind the demo data and the ingest benchmark: how people answer.

Everything here produces *canonical* answers (the codes of ``surveys/*.yaml``);
:mod:`pipeline.demo.exports` turns them into the messy files councils really send, and
:mod:`pipeline.demo.register` draws the budget registers the holders are sampled from. All draws
come from one ``numpy.random.Generator`` so a seed fixes the whole demo, and every step is
vectorised so the benchmark can draw a million returns in seconds.

The model, in the order it is drawn (``docs/demo-data.md`` has the numbers and the reasons):

1. **Budget registers** (:mod:`pipeline.demo.register`). Per council a few thousand people with
   a support reason, an age band that depends on it, a management option from the council's own
   mix, a lognormal agreed budget by support reason, an indicative (RAS) amount near it, start
   dates over seven years, a few end dates and reviews with council-specific lateness.
2. **Who answers.** Each wave samples holders active at the survey date with a response
   propensity by management option (direct payment holders answer more often), so unweighted
   results lean towards direct payments and weighting matters.
3. **Process.** A per-person latent *process ease* ``z`` (standard normal plus a council shift)
   drives every process item through an ordered probit: each ease item is ``0.85 z + 0.55 e``
   cut at fixed thresholds; views included, council support and knowing the amount follow ``z``
   the same way.
4. **Outcomes.** Each outcome's chance of "better or much better" is
   ``expit(a[d, w] + 0.75 planning_easy + 0.6 using_budget_easy + 0.7 views_fully
   + 0.25 knew_amount + 0.3 z - 0.3 nobody_helped + m[d, option] + 0.8 u)`` with a per-person
   general positivity ``u`` shared by all domains. The steps people feel most carry the effect,
   so the drivers model (all items at once) finds odds ratios near 2 for them while the simple
   cross-tabs show every step associated through ``z``. The intercept ``a[d, w]`` is solved on a
   reference population so the share of each domain and wave lands on a target; wave 2025 raises
   control and relationships with paid supporters (carers: time for yourself) by about 14
   points and leaves every other domain where it was. ``m`` gives direct payments more control
   and independence and council-commissioned support less.
5. **Missing answers.** "Did not happen" for reviews of budgets held under a year, "not
   applicable" for most paid-job answers (nearly all over 65), a few "don't know" and blanks.
"""

from __future__ import annotations

from functools import cache

import numpy as np
import pandas as pd
from scipy.optimize import brentq
from scipy.special import expit

from pipeline.demo.register import (
    AGE_BANDS,
    ETHNICITIES,
    ETHNICITY_SHARE,
    GENDERS,
    CouncilProfile,
    draw_categories,
    draw_fixed,
)
from pipeline.instruments import get_instrument

HOLDER = "poet-holder"
CARER = "poet-carer"

EASE_CODES = ("very_difficult", "difficult", "neither", "easy", "very_easy")
EASE_CUTS = (-1.4, -0.6, 0.1, 1.1)
CHANGE_CODES = ("much_worse", "worse", "same", "better", "much_better")
PROCESS_LOADING, PROCESS_NOISE = 0.85, 0.55
HOLDER_PROCESS_OFFSETS = {  # how much easier (+) or harder (-) each step is than the average
    "proc_information": -0.1,
    "proc_assessment": 0.1,
    "proc_budget_amount": -0.3,
    "proc_planning": 0.0,
    "proc_plan_agreed": 0.05,
    "proc_choose_management": 0.1,
    "proc_using_budget": 0.15,
    "proc_review": -0.2,
}
# Logit of "better" added by each part of the process experience the survey asks about: the
# steps people feel most (planning, using the budget, being heard) carry most of it, so the
# drivers model (all items together) finds odds ratios of about 2 for them, and the simple
# cross-tabs find every step associated through the shared latent.
HOLDER_DRIVERS = {
    "proc_planning": 0.75,
    "proc_using_budget": 0.6,
    "views_included": 0.7,
    "knew_amount": 0.25,
}
CARER_DRIVERS = {"carer_information": 0.7, "carer_views_included": 0.7, "carer_assessment": 0.3}
POSITIVE = {"easy", "very_easy", "fully", "yes"}
B_LATENT, B_NOBODY, SD_POSITIVITY = 0.3, -0.3, 0.8
REFERENCE_PEOPLE = 20_000  # size of the reference population the intercepts are solved on

# Target share "better" per domain as (wave 2024, wave 2025): the national surveys' shape.
HOLDER_TARGETS = {
    "out_physical_health": (0.60, 0.60),
    "out_mental_wellbeing": (0.64, 0.64),
    "out_independence": (0.72, 0.72),
    "out_control": (0.62, 0.76),
    "out_support": (0.72, 0.72),
    "out_dignity": (0.80, 0.80),
    "out_safe_home": (0.56, 0.56),
    "out_safe_out": (0.50, 0.50),
    "out_family": (0.60, 0.60),
    "out_friends": (0.54, 0.54),
    "out_paid_supporters": (0.52, 0.66),
    "out_community": (0.50, 0.50),
    "out_paid_job": (0.30, 0.30),
    "out_home": (0.45, 0.45),
    "out_self_esteem": (0.65, 0.65),
    "out_quality_of_life": (0.80, 0.80),
}
CARER_TARGETS = {
    "carer_physical_health": (0.45, 0.45),
    "carer_mental_wellbeing": (0.55, 0.55),
    "carer_quality_of_life": (0.66, 0.66),
    "carer_continue_caring": (0.70, 0.70),
    "carer_paid_work": (0.25, 0.25),
    "carer_finances": (0.35, 0.35),
    "carer_relationship": (0.55, 0.55),
    "carer_other_relationships": (0.45, 0.45),
    "carer_time_for_self": (0.38, 0.52),
    "carer_choice_control": (0.50, 0.50),
    "carer_cared_for_qol": (0.75, 0.75),
}
OPTION_EFFECTS = {  # logit shifts of "better" by management option (others 0)
    "direct_payment": {
        "out_control": 0.5,
        "out_independence": 0.45,
        "out_community": 0.25,
        "out_home": 0.2,
    },
    "part_direct_payment": {"out_control": 0.25, "out_independence": 0.2},
    "provider_managed": {"out_paid_supporters": 0.3, "out_control": 0.1},
    "council_managed": {"out_control": -0.25, "out_independence": -0.2},
    "commissioned": {"out_control": -0.5, "out_independence": -0.4, "out_community": -0.2},
}
SHARE_MUCH_BETTER = 0.4  # of those whose outcome got better
NOT_BETTER_SPLIT = (0.08, 0.20, 0.72)  # much_worse, worse, same among the rest

HOLDER_COMMENTS_BEST = (
    "Being able to choose my own personal assistants.",
    "I can go out when I want to now, not when the agency says.",
    "Having control over my own support.",
    "My carers know me and treat me with respect.",
    "Flexibility - I can change things when my needs change.",
    "The direct payment means I can employ someone I trust.",
    "I feel much more independent.",
    "Getting to the day centre I actually like.",
    "My support worker helped me get back into volunteering.",
    "I’m not stuck at home any more.",
)
HOLDER_COMMENTS_CHANGE = (
    "The paperwork for the direct payment is too much.",
    "It took far too long to get my plan agreed.",
    "Nobody told me how much money I had until after planning.",
    "More information at the start would help.",
    "Reviews keep getting cancelled.",
    "The £ amount was cut at review with no explanation.",
    "Hard to find PAs in my area.",
    "The social worker changed three times.",
    "Please answer the phone!",
    "Nothing - it works well for me.",
)
CARER_COMMENTS_BEST = (
    "I get a break now and then.",
    "My son has a life of his own now.",
    "We choose the support together.",
    "Knowing she is happy with her PA.",
    "I can keep my part-time job.",
    "Respite that actually fits around us.",
)
CARER_COMMENTS_CHANGE = (
    "Carers need more information about what is available.",
    "My own assessment took over a year.",
    "Managing the payroll is stressful.",
    "Not enough respite.",
    "Listen to carers when the plan is made.",
)


@cache
def _scale_codes(instrument: str, question: str) -> tuple[str, ...]:
    scale = get_instrument(instrument).question(question).scale
    assert scale is not None, f"{instrument}.{question} has no scale"
    return tuple(code.code for code in scale.codes)


def _categorical(instrument: str, question: str, values: np.ndarray) -> pd.Categorical:
    """Canonical codes as a categorical over the question's whole scale (None = blank).

    A code the scale does not have would silently become a blank, so it is an error instead.
    """
    categories = _scale_codes(instrument, question)
    unknown = set(pd.unique(values[pd.notna(values)])) - set(categories)
    if unknown:
        raise ValueError(f"{instrument}.{question}: codes {sorted(unknown)} are not in its scale")
    return pd.Categorical(values, categories=categories)


def _ordinal(latent: np.ndarray, cuts: tuple[float, ...], codes: tuple[str, ...]) -> np.ndarray:
    return np.asarray(codes, dtype=object)[np.searchsorted(np.asarray(cuts), latent)]


def _blank_some(
    rng: np.random.Generator,
    values: np.ndarray,
    *,
    dont_know: float = 0.03,
    blank: float = 0.02,
    not_applicable: float | np.ndarray = 0.0,
    not_applicable_code: str = "not_applicable",
) -> np.ndarray:
    """Replace some answers by missing codes or blanks (rates are per answer)."""
    u = rng.random(len(values))
    na_rate = np.broadcast_to(np.asarray(not_applicable, float), u.shape)
    values = values.copy()
    values[u < na_rate] = not_applicable_code
    values[(u >= na_rate) & (u < na_rate + dont_know)] = "dont_know"
    values[(u >= na_rate + dont_know) & (u < na_rate + dont_know + blank)] = None
    return values


@cache
def _reference_terms(instrument: str) -> np.ndarray:
    """The person part of the outcome logit in a reference population: a council with no
    process shift and no option effects, drawn once with its own fixed seed."""
    rng = np.random.default_rng(0)
    z = rng.normal(0.0, 1.0, REFERENCE_PEOPLE)
    if instrument == HOLDER:
        _, term = _holder_process(rng, z, np.zeros(REFERENCE_PEOPLE, dtype=bool))
    else:
        _, term = _carer_process(rng, z)
    return term + SD_POSITIVITY * rng.normal(size=REFERENCE_PEOPLE)


@cache
def calibrated_intercept(instrument: str, target: float) -> float:
    """Intercept giving a share ``target`` of "better" in the reference population.

    Solving it makes the domain targets marginal shares rather than logits, so the documented
    figures are the ones an analysis finds for a council like the reference; councils with an
    easier process, or more direct payments, do better than the target.
    """
    terms = _reference_terms(instrument)

    def gap(a: float) -> float:
        return float(np.mean(expit(a + terms))) - target

    return float(brentq(gap, -15.0, 15.0))


def _change_answers(rng: np.random.Generator, probability_better: np.ndarray) -> np.ndarray:
    """Draw change5 codes: better/much better with the given chance, else same/worse."""
    n = len(probability_better)
    better = rng.random(n) < probability_better
    much = rng.random(n) < SHARE_MUCH_BETTER
    rest = draw_fixed(rng, NOT_BETTER_SPLIT, n)
    index = np.where(better, np.where(much, 4, 3), rest)
    return np.asarray(CHANGE_CODES, dtype=object)[index]


def _outcome_probability(
    instrument: str,
    targets: dict[str, tuple[float, float]],
    code: str,
    wave: int,
    person_term: np.ndarray,
) -> np.ndarray:
    share = targets[code][0 if wave <= 2024 else 1]
    return expit(calibrated_intercept(instrument, share) + person_term)


def _positive(values: np.ndarray) -> np.ndarray:
    return np.isin(values, list(POSITIVE))


def _holder_process(
    rng: np.random.Generator, z: np.ndarray, held_under_year: np.ndarray
) -> tuple[dict[str, np.ndarray], np.ndarray]:
    """True process answers (before any goes missing) and their part of the outcome logit."""
    n = len(z)
    answers: dict[str, np.ndarray] = {}
    for code, offset in HOLDER_PROCESS_OFFSETS.items():
        latent = PROCESS_LOADING * z + PROCESS_NOISE * rng.normal(size=n) + offset
        answers[code] = _ordinal(latent, EASE_CUTS, EASE_CODES)
    answers["knew_amount"] = np.where(rng.random(n) < expit(0.2 + 0.9 * z), "yes", "no").astype(
        object
    )
    answers["views_included"] = _ordinal(
        0.6 * z + 0.8 * rng.normal(size=n), (-0.9, 0.2), ("not_at_all", "partly", "fully")
    )
    answers["council_support"] = _ordinal(
        0.8 * z + 0.6 * rng.normal(size=n),
        (-1.3, -0.5, 0.7),
        ("very_unsupportive", "unsupportive", "supportive", "very_supportive"),
    )
    helpers = np.asarray(
        ("council_staff", "family_friends", "support_organisation", "nobody", "other"), object
    )
    answers["planning_help"] = helpers[draw_fixed(rng, (0.35, 0.3, 0.15, 0.15, 0.05), n)]
    term = B_LATENT * z + B_NOBODY * (answers["planning_help"] == "nobody")
    for code, weight in HOLDER_DRIVERS.items():
        term = term + weight * _positive(answers[code])
    return answers, term


def _carer_process(
    rng: np.random.Generator, z: np.ndarray
) -> tuple[dict[str, np.ndarray], np.ndarray]:
    n = len(z)
    answers = {
        "carer_assessment": np.where(rng.random(n) < expit(0.2 + 0.6 * z), "yes", "no").astype(
            object
        ),
        "carer_views_included": _ordinal(
            0.6 * z + 0.8 * rng.normal(size=n), (-0.9, 0.2), ("not_at_all", "partly", "fully")
        ),
        "carer_information": _ordinal(
            PROCESS_LOADING * z + PROCESS_NOISE * rng.normal(size=n) - 0.1, EASE_CUTS, EASE_CODES
        ),
    }
    term = B_LATENT * z
    for code, weight in CARER_DRIVERS.items():
        term = term + weight * _positive(answers[code])
    return answers, term


def _comments(rng: np.random.Generator, bank: tuple[str, ...], n: int, rate: float) -> np.ndarray:
    chosen = np.asarray(bank, dtype=object)[rng.integers(0, len(bank), n)]
    chosen[rng.random(n) >= rate] = None
    return chosen


def _budget_band(agreed: np.ndarray) -> np.ndarray:
    bands = np.asarray(("under_5k", "5k_10k", "10k_20k", "20k_50k", "50k_plus"), dtype=object)
    return bands[np.searchsorted(np.array([5000, 10000, 20000, 50000]), agreed, side="right")]


def _held_for(days: np.ndarray) -> np.ndarray:
    bands = np.asarray(("under_6m", "6_12m", "1_2y", "2_3y", "over_3y"), dtype=object)
    return bands[np.searchsorted(np.array([183, 365, 730, 1095]), days, side="right")]


def simulate_holder_returns(
    people: pd.DataFrame, wave: int, profile: CouncilProfile, rng: np.random.Generator
) -> pd.DataFrame:
    """Canonical survey returns of the sampled holders (one row each, columns = question codes).

    ``people`` are register rows (see :func:`pipeline.demo.register.sample_holders`), so the
    respondent id is the register's person id and the demographics agree with the register.
    """
    n = len(people)
    option = people["management_option"].astype(str).to_numpy()
    age_index = people["age_band"].cat.codes.to_numpy()
    over_65 = age_index >= AGE_BANDS.index("65-74")
    reason = people["support_reason"].astype(str).to_numpy()

    z = rng.normal(profile.process_shift, 1.0, n)
    u = rng.normal(0.0, 1.0, n)
    out: dict[str, object] = {"respondent_id": people["person_id"].to_numpy()}
    for field in ("age_band", "gender", "ethnicity", "support_reason"):
        out[field] = people[field].astype(str).to_numpy(dtype=object)
    out["management_option"] = _blank_some(rng, option.astype(object), dont_know=0.05, blank=0.01)
    out["budget_band"] = _blank_some(
        rng, _budget_band(people["agreed_annual"].to_numpy()), dont_know=0.08, blank=0.02
    )
    out["held_for"] = _blank_some(
        rng, _held_for(people["held_days"].to_numpy()), dont_know=0.04, blank=0.01
    )
    proxy = np.isin(reason, ("learning_disability", "memory_cognition"))
    completed_shares = np.where(proxy[:, None], (0.2, 0.35, 0.45), (0.55, 0.3, 0.15))
    out["completed_by"] = np.asarray(("self", "self_with_help", "someone_else"), dtype=object)[
        draw_categories(rng, completed_shares)
    ]

    held_under_year = people["held_days"].to_numpy() < 365
    # z carries the council's process shift, so councils with an easier process do better.
    process, person_term = _holder_process(rng, z, held_under_year)
    for code, values in process.items():
        not_applicable = 0.03 if code in HOLDER_PROCESS_OFFSETS else 0.0
        if code == "proc_review":
            not_applicable = np.where(held_under_year, 0.8, 0.05)
        out[code] = _blank_some(rng, values, not_applicable=not_applicable)
    person_term = person_term + SD_POSITIVITY * u

    for code in HOLDER_TARGETS:
        shift = np.zeros(n)
        for management, effects in OPTION_EFFECTS.items():
            shift[option == management] += effects.get(code, 0.0)
        probability = _outcome_probability(HOLDER, HOLDER_TARGETS, code, wave, person_term + shift)
        not_applicable = 0.02
        if code == "out_paid_job":
            not_applicable = np.where(over_65, 0.92, 0.6)
        elif code == "out_family":
            not_applicable = 0.05
        out[code] = _blank_some(
            rng, _change_answers(rng, probability), not_applicable=not_applicable
        )

    out["comment_best"] = _comments(rng, HOLDER_COMMENTS_BEST, n, 0.3)
    out["comment_change"] = _comments(rng, HOLDER_COMMENTS_CHANGE, n, 0.25)
    return _as_frame(HOLDER, out)


def _as_frame(instrument: str, columns: dict[str, object]) -> pd.DataFrame:
    """Coded questions become categoricals over their scale; ids and comments stay text."""
    frame: dict[str, object] = {}
    for question in get_instrument(instrument).questions:
        values = columns[question.code]
        if question.type == "coded":
            frame[question.code] = _categorical(instrument, question.code, values)
        else:
            frame[question.code] = values
    return pd.DataFrame(frame)


def simulate_carer_returns(
    profile: CouncilProfile, wave: int, size: int, rng: np.random.Generator
) -> pd.DataFrame:
    """Canonical carer returns; carers have their own ids (they are not budget holders)."""
    n = size
    z = rng.normal(profile.process_shift, 1.0, n)
    u = rng.normal(0.0, 1.0, n)
    numbers = rng.choice(np.arange(1, 20 * n + 1), size=n, replace=False)
    out: dict[str, object] = {
        "respondent_id": np.asarray(
            [f"C{profile.id_prefix}{wave % 100}{k:05d}" for k in numbers], dtype=object
        ),
        "age_band": np.asarray(AGE_BANDS, object)[
            draw_fixed(rng, (0.01, 0.04, 0.1, 0.2, 0.25, 0.2, 0.15, 0.05), n)
        ],
        "gender": np.asarray(GENDERS, object)[draw_fixed(rng, (0.68, 0.31, 0.005, 0.005), n)],
        "ethnicity": np.asarray(ETHNICITIES, object)[draw_fixed(rng, ETHNICITY_SHARE, n)],
        "relationship": np.asarray(
            ("parent", "partner", "son_daughter", "other_family", "friend"), object
        )[draw_fixed(rng, (0.3, 0.3, 0.25, 0.1, 0.05), n)],
        # codes from the scale itself: YAML reads an unquoted 20_49 as the number 2049
        "hours_caring": np.asarray(_scale_codes(CARER, "hours_caring")[:3], object)[
            draw_fixed(rng, (0.3, 0.3, 0.4), n)
        ],
    }
    options = list(profile.option_mix)
    option = np.asarray(options, object)[draw_fixed(rng, tuple(profile.option_mix.values()), n)]
    out["cared_for_management_option"] = _blank_some(rng, option, dont_know=0.06, blank=0.01)
    process, person_term = _carer_process(rng, z)
    for code, values in process.items():
        not_applicable = 0.03 if code == "carer_information" else 0.0
        out[code] = _blank_some(rng, values, not_applicable=not_applicable)
    person_term = person_term + SD_POSITIVITY * u
    for code in CARER_TARGETS:
        probability = _outcome_probability(CARER, CARER_TARGETS, code, wave, person_term)
        not_applicable = 0.65 if code == "carer_paid_work" else 0.02
        out[code] = _blank_some(
            rng, _change_answers(rng, probability), not_applicable=not_applicable
        )
    out["comment_best"] = _comments(rng, CARER_COMMENTS_BEST, n, 0.3)
    out["comment_change"] = _comments(rng, CARER_COMMENTS_CHANGE, n, 0.25)
    return _as_frame(CARER, out)
