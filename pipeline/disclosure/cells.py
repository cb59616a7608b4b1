"""Small-number suppression and rounding, applied to everything that is published.

Rules (docs/methods.md, "Disclosure control"; thresholds from ``pipeline.config.THRESHOLDS``):

1. Primary suppression: a count of 1 to 4 is hidden. Where a row shows a share, the complement
   (base minus count) of 1 to 4 hides the count too, because "96% of 100" tells you 4 people
   answered otherwise. A base of 1 to 4 is hidden.
2. Percentages are withheld where the base is under 10.
3. Secondary suppression: within a group of rows that add up to a published total (the answers
   to one question, or the subgroups of one question), a single hidden cell in a column could be
   recovered by subtraction, so the next smallest visible cell of that column is hidden as well;
   the same is done across the count columns of one row. This repeats until stable.
4. Any shown share, interval or mean of a row whose count or base is hidden is blanked, since
   value x base would give the count back.
5. Optionally, published counts and bases are rounded to the nearest ``round_to`` (half away
   from zero).

Every row gets ``suppressed`` (bool) and ``suppression_reason`` (text, "" when shown). With
``blank=False`` the flags are set and nothing is hidden: analysis results carry their flags and
the publishing faces call :func:`protect` to blank.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from pipeline.config import THRESHOLDS, Thresholds

COUNT_UNDER = "count under {k}"
COMPLEMENT_UNDER = "complement under {k}"
BASE_UNDER = "base under {k}"
PERCENT_WITHHELD = "base under {k}: percentage withheld"
SECONDARY = "secondary suppression"


def protect(
    frame: pd.DataFrame,
    *,
    count_columns: Sequence[str] = ("count",),
    base_column: str | None = "n",
    value_columns: Sequence[str] = ("value", "lower", "upper"),
    group_columns: Sequence[str] = (),
    round_to: int | None = None,
    complement: bool = True,
    blank: bool = True,
    thresholds: Thresholds = THRESHOLDS,
) -> pd.DataFrame:
    """Return a copy of ``frame`` with suppression flags set and (by default) hidden cells blanked.

    ``group_columns`` name the columns whose rows add up to a published total (for a distribution:
    the question and subgroup; for a subgroup table: the question), which is where secondary
    suppression looks. ``complement`` applies the complement rule to each count column; switch it
    off where the complement is itself a row of the same group (a full distribution), because
    there the group rule already covers it.
    """
    out = frame.copy()
    count_columns = [c for c in count_columns if c in out.columns]
    value_columns = [c for c in value_columns if c in out.columns]
    if base_column is not None and base_column not in out.columns:
        base_column = None
    small = thresholds.suppress_count_below
    withhold = thresholds.withhold_percent_base_below
    if out.empty:
        out["suppressed"] = pd.Series(dtype=bool)
        out["suppression_reason"] = pd.Series(dtype=object)
        return out

    cells = [*count_columns, *([base_column] if base_column else [])]
    hidden = pd.DataFrame(False, index=out.index, columns=cells)
    reasons: dict[object, list[str]] = {index: [] for index in out.index}

    def note(mask: pd.Series, reason: str) -> None:
        for index in mask[mask].index:
            if reason not in reasons[index]:
                reasons[index].append(reason)

    base = _numeric(out[base_column]) if base_column else None
    for column in count_columns:
        values = _numeric(out[column])
        primary = (values > 0) & (values < small)
        hidden[column] |= primary
        note(primary, COUNT_UNDER.format(k=small))
        if complement and base is not None:
            rest = base - values
            by_complement = (rest > 0) & (rest < small) & ~primary
            hidden[column] |= by_complement
            note(by_complement, COMPLEMENT_UNDER.format(k=small))
    if base_column:
        small_base = (base > 0) & (base < small)
        hidden[base_column] |= small_base
        note(small_base, BASE_UNDER.format(k=small))
        # a count can never exceed its base, so a hidden base hides the row's counts
        for column in count_columns:
            hidden[column] |= small_base

    _secondary(out, hidden, cells, count_columns, list(group_columns), reasons)

    row_hidden = hidden.any(axis=1)
    withheld = pd.Series(False, index=out.index)
    if base is not None and value_columns:
        withheld = (base > 0) & (base < withhold) & ~row_hidden
        note(withheld, PERCENT_WITHHELD.format(k=withhold))
    out["suppressed"] = (row_hidden | withheld).astype(bool)
    out["suppression_reason"] = ["; ".join(reasons[index]) for index in out.index]

    if blank:
        for column in cells:
            out[column] = _as_counts(_numeric(out[column]).mask(hidden[column]))
        for column in value_columns:
            out[column] = pd.to_numeric(out[column], errors="coerce").astype(float)
            out.loc[row_hidden | withheld, column] = np.nan
    if round_to:
        for column in cells:
            out[column] = _round_half_away(out[column], round_to)
    return out


def suppression_flags(frame: pd.DataFrame, **options: object) -> pd.DataFrame:
    """The frame with ``suppressed`` and ``suppression_reason`` set but nothing blanked."""
    return protect(frame, blank=False, **options)  # type: ignore[arg-type]


def _numeric(series: pd.Series) -> pd.Series:
    return pd.to_numeric(series, errors="coerce").astype(float)


def _secondary(
    frame: pd.DataFrame,
    hidden: pd.DataFrame,
    cells: list[str],
    count_columns: list[str],
    group_columns: list[str],
    reasons: dict[object, list[str]],
) -> None:
    """Hide complementary cells until no group column or row has exactly one hidden cell.

    Works on plain dicts of the flags and values (written back to ``hidden`` at the end): the
    loop reads cells hundreds of thousands of times for a national wave, and a pandas scalar
    lookup per read made that minutes.
    """
    values = {
        column: dict(zip(frame.index, _numeric(frame[column]).tolist(), strict=True))
        for column in cells
    }
    flags = {
        column: dict(zip(hidden.index, hidden[column].tolist(), strict=True)) for column in cells
    }
    if group_columns:
        groups = [part.index.tolist() for _, part in frame.groupby(group_columns, dropna=False)]
    else:
        groups = []
    changed, touched = True, False
    while changed:
        changed = False
        for members in groups:
            if len(members) < 2:
                continue
            for column in cells:
                if _hide_partner(members, column, values[column], flags[column], reasons):
                    changed = touched = True
        if len(count_columns) > 1:
            for index in frame.index:
                row_hidden = [c for c in count_columns if flags[c][index]]
                if len(row_hidden) != 1:
                    continue
                visible = [c for c in count_columns if not flags[c][index]]
                partner = _smallest(visible, lambda c, i=index: values[c][i])
                if partner is not None:
                    flags[partner][index] = True
                    _add(reasons, index, SECONDARY)
                    changed = touched = True
    if touched:  # (only then: a frame whose labels repeat is left exactly as it came)
        for column in cells:
            hidden[column] = [flags[column][index] for index in hidden.index]


def _hide_partner(members: list, column: str, values: dict, hidden: dict, reasons: dict) -> bool:
    """``hidden`` and ``values`` are one column's flags and numbers by row label."""
    flagged = [index for index in members if hidden[index]]
    if len(flagged) != 1:
        return False
    visible = [index for index in members if not hidden[index]]
    partner = _smallest(visible, lambda index: values[index])
    if partner is None:
        return False
    hidden[partner] = True
    _add(reasons, partner, SECONDARY)
    return True


def _smallest(candidates: list, value_of) -> object | None:
    """The candidate with the smallest positive value (a hidden zero protects nothing)."""
    positive = [c for c in candidates if pd.notna(value_of(c)) and value_of(c) > 0]
    pool = positive or [c for c in candidates if pd.notna(value_of(c))]
    if not pool:
        return None
    return min(pool, key=value_of)


def _add(reasons: dict, index: object, reason: str) -> None:
    if reason not in reasons[index]:
        reasons[index].append(reason)


def _round_half_away(series: pd.Series, base: int) -> pd.Series:
    numbers = pd.to_numeric(series, errors="coerce").astype(float)
    rounded = np.sign(numbers) * np.floor(np.abs(numbers) / base + 0.5) * base
    return _as_counts(pd.Series(rounded, index=series.index))


def _as_counts(numbers: pd.Series) -> pd.Series:
    """Whole-number counts as nullable integers; estimated (fractional) counts stay floats."""
    present = numbers.dropna()
    if (present == present.round()).all():
        return numbers.astype("Int64")
    return numbers
