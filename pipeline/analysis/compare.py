"""Verdicts: is a local share better, similar or worse than its benchmark, or than last wave?

Rules (docs/methods.md, "Comparisons"):

- Below the minimum base (default 30 answers) a result is "not compared".
- Where the comparator's base is known (pooled councils, loaded tables with a base, an earlier
  wave) a two-proportion z-test is used, with Benjamini-Hochberg adjustment across the domains
  compared together; the verdict follows the adjusted p-value (below 1 - confidence) and the
  direction of the difference.
- An exact published figure with no usable base: "better" / "worse" when it lies outside the
  local interval, "similar" otherwise.
- An approximate figure ("about 60%") is compared only with its stated uncertainty
  (``benchmark_margin``, a margin of error in percentage points): "better" / "worse" when the
  local interval clears the whole range figure +/- margin, "similar" otherwise. Without a margin it
  is "not compared": "about 60%" says nothing about how far from 60% the truth may be.
- A published lower bound ("over 70%", "at least two-thirds") only tells us the national figure
  was somewhere above it, so a local result can never be shown better than it: the only verdicts
  are "below floor" (the whole local interval is under the bound) and "not below floor". An upper
  bound ("under 10%", "at most 5%") is the mirror: "above ceiling" / "not above ceiling".
  A figure published only as text is not compared.

All POET measures are high-is-good; ``polarity="low"`` reverses the words and ``"none"`` says
"higher" / "lower".
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from .intervals import bh_adjust, two_proportion_p

TESTED_KINDS = ("pooled", "loaded")
LOWER_BOUND_KINDS = ("over", "at_least")
UPPER_BOUND_KINDS = ("under", "at_most")
BOUND_KINDS = LOWER_BOUND_KINDS + UPPER_BOUND_KINDS
BOUND_WORDS = {"over": "over", "at_least": "at least", "under": "under", "at_most": "at most"}
# Verdict codes against a bound; other code (palette, wording, exports) keys on these strings.
BELOW_FLOOR, NOT_BELOW_FLOOR = "below floor", "not below floor"
ABOVE_CEILING, NOT_ABOVE_CEILING = "above ceiling", "not above ceiling"
BOUND_VERDICTS = (BELOW_FLOOR, NOT_BELOW_FLOOR, ABOVE_CEILING, NOT_ABOVE_CEILING)


def verdict_words(polarity: str) -> tuple[str, str]:
    """The words for (higher, lower) under a measure's polarity."""
    if polarity == "high":
        return "better", "worse"
    if polarity == "low":
        return "worse", "better"
    return "higher", "lower"


def compare_with_benchmark(
    frame: pd.DataFrame,
    *,
    confidence: float = 0.95,
    min_base: int = 30,
    polarity: str = "high",
    family: list[str] | None = None,
) -> pd.DataFrame:
    """Add ``comparison, comparison_note, p_value, p_adjusted`` to a results frame.

    ``frame`` needs ``n, count, value, lower, upper`` and the benchmark columns. ``family`` names
    the columns whose rows are adjusted together (default: one council's domains at once).
    """
    out = frame.copy()
    higher, lower_word = verdict_words(polarity)
    comparison: list[str] = []
    notes: list[str] = []
    p_values: list[float] = []
    for row in out.itertuples(index=False):
        verdict, note, p_value = _one_comparison(row, min_base, higher, lower_word)
        comparison.append(verdict)
        notes.append(note)
        p_values.append(p_value)
    out["comparison"] = comparison
    out["comparison_note"] = notes
    out["p_value"] = pd.Series(p_values, index=out.index, dtype=float)
    family = [c for c in (family or ["council"]) if c in out.columns]
    if family:
        out["p_adjusted"] = out.groupby(family, dropna=False)["p_value"].transform(bh_adjust)
    else:
        out["p_adjusted"] = bh_adjust(out["p_value"])
    alpha = 1 - confidence
    tested = out["p_value"].notna()
    significant = tested & (out["p_adjusted"] < alpha)
    direction = np.where(out["value"] > out["benchmark_value"], higher, lower_word)
    out.loc[tested, "comparison"] = np.where(significant[tested], direction[tested], "similar")
    out.loc[tested, "comparison_note"] = [
        _test_note(p, q, alpha)
        for p, q in zip(out.loc[tested, "p_value"], out.loc[tested, "p_adjusted"], strict=True)
    ]
    return out


def _one_comparison(row, min_base: int, higher: str, lower_word: str) -> tuple[str, str, float]:
    """Verdict for rows not settled by a test; for tested rows only the p-value."""
    nan = float("nan")
    n = _number(row.n)
    if n < min_base:
        return "not compared", f"base {int(n)} is below the minimum of {min_base}", nan
    kind = row.benchmark_kind
    if not isinstance(kind, str) or not kind:
        return "not compared", "no benchmark for this measure", nan
    if kind == "text":
        return "not compared", "the benchmark was published as text, not a figure", nan
    bench = _number(row.benchmark_value)
    if math.isnan(bench):
        return "not compared", "the benchmark value is not available (suppressed or missing)", nan
    bench_n = _number(row.benchmark_n)
    if kind in TESTED_KINDS and not math.isnan(bench_n) and bench_n > 0:
        if bench_n < min_base:
            return "not compared", f"benchmark base {int(bench_n)} is below {min_base}", nan
        bench_count = _number(row.benchmark_count)
        if math.isnan(bench_count):
            bench_count = round(bench * bench_n / 100)
        return "", "", two_proportion_p(_number(row.count), n, bench_count, bench_n)
    low, high = _number(row.lower), _number(row.upper)
    span = f"local interval {low:.1f}-{high:.1f}%"
    if kind in LOWER_BOUND_KINDS:
        bound = f"{BOUND_WORDS[kind]} {bench:g}%"
        # "over 70%" excludes 70 itself, "at least 70%" includes it
        below = high <= bench if kind == "over" else high < bench
        if below:
            return BELOW_FLOOR, f"{span} lies wholly below the published floor ({bound})", nan
        return (
            NOT_BELOW_FLOOR,
            f"{span} is not wholly below the published floor ({bound}); a floor cannot show a "
            "result better than the national figure",
            nan,
        )
    if kind in UPPER_BOUND_KINDS:
        bound = f"{BOUND_WORDS[kind]} {bench:g}%"
        above = low >= bench if kind == "under" else low > bench
        if above:
            return ABOVE_CEILING, f"{span} lies wholly above the published ceiling ({bound})", nan
        return (
            NOT_ABOVE_CEILING,
            f"{span} is not wholly above the published ceiling ({bound}); a ceiling cannot show "
            "a result below the national figure",
            nan,
        )
    if kind == "approx":
        margin = _number(getattr(row, "benchmark_margin", float("nan")))
        if math.isnan(margin) or margin < 0:
            return (
                "not compared",
                f"the benchmark was published as about {bench:g}% with no margin of error",
                nan,
            )
        b_low, b_high = bench - margin, bench + margin
        figure = f"benchmark about {bench:g}% (+/- {margin:g}, so {b_low:g}-{b_high:g}%)"
        if low > b_high:
            return higher, f"{figure} lies below the {span}", nan
        if high < b_low:
            return lower_word, f"{figure} lies above the {span}", nan
        return "similar", f"{figure} overlaps the {span}", nan
    if bench < low:
        return higher, f"benchmark {bench:g}% lies below the {span}", nan
    if bench > high:
        return lower_word, f"benchmark {bench:g}% lies above the {span}", nan
    return "similar", f"benchmark {bench:g}% lies inside the {span}", nan


def _test_note(p_value: float, p_adjusted: float, alpha: float) -> str:
    return (
        f"two-proportion test p={p_value:.3g}, Benjamini-Hochberg adjusted p={p_adjusted:.3g} "
        f"(significant below {alpha:g})"
    )


def _number(value: object) -> float:
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return float("nan")
    return number


def compare_two_samples(
    frame: pd.DataFrame,
    *,
    confidence: float = 0.95,
    min_base: int = 30,
    family: list[str] | None = None,
    improved: str = "improved",
    worse: str = "worse",
    same: str = "no change",
) -> pd.DataFrame:
    """Two-proportion tests of ``count/n`` against ``previous_count/previous_n`` per row.

    Adds ``difference`` (percentage points), ``p_value``, ``p_adjusted`` (BH within ``family``)
    and ``verdict``; rows where either base is under ``min_base`` are "not compared".
    """
    out = frame.copy()
    n = pd.to_numeric(out["n"], errors="coerce").fillna(0)
    previous_n = pd.to_numeric(out["previous_n"], errors="coerce").fillna(0)
    out["difference"] = out["value"] - out["previous_value"]
    comparable = (n >= min_base) & (previous_n >= min_base)
    out["p_value"] = [
        two_proportion_p(c, b, pc, pb) if ok else np.nan
        for c, b, pc, pb, ok in zip(
            out["count"], n, out["previous_count"], previous_n, comparable, strict=True
        )
    ]
    family = [c for c in (family or []) if c in out.columns]
    if family:
        out["p_adjusted"] = out.groupby(family, dropna=False)["p_value"].transform(bh_adjust)
    else:
        out["p_adjusted"] = bh_adjust(out["p_value"])
    significant = out["p_adjusted"] < (1 - confidence)
    out["verdict"] = np.select(
        [~comparable, significant & (out["difference"] > 0), significant & (out["difference"] < 0)],
        ["not compared", improved, worse],
        default=same,
    )
    out["verdict_note"] = np.where(
        comparable,
        "",
        [
            f"a base below the minimum of {min_base} (now {int(a)}, before {int(b)})"
            for a, b in zip(n, previous_n, strict=True)
        ],
    )
    return out
