"""Budgets: people and spend by management option and support reason, and the register's health."""

from __future__ import annotations

import pandas as pd

from dashboards.data import query
from dashboards.plain import make_public
from dashboards.render import Chart, Table, View
from dashboards.state import Filters
from dashboards.views import official
from pipeline.present import charts
from pipeline.present.plain_tables import INTERVALS_SENTENCE

_TITLES = {
    "by_option": "People and spend by management option",
    "by_reason": "People and spend by main support reason",
    "distribution": "How big budgets are",
    "indicative_vs_agreed": "Indicative (resource allocation) versus agreed budgets",
    "linked": "Survey outcomes by the register's management option",
}


# The headline figures shown as metrics: (column, label, format).
HEADLINE = (
    ("people", "People", "{:,.0f}"),
    ("total_spend", "Agreed spend a year", "£{:,.0f}"),
    ("share_direct_payment", "Direct payment share", "{:.1f}%"),
    ("share_reviewed_12m", "Reviewed within 12 months", "{:.1f}%"),
    ("median_days_to_first_review", "Median days to first review", "{:,.0f}"),
)


def _label_column(frame: pd.DataFrame) -> str | None:
    """The plain-language label column (``..._label``), else the first text column."""
    labels = [c for c in frame.columns if c.endswith("_label")]
    if labels:
        return labels[0]
    for column in frame.columns:
        if pd.api.types.is_string_dtype(frame[column]) and column != "suppression_reason":
            return column
    return None


def headline_metrics(headline: pd.DataFrame) -> dict[str, str]:
    """The headline row as formatted metrics ("not available" where the register lacks it)."""
    row = headline.iloc[0]
    metrics = {}
    for column, label, pattern in HEADLINE:
        value = row.get(column)
        metrics[label] = (
            "not available" if value is None or pd.isna(value) else pattern.format(value)
        )
    return metrics


def build(filters: Filters, role: str) -> View:
    summary = query("budget_summary", council=filters.council)
    view = View(title=f"Budgets: {filters.council}")
    headline = summary.get("headline", pd.DataFrame())
    if headline.empty or int(headline.iloc[0].get("people", 0) or 0) == 0:
        view.notes.append("No budget register is loaded for this council.")
        return view
    if role != "commissioner":  # the page's tables are one publication: protected together
        from pipeline.disclosure.pages import publish_budget_summary

        summary = publish_budget_summary(summary)
        headline = summary["headline"]
    view.metrics = headline_metrics(headline)
    view.tables.append(Table("budgets_headline", "Headline figures with intervals", headline))
    for key in ("by_option", "by_reason", "distribution"):
        frame = summary.get(key, pd.DataFrame())
        label = _label_column(frame)
        if frame.empty or label is None or "people" not in frame:
            continue
        title = _TITLES[key]
        view.charts.append(
            Chart(
                key=f"budgets_{key}",
                title=title,
                figure=charts.bar_chart(
                    frame,
                    title=title,
                    category=label,
                    value="people",
                    value_title="People",
                    high_contrast=filters.high_contrast,
                    large_text=filters.large_text,
                ),
                alt=charts.alt_text("bar", frame, title=title, category=label, value="people"),
                table=frame,
            )
        )
    comparison = summary.get("indicative_vs_agreed", pd.DataFrame())
    view.tables.append(
        Table("budgets_indicative_vs_agreed", _TITLES["indicative_vs_agreed"], comparison)
    )
    view.tables.append(
        Table(
            "budgets_linked",
            _TITLES["linked"],
            summary.get("linked", pd.DataFrame()),
        )
    )
    panel = official.latest_panel(filters.council)
    if panel is not None:
        view.tables.append(panel)
    view.explanations = [
        "These figures come from the council's own budget register; there is no national "
        "figure to compare them with.",
        INTERVALS_SENTENCE,
    ]
    return make_public(view, role, instrument=filters.instrument)
