"""The published tables of a council's report, with reader-facing column names.

The HTML page, the PDF and the Excel workbook all show these exact frames, so the three can never
disagree. Numbers stay numbers (rounded once in ``findings``); suppressed cells are blank.
"""

from __future__ import annotations

import pandas as pd

from pipeline.config import THRESHOLDS
from pipeline.present.exports import tidy_open_data
from pipeline.present.you_said import you_said_table
from pipeline.reports.content import ReportContent

COMPARISON_LABELS = {
    "better": "Better",
    "similar": "Similar",
    "worse": "Worse",
    "higher": "Higher",
    "lower": "Lower",
    "not compared": "Not compared",
}

RESULT_COLUMNS = {
    "domain": "Topic",
    "n": "People who answered",
    "count": "Count",
    "percent": "Percent",
    "lower_percent": "Lower 95% limit",
    "upper_percent": "Upper 95% limit",
    "benchmark_text": "Benchmark",
    "benchmark_source": "Benchmark source",
    "benchmark_year": "Benchmark year",
    "comparison": "Compared with benchmark",
    "finding": "Finding",
}


def _nullable_int(series: pd.Series) -> pd.Series:
    return pd.to_numeric(series, errors="coerce").round().astype("Int64")


def results_table(frame: pd.DataFrame) -> pd.DataFrame:
    """Outcomes or process results, one row per question, as published."""
    data = frame.copy()
    for column in RESULT_COLUMNS:
        if column not in data:
            data[column] = None
    data["comparison"] = [
        "" if suppressed else COMPARISON_LABELS.get(str(c), str(c or ""))
        for c, suppressed in zip(data["comparison"], data["suppressed"].fillna(False), strict=True)
    ]
    table = data[list(RESULT_COLUMNS)].rename(columns=RESULT_COLUMNS)
    table["People who answered"] = _nullable_int(table["People who answered"])
    table["Count"] = _nullable_int(table["Count"])
    table["Benchmark year"] = _nullable_int(table["Benchmark year"])
    for column in ("Percent", "Lower 95% limit", "Upper 95% limit"):
        table[column] = pd.to_numeric(table[column], errors="coerce").astype("Float64")
    return table


CHANGE_COLUMNS = {
    "domain": "Topic",
    "previous_wave": "Earlier wave",
    "previous_percent": "Earlier percent",
    "wave": "This wave",
    "percent": "Percent now",
    "difference_points": "Change (percentage points)",
    "verdict": "Verdict",
    "finding": "Finding",
}


def changes_table(frame: pd.DataFrame) -> pd.DataFrame:
    data = frame.copy()
    for column in CHANGE_COLUMNS:
        if column not in data:
            data[column] = None
    data["verdict"] = [
        "" if suppressed else str(v or "")
        for v, suppressed in zip(data["verdict"], data["suppressed"].fillna(False), strict=True)
    ]
    table = data[list(CHANGE_COLUMNS)].rename(columns=CHANGE_COLUMNS)
    for column in ("Earlier wave", "This wave"):
        table[column] = _nullable_int(table[column])
    for column in ("Earlier percent", "Percent now", "Change (percentage points)"):
        table[column] = pd.to_numeric(table[column], errors="coerce").astype("Float64")
    return table


def distribution_table(frame: pd.DataFrame) -> pd.DataFrame:
    """How people answered each step of the process: one column per answer, percent."""
    if frame.empty:
        return pd.DataFrame(columns=["Step"])
    data = frame.copy()
    data["value"] = pd.to_numeric(data["value"], errors="coerce")
    from pipeline.present.findings import round_half_away

    data["value"] = [round_half_away(v) for v in data["value"]]
    order = data.sort_values("answer_order")["answer_label"].drop_duplicates().tolist()
    steps = data["domain"].drop_duplicates().tolist()
    wide = data.pivot_table(
        index="domain", columns="answer_label", values="value", aggfunc="first", dropna=False
    )
    wide = wide.reindex(index=steps, columns=order).reset_index().rename(columns={"domain": "Step"})
    bases = data.groupby("domain", sort=False)["n"].max()
    wide.insert(1, "People who answered", _nullable_int(wide["Step"].map(bases)))
    wide.columns.name = None
    for column in order:
        wide[column] = pd.to_numeric(wide[column], errors="coerce").astype("Float64")
    return wide


def comments_table(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.rename(columns={"question": "Question", "comment_text": "Comment"})[
        ["Question", "Comment"]
    ]


def peer_responses_table(frame: pd.DataFrame) -> pd.DataFrame:
    """Approved peer responses as published: organisation, moderated text, the council's reply
    (blank until it replies). Never the contact: ``published_responses`` does not return it."""
    table = frame.rename(
        columns={
            "organisation": "Organisation",
            "response": "Response",
            "council_reply": "Council's reply",
        }
    )[["Organisation", "Response", "Council's reply"]]
    return table.astype(object).where(table.notna(), "")


def open_data(content: ReportContent) -> pd.DataFrame:
    """Outcomes and process results in the benchmark-tool column shape."""
    frames = [f for f in (content.outcomes, content.process) if len(f)]
    if not frames:
        return tidy_open_data(pd.DataFrame(), content.council, content.area_code, content.wave)
    return tidy_open_data(
        pd.concat(frames, ignore_index=True), content.council, content.area_code, content.wave
    )


def publication_tables(content: ReportContent) -> dict[str, pd.DataFrame]:
    """Every table of the report, in reading order, keyed by its sheet name."""
    tables = {
        "Outcomes": results_table(content.outcomes),
        "Process": results_table(content.process),
        "Process answers": distribution_table(content.process_distribution),
    }
    if content.changes is not None:
        tables["Changes since last wave"] = changes_table(content.changes)
    if len(content.you_said):
        tables["You said, we did"] = you_said_table(content.you_said)
    if len(content.peer_responses):
        tables["Peer responses"] = peer_responses_table(content.peer_responses)
    if len(content.comments):
        tables["Comments"] = comments_table(content.comments)
    if len(content.official):
        tables["Official measures"] = official_table(content.official)
    tables["Open data"] = open_data(content)
    return tables


OFFICIAL_HEADINGS = {
    "topic": "Measure",
    "framework_name": "Framework",
    "code": "ASCOF code",
    "period": "Year",
    "council": "Council",
    "region": "Region",
    "england": "England",
    "peers": "Comparator group: mean (lowest to highest)",
}


def official_table(frame: pd.DataFrame) -> pd.DataFrame:
    """The official measures as read: a figure rounded as in text, or why it is missing."""

    def shown(value: object, note: object) -> str:
        if value is None or pd.isna(value):
            return str(note) if isinstance(note, str) and note else ""
        return f"{value:.3f}" if abs(float(value)) < 1 else f"{value:.1f}"

    out = frame[["topic", "framework_name", "code", "period"]].copy()
    for place in ("council", "region", "england"):
        out[place] = [
            shown(v, n)
            for v, n in zip(frame[f"{place}_value"], frame[f"{place}_note"], strict=True)
        ]
    peers = pd.to_numeric(frame.get("peer_councils"), errors="coerce").fillna(0)
    if peers.gt(0).any():  # a comparator group file is loaded for this council
        out["peers"] = [
            f"{shown(mean, None)} ({shown(low, None)} to {shown(high, None)}; {int(n)} councils)"
            if n > 0
            else "no figures"
            for mean, low, high, n in zip(
                frame["peer_mean"], frame["peer_min"], frame["peer_max"], peers, strict=True
            )
        ]
    return out.rename(columns=OFFICIAL_HEADINGS).reset_index(drop=True)


TABLE_DESCRIPTIONS = {
    "Outcomes": "Share of people who said each part of life got better, with 95% intervals and "
    "the benchmark",
    "Process": "Share of people who found each step of the process easy (or answered positively)",
    "Process answers": "How people answered each step, percent of those who answered",
    "Changes since last wave": "Each outcome now and in the previous survey wave",
    "You said, we did": "What people said, what the council said it would do, how far it has "
    "got, and the result for the same question at this survey",
    "Comments": "Quotes a commissioner approved for publication, with personal details removed",
    "Official measures": "Official ASCOF figures for the council, its region and England, "
    "every year loaded (the 2023-24 framework renumbered the measures)",
    "Open data": "The results in the column layout of public-health benchmarking downloads",
}


def notes(content: ReportContent) -> dict[str, str]:
    """The notes sheet: sources, definitions, suppression rules and date."""
    sources = content.benchmark_sources

    def year(row: pd.Series) -> str:
        value = row.get("benchmark_year")
        return str(int(value)) if pd.notna(value) else "year not given"

    source_lines = "; ".join(
        f"{row.get('benchmark_label') or row.get('benchmark_source')} "
        f"({row.get('benchmark_source')}, {year(row)})"
        for _, row in sources.iterrows()
    )
    return {
        "Title": content.title,
        "Survey": f"{content.instrument.title} (instrument {content.instrument.id}, version "
        f"{content.instrument.version})",
        "Council": content.council + (f" ({content.area_code})" if content.area_code else ""),
        "Wave": str(content.wave),
        "Returns": f"{content.returns} completed surveys; each percentage's base is the number "
        "who answered that question (don't know and not applicable are left out).",
        "Benchmark sources": source_lines or "No benchmark was available.",
        "Definitions": "'Better' = got better or got a lot better. 'Easy' = easy or very easy. "
        "Percent = count / people who answered x 100, to 1 decimal place (half away from zero).",
        "Confidence intervals": "95% Wilson score intervals.",
        "Comparison with benchmark": "Better or worse when the benchmark lies outside the 95% "
        "interval (or a two-proportion test, adjusted for many comparisons, when the benchmark's "
        "base is known); a published bound such as 'over 70%' is compared as a bound. Not "
        f"compared where fewer than {THRESHOLDS.minimum_base} people answered.",
        "Suppression rules": f"Counts under {THRESHOLDS.suppress_count_below} are not shown; "
        f"percentages are withheld where fewer than {THRESHOLDS.withhold_percent_base_below} "
        "people answered; further cells are hidden where a hidden one could be worked out from "
        f"the others; comments are never shown for groups under "
        f"{THRESHOLDS.comments_group_below}. Hidden cells are blank here and marked [c] in the "
        "report.",
        "Formulas": "No cell holds a formula; text that would start one begins with an apostrophe.",
        "Date": content.generated.isoformat(),
    }
