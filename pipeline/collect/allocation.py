"""How many to draw from each stratum, and the margin of error a sample can expect.

Pure arithmetic over stratum populations (no database), so the rules can be read and tested on
their own; ``pipeline.collect.sampling`` applies them to the budget register.

- **Proportional** allocation gives stratum h the share N_h / N of the sample, rounded by the
  largest-remainder rule so the strata add up to exactly the size asked for.
- **Minimum** allocation gives every stratum at least K people (or all of it when it holds fewer),
  then shares the rest proportionally among the strata that were not raised to K. Small strata
  then have enough returns to be estimated at all; the price is a larger margin overall.
- The **expected margin of error** puts the expected returns of each stratum (sample × response
  rate) into the weighting module's stratified variance (``weighting.variance_terms``) with
  p = 0.5, the worst case, and N_h from the register: the margin a result of 50% would have.
  A stratum expecting fewer than 2 returns has no variance term (n_h − 1 ≤ 1), exactly as in
  weighting; when such strata hold more than ``MAX_UNCOVERED_SHARE`` of the population the
  margin is not estimable (NaN), because it would describe too few of the people.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from pipeline.analysis.weighting import critical_value, variance_terms

ALLOCATIONS = ("proportional", "minimum")
PLANNING_SHARE = 0.5  # p that makes p (1 - p) largest: the margin no result can exceed
MIN_RETURNS_FOR_VARIANCE = 2  # n_h - 1 must be at least 1
MAX_UNCOVERED_SHARE = 0.05  # population in strata without a variance term the margin may ignore


class AllocationError(ValueError):
    """A size that cannot be shared out as asked; the message says what would work."""


def proportional(populations: Sequence[int], size: int) -> list[int]:
    """Largest-remainder proportional allocation of ``size`` over strata of these populations.

    Ties in the remainders go to the larger stratum, then to the earlier one, so the result is
    the same on every run.
    """
    total = sum(populations)
    if size < 0 or size > total:
        raise AllocationError(f"cannot draw {size} from {total} people")
    if total == 0:
        return [0 for _ in populations]
    quotas = [population * size / total for population in populations]
    shares = [math.floor(q) for q in quotas]
    left = size - sum(shares)
    order = sorted(
        range(len(populations)),
        key=lambda h: (-(quotas[h] - shares[h]), -populations[h], h),
    )
    for h in order[:left]:
        shares[h] += 1
    return shares


def with_minimum(populations: Sequence[int], size: int, minimum: int) -> list[int]:
    """At least ``minimum`` per stratum (all of a smaller one), the rest proportionally."""
    floors = [min(minimum, population) for population in populations]
    if sum(floors) > size:
        raise AllocationError(
            f"a sample of {size} cannot give {minimum} people to each of {len(populations)} "
            f"strata: that needs at least {sum(floors)} (give a larger --size or a smaller "
            "--min-per-stratum)"
        )
    shares = proportional(populations, size)
    fixed: set[int] = set()
    while True:
        short = [h for h in range(len(populations)) if h not in fixed and shares[h] < floors[h]]
        if not short:
            return shares
        fixed.update(short)
        rest = size - sum(floors[h] for h in fixed)
        others = [h for h in range(len(populations)) if h not in fixed]
        shared = proportional([populations[h] for h in others], rest)
        for h in fixed:
            shares[h] = floors[h]
        for h, share in zip(others, shared, strict=True):
            shares[h] = share


def allocate(
    populations: Sequence[int], size: int, rule: str = "proportional", minimum: int | None = None
) -> list[int]:
    """The sample size of each stratum under ``rule`` (see the module notes)."""
    if rule not in ALLOCATIONS:
        raise AllocationError(f"--allocation must be one of {', '.join(ALLOCATIONS)}, not {rule!r}")
    if rule == "minimum":
        if minimum is None or minimum < 1:
            raise AllocationError("--allocation minimum needs --min-per-stratum K (1 or more)")
        return with_minimum(populations, size, minimum)
    return proportional(populations, size)


@dataclass(frozen=True)
class ExpectedMargin:
    """The margin a sample can expect, and how much of the population it speaks for."""

    margin: float  # percentage points at 95% for a 50% result; NaN when not estimable
    margin_covered: float  # the same over the strata that have a variance term, always a number
    expected_returns: float
    uncovered_strata: int  # strata expecting fewer than 2 returns
    uncovered_population: int

    @property
    def estimable(self) -> bool:
        return not math.isnan(self.margin)


def expected_margin(
    populations: Sequence[int],
    sample_sizes: Sequence[float],
    response_rate: float,
    *,
    confidence: float = 0.95,
) -> ExpectedMargin:
    """Margin of error (percentage points) at p = 0.5 if ``response_rate`` percent of each
    stratum's sample answers; see the module notes for when it is not estimable."""
    big_n = np.asarray(populations, dtype=float)
    returns = np.asarray(sample_sizes, dtype=float) * response_rate / 100.0
    terms = variance_terms(big_n, returns, PLANNING_SHARE)
    covered = (big_n > 0) & (returns >= MIN_RETURNS_FOR_VARIANCE)
    covered_population = float(big_n[covered].sum())
    uncovered = (big_n > 0) & ~covered
    z = critical_value(confidence)
    margin_covered = (
        z * math.sqrt(float(terms[covered].sum()) * 100.0**2 / covered_population**2)
        if covered_population > 0
        else math.nan
    )
    share_uncovered = float(big_n[uncovered].sum()) / max(float(big_n.sum()), 1.0)
    return ExpectedMargin(
        margin=margin_covered if share_uncovered <= MAX_UNCOVERED_SHARE else math.nan,
        margin_covered=margin_covered,
        expected_returns=float(returns.sum()),
        uncovered_strata=int(uncovered.sum()),
        uncovered_population=int(big_n[uncovered].sum()),
    )


def size_for_margin(
    populations: Sequence[int],
    target: float,
    response_rate: float,
    rule: str = "proportional",
    minimum: int | None = None,
    *,
    confidence: float = 0.95,
) -> int:
    """The smallest sample size whose expected margin is at most ``target`` percentage points.

    Sizes are tried upwards from the smallest the allocation allows, because rounding and
    strata gaining their second expected return make the margin step rather than fall smoothly;
    the first size that reaches the target is the smallest. Raises when even the whole eligible
    population would not reach it.
    """
    total = sum(populations)
    start = sum(min(minimum or 0, p) for p in populations) if rule == "minimum" else 1
    for size in range(max(start, 1), total + 1):
        shares = allocate(populations, size, rule, minimum)
        found = expected_margin(populations, shares, response_rate, confidence=confidence)
        if found.estimable and found.margin <= target:
            return size
    best = expected_margin(populations, list(populations), response_rate, confidence=confidence)
    reached = f"{best.margin:.1f}" if best.estimable else "no estimable margin"
    raise AllocationError(
        f"a margin of ±{target:g} points cannot be reached: even inviting all {total} eligible "
        f"people gives {reached} at a {response_rate:.1f}% response rate"
    )
