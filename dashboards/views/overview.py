"""Overview: base, response rate, every outcome domain against the benchmark, biggest changes."""

from __future__ import annotations

import pandas as pd

from dashboards.data import query
from dashboards.plain import make_public
from dashboards.render import Chart, Table, View
from dashboards.state import INSTRUMENT_LABELS, Filters
from dashboards.views import official
from pipeline.present import charts
from pipeline.present.plain_tables import INTERVALS_SENTENCE, benchmark_sentence

RESULT_COLUMNS = [
    "domain",
    "question_code",
    "n",
    "count",
    "value",
    "lower",
    "upper",
    "benchmark_value",
    "benchmark_kind",
    "benchmark_label",
    "comparison",
    "comparison_note",
    "p_adjusted",
    "suppressed",
]
CHANGE_COLUMNS = [
    "domain",
    "previous_wave",
    "wave",
    "previous_value",
    "value",
    "difference",
    "p_adjusted",
    "verdict",
]


def _pick(frame: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    return frame[[c for c in columns if c in frame.columns]]


def base_size(filters: Filters, instrument: str) -> int:
    """Returns loaded for the council, wave and instrument (from the inventory)."""
    inventory = query("available")
    rows = inventory[
        (inventory["council"] == filters.council)
        & (inventory["wave"] == filters.wave)
        & (inventory["instrument"] == instrument)
    ]
    return int(rows["returns"].sum())


def response_rate(filters: Filters, instrument: str) -> float | None:
    """Returns as a percentage of people on the budget register, where a register is loaded."""
    rates = query(
        "response_rates", council=filters.council, wave=filters.wave, instrument=instrument
    )
    if rates.empty or "population" not in rates or rates["population"].sum() <= 0:
        return None
    return 100 * float(rates["respondents"].sum()) / float(rates["population"].sum())


def domain_results(filters: Filters, role: str, instrument: str) -> pd.DataFrame:
    """The outcome domains for the selection, disclosure-controlled for the public."""
    frame = query(
        "results",
        council=filters.council,
        wave=filters.wave,
        instrument=instrument,
        section="outcomes",
        weighted=filters.weighted,
        benchmark="national",
    )
    if role == "commissioner":
        return frame
    from pipeline.disclosure.pages import publish_page_results

    return publish_page_results(frame)  # the whole-page rule, as the reports use


def largest_changes(filters: Filters, role: str, instrument: str, top: int = 3) -> pd.DataFrame:
    """The ``top`` domains that moved most since the previous wave (empty for a first wave)."""
    changes = query(
        "wave_changes",
        council=filters.council,
        wave=filters.wave,
        instrument=instrument,
        section="outcomes",
    )
    if changes.empty or changes["difference"].isna().all():
        return changes.iloc[0:0]
    if role != "commissioner":
        # A change between two published shares is publishable only if both shares are.
        published = domain_results(filters, role, instrument)
        hidden = set(published.loc[published["suppressed"].astype(bool), "question_code"])
        changes = changes[~changes["question_code"].isin(hidden)]
    order = changes["difference"].abs().sort_values(ascending=False).index
    return changes.loc[order].head(top)


def build(filters: Filters, role: str, instrument: str | None = None) -> View:
    """Everything the Overview (or, with ``instrument="poet-carer"``, the Carers) page shows."""
    instrument = instrument or filters.instrument
    label = INSTRUMENT_LABELS.get(instrument, instrument)
    view = View(title=f"Overview: {label}, {filters.council}, wave {filters.wave}")
    base = base_size(filters, instrument)
    rate = response_rate(filters, instrument)
    view.metrics = {
        "Returns (base)": f"{base:,}",
        "Response rate": "not available" if rate is None else f"{rate:.1f}%",
    }
    if rate is None:
        view.notes.append("No budget register is loaded for this council, so no response rate.")
    results = domain_results(filters, role, instrument)
    table = _pick(results, RESULT_COLUMNS)
    weighting = "weighted" if filters.weighted else "unweighted"
    title = f"Share better in each outcome domain ({weighting})"
    view.charts.append(
        Chart(
            key=f"{instrument}_domains",
            title=title,
            figure=charts.dot_interval_chart(
                results,
                title=title,
                high_contrast=filters.high_contrast,
                large_text=filters.large_text,
                x_title="% better",
            ),
            alt=charts.alt_text("dot_interval", results, title=title),
            table=table,
        )
    )
    view.tables.append(
        Table(
            key=f"{instrument}_changes",
            title="Largest changes since the last wave",
            frame=_pick(largest_changes(filters, role, instrument), CHANGE_COLUMNS),
        )
    )
    if instrument == "poet-holder":
        panel = official.latest_panel(filters.council)
        if panel is not None:
            view.tables.append(panel)
    view.explanations = [
        benchmark_sentence(results) or "No national figure is available for these questions.",
        INTERVALS_SENTENCE,
    ]
    return make_public(
        view,
        role,
        instrument=instrument,
        headings={
            f"{instrument}_domains": {"value": "Share saying better (%)"},
            f"{instrument}_changes": {
                "previous_value": "Earlier share saying better (%)",
                "value": "Share saying better now (%)",
            },
        },
    )
