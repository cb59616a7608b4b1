"""Comparator groups and how a council's ASCOF values sit among its peers'.

Three groups, each a list of register names with the selected council first:

- ``comparator``: the council's nearest neighbours as loaded with ``outcomes ingest peers``
  (CIPFA, LG Inform or NHS England files), nearest first;
- ``region``: the councils of its region in the council register, existing today;
- ``type``: the councils of its type (county council, unitary authority, metropolitan district,
  London borough) in the register, existing today.

The selected council is never dropped: it is always shown beside its group, so a chart or table
of "my comparator group" has the council in it even when the file left it out. Survey pooling
(``outcomes compare --peers``) uses the group's members that have survey data loaded.
"""

from __future__ import annotations

from datetime import date

import duckdb
import pandas as pd

from pipeline.council_register import councils_on

from .geography import ENGLAND_CODE, register_council
from .sql_files import run_sql

GROUPS = ("comparator", "region", "type")
GROUP_LABELS = {
    "comparator": "comparator group",
    "region": "councils in the region",
    "type": "councils of the same type",
}


def comparator_group(
    con: duckdb.DuckDBPyConnection, council: str, group: str = "comparator"
) -> list[str]:
    """The council followed by the members of its ``group`` (register names, no repeats).

    ``comparator`` with no file loaded for the council is just ``[council]``; so are ``region``
    and ``type`` for a council outside the register. An unknown ``group`` is a ``ValueError``.
    """
    if group not in GROUPS:
        raise ValueError(f"unknown comparator group {group!r}; choose {', '.join(GROUPS)}")
    found = register_council(con, council)
    name = found.name if found else council
    members: list[str] = []
    if group == "comparator":
        try:
            members = run_sql(con, "peer_group", {"council": name})["peer"].tolist()
        except duckdb.CatalogException:  # a database from before migration 009
            members = []
    elif found is not None:
        attribute = "region_code" if group == "region" else "council_type"
        wanted = getattr(found, attribute)
        if wanted is not None:
            members = sorted(
                c.name for c in councils_on(date.today()) if getattr(c, attribute) == wanted
            )
    return list(dict.fromkeys([name, *members]))


def loaded_members(con: duckdb.DuckDBPyConnection, members: list[str]) -> list[str]:
    """The members of a group with survey returns loaded (the ones survey pooling can use)."""
    loaded = set(run_sql(con, "loaded_survey_councils")["council"])
    return [m for m in members if m in loaded]


SUMMARY_COLUMNS = [
    "measure_id",
    "measure_code",
    "breakdown",
    "label",
    "polarity",
    "year",
    "council",
    "council_value",
    "peer_mean",
    "peer_min",
    "peer_max",
    "n_peers",
    "n_group",
    "region",
    "region_value",
    "england_value",
]


def ascof_peer_summary(
    con: duckdb.DuckDBPyConnection,
    council: str,
    group: str,
    measure_codes: list[str] | None = None,
) -> pd.DataFrame:
    """Per ASCOF measure and year: the council's value, its peers' mean, min and max, how many
    peers had a value, and the region's and England's values, from the loaded ASCOF files.

    Peers are the group without the council itself, so the mean compares the council with the
    others. ``measure_codes`` ("1A", "2023:1A" or a full ``ascof:...`` measure id) keeps only
    those measures. ``n_group`` is the number of peers in the group whether or not they have a
    value; a peer without a register ONS code cannot line up with ASCOF rows and has none.
    Columns: see ``SUMMARY_COLUMNS``.
    """
    members = comparator_group(con, council, group)
    name, peers = members[0], members[1:]
    found = register_council(con, name)
    peer_codes = {}
    for peer in peers:
        entry = register_council(con, peer)
        if entry is not None and entry.ons_code:
            peer_codes[entry.ons_code] = peer
    own_code = found.ons_code if found else None

    def values(level: str, codes: list[str]) -> pd.DataFrame:
        if not codes:
            return pd.DataFrame(columns=["measure_id", "year", "area_code", "value"])
        return run_sql(con, "ascof_area_values", {"level": level, "codes": codes})

    own = values("council", [own_code] if own_code else [])
    others = values("council", list(peer_codes))
    region = values("region", [found.region_code] if found and found.region_code else [])
    england = values("England", [ENGLAND_CODE])
    keys = pd.concat([own, others], ignore_index=True)
    if keys.empty:
        return pd.DataFrame(columns=SUMMARY_COLUMNS)
    index = keys.drop_duplicates(["measure_id", "year"])[
        ["measure_id", "year", "label", "polarity"]
    ]
    stats = (
        others.dropna(subset=["value"])
        .groupby(["measure_id", "year"])["value"]
        .agg(peer_mean="mean", peer_min="min", peer_max="max", n_peers="count")
        .reset_index()
        if not others.empty
        else pd.DataFrame(
            columns=["measure_id", "year", "peer_mean", "peer_min", "peer_max", "n_peers"]
        )
    )
    out = index.merge(stats, on=["measure_id", "year"], how="left")
    for frame, column in (
        (own, "council_value"),
        (region, "region_value"),
        (england, "england_value"),
    ):
        part = frame[["measure_id", "year", "value"]].rename(columns={"value": column})
        out = out.merge(
            part.drop_duplicates(["measure_id", "year"]), on=["measure_id", "year"], how="left"
        )
    out["measure_code"] = out["measure_id"].str.split(":").str[2]
    out["breakdown"] = out["measure_id"].str.split(":").str[3]
    out["council"] = name
    out["n_group"] = len(peers)
    out["n_peers"] = out["n_peers"].fillna(0).astype(int)
    out["region"] = found.region_name if found else None
    if measure_codes:
        wanted = {str(c).strip() for c in measure_codes}
        framework_code = out["measure_id"].str.split(":").str[1] + ":" + out["measure_code"]
        keep = (
            out["measure_code"].isin(wanted)
            | framework_code.isin(wanted)
            | out["measure_id"].isin(wanted)
        )
        out = out[keep]
    for column in (
        "council_value",
        "peer_mean",
        "peer_min",
        "peer_max",
        "region_value",
        "england_value",
    ):
        out[column] = pd.to_numeric(out[column], errors="coerce").astype(float)
    out["year"] = out["year"].astype(int)
    return out[SUMMARY_COLUMNS].sort_values(["measure_id", "year"]).reset_index(drop=True)
