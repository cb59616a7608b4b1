"""The one analysis API: every face (CLI, dashboards, reports, notebooks) calls these.

See docs/analysis-api.md for each function's columns.
"""

from pipeline.analysis.actions import action_history, actions, you_said
from pipeline.analysis.benchmarks import benchmark_table
from pipeline.analysis.budgets import budget_summary
from pipeline.analysis.collection import reminder_codes, sample_draws, sample_status
from pipeline.analysis.comments import (
    approved_quotes,
    area_code,
    comments,
    moderation_queue,
)
from pipeline.analysis.councils import compare_councils, funnel_limits
from pipeline.analysis.drivers import driver_crosstabs, drivers
from pipeline.analysis.geography import council_geography
from pipeline.analysis.inventory import (
    available,
    councils,
    domains,
    loaded_council,
    loads,
    open_database,
    quarantine,
    unmatched_columns,
    waves,
)
from pipeline.analysis.making_it_real import making_it_real, making_it_real_framework
from pipeline.analysis.means import mean_scores
from pipeline.analysis.official import official_measures
from pipeline.analysis.peers import ascof_peer_summary, comparator_group
from pipeline.analysis.results import NoDataError, answer_groups, distribution, results
from pipeline.analysis.subgroups import SUBGROUPS, subgroups
from pipeline.analysis.trends import trends, wave_changes
from pipeline.analysis.weighting import (
    response_rates,
    stratified_estimate,
    weighted_results,
    weights,
)
from pipeline.disclosure import protect

__all__ = [
    "action_history",
    "actions",
    "you_said",
    "making_it_real",
    "making_it_real_framework",
    "official_measures",
    "SUBGROUPS",
    "NoDataError",
    "answer_groups",
    "ascof_peer_summary",
    "approved_quotes",
    "area_code",
    "available",
    "benchmark_table",
    "budget_summary",
    "comments",
    "comparator_group",
    "compare_councils",
    "council_geography",
    "councils",
    "loaded_council",
    "distribution",
    "domains",
    "driver_crosstabs",
    "drivers",
    "funnel_limits",
    "loads",
    "mean_scores",
    "moderation_queue",
    "open_database",
    "protect",
    "quarantine",
    "reminder_codes",
    "response_rates",
    "results",
    "sample_draws",
    "sample_status",
    "stratified_estimate",
    "subgroups",
    "trends",
    "unmatched_columns",
    "wave_changes",
    "waves",
    "weighted_results",
    "weights",
]
