"""What a reader can work out about hidden cells: integer bounds from the published figures.

Every published count is a fixed number; every hidden count is an unknown whole number of at
least 0. Totals, shares and pooled benchmarks tie them together as linear constraints (a share
``s`` of a base, published to a given precision, says ``base x (s - tol) <= 100 x count <=
base x (s + tol)``). :func:`feasible_ranges` asks scipy's linear programming for the smallest and
largest value each hidden cell can take; the LP relaxation is rounded inward, which can only
make a range narrower than the true integer one, so a range found wide enough is wide enough.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Iterable
from dataclasses import dataclass, field

import numpy as np


@dataclass
class LinearSystem:
    """Unknown cells (non-negative numbers) and the linear constraints a reader knows."""

    unknowns: dict[Hashable, int] = field(default_factory=dict)
    rows: list[tuple[dict[Hashable, float], float, float]] = field(default_factory=list)

    def unknown(self, name: Hashable) -> None:
        self.unknowns.setdefault(name, len(self.unknowns))

    def constrain(self, terms: dict[Hashable, float], low: float, high: float) -> None:
        """``low <= sum(coefficient x unknown) <= high``; known parts go into low and high."""
        terms = {name: c for name, c in terms.items() if c != 0}
        if not terms:
            return
        for name in terms:
            self.unknown(name)
        self.rows.append((terms, low, high))

    def ranges(self, names: Iterable[Hashable]) -> dict[Hashable, tuple[float, float]]:
        """(lowest, highest) feasible whole value of each named unknown (inf when unbounded)."""
        names = list(names)
        for name in names:
            self.unknown(name)
        if not self.rows:
            return {name: (0.0, math.inf) for name in names}
        found: dict[Hashable, tuple[float, float]] = {}
        # Unknowns that share no constraint, directly or through others, cannot bound each other,
        # so each is solved within its own connected part: the same ranges from far smaller
        # programs (a page of many independent tables is many small systems, not one large one).
        for unknowns, rows in self._components(names):
            position = {name: i for i, name in enumerate(unknowns)}
            matrix = np.zeros((2 * len(rows), len(unknowns)))
            bounds = np.zeros(2 * len(rows))
            for index, (terms, low, high) in enumerate(rows):
                for name, coefficient in terms.items():
                    matrix[2 * index, position[name]] = coefficient
                    matrix[2 * index + 1, position[name]] = -coefficient
                bounds[2 * index] = high if math.isfinite(high) else 1e12
                bounds[2 * index + 1] = -low if math.isfinite(low) else 1e12
            for name in names:
                if name not in position:
                    continue
                if not rows:
                    found[name] = (0.0, math.inf)
                    continue
                objective = np.zeros(len(unknowns))
                objective[position[name]] = 1.0
                lowest = _solve(objective, matrix, bounds)
                highest = _solve(-objective, matrix, bounds)
                low = 0.0 if lowest is None else math.ceil(lowest - 1e-6)
                high = math.inf if highest is None else math.floor(-highest + 1e-6)
                if high > 1e11:
                    high = math.inf
                found[name] = (float(low), float(high))
        return found

    def _components(self, names: list[Hashable]) -> list[tuple[list[Hashable], list[tuple]]]:
        """The connected parts holding ``names``: (their unknowns, their constraint rows)."""
        parent = {name: name for name in self.unknowns}

        def root(name: Hashable) -> Hashable:
            while parent[name] != name:
                parent[name] = parent[parent[name]]
                name = parent[name]
            return name

        for terms, _, _ in self.rows:
            first, *others = terms
            for other in others:
                a, b = root(first), root(other)
                if a != b:
                    parent[b] = a
        wanted = {root(name) for name in names}
        members: dict[Hashable, list[Hashable]] = {r: [] for r in wanted}
        for name in self.unknowns:
            r = root(name)
            if r in members:
                members[r].append(name)
        rows: dict[Hashable, list[tuple]] = {r: [] for r in wanted}
        for row in self.rows:
            r = root(next(iter(row[0])))
            if r in rows:
                rows[r].append(row)
        return [(members[r], rows[r]) for r in wanted]


class InconsistentFigures(ValueError):
    """No set of hidden values fits the published figures: the relations read are wrong."""


def _solve(objective: np.ndarray, matrix: np.ndarray, bounds: np.ndarray) -> float | None:
    from scipy.optimize import linprog  # here: only a solve needs scipy, not every import

    result = linprog(objective, A_ub=matrix, b_ub=bounds, bounds=(0, None), method="highs")
    if result.status == 0:
        return float(result.fun)
    if result.status == 2:  # an audit that cannot fit the figures would pass anything: refuse
        raise InconsistentFigures(f"the published figures admit no solution ({result.message})")
    return None  # unbounded: nothing to learn in that direction
