"""Every page's view for the current filters, for the Downloads page and the benchmark."""

from __future__ import annotations

from collections.abc import Callable

from dashboards.auth import COMMISSIONER
from dashboards.render import View
from dashboards.state import Filters
from dashboards.views import budgets, carers, compare, outcomes, overview, process, quality, trends


def builders(
    filters: Filters,
    role: str,
    *,
    domain: str | None = None,
    outcome: str | None = None,
    peers: list[str] | None = None,
) -> dict[str, Callable[[], View]]:
    """Page name -> a function building that page's view (page choices default sensibly)."""
    labels = outcomes.domain_choices(filters.instrument)
    domain = domain if domain in labels else next(iter(labels))
    default_outcome = "out_quality_of_life" if "out_quality_of_life" in labels else domain
    outcome = outcome if outcome in labels else default_outcome
    pages: dict[str, Callable[[], View]] = {
        "Overview": lambda: overview.build(filters, role),
        "Outcomes": lambda: outcomes.build(filters, role, domain),
        "Trends": lambda: trends.build(filters, role),
        "Process": lambda: process.build(filters, role, outcome, labels[outcome]),
        "Budgets": lambda: budgets.build(filters, role),
        "Carers": lambda: carers.build(filters, role),
        "Compare councils": lambda: compare.build(filters, role, domain, labels[domain], peers),
    }
    if role == COMMISSIONER:
        pages["Data quality"] = lambda: quality.build(filters, role)
    return pages
