"""The one analysis API: every face (CLI, dashboards, reports, notebooks) calls these.

See docs/analysis-api.md for each function's columns.
"""

from pipeline.analysis.benchmarks import (
    BenchmarkFileError,
    LoadResult,
    benchmark_table,
    load_benchmark_file,
)
from pipeline.analysis.councils import compare_councils, funnel_limits
from pipeline.analysis.inventory import (
    available,
    councils,
    domains,
    loads,
    open_database,
    quarantine,
    unmatched_columns,
    waves,
)
from pipeline.analysis.results import NoDataError, answer_groups, distribution, results
from pipeline.analysis.trends import trends, wave_changes
from pipeline.disclosure import protect

__all__ = [
    "BenchmarkFileError",
    "LoadResult",
    "NoDataError",
    "answer_groups",
    "available",
    "benchmark_table",
    "compare_councils",
    "councils",
    "distribution",
    "domains",
    "funnel_limits",
    "load_benchmark_file",
    "loads",
    "open_database",
    "protect",
    "quarantine",
    "results",
    "trends",
    "unmatched_columns",
    "wave_changes",
    "waves",
]

# part B
from pipeline.analysis.budgets import budget_summary  # noqa: E402
from pipeline.analysis.drivers import driver_crosstabs, drivers  # noqa: E402
from pipeline.analysis.subgroups import SUBGROUPS, subgroups  # noqa: E402
from pipeline.analysis.weighting import (  # noqa: E402
    response_rates,
    stratified_estimate,
    weighted_results,
    weights,
)

__all__ += [
    "SUBGROUPS",
    "budget_summary",
    "driver_crosstabs",
    "drivers",
    "response_rates",
    "stratified_estimate",
    "subgroups",
    "weighted_results",
    "weights",
]
