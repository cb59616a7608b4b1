"""Official measures: the council's ASCOF figures beside England's and its region's.

The survey results say what budget holders told us; ASCOF (loaded by ``outcomes ingest
benchmark``, or shipped for England) says what the official statistics say about the same
topics: self-directed support and direct payments, control over daily life, satisfaction,
feeling safe and quality of life. Which codes those are is data
(``surveys/benchmarks/official-measures.yaml``), because the 2023-24 framework reused codes
with new meanings (satisfaction 3A became 1D, control 1B became 3A): each topic names its code
in both frameworks, and every row says which framework it is from so the break is visible
rather than drawn as a trend.

This is context, never a significance test: ASCOF figures are official aggregates of a
different survey (and, for direct payments, of administrative returns).
"""

from __future__ import annotations

import csv
import re
from functools import cache

import duckdb
import pandas as pd

from pipeline import yaml_files
from pipeline.config import surveys_dir
from pipeline.council_register import Council, UnknownCouncil, resolve_council

from .peers import comparator_group
from .sql_files import run_sql

__all__ = ["FRAMEWORK_NAMES", "OFFICIAL_COLUMNS", "official_measure_list", "official_measures"]

ENGLAND_CODE = "E92000001"
FRAMEWORK_NAMES = {2010: "2010-based framework", 2023: "2023-24 framework"}
MARKER_WORDS = {"[c]": "suppressed", "[x]": "not collected", "[z]": "not applicable"}
OFFICIAL_COLUMNS = [
    "topic",
    "framework",
    "framework_name",
    "code",
    "measure_id",
    "definition",
    "unit",
    "polarity",
    "year",
    "period",
    "council",
    "council_value",
    "council_note",
    "region",
    "region_value",
    "region_note",
    "england_value",
    "england_note",
    "peer_mean",
    "peer_min",
    "peer_max",
    "peer_councils",
    "source",
]


@cache
def _definitions() -> dict[tuple[int, str], dict]:
    path = surveys_dir() / "benchmarks" / "ascof-measures.csv"
    with path.open(encoding="utf-8", newline="") as handle:
        return {(int(row["valid_from"]), row["code"]): row for row in csv.DictReader(handle)}


@cache
def official_measure_list() -> pd.DataFrame:
    """The chosen measures, one row per topic and framework, in the order shown.

    Read from ``official-measures.yaml`` and typed from ``ascof-measures.csv``; a code not in
    the definitions is a data error, refused here rather than shown without a definition.
    """
    path = surveys_dir() / "benchmarks" / "official-measures.yaml"
    entries = yaml_files.safe_load(path.read_text(encoding="utf-8"))["measures"]
    definitions = _definitions()
    rows = []
    for order, entry in enumerate(entries):
        for framework, code in sorted(entry["codes"].items()):
            definition = definitions.get((int(framework), str(code)))
            if definition is None:
                raise ValueError(
                    f"{path.name}: {entry['topic']}: ASCOF {code} is not a measure of the "
                    f"{FRAMEWORK_NAMES.get(int(framework), framework)} in ascof-measures.csv"
                )
            rows.append(
                {
                    "order": order,
                    "topic": entry["topic"],
                    "framework": int(framework),
                    "framework_name": FRAMEWORK_NAMES[int(framework)],
                    "code": str(code),
                    "measure_id": f"ascof:{int(framework)}:{code}",
                    "definition": definition["definition"],
                    "unit": definition["unit"],
                    "polarity": definition["polarity"],
                }
            )
    return pd.DataFrame(rows)


def _council(council: str | Council) -> Council:
    """The register's council; one given with --new-council (not registered) has no codes, so
    only England's figures can be set beside it."""
    if isinstance(council, Council):
        return council
    try:
        return resolve_council(council)
    except UnknownCouncil:
        return Council(str(council), None, None, None, None, None, None, None, registered=False)


def _note(note: object) -> str | None:
    """Why the published value is missing, in words: the Outcome row's marker ("[c]
    suppressed" becomes "suppressed"), or "not published" when the file had no Outcome row."""
    if not isinstance(note, str) or not note:
        return None
    for part in note.split("; "):
        if part.startswith("Outcome "):
            return re.sub(r"\[[a-z]\]\s*", "", part.removeprefix("Outcome ")).strip() or None
    return "not published" if "no Outcome row" in note else None


def official_measures(
    con: duckdb.DuckDBPyConnection,
    council: str | Council,
    *,
    measures: list[str] | None = None,
    group: str | None = None,
    peers: list[str] | None = None,
) -> pd.DataFrame:
    """The council's official measures against England and its region, every year loaded.

    One row per chosen measure (``official-measures.yaml``) and year with any figure for the
    council, its region or England. ``measures`` keeps only those codes, measure ids or topics.
    ``peers`` (council names) or ``group`` (``comparator``, ``region`` or ``type``, as
    :func:`pipeline.analysis.peers.comparator_group` resolves it)
    add the peers' mean, lowest and highest value and how many peers had one. Missing values
    keep the published reason in ``*_note``.
    """
    chosen = official_measure_list()
    if measures is not None:
        wanted = set(measures)
        chosen = chosen[
            chosen["code"].isin(wanted)
            | chosen["measure_id"].isin(wanted)
            | chosen["topic"].isin(wanted)
        ]
    place = _council(council)
    if peers is None and group is not None:
        peers = comparator_group(con, place.name, group)[1:]
    peer_codes = {_council(name).ons_code for name in peers or []} - {place.ons_code, None}

    rows = run_sql(con, "official_rows", {"measure_ids": chosen["measure_id"].tolist()})
    own = rows[rows["area_code"].eq(place.ons_code)] if place.ons_code else rows.iloc[0:0]
    region = rows[rows["area_code"].eq(place.region_code)] if place.region_code else rows.iloc[0:0]
    england = rows[rows["area_code"].eq(ENGLAND_CODE) | rows["area"].eq("England")]
    england = england.drop_duplicates(["measure_id", "year"])
    peer_rows = rows[rows["area_code"].isin(peer_codes) & rows["value"].notna()]

    keys = pd.concat([own, region, england])[["measure_id", "year"]].drop_duplicates()
    out = chosen.merge(keys, on="measure_id", how="inner")

    def side(frame: pd.DataFrame, prefix: str) -> pd.DataFrame:
        part = frame[["measure_id", "year", "value", "value_note", "source"]].rename(
            columns={
                "value": f"{prefix}_value",
                "value_note": f"{prefix}_note",
                "source": f"{prefix}_source",
            }
        )
        return part

    out = out.merge(side(own, "council"), on=["measure_id", "year"], how="left")
    out = out.merge(side(region, "region"), on=["measure_id", "year"], how="left")
    out = out.merge(side(england, "england"), on=["measure_id", "year"], how="left")
    if peers is not None:
        stats = (
            peer_rows.groupby(["measure_id", "year"])["value"]
            .agg(peer_mean="mean", peer_min="min", peer_max="max", peer_councils="count")
            .reset_index()
        )
        out = out.merge(stats, on=["measure_id", "year"], how="left")
        out["peer_councils"] = out["peer_councils"].fillna(0).astype("Int64")
    else:
        for column in ("peer_mean", "peer_min", "peer_max"):
            out[column] = float("nan")
        out["peer_councils"] = pd.array([pd.NA] * len(out), dtype="Int64")
    for prefix in ("council", "region", "england"):
        out[f"{prefix}_note"] = out[f"{prefix}_note"].map(_note)
        out[f"{prefix}_value"] = pd.to_numeric(out[f"{prefix}_value"]).astype(float)
        # a figure with no row at all is "not loaded", which is not the same as suppressed
        missing = out[f"{prefix}_value"].isna() & out[f"{prefix}_note"].isna()
        out.loc[missing, f"{prefix}_note"] = "not loaded"
    out["council"] = place.name
    out["region"] = place.region_name
    out["period"] = [f"{y}-{(y + 1) % 100:02d}" for y in out["year"]]
    out["source"] = [
        "; ".join(dict.fromkeys(s for s in sources if isinstance(s, str)))
        for sources in zip(
            out["council_source"], out["region_source"], out["england_source"], strict=True
        )
    ]
    out["year"] = out["year"].astype(int)
    out = out.sort_values(["order", "year"]).reset_index(drop=True)
    return out[OFFICIAL_COLUMNS]
