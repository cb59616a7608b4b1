"""One rule for everything published: protect a whole page or file at once, never one table.

A :class:`Publication` is every table one page, file or command output publishes, each with its
count columns (whole people), its shares (a count over a base), the figures that would pin a
hidden count (intervals, p-values, notes) and the linear relations between cells, within a table
and across tables: answers adding up to a base, bands adding up to a headline, a pooled benchmark
being the sum of the other councils. :func:`publish` applies, to a fixed point:

1. primary suppression (a count or base of 1 to 4), the complement rule (base minus count of 1
   to 4) and a hidden base hiding its row's counts;
2. secondary suppression: while a reader could bound some hidden cell to a range narrower than
   the threshold (:mod:`.linear`, from every visible figure and relation), one more cell of a
   relation holding it is hidden (pooled-benchmark figures first, else the smallest count);
3. every share, interval, p-value or note of a row is blanked when a cell it depends on is
   hidden, shares are withheld where the base is under 10, and a share of column totals (an
   "overall") is withheld when any cell of the column is hidden.

The auditor (:mod:`.audit`) reads the published files back into the same structure and tries
to recover the hidden cells with the same solver.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd

from pipeline.config import THRESHOLDS, Thresholds
from pipeline.disclosure.cells import (
    BASE_UNDER,
    COMPLEMENT_UNDER,
    COUNT_UNDER,
    PERCENT_WITHHELD,
    SECONDARY,
)
from pipeline.disclosure.linear import LinearSystem

Cell = tuple[str, Hashable, str]  # (table name, row index, column)


@dataclass
class Table:
    """One published table and what its columns mean.

    ``counts`` are whole-people columns (the base included); ``shares`` maps a percentage column
    to the (count column, base column) it is a share of (the base may be a :data:`Cell` of
    another table, e.g. a headline total); ``pins`` maps any other column to the count columns
    it would give away (``"*"`` = any hidden cell of the row); ``total_shares`` maps a column
    repeating one share of the column totals (an overall rate) to its (count, base) columns.
    """

    frame: pd.DataFrame
    counts: tuple[str, ...] = ("count", "n")
    base: str | None = "n"
    shares: dict[str, tuple[str, str | Cell]] = field(default_factory=dict)
    pins: dict[str, tuple[str, ...]] = field(default_factory=dict)
    total_shares: dict[str, tuple[str, str]] = field(default_factory=dict)
    complement: bool = True
    primary: tuple[str, ...] | None = None  # columns under the small-count rule (default counts)
    expendable: tuple[str, ...] = ()  # hidden first when a hidden cell needs a partner
    share_tolerance: float | None = None  # for the audit: half the last shown digit
    # columns published by another publication: never hidden here to protect a cell (hiding a
    # figure the reader already has elsewhere protects nothing), though a blank one is protected
    fixed: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        self.counts = tuple(c for c in self.counts if c in self.frame.columns)
        if self.base is not None and self.base not in self.frame.columns:
            self.base = None


@dataclass
class Relation:
    """``sum(parts) == total``: cells that add up to another cell (or a known number)."""

    parts: list[Cell]
    total: Cell | None = None
    constant: float | None = None


@dataclass
class Publication:
    """Every table of one page, file or output, and the relations between their cells."""

    tables: dict[str, Table]
    relations: list[Relation] = field(default_factory=list)
    hidden: dict[Cell, str] = field(default_factory=dict)  # filled by publish
    # Each column's numbers by row, read once: publish asks for cells a million times for a
    # national wave, and pandas' scalar lookup made that minutes. The tables are not changed
    # while they are published; a replace()d publication starts with an empty cache.
    _numbers: dict[tuple[str, str], dict[Hashable, float]] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )

    def value(self, cell: Cell) -> float:
        name, row, column = cell
        numbers = self._numbers.get((name, column))
        if numbers is None:
            frame = self.tables[name].frame
            if column not in frame.columns:
                return math.nan
            if not frame.index.is_unique:  # as before: a label names several rows
                return _number(frame.at[row, column]) if row in frame.index else math.nan
            numbers = dict(zip(frame.index, map(_number, frame[column].tolist()), strict=True))
            self._numbers[(name, column)] = numbers
        return numbers.get(row, math.nan)

    def count_cells(self) -> list[Cell]:
        return [
            (name, row, column)
            for name, table in self.tables.items()
            for column in table.counts
            for row in table.frame.index
        ]

    def frame(self, name: str) -> pd.DataFrame:
        return self.tables[name].frame


def group_relations(
    table: str, frame: pd.DataFrame, column: str, groups: list[str], total: str | None
) -> list[Relation]:
    """Rows of each group (by ``groups``) add up to the group's ``total`` column (its base)."""
    relations = []
    if frame.empty:
        return relations
    parts = frame.groupby(groups, dropna=False, sort=False) if groups else [(None, frame)]
    for _, part in parts:
        cells = [(table, row, column) for row in part.index]
        if total is not None:
            relations.append(Relation(cells, total=(table, part.index[0], total)))
    return relations


def system(
    publication: Publication, *, with_shares: bool, tolerance: float | Callable = 0.05
) -> LinearSystem:
    """The linear system a reader of the publication can write down. ``tolerance`` is how far a
    shown share may be from the true one: a number, or a function of the shown value (the
    auditor's: half its last digit)."""
    equations = LinearSystem()

    def term(cell: Cell) -> tuple[dict, float]:
        value = publication.value(cell)
        if cell in publication.hidden or math.isnan(value):
            return {cell: 1.0}, 0.0
        return {}, value

    for name, table in publication.tables.items():
        if table.base is None:
            continue
        for row in table.frame.index:
            base_terms, base_value = term((name, row, table.base))
            for column in table.counts if table.primary is None else table.primary:
                if column == table.base:
                    continue
                count_terms, count_value = term((name, row, column))
                if not count_terms and not base_terms:
                    continue
                terms = dict(count_terms)
                for key, c in base_terms.items():
                    terms[key] = terms.get(key, 0) - c
                equations.constrain(terms, -math.inf, base_value - count_value)
    for relation in publication.relations:
        terms: dict = {}
        known = 0.0
        for cell in relation.parts:
            cell_terms, value = term(cell)
            known += value
            for key, c in cell_terms.items():
                terms[key] = terms.get(key, 0) + c
        if relation.total is not None:
            total_terms, total_value = term(relation.total)
            if total_terms and not terms:
                pass
            for key, c in total_terms.items():
                terms[key] = terms.get(key, 0) - c
            known -= total_value
        elif relation.constant is not None:
            known -= relation.constant
        else:
            continue
        equations.constrain(terms, -known, -known)
    if with_shares:
        _share_constraints(publication, equations, term, tolerance)
    return equations


def _share_constraints(publication: Publication, equations: LinearSystem, term, tolerance) -> None:
    for name, table in publication.tables.items():
        fixed = table.share_tolerance if table.share_tolerance is not None else tolerance

        def tol_of(share: float, fixed=fixed) -> float:
            return fixed(share) if callable(fixed) else fixed

        for column, (count_column, base_ref) in table.shares.items():
            if column not in table.frame.columns:
                continue
            for row in table.frame.index:
                share = publication.value((name, row, column))
                if math.isnan(share):
                    continue
                base_cell = base_ref if isinstance(base_ref, tuple) else (name, row, base_ref)
                count_terms, count_value = term((name, row, count_column))
                base_terms, base_value = term(base_cell)
                if not count_terms and not base_terms:
                    continue
                _bracket(
                    equations, count_terms, count_value, base_terms, base_value, share,
                    tol_of(share),
                )  # fmt: skip
        for column, (count_column, base_column) in table.total_shares.items():
            if column not in table.frame.columns or table.frame.empty:
                continue
            share = publication.value((name, table.frame.index[0], column))
            if math.isnan(share):
                continue
            count_terms, count_value, base_terms, base_value = {}, 0.0, {}, 0.0
            for row in table.frame.index:
                t, v = term((name, row, count_column))
                count_terms.update(t)
                count_value += v
                t, v = term((name, row, base_column))
                base_terms.update(t)
                base_value += v
            if count_terms or base_terms:
                _bracket(
                    equations, count_terms, count_value, base_terms, base_value, share,
                    tol_of(share),
                )  # fmt: skip


def _bracket(equations, count_terms, count_value, base_terms, base_value, share, tol) -> None:
    """(share - tol) x base <= 100 x count <= (share + tol) x base, known parts moved over."""
    for bound, sign in ((share + tol, 1), (share - tol, -1)):
        terms = {k: 100.0 * c * sign for k, c in count_terms.items()}
        for k, c in base_terms.items():
            terms[k] = terms.get(k, 0) - bound * c * sign
        known = (100.0 * count_value - bound * base_value) * sign
        equations.constrain(terms, -math.inf, -known)


def publish(publication: Publication, thresholds: Thresholds = THRESHOLDS) -> Publication:
    """The publication as it may be published: hidden cells and what pins them blanked."""
    small = thresholds.suppress_count_below
    hidden: dict[Cell, str] = dict(publication.hidden)
    work = replace(publication, hidden=hidden, relations=_holding(publication))
    for name, table in publication.tables.items():
        primary = table.counts if table.primary is None else table.primary
        for row in table.frame.index:
            base = work.value((name, row, table.base)) if table.base else math.nan
            if table.base and 0 < base < small:
                hidden.setdefault((name, row, table.base), BASE_UNDER.format(k=small))
                for column in table.counts:
                    hidden.setdefault((name, row, column), BASE_UNDER.format(k=small))
            for column in table.counts:
                value = work.value((name, row, column))
                if column in primary and 0 < value < small:
                    hidden.setdefault((name, row, column), COUNT_UNDER.format(k=small))
                elif (
                    table.complement
                    and column != table.base
                    and column in primary
                    and 0 < base - value < small
                ):
                    hidden.setdefault((name, row, column), COMPLEMENT_UNDER.format(k=small))
    safe: set[Cell] = set()
    for _ in range(200):
        if not hidden:
            break
        # only people's own counts need protecting; a withheld pooled sum is a means, not an end.
        # A cell found safe stays safe: hiding more cells only takes figures away from a reader,
        # so its range can only widen, and it need not be solved for again.
        sensitive = [
            cell
            for cell in hidden
            if cell[2] in _own(publication.tables[cell[0]]) and cell not in safe
        ]
        ranges = system(work, with_shares=False).ranges(sensitive)
        recovered = [cell for cell, (low, high) in ranges.items() if high - low < small]
        safe.update(cell for cell in sensitive if cell not in recovered)
        partners = {_partner(work, cell) for cell in recovered} - {None}
        if not partners:
            break
        for cell in partners:
            hidden[cell] = SECONDARY
    return _blanked(work, thresholds)


def _own(table: Table) -> tuple[str, ...]:
    return table.counts if table.primary is None else table.primary


def _holding(publication: Publication) -> list[Relation]:
    """The relations that hold on the figures as computed (one that does not, e.g. a total
    over a different set of people, would make the whole system infeasible and teach nothing)."""
    holding = []
    for relation in publication.relations:
        parts = [publication.value(c) for c in relation.parts]
        total = (
            publication.value(relation.total) if relation.total is not None else relation.constant
        )
        unknown = total is None or any(math.isnan(v) for v in [*parts, total])
        if unknown or abs(sum(parts) - total) < 1e-6:
            holding.append(relation)
    return holding


def _partner(publication: Publication, cell: Cell) -> Cell | None:
    """The visible cell to hide with ``cell``: from a relation holding it, expendable first."""
    candidates: list[Cell] = []
    for relation in publication.relations:
        members = [*relation.parts, *([relation.total] if relation.total else [])]
        if cell in members:
            candidates += [m for m in members if m not in publication.hidden]
    name, row, column = cell
    table = publication.tables[name]
    if table.base and column != table.base:  # a count bounded by its base: hide the base too
        candidates.append((name, row, table.base))
    candidates = [c for c in candidates if c not in publication.hidden and c != cell]
    candidates = [c for c in candidates if not math.isnan(publication.value(c))]
    candidates = [c for c in candidates if c[2] not in publication.tables[c[0]].fixed]
    if not candidates:
        return None

    def order(candidate: Cell) -> tuple:
        value = publication.value(candidate)
        expendable = candidate[2] in publication.tables[candidate[0]].expendable
        return (not expendable, value <= 0, value)

    return min(candidates, key=order)


def _blanked(publication: Publication, thresholds: Thresholds) -> Publication:
    withhold = thresholds.withhold_percent_base_below
    tables = {}
    for name, table in publication.tables.items():
        frame = table.frame.copy()
        reasons: dict[Hashable, list[str]] = {row: [] for row in frame.index}
        own = table.counts if table.primary is None else table.primary
        row_hidden = pd.Series(False, index=frame.index)  # the row's own figures (not pins)
        any_hidden = pd.Series(False, index=frame.index)
        for (table_name, row, column), reason in publication.hidden.items():
            if table_name == name and row in frame.index:
                any_hidden[row] = True
                if column in own:
                    row_hidden[row] = True
                    if reason not in reasons[row]:
                        reasons[row].append(reason)

        def hidden_in(
            row: Hashable, columns: tuple[str, ...], name: str = name, rows=any_hidden
        ) -> bool:
            if columns == ("*",):
                return bool(rows[row])
            return any((name, row, c) in publication.hidden for c in columns)

        blank: dict[str, list[Hashable]] = {}
        for column, (count_column, base_ref) in table.shares.items():
            for row in frame.index:
                base_cell = base_ref if isinstance(base_ref, tuple) else (name, row, base_ref)
                base = publication.value(base_cell)
                if (
                    hidden_in(row, (count_column,))
                    or base_cell in publication.hidden
                    or (0 < base < withhold)
                ):
                    blank.setdefault(column, []).append(row)
                    if 0 < base < withhold and not row_hidden[row]:
                        note = PERCENT_WITHHELD.format(k=withhold)
                        if note not in reasons[row] and base_cell[2] == table.base:
                            reasons[row].append(note)
        for column, depends in table.pins.items():
            for row in frame.index:
                if hidden_in(row, depends):
                    blank.setdefault(column, []).append(row)
        for column, (count_column, base_column) in table.total_shares.items():
            if any(hidden_in(row, (count_column, base_column)) for row in frame.index):
                blank.setdefault(column, []).extend(frame.index)
        for column in table.counts:
            rows = [r for r in frame.index if (name, r, column) in publication.hidden]
            if rows:
                frame[column] = _numeric(frame[column]).astype(float)
                frame.loc[rows, column] = np.nan
        for column, rows in blank.items():
            if column not in frame.columns or not rows:
                continue
            if pd.api.types.is_numeric_dtype(frame[column]) or frame[column].isna().all():
                frame[column] = pd.to_numeric(frame[column], errors="coerce").astype(float)
                frame.loc[rows, column] = np.nan
            else:
                frame[column] = frame[column].astype(object)
                frame.loc[rows, column] = None
        for column in table.counts:
            frame[column] = _as_counts(_numeric(frame[column]))
        withheld = pd.Series(
            [
                any(PERCENT_WITHHELD.format(k=withhold) in r for r in reasons[row])
                for row in frame.index
            ],
            index=frame.index,
        )
        if "suppressed" in frame.columns or len(table.counts):
            frame["suppressed"] = (row_hidden | withheld).astype(bool)
            frame["suppression_reason"] = ["; ".join(reasons[row]) for row in frame.index]
        tables[name] = replace(table, frame=frame)
    return replace(publication, tables=tables)


def _numeric(series: pd.Series) -> pd.Series:
    return pd.to_numeric(series, errors="coerce").astype(float)


def _number(value: object) -> float:
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return math.nan
    return number


def _as_counts(numbers: pd.Series) -> pd.Series:
    present = numbers.dropna()
    if (present == present.round()).all():
        return numbers.astype("Int64")
    return numbers
