"""Where a loaded council sits in official geography: its ONS code, region and council type.

ASCOF rows are keyed by ONS code at council, region and England level (migration 008), and a
council's survey results are keyed by its register name. This module is the join between the
two: the ``councils`` table holds the ONS code of each loaded council (and, from migration 009,
its region and type), and the council register (surveys/councils.csv) supplies what an older
database did not record.
"""

from __future__ import annotations

import duckdb

from pipeline.analysis.sql_files import run_sql
from pipeline.council_register import Council, lookup_council

ENGLAND_CODE = "E92000001"


def register_council(con: duckdb.DuckDBPyConnection | None, council: str) -> Council | None:
    """The register entry for ``council`` (a stored name, a variant or an ONS code), if any.

    A council stored in the database with an ONS code resolves by that code, so a stored name
    that the register spells differently still finds its geography. ``None`` for a council
    given with ``--new-council`` (a test council, a Welsh area, a provider).
    """
    if con is not None:
        try:
            stored = run_sql(con, "stored_ons_code", {"council": council}).values.tolist()
        except duckdb.CatalogException:  # a database from before migration 005
            stored = []
        if stored:
            found = lookup_council(stored[0][0])
            if found is not None:
                return found
    found = lookup_council(council)
    return found if found is not None and found.registered else None


def council_geography(con: duckdb.DuckDBPyConnection, council: str) -> dict:
    """The council's official geography: name, ONS and CASSR codes, region, council type.

    Keys: ``council`` (register name, or the text given when unregistered), ``ons_code``,
    ``cassr_code``, ``region_code``, ``region_name``, ``council_type``, ``england_code``,
    ``registered`` (in the register) and ``loaded`` (in the database's ``councils`` table).
    Unregistered councils have ``None`` for the codes: they line up with no ASCOF row.
    """
    found = register_council(con, council)
    try:
        loaded_names = set(run_sql(con, "council_names")["name"])
    except duckdb.CatalogException:
        loaded_names = set()
    name = found.name if found else council
    return {
        "council": name,
        "ons_code": found.ons_code if found else None,
        "cassr_code": found.cassr_code if found else None,
        "region_code": found.region_code if found else None,
        "region_name": found.region_name if found else None,
        "council_type": found.council_type if found else None,
        "england_code": ENGLAND_CODE,
        "registered": found is not None,
        "loaded": name in loaded_names or council in loaded_names,
    }
