"""Budgets: people and spend by management option and support reason, and the register's health."""

from __future__ import annotations

import pandas as pd

from dashboards.data import publish, query
from dashboards.render import Chart, Table, View
from dashboards.state import Filters
from pipeline.reports import charts

_TITLES = {
    "by_option": "People and spend by management option",
    "by_reason": "People and spend by main support reason",
    "distribution": "How big budgets are",
    "indicative_vs_agreed": "Indicative (resource allocation) versus agreed budgets",
    "linked": "Survey outcomes by the register's management option",
}


def _label_column(frame: pd.DataFrame) -> str | None:
    for column in frame.columns:
        if frame[column].dtype == object or pd.api.types.is_string_dtype(frame[column]):
            return column
    return None


def _headline_text(column: str, value: object) -> str:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return "not available"
    name = column.lower()
    if isinstance(value, int | float):
        if "share" in name or "percent" in name or "rate" in name:
            return f"{value:.1f}%"
        if "spend" in name or "amount" in name or "budget" in name:
            return f"£{value:,.0f}"
        return f"{value:,.0f}"
    return str(value)


def build(filters: Filters, role: str) -> View:
    summary = query("budget_summary", council=filters.council)
    view = View(title=f"Budgets: {filters.council}")
    headline = summary.get("headline", pd.DataFrame())
    if headline.empty or int(headline.iloc[0].get("people", 0) or 0) == 0:
        view.notes.append("No budget register is loaded for this council.")
        return view
    row = headline.iloc[0]
    view.metrics = {
        column.replace("_", " ").capitalize(): _headline_text(column, row[column])
        for column in headline.columns
        if column not in ("council",)
    }
    for key in ("by_option", "by_reason", "distribution"):
        frame = publish(summary.get(key, pd.DataFrame()), role)
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
                ),
                alt=charts.alt_text("bar", frame, title=title, category=label, value="people"),
                table=frame,
            )
        )
    for key in ("indicative_vs_agreed", "linked"):
        frame = summary.get(key, pd.DataFrame())
        if key == "linked":
            frame = publish(frame, role)
        view.tables.append(Table(f"budgets_{key}", _TITLES[key], frame))
    return view
