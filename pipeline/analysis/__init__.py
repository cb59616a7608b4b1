"""The one analysis API: every face (CLI, dashboards, reports, notebooks) calls these.

See docs/analysis-api.md for each function's columns.

Names are imported on first use (PEP 562), not all at once: ``from pipeline.analysis import
loads`` loads the inventory module alone, so a command that lists loads does not pay for the
modules behind drivers or sampling (issue 12). Add a name with its module to ``_API``.
"""

from __future__ import annotations

import importlib
import sys
import types
from typing import Any

# Each public name and the module that defines it.
_API: dict[str, str] = {
    "action_history": "pipeline.analysis.actions",
    "actions": "pipeline.analysis.actions",
    "you_said": "pipeline.analysis.actions",
    "benchmark_table": "pipeline.analysis.benchmarks",
    "budget_summary": "pipeline.analysis.budgets",
    "reminder_codes": "pipeline.analysis.collection",
    "sample_draws": "pipeline.analysis.collection",
    "sample_status": "pipeline.analysis.collection",
    "approved_quotes": "pipeline.analysis.comments",
    "area_code": "pipeline.analysis.comments",
    "comments": "pipeline.analysis.comments",
    "moderation_queue": "pipeline.analysis.comments",
    "compare_councils": "pipeline.analysis.councils",
    "funnel_limits": "pipeline.analysis.councils",
    "driver_crosstabs": "pipeline.analysis.drivers",
    "drivers": "pipeline.analysis.drivers",
    "council_geography": "pipeline.analysis.geography",
    "available": "pipeline.analysis.inventory",
    "councils": "pipeline.analysis.inventory",
    "domains": "pipeline.analysis.inventory",
    "loaded_council": "pipeline.analysis.inventory",
    "loads": "pipeline.analysis.inventory",
    "open_database": "pipeline.analysis.inventory",
    "quarantine": "pipeline.analysis.inventory",
    "unmatched_columns": "pipeline.analysis.inventory",
    "waves": "pipeline.analysis.inventory",
    "making_it_real": "pipeline.analysis.making_it_real",
    "making_it_real_framework": "pipeline.analysis.making_it_real",
    "mean_scores": "pipeline.analysis.means",
    "official_measures": "pipeline.analysis.official",
    "ascof_peer_summary": "pipeline.analysis.peers",
    "comparator_group": "pipeline.analysis.peers",
    "people_like_me": "pipeline.analysis.people_like_me",
    "SITUATIONS": "pipeline.analysis.people_like_me",
    "peer_responses": "pipeline.analysis.responses",
    "published_responses": "pipeline.analysis.responses",
    "answer_groups": "pipeline.analysis.results",
    "distribution": "pipeline.analysis.results",
    "NoDataError": "pipeline.analysis.results",
    "results": "pipeline.analysis.results",
    "process_answer_spreads": "pipeline.analysis.spreads",
    "SUBGROUPS": "pipeline.analysis.subgroups",
    "subgroups": "pipeline.analysis.subgroups",
    "trends": "pipeline.analysis.trends",
    "wave_changes": "pipeline.analysis.trends",
    "response_rates": "pipeline.analysis.weighting",
    "stratified_estimate": "pipeline.analysis.weighting",
    "weighted_results": "pipeline.analysis.weighting",
    "weights": "pipeline.analysis.weighting",
    "protect": "pipeline.disclosure",
}

__all__ = sorted(_API)


def __getattr__(name: str) -> Any:
    module = _API.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value  # next time a plain attribute, no call here
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_API})


class _AnalysisPackage(types.ModuleType):
    """Keeps a function its name when a module of the same name is imported.

    ``results``, ``trends``, ``drivers`` and others are both modules here and the API functions
    they define. Importing ``pipeline.analysis.results`` sets the package's ``results`` to the
    module; the API has always meant the function, so that assignment is ignored and the
    function is found through ``__getattr__`` as before.
    """

    def __setattr__(self, name: str, value: object) -> None:
        if isinstance(value, types.ModuleType) and _API.get(name, "").startswith(__name__ + "."):
            return
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _AnalysisPackage
