"""Tracking a survey while it runs: returns against the sample, by stratum and channel.

A sampled person has answered when a ``respondents`` row of the sample's council, wave and
instrument has their pseudonym as ``respondent_key`` (the invitation code's person), whichever
way it came: ``online`` (the survey site), ``paper`` (keyed by staff) or ``file`` (a loaded
export; returns loaded before channels were recorded count as files).

The margin of error reached is the weighting formula (``weighting.variance_terms``,
docs/methods.md 13 and 19) for a 50% result, with each stratum's returns so far as n_h and the
eligible register population recorded with the sample (``samples.stratum_population``) as N_h:
the widest margin any result of the survey can have today. Strata with fewer than 2 returns have
no variance term and are left out of it, as weighting leaves them out, and the row says how many
people they hold.
"""

from __future__ import annotations

import math

import duckdb
import numpy as np
import pandas as pd

from pipeline.analysis.results import NoDataError
from pipeline.analysis.sql_files import run_sql
from pipeline.analysis.weighting import critical_value, variance_terms
from pipeline.config import THRESHOLDS

ALL_STRATA = "All strata"
NOT_IN_SAMPLE = "not in the sample"
STATUS_COLUMNS = [
    "stratum",
    "population",
    "sampled",
    "returned_online",
    "returned_paper",
    "returned_file",
    "returned",
    "response_rate",
    "margin",
    "population_without_margin",
]


def sample_draws(
    con: duckdb.DuckDBPyConnection, *, council: str | None = None, wave: int | None = None
) -> pd.DataFrame:
    """The ``sample_draws`` rows (all, or one council's and/or wave's), newest wave first."""
    return con.execute(
        "SELECT * FROM sample_draws WHERE ($council IS NULL OR council = $council) "
        "AND ($wave IS NULL OR wave = $wave) ORDER BY wave DESC, council, instrument",
        {"council": council, "wave": None if wave is None else int(wave)},
    ).df()


def _margin(population: np.ndarray, returned: np.ndarray, confidence: float) -> float:
    covered = (population > 0) & (returned >= 2)
    total = float(population[covered].sum())
    if total <= 0:
        return math.nan
    terms = variance_terms(population[covered], returned[covered], 0.5)
    return critical_value(confidence) * math.sqrt(float(terms.sum()) * 100.0**2 / total**2)


def sample_status(
    con: duckdb.DuckDBPyConnection,
    *,
    council: str,
    wave: int,
    instrument: str = "poet-holder",
    confidence: float = THRESHOLDS.confidence,
) -> pd.DataFrame:
    """Returns so far per stratum of the sample, then an ``All strata`` row.

    Columns: ``stratum, population`` (eligible people in the register when drawn), ``sampled,
    returned_online, returned_paper, returned_file, returned, response_rate`` (percent of the
    sampled), ``margin`` (percentage points reached for a 50% result: the stratum's own on a
    stratum row, the stratified one on the ``All strata`` row), ``population_without_margin``
    (people in strata with fewer than 2 returns, left out of the stratified margin). Returns
    from people outside the sample, if any, are a last row ``not in the sample`` with counts
    only. Raises :class:`NoDataError` when no sample was drawn.
    """
    params = {"council": council, "wave": int(wave), "instrument": instrument}
    frame = run_sql(con, "collection_status", params)
    strata = frame[frame["stratum"] != NOT_IN_SAMPLE].sort_values("stratum")
    if strata.empty:
        raise NoDataError(
            f"no sample drawn for {council}, wave {wave}, {instrument}; draw one with "
            f'`outcomes sample --council "{council}" --wave {wave} --size N`'
        )
    outside = frame[frame["stratum"] == NOT_IN_SAMPLE]
    counts = ["sampled", "returned_online", "returned_paper", "returned_file", "returned"]
    strata = strata.astype({"population": int, **dict.fromkeys(counts, int)})
    population = strata["population"].to_numpy(dtype=float)
    returned = strata["returned"].to_numpy(dtype=float)
    strata["margin"] = [
        _margin(np.array([big_n]), np.array([n]), confidence)
        for big_n, n in zip(population, returned, strict=True)
    ]
    strata["population_without_margin"] = np.where(returned < 2, population, 0).astype(int)
    total = {column: int(strata[column].sum()) for column in ["population", *counts]}
    total.update(
        stratum=ALL_STRATA,
        margin=_margin(population, returned, confidence),
        population_without_margin=int(strata["population_without_margin"].sum()),
    )
    out = pd.concat([strata, pd.DataFrame([total])], ignore_index=True)
    if not outside.empty:
        out = pd.concat([out, outside], ignore_index=True)
    with np.errstate(divide="ignore", invalid="ignore"):
        out["response_rate"] = 100.0 * out["returned"] / out["sampled"]
    return out[STATUS_COLUMNS].reset_index(drop=True)


def unanswered_sample(
    con: duckdb.DuckDBPyConnection, *, council: str, wave: int, instrument: str = "poet-holder"
) -> pd.DataFrame:
    """Sampled people with no return yet: ``invitation_code`` (as printed) and ``person_key``,
    for matching back to a register file (``outcomes invitations --reminders``)."""
    params = {"council": council, "wave": int(wave), "instrument": instrument}
    return run_sql(con, "collection_reminders", params)


def reminder_codes(
    con: duckdb.DuckDBPyConnection, *, council: str, wave: int, instrument: str = "poet-holder"
) -> pd.DataFrame:
    """The invitation codes (as printed) of sampled people who have not answered yet: the
    reminder list a dashboard can offer, which has no register file to add references from."""
    return unanswered_sample(con, council=council, wave=wave, instrument=instrument)[
        ["invitation_code"]
    ]
