"""Process: how easy each step of self-directed support was, and how each step links to outcomes."""

from __future__ import annotations

import pandas as pd

from dashboards.data import query
from dashboards.plain import make_public
from dashboards.render import Chart, View
from dashboards.state import Filters
from pipeline.present import charts
from pipeline.present.plain_tables import INTERVALS_SENTENCE, benchmark_sentence

PROCESS_COLUMNS = [
    "domain",
    "question_code",
    "measure",
    "n",
    "count",
    "value",
    "lower",
    "upper",
    "benchmark_value",
    "comparison",
    "suppressed",
]
DRIVER_COLUMNS = [
    "outcome_domain",
    "term_label",
    "odds_ratio",
    "lower",
    "upper",
    "p_value",
    "n",
    "plain",
]


def process_results(filters: Filters, role: str) -> pd.DataFrame:
    frame = query(
        "results",
        council=filters.council,
        wave=filters.wave,
        instrument=filters.instrument,
        section="process",
        weighted=filters.weighted,
        benchmark="none",
    )
    if role == "commissioner":
        return frame
    from pipeline.disclosure.pages import publish_page_results

    return publish_page_results(frame)  # the whole-page rule, as the reports use


def driver_results(filters: Filters, role: str, outcome: str) -> pd.DataFrame:
    frame = query(
        "drivers",
        council=filters.council,
        wave=filters.wave,
        instrument=filters.instrument,
        outcome=outcome,
    )
    if role != "commissioner" and not frame.empty:
        from pipeline.config import THRESHOLDS

        # A model fitted on too few people is not published (its odds ratios are unstable and
        # can describe individuals); the thresholds are the same ones as for shares.
        frame = frame[frame["n"] >= THRESHOLDS.minimum_base]
    return frame


def build(filters: Filters, role: str, outcome: str, outcome_label: str) -> View:
    view = View(title=f"Process: {filters.council}, wave {filters.wave}")
    steps = process_results(filters, role)
    title = "Share finding each step easy (or positive)"
    view.charts.append(
        Chart(
            key="process_steps",
            title=title,
            figure=charts.dot_interval_chart(
                steps,
                title=title,
                high_contrast=filters.high_contrast,
                large_text=filters.large_text,
                x_title="% easy / positive",
            ),
            alt=charts.alt_text("dot_interval", steps, title=title),
            table=steps[[c for c in PROCESS_COLUMNS if c in steps.columns]],
        )
    )
    odds = driver_results(filters, role, outcome)
    title = f"Which steps go with a better outcome: {outcome_label}"
    view.charts.append(
        Chart(
            key="drivers",
            title=title,
            figure=charts.forest_plot(
                odds,
                title=title,
                high_contrast=filters.high_contrast,
                large_text=filters.large_text,
            ),
            alt=charts.alt_text("forest", odds, title=title),
            table=odds[[c for c in DRIVER_COLUMNS if c in odds.columns]],
        )
    )
    view.explanations = [
        benchmark_sentence(steps)
        or "There is no national figure for these steps, so they are not compared with one.",
        INTERVALS_SENTENCE,
    ]
    return make_public(
        view,
        role,
        instrument=filters.instrument,
        headings={
            "process_steps": {
                "domain": "Step",
                "count": "Number finding it easy",
                "value": "Share finding it easy (%)",
            }
        },
    )
