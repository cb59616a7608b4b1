"""Data quality: loads with lineage, quarantine with reasons, unmatched columns, coverage, and
the survey in progress (returns against the sample by stratum and channel)."""

from __future__ import annotations

import math

import pandas as pd

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
    _tracking(view, filters)
    return view


SAMPLE_TITLE = "Returns against the sample, by stratum and channel"


def _draw(filters: Filters) -> pd.Series | None:
    """The sample drawn for the sidebar's council, wave and survey, if there is one."""
    if not filters.council or not filters.wave:
        return None
    draws = query("sample_draws", council=filters.council, wave=filters.wave)
    draws = draws[draws["instrument"] == filters.instrument]
    return None if draws.empty else draws.iloc[0]


def _tracking(view: View, filters: Filters) -> None:
    """Returns so far against the sample, the response rate and the margin reached."""
    draw = _draw(filters)
    if draw is None:
        view.notes.append(
            f"No sample has been drawn for {filters.council}, wave {filters.wave} "
            f"({filters.instrument}), so there are no returns to track against one "
            "(`outcomes sample`)."
        )
        return
    status = query(
        "sample_status", council=filters.council, wave=filters.wave, instrument=filters.instrument
    )
    total = status[status["stratum"] == "All strata"].iloc[0]
    margin = total["margin"]
    view.metrics.update(
        {
            "Invited": f"{int(total['sampled']):,}",
            "Returned": f"{int(total['returned']):,} ({total['response_rate']:.1f}%)",
            "Online / paper / file": (
                f"{int(total['returned_online'])} / {int(total['returned_paper'])} / "
                f"{int(total['returned_file'])}"
            ),
            "Margin reached": "not yet" if math.isnan(margin) else f"±{margin:.1f} points",
        }
    )
    expected = draw["expected_margin"]
    view.explanations.append(
        f"Sample {int(draw['sample_id'])} drew {int(total['sampled']):,} of "
        f"{int(draw['population']):,} eligible people (seed {int(draw['seed'])}). The margin of "
        "error reached is the widest a result of 50% would have with the returns so far, "
        "weighted by stratum against the register"
        + ("" if pd.isna(expected) else f"; the draw expected ±{expected:.1f} at the close")
        + "."
    )
    view.tables.append(Table("sample_status", SAMPLE_TITLE, status))


def reminders(filters: Filters) -> pd.DataFrame | None:
    """Invitation codes of sampled people who have not answered (None without a sample)."""
    if _draw(filters) is None:
        return None
    return query(
        "reminder_codes", council=filters.council, wave=filters.wave, instrument=filters.instrument
    )
