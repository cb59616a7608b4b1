"""Carers: the Overview's content for the carers' survey (``poet-carer``)."""

from __future__ import annotations

from dashboards.render import View
from dashboards.state import Filters
from dashboards.views import overview

CARER_INSTRUMENT = "poet-carer"


def build(filters: Filters, role: str) -> View:
    """The carers' overview for the selected council and wave, or a note if none is loaded."""
    if overview.base_size(filters, CARER_INSTRUMENT) == 0:
        return View(
            title="Carers",
            notes=[f"No carers' survey is loaded for {filters.council}, wave {filters.wave}."],
        )
    return overview.build(filters, role, instrument=CARER_INSTRUMENT)
