"""Draw a council's survey sample from its loaded budget register (``outcomes sample``).

Who can be drawn ("eligible"): the council's people with a budget **open on the reference date**
(by default 1 July of the wave year, the middle of the survey year; ``reference_date`` moves it),
one row per person (their latest-starting open episode), less

- everyone with a "do not contact" marker on any of their register records (always);
- people in residential or nursing care (``support_setting``), when the council asks;
- people drawn for the same instrument in the latest earlier wave with a sample, when asked.

The eligible people are split into strata (default management option × primary support reason,
blanks and "unknown" folded into ``not_known`` exactly as weighting folds them), each stratum
gets its share of the sample (``pipeline.collect.allocation``), and a simple random sample is
taken within each stratum with a numpy ``Generator`` seeded from the recorded seed. Candidates are
ordered by pseudonym before drawing, so the same seed over the same register draws the same
people. Invitation codes are not reproducible: each is fresh from the operating system's random
source (``codes.new_code``), so knowing the seed never reveals a code.

The draw and every person in it are stored in one transaction (``sample_draws``, ``samples``).
"""

from __future__ import annotations

import datetime as dt
import getpass
import json
import math
import secrets
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

from pipeline.analysis.weighting import CELL_COLUMNS, DEFAULT_CELLS, cell_expression
from pipeline.collect import codes
from pipeline.collect.allocation import (
    AllocationError,
    ExpectedMargin,
    allocate,
    expected_margin,
    size_for_margin,
)
from pipeline.ingest.loading import register_frame
from pipeline.store.transactions import sql_statements, transaction

SQL_DIR = Path(__file__).parent / "sql"
STRATUM_SEPARATOR = " | "
# Without an earlier wave to learn from, the expected margin assumes this response rate (percent):
# a cautious figure for a postal survey with one reminder; `--response-rate` replaces it.
ASSUMED_RESPONSE_RATE = 30.0
MAX_SEED = 2**62  # seeds fit sample_draws.seed (BIGINT) and numpy's Generator


class SampleError(ValueError):
    """A draw that is refused; the message names the council, wave and what to do."""


def run_collect_sql(
    con: duckdb.DuckDBPyConnection, name: str, params: dict, **identifiers: str
) -> pd.DataFrame | None:
    """Run ``sql/<name>.sql`` (identifiers from fixed lists only; values as ``$parameters``).

    Returns the last statement's rows as a frame when it is a query, else None.
    """
    text = (SQL_DIR / f"{name}.sql").read_text(encoding="utf-8")
    if identifiers:
        text = text.format(**identifiers)
    frame = None
    for statement in sql_statements(text):
        used = {key: value for key, value in params.items() if f"${key}" in statement}
        result = con.execute(statement, used)
        frame = result.df() if result.description else None
    return frame


def default_reference_date(wave: int) -> dt.date:
    """1 July of the wave year: whose budget is open then counts as a current budget holder."""
    return dt.date(int(wave), 7, 1)


@dataclass
class SampleDraw:
    """A stored draw and its explanation (what ``outcomes sample`` prints)."""

    sample_id: int
    council: str
    wave: int
    instrument: str
    seed: int
    strata: tuple[str, ...]
    allocation: str
    min_per_stratum: int | None
    reference_date: dt.date
    table: pd.DataFrame  # stratum, population, sample, expected_returns
    exclusions: dict[str, int | str | None]
    response_rate: float
    response_rate_source: str
    margin: ExpectedMargin
    target_margin: float | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def size(self) -> int:
        return int(self.table["sample"].sum())

    @property
    def population(self) -> int:
        return int(self.table["population"].sum())

    def summary(self) -> list[str]:
        """Plain sentences: what was drawn, from whom, and what margin to expect."""
        excluded = ", ".join(
            f"{count} {why.replace('_', ' ')}"
            for why, count in self.exclusions.items()
            if isinstance(count, int)
        )
        margin = (
            f"±{self.margin.margin:.1f} percentage points (95%, stratified)"
            if self.margin.estimable
            else (
                f"not estimable: strata expecting fewer than 2 returns hold "
                f"{self.margin.uncovered_population} people (±{self.margin.margin_covered:.1f} "
                "points over the rest; --allocation minimum gives every stratum enough)"
            )
        )
        lines = [
            f"Sample {self.sample_id}: {self.size} of {self.population} eligible people drawn for "
            f"{self.council}, wave {self.wave}, {self.instrument} (seed {self.seed}; "
            f"{self.allocation} allocation over {' × '.join(self.strata)}).",
            f"Eligible: budgets open on {self.reference_date:%d/%m/%Y}, one row per person; "
            f"left out: {excluded or 'nobody'}.",
            f"Expected: {self.margin.expected_returns:.0f} returns at a {self.response_rate:.1f}% "
            f"response rate ({self.response_rate_source}); margin of error for a 50% result "
            f"{margin}.",
        ]
        if self.target_margin is not None:
            lines.append(
                f"The size is the smallest expected to reach ±{self.target_margin:g} points."
            )
        return lines + self.notes


def _strata_columns(strata: Sequence[str] | None) -> tuple[str, ...]:
    columns = tuple(DEFAULT_CELLS if not strata else (s.strip() for s in strata if s.strip()))
    unknown = [c for c in columns if c not in CELL_COLUMNS]
    if unknown or not columns:
        raise SampleError(
            f"cannot stratify by {unknown or 'nothing'}: strata must be register columns that "
            f"the survey also records, so weighting can use them: {', '.join(CELL_COLUMNS)}"
        )
    if len(set(columns)) != len(columns):
        raise SampleError(f"--strata names a column twice: {','.join(columns)}")
    return columns


def _one(con: duckdb.DuckDBPyConnection, sql: str, params: list) -> object:
    rows = con.execute(sql, params).fetchall()
    return rows[0][0] if rows else None


def previous_response_rate(
    con: duckdb.DuckDBPyConnection, council: str, wave: int, instrument: str
) -> tuple[float, str]:
    """(percent, where it came from) for the latest earlier wave's returns; the assumed rate
    when there is none."""
    row = run_collect_sql(
        con,
        "sample_previous_rate",
        {"council": council, "wave": int(wave), "instrument": instrument},
    )
    assert row is not None
    last_wave, returns, sampled, registered = row.iloc[0].tolist()
    if last_wave is None or pd.isna(last_wave) or not returns:
        return ASSUMED_RESPONSE_RATE, "assumed: no earlier wave's returns are loaded"
    last_wave, returns = int(last_wave), int(returns)
    if sampled:
        rate = 100.0 * returns / int(sampled)
        source = f"wave {last_wave}: {returns} returns from a sample of {int(sampled)}"
    elif registered:
        rate = 100.0 * returns / int(registered)
        source = (
            f"wave {last_wave}: {returns} returns from {int(registered)} people on budgets "
            "(no sample was drawn, so everyone is taken to have been asked)"
        )
    else:
        return ASSUMED_RESPONSE_RATE, f"assumed: wave {last_wave} has no sample or register"
    return min(rate, 100.0), source


def existing_sample(
    con: duckdb.DuckDBPyConnection, council: str, wave: int, instrument: str
) -> int | None:
    """The sample id already drawn for this council, wave and instrument, if any."""
    found = _one(
        con,
        "SELECT min(sample_id) FROM sample_draws WHERE council = ? AND wave = ? AND instrument = ?",
        [council, int(wave), instrument],
    )
    return None if found is None else int(found)


def _eligible(
    con: duckdb.DuckDBPyConnection,
    *,
    council: str,
    instrument: str,
    strata: tuple[str, ...],
    reference_date: dt.date,
    previous_wave: int | None,
) -> pd.DataFrame:
    frame = run_collect_sql(
        con,
        "sample_register",
        {
            "council": council,
            "instrument": instrument,
            "reference_date": reference_date,
            "previous_wave": previous_wave,
        },
        strata=", ".join(cell_expression(c, instrument) for c in strata),
    )
    assert frame is not None
    return frame


def _unique_codes(con: duckdb.DuckDBPyConnection, count: int) -> list[str]:
    """``count`` fresh codes, none already issued (a clash is astronomically rare; still checked)."""
    issued = {r[0] for r in con.execute("SELECT invitation_code FROM samples").fetchall()}
    fresh: list[str] = []
    seen = set(issued)
    while len(fresh) < count:
        code = codes.new_code()
        if code not in seen:
            seen.add(code)
            fresh.append(code)
    return fresh


def draw_sample(
    con: duckdb.DuckDBPyConnection,
    *,
    council: str,
    wave: int,
    instrument: str = "poet-holder",
    size: int | None = None,
    margin: float | None = None,
    strata: Sequence[str] | None = None,
    allocation: str = "proportional",
    min_per_stratum: int | None = None,
    exclude_residential: bool = False,
    exclude_sampled_last_wave: bool = False,
    seed: int | None = None,
    reference_date: dt.date | None = None,
    response_rate: float | None = None,
    drawn_by: str | None = None,
) -> SampleDraw:
    """Draw, store and explain a stratified random sample (see the module notes).

    Exactly one of ``size`` (people to invite) and ``margin`` (target margin of error in
    percentage points at 95% for a 50% result) is given. Refuses, naming council and wave, when
    no register is loaded, a sample already exists, or the size exceeds the eligible people.
    """
    wave = int(wave)
    if (size is None) == (margin is None):
        raise SampleError("give either --size N or --margin PP (not both)")
    if size is not None and size < 1:
        raise SampleError(f"--size must be 1 or more, not {size}")
    if margin is not None and not 0 < margin < 100:
        raise SampleError(f"--margin is in percentage points, between 0 and 100, not {margin}")
    columns = _strata_columns(strata)
    where = f"{council}, wave {wave}, {instrument}"
    registered = _one(con, "SELECT count(*) FROM budgets WHERE council = ?", [council])
    if not registered:
        raise SampleError(
            f"{where}: no budget register is loaded for {council}; load it first with "
            f'`outcomes ingest budgets REGISTER_FILE --council "{council}"`'
        )
    previous = existing_sample(con, council, wave, instrument)
    if previous is not None:
        raise SampleError(
            f"{where}: sample {previous} was already drawn; see it with `outcomes sample-status "
            f'--council "{council}" --wave {wave} --instrument {instrument}`. A second draw would '
            "invite people twice"
        )
    reference_date = reference_date or default_reference_date(wave)
    previous_wave = _one(
        con,
        "SELECT max(wave) FROM sample_draws WHERE council = ? AND instrument = ? AND wave < ?",
        [council, instrument, wave],
    )
    people = _eligible(
        con,
        council=council,
        instrument=instrument,
        strata=columns,
        reference_date=reference_date,
        previous_wave=previous_wave if exclude_sampled_last_wave else None,
    )
    exclusions: dict[str, int | str | None] = {
        "not_current": None,
        "do_not_contact": int(people["do_not_contact"].sum()),
    }
    current = _one(
        con,
        "SELECT count(DISTINCT person_key) FROM budgets WHERE council = ?",
        [council],
    )
    exclusions["not_current"] = int(current or 0) - len(people)
    keep = ~people["do_not_contact"]
    if exclude_residential:
        exclusions["residential_or_nursing"] = int((keep & people["residential"]).sum())
        keep &= ~people["residential"]
    notes: list[str] = []
    if exclude_sampled_last_wave:
        if previous_wave is None:
            notes.append("No earlier wave has a sample, so nobody was left out as sampled before.")
            exclusions["sampled_last_wave"] = 0
        else:
            exclusions["sampled_last_wave"] = int((keep & people["sampled_last_wave"]).sum())
            exclusions["last_wave"] = int(previous_wave)
            keep &= ~people["sampled_last_wave"]
    eligible = people[keep].reset_index(drop=True)
    if eligible.empty:
        raise SampleError(
            f"{where}: nobody is eligible: no budget open on {reference_date:%d/%m/%Y} after "
            f"the exclusions ({json.dumps(exclusions)}); check the register or --as-of"
        )
    eligible["stratum"] = eligible[list(columns)].astype(str).agg(STRATUM_SEPARATOR.join, axis=1)
    table = (
        eligible.groupby("stratum", sort=True)
        .size()
        .rename("population")
        .reset_index()
        .astype({"population": int})
    )
    populations = table["population"].tolist()
    if response_rate is None:
        rate, rate_source = previous_response_rate(con, council, wave, instrument)
    else:
        rate, rate_source = float(response_rate), "given with --response-rate"
    try:
        if margin is not None:
            size = size_for_margin(populations, margin, rate, allocation, min_per_stratum)
        assert size is not None
        if size > len(eligible):
            raise SampleError(
                f"{where}: --size {size} is more than the {len(eligible)} eligible people "
                f"(budgets open on {reference_date:%d/%m/%Y}, after the exclusions); give "
                f"--size {len(eligible)} or less"
            )
        shares = allocate(populations, size, allocation, min_per_stratum)
    except AllocationError as error:
        raise SampleError(f"{where}: {error}") from error
    table["sample"] = shares
    table["expected_returns"] = table["sample"] * rate / 100.0
    expected = expected_margin(populations, shares, rate)
    if seed is None:
        seed = secrets.randbelow(MAX_SEED)
    if not 0 <= int(seed) < MAX_SEED:
        raise SampleError(f"--seed must be a whole number from 0 to {MAX_SEED - 1}")
    drawn = _draw(eligible, table, int(seed))
    drawn["invitation_code"] = _unique_codes(con, len(drawn))
    with transaction(con):
        sample_id = int(
            _one(con, "SELECT coalesce(max(sample_id), 0) + 1 FROM sample_draws", []) or 1
        )
        register_frame(con, "drawn", drawn)
        run_collect_sql(
            con,
            "sample_write",
            {
                "sample_id": sample_id,
                "council": council,
                "council_code": _council_code(con, council),
                "wave": wave,
                "instrument": instrument,
                "seed": int(seed),
                "strata": ",".join(columns),
                "allocation": allocation,
                "min_per_stratum": min_per_stratum if allocation == "minimum" else None,
                "target_size": int(size),
                "target_margin": margin,
                "exclusions": json.dumps(exclusions),
                "population": int(len(eligible)),
                "drawn_by": drawn_by or _user(),
                "reference_date": reference_date,
                "expected_response_rate": rate,
                "response_rate_source": rate_source,
                "expected_margin": None if math.isnan(expected.margin) else expected.margin,
            },
        )
        con.execute('DROP TABLE IF EXISTS "drawn"')
    return SampleDraw(
        sample_id=sample_id,
        council=council,
        wave=wave,
        instrument=instrument,
        seed=int(seed),
        strata=columns,
        allocation=allocation,
        min_per_stratum=min_per_stratum if allocation == "minimum" else None,
        reference_date=reference_date,
        table=table,
        exclusions=exclusions,
        response_rate=rate,
        response_rate_source=rate_source,
        margin=expected,
        target_margin=margin,
        notes=notes,
    )


def _draw(eligible: pd.DataFrame, table: pd.DataFrame, seed: int) -> pd.DataFrame:
    """Simple random sampling without replacement within each stratum, strata in name order and
    people in pseudonym order, so the seed alone fixes who is drawn."""
    rng = np.random.default_rng(seed)
    parts = []
    ordered = eligible.sort_values(["stratum", "person_key"], kind="stable")
    for stratum, population, share in table[["stratum", "population", "sample"]].itertuples(
        index=False, name=None
    ):
        members = ordered.loc[ordered["stratum"] == stratum, "person_key"].to_numpy()
        chosen = rng.choice(len(members), size=int(share), replace=False) if share else []
        parts.append(
            pd.DataFrame(
                {
                    "person_key": members[np.sort(np.asarray(chosen, dtype=int))],
                    "stratum": stratum,
                    "stratum_population": int(population),
                }
            )
        )
    return pd.concat(parts, ignore_index=True)


def _council_code(con: duckdb.DuckDBPyConnection, council: str) -> str | None:
    found = _one(
        con,
        "SELECT max(council_code) FROM loads WHERE council = ? AND kind = 'budgets'",
        [council],
    )
    return None if found is None else str(found)


def _user() -> str | None:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return None


def sample_frame(con: duckdb.DuckDBPyConnection, sample_id: int) -> pd.DataFrame:
    """The people of one draw (pseudonym, stratum, code), in stratum and pseudonym order."""
    return con.execute(
        "SELECT person_key, stratum, stratum_population, invitation_code FROM samples "
        "WHERE sample_id = ? ORDER BY stratum, person_key",
        [int(sample_id)],
    ).df()
