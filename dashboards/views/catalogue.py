"""Every page's view for the current filters, for the Downloads page and the benchmark."""

from __future__ import annotations

from collections.abc import Callable

from dashboards.auth import COMMISSIONER
from dashboards.plain import page_view
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
    """Page name -> a function building that page's view (page choices default sensibly).

    Each view gets the filters as its own page applies them (no subgroup on Overview, no
    weighting on Outcomes), so a download holds what that page shows. Views come from the
    pages' own cache (:func:`dashboards.plain.page_view`): a page already seen with these
    filters costs nothing here, and nothing is built until its function is called.
    """
    scoped = {
        name: filters.for_page(page)
        for name, page in {
            "Overview": "overview",
            "Outcomes": "outcomes",
            "Trends": "trends",
            "Process": "process",
            "Budgets": "budgets",
            "Carers": "carers",
            "Compare councils": "compare",
            "Data quality": "data-quality",
        }.items()
    }
    labels = outcomes.domain_choices(filters.instrument)
    domain = domain if domain in labels else next(iter(labels))
    default_outcome = "out_quality_of_life" if "out_quality_of_life" in labels else domain
    outcome = outcome if outcome in labels else default_outcome
    pages: dict[str, Callable[[], View]] = {
        "Overview": lambda: page_view(overview.build, scoped["Overview"], role),
        "Outcomes": lambda: page_view(outcomes.build, scoped["Outcomes"], role, domain),
        "Trends": lambda: page_view(trends.build, scoped["Trends"], role),
        "Process": lambda: page_view(
            process.build, scoped["Process"], role, outcome, labels[outcome]
        ),
        "Budgets": lambda: page_view(budgets.build, scoped["Budgets"], role),
        "Carers": lambda: page_view(carers.build, scoped["Carers"], role),
        "Compare councils": lambda: page_view(
            compare.build, scoped["Compare councils"], role, domain, labels[domain], peers
        ),
    }
    if role == COMMISSIONER:
        pages["Data quality"] = lambda: page_view(quality.build, scoped["Data quality"], role)
    return pages


def every_sheet(pages: dict[str, Callable[[], View]]) -> dict:
    """Every page's charts' data and tables as workbook sheets (sheet name -> frame), building
    each view now: the Downloads page calls this only when its one-workbook button is clicked."""
    from pipeline.present.exports import excel_sheet_name

    sheets: dict = {}
    taken: set[str] = set()
    for name, build in pages.items():
        view = build()
        for chart in view.charts:
            sheets[excel_sheet_name(f"{name} {chart.title}", taken)] = chart.download
        for table in view.tables:
            sheets[excel_sheet_name(f"{name} {table.title}", taken)] = table.download
    return sheets
