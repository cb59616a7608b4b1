"""Benchmarks: which comparator each local result is set against, and the benchmark table.

Three kinds sit side by side (docs/methods.md, "Benchmarks"):

- published national POET figures (``source_kind = 'published'``), many of them bounds such as
  "over 70%", which are compared as bounds;
- a pooled benchmark from the other councils loaded here (leave-one-out), with its own base;
- tables loaded from CSV (``source_kind = 'loaded'``; loaded by :mod:`pipeline.ingest.benchmark_files`).

Benchmarks are found by measure definition (``poet:<question>:<group>``) and year, never by a
bare code. The year chosen is the latest one not after the wave (or the earliest there is).
"""

from __future__ import annotations

import duckdb
import numpy as np
import pandas as pd

from pipeline.config import THRESHOLDS

from .sql_files import run_sql

__all__ = [
    "BENCHMARK_COLUMNS",
    "attach_benchmarks",
    "benchmark_table",
    "poet_measure_id",
]

BENCHMARK_COLUMNS = [
    "benchmark_value",
    "benchmark_kind",
    "benchmark_source",
    "benchmark_year",
    "benchmark_n",
    "benchmark_count",
    "benchmark_label",
    "benchmark_margin",
]

BOUND_WORDS = {"over": "over", "at_least": "at least", "approx": "about"}


def poet_measure_id(question_code: str, group: str) -> str:
    """The measure definition key of a POET share, e.g. ``poet:out_dignity:better``."""
    return f"poet:{question_code}:{group}"


def benchmark_table(con: duckdb.DuckDBPyConnection, instrument: str | None = None) -> pd.DataFrame:
    """Every benchmark row with its provenance; ``instrument`` keeps that instrument's rows."""
    return con.execute(
        "SELECT * FROM benchmarks WHERE $instrument IS NULL OR instrument = $instrument "
        "ORDER BY source_kind DESC, measure_id, year, area",
        {"instrument": instrument},
    ).df()


def attach_benchmarks(
    con: duckdb.DuckDBPyConnection,
    shares: pd.DataFrame,
    *,
    instrument: str,
    wave: int,
    benchmark: str = "auto",
    peers: list[str] | None = None,
    all_councils: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Add the benchmark columns to ``shares`` (one row per council and question).

    ``shares`` carries ``council, question_code, measure, n, count`` and the leave-one-out sums
    ``others_n, others_count, other_councils``. ``benchmark`` is ``auto`` (pooled when at least
    ``THRESHOLDS.pooled_min_other_councils`` others are loaded, else national), ``national``,
    ``pooled``, ``loaded:<source>`` or ``none``. ``peers`` (with ``all_councils``, the per-council
    shares of every council) pools a chosen group instead of all the others.
    """
    out = shares.copy()
    for column in BENCHMARK_COLUMNS:
        out[column] = pd.Series([None] * len(out), index=out.index, dtype=object)
    if benchmark == "none" or out.empty:
        return _typed(out)
    if benchmark not in ("auto", "national", "pooled") and not benchmark.startswith("loaded:"):
        raise ValueError(
            f"benchmark must be auto, national, pooled, loaded:<source> or none, not {benchmark!r}"
        )

    pooled = _pooled(out, peers, all_councils)
    if benchmark.startswith("loaded:"):
        published = _published(con, out, instrument, wave, "loaded", benchmark.split(":", 1)[1])
        use_pooled = pd.Series(False, index=out.index)
    else:
        published = _published(con, out, instrument, wave, "published", None)
        if benchmark == "pooled":
            use_pooled = pd.Series(True, index=out.index)
        elif benchmark == "national":
            use_pooled = pd.Series(False, index=out.index)
        else:
            enough = out["other_councils"] >= THRESHOLDS.pooled_min_other_councils
            use_pooled = enough | (peers is not None)
    for column in BENCHMARK_COLUMNS:
        out[column] = np.where(use_pooled, pooled[column], published[column])
    return _typed(out)


def _typed(frame: pd.DataFrame) -> pd.DataFrame:
    for column in ("benchmark_value", "benchmark_count"):
        frame[column] = pd.to_numeric(frame[column], errors="coerce").astype(float)
    for column in ("benchmark_year", "benchmark_n"):
        frame[column] = pd.to_numeric(frame[column], errors="coerce").astype("Int64")
    return frame


def _pooled(
    shares: pd.DataFrame, peers: list[str] | None, all_councils: pd.DataFrame | None
) -> pd.DataFrame:
    """Leave-one-out pooled shares: all other councils, or the chosen peers other than itself."""
    out = pd.DataFrame(index=shares.index, columns=BENCHMARK_COLUMNS, dtype=object)
    if peers is not None:
        if all_councils is None:
            raise ValueError("peers need the shares of every council (all_councils)")
        group = all_councils[all_councils["council"].isin(peers)]
        totals = group.groupby("question_code")[["n", "count"]].sum()
        councils_in = group[group["n"] > 0].groupby("question_code")["council"].nunique()
        own_in_group = shares["council"].isin(peers).to_numpy()
        base = shares["question_code"].map(totals["n"]).fillna(0).to_numpy()
        count = shares["question_code"].map(totals["count"]).fillna(0).to_numpy()
        base = base - np.where(own_in_group, shares["n"], 0)
        count = count - np.where(own_in_group, shares["count"], 0)
        others = shares["question_code"].map(councils_in).fillna(0).to_numpy() - own_in_group * (
            shares["n"].to_numpy() > 0
        )
        label = "peer group"
    else:
        base = shares["others_n"].to_numpy(dtype=float)
        count = shares["others_count"].to_numpy(dtype=float)
        others = shares["other_councils"].to_numpy()
        label = "other councils"
    has_base = base > 0
    out["benchmark_n"] = np.where(has_base, base, np.nan)
    out["benchmark_count"] = np.where(has_base, count, np.nan)
    with np.errstate(divide="ignore", invalid="ignore"):
        out["benchmark_value"] = np.where(has_base, count / base * 100, np.nan)
    out["benchmark_kind"] = np.where(has_base, "pooled", None)
    out["benchmark_margin"] = np.nan
    out["benchmark_source"] = np.where(
        has_base, [f"{label} pooled ({int(k)} councils)" for k in others], None
    )
    out["benchmark_year"] = np.where(has_base, shares.get("wave", np.nan), np.nan)
    out["benchmark_label"] = [
        f"{int(k)} {label if label == 'other councils' else 'peer councils'} pooled: "
        f"{c / b * 100:.1f}% of {int(b)}"
        if b > 0
        else None
        for k, c, b in zip(others, count, base, strict=True)
    ]
    return out


def _published(
    con: duckdb.DuckDBPyConnection,
    shares: pd.DataFrame,
    instrument: str,
    wave: int,
    source_kind: str,
    source: str | None,
) -> pd.DataFrame:
    """The national (or loaded) row for each question: latest year not after the wave."""
    out = pd.DataFrame(index=shares.index, columns=BENCHMARK_COLUMNS, dtype=object)
    measure_ids = sorted(
        {
            poet_measure_id(q, m)
            for q, m in zip(shares["question_code"], shares["measure"], strict=True)
        }
    )
    rows = run_sql(
        con,
        "benchmark_rows",
        {
            "instrument": instrument,
            "source_kind": source_kind,
            "source": source,
            "measure_ids": measure_ids,
        },
    )
    if rows.empty:
        return out
    if source_kind != "loaded":
        rows = rows[rows["area"].eq("England")].copy()
    rows["england"] = rows["area"].eq("England")
    rows["comparable"] = rows["value_kind"] != "text"
    rows["not_after"] = rows["year"] <= wave
    rows["distance"] = np.where(rows["not_after"], wave - rows["year"], rows["year"] - wave)
    rows = rows.sort_values(
        ["measure_id", "not_after", "comparable", "distance", "england"],
        ascending=[True, False, False, True, False],
    )
    best = rows.drop_duplicates("measure_id").set_index("measure_id")
    keys = [
        poet_measure_id(q, m)
        for q, m in zip(shares["question_code"], shares["measure"], strict=True)
    ]
    chosen = best.reindex(keys)
    chosen.index = shares.index
    kind = chosen["value_kind"]
    if source_kind == "loaded":
        kind = kind.where(kind != "exact", "loaded")
    out["benchmark_value"] = chosen["value"]
    out["benchmark_kind"] = kind
    out["benchmark_source"] = chosen["source"]
    out["benchmark_year"] = chosen["year"]
    out["benchmark_n"] = chosen["base_n"]
    # an "about" figure is only compared with its stated margin of error (compare.py)
    out["benchmark_margin"] = chosen.get("margin_of_error", np.nan)
    numerator = chosen["numerator"]
    # a count is only meaningful for an exact figure with its base (never for a bound)
    derived = (
        (chosen["value"] * chosen["base_n"] / 100).round().where(kind.isin(["exact", "loaded"]))
    )
    out["benchmark_count"] = numerator.where(numerator.notna(), derived)
    out["benchmark_label"] = [
        _published_label(source_name, year, value, value_kind, label)
        if isinstance(source_name, str)
        else None
        for source_name, year, value, value_kind, label in zip(
            chosen["source"],
            chosen["year"],
            chosen["value"],
            chosen["value_kind"],
            chosen["label"],
            strict=True,
        )
    ]
    return out


def _published_label(source: str, year: object, value: float, kind: str, label: object) -> str:
    """Say what the comparator is, and whether it is a bound (benchmarks.md: label bounds)."""
    if kind == "text":
        return f"{source}: {label} (published as text, not a figure)"
    if kind in BOUND_WORDS:
        bound = f"{BOUND_WORDS[kind]} {value:g}%"
        return f"{source}: {bound} ({label}; a published bound, not an exact rate)"
    return f"{source}: {value:g}%"
