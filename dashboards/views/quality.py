"""Data quality: loads with lineage, quarantine with reasons, unmatched columns, coverage."""

from __future__ import annotations

from dashboards.data import query
from dashboards.render import Table, View
from dashboards.state import Filters

LOAD_COLUMNS = [
    "load_id",
    "kind",
    "instrument",
    "council",
    "wave",
    "file_name",
    "sha256",
    "sheet",
    "rows_read",
    "rows_loaded",
    "rows_quarantined",
    "values_quarantined",
    "loaded_at",
]


def build(filters: Filters, role: str) -> View:
    """Commissioners only: lineage and quarantine describe individual rows of councils' files."""
    view = View(title="Data quality")
    loads = query("loads")
    view.tables.append(
        Table("loads", "Loads and their lineage", loads[[c for c in LOAD_COLUMNS if c in loads]])
    )
    view.tables.append(Table("quarantine", "Quarantined values and rows", query("quarantine")))
    view.tables.append(
        Table("unmatched", "Columns that matched no question", query("unmatched_columns"))
    )
    rates = query(
        "response_rates", council=filters.council, wave=filters.wave, instrument=filters.instrument
    )
    view.tables.append(Table("response_rates", "Response rates against the budget register", rates))
    return view
