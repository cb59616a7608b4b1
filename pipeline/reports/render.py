"""Render the report's HTML pages (local results page, easy-read summary, index) with Jinja2.

Autoescaping is on for every template, so council names, labels and free-text comments are
always escaped; only the SVG charts built by :mod:`pipeline.present.svg` (which escape their own
text) are marked safe. The CSS is inlined so a page is one self-contained file.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from functools import cache
from pathlib import Path

import pandas as pd
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

from pipeline.analysis.making_it_real import framework_source, making_it_real_framework
from pipeline.config import THRESHOLDS, peer_response_address
from pipeline.present import svg
from pipeline.present.charts import alt_text
from pipeline.present.findings import SUPPRESSED_TEXT, lower_first, percent_text, round_half_away
from pipeline.present.making_it_real import (
    NO_EVIDENCE_TEXT,
    UNCHECKED_TEXT,
    grouped_findings,
    wording_note,
)
from pipeline.present.plain_tables import (
    INTERVALS_TEXT,
    benchmark_nature,
    benchmark_sentence,
    easy_read_benchmark,
)
from pipeline.reports.content import ReportContent
from pipeline.reports.tables import publication_tables

TEMPLATES = Path(__file__).with_name("templates")
COUNT_COLUMNS = {"People who answered", "Count", "Earlier wave", "This wave", "Benchmark year"}


@cache
def environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["cell"] = format_cell
    env.filters["css_string"] = css_string
    return env


def css_string(value: object) -> Markup:
    """Text for a CSS string in a <style> element: every character but letters, digits, spaces
    and plain punctuation as a CSS escape, so neither a quote nor '</style>' can end it."""
    plain = set(" ,.:;-()")
    return Markup(
        "".join(
            c if c.isalnum() and c.isascii() or c in plain else f"\\{ord(c):x} " for c in str(value)
        )
    )


@cache
def stylesheet(name: str) -> Markup:
    """Our own CSS file, inlined unescaped (it is code we ship, never data)."""
    text = (TEMPLATES / name).read_text(encoding="utf-8")
    if "</" in text:
        raise ValueError(f"{name} must not contain '</' (it is inlined in a <style> element)")
    return Markup(text)


def format_cell(value: object, column: str = "") -> str:
    """How a published cell reads on the page: 1 decimal place for percents, [c] when hidden."""
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        numeric_column = column in COUNT_COLUMNS or "percent" in column.lower() or "limit" in column
        return SUPPRESSED_TEXT if numeric_column or column == "" else ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int) or (column in COUNT_COLUMNS and isinstance(value, float)):
        number = int(value)
        return str(number) if column.endswith("year") or "wave" in column.lower() else f"{number:,}"
    if isinstance(value, float):
        return f"{round_half_away(value):.1f}"
    return str(value)


def table_rows(frame: pd.DataFrame) -> list[list[str]]:
    """Format every cell of a published table for the page."""
    columns = list(frame.columns)
    return [
        [format_cell(value, column) for value, column in zip(row, columns, strict=True)]
        for row in frame.astype(object).itertuples(index=False, name=None)
    ]


def _table(frame: pd.DataFrame, caption: str, drop: tuple[str, ...] = ()) -> dict:
    shown = frame.drop(columns=[c for c in drop if c in frame.columns])
    return {"caption": caption, "columns": list(shown.columns), "rows": table_rows(shown)}


def report_context(content: ReportContent, *, downloads: dict[str, str] | None = None) -> dict:
    """Everything the local results page template needs (the PDF uses the same)."""
    tables = publication_tables(content)
    outcome_alt = alt_text(
        "dot_interval",
        content.outcomes,
        title="Share who said things got better, with the benchmark",
        value="percent",
        lower="lower_percent",
        upper="upper_percent",
    )
    outcome_chart = svg.dot_interval_svg(
        content.outcomes,
        title=f"Outcomes in {content.council}, {content.wave}: share who said things got better",
        description=outcome_alt,
    )
    process_alt = alt_text(
        "distribution",
        content.process_distribution.assign(
            value=content.process_distribution["value"].map(round_half_away)
        )
        if len(content.process_distribution)
        else content.process_distribution,
        title="How easy or difficult people found each step",
    )
    process_chart = (
        svg.stacked_svg(
            content.process_distribution.assign(
                value=content.process_distribution["value"].map(round_half_away)
            ),
            title=f"Each step of the process in {content.council}, {content.wave}",
            description=process_alt,
        )
        if len(content.process_distribution)
        else None
    )
    shown_outcomes = content.outcomes[content.outcomes["percent"].notna()]
    top = shown_outcomes.sort_values("percent", ascending=False)
    return {
        "content": content,
        "title": content.title,
        "council": content.council,
        "wave": content.wave,
        "instrument": content.instrument,
        "outcome_questions": content.instrument.section("outcomes"),
        "process_questions": [
            q for q in content.instrument.section("process") if q.type == "coded"
        ],
        "summary": top["finding"].head(3).tolist() + top["finding"].tail(1).tolist()
        if len(top) > 3
        else top["finding"].tolist(),
        "outcome_findings": content.outcomes["finding"].tolist(),
        "process_findings": content.process["finding"].tolist(),
        "change_findings": content.changes["finding"].tolist()
        if content.changes is not None
        else [],
        "outcome_chart": outcome_chart,
        "process_chart": process_chart,
        "outcomes_table": _table(
            tables["Outcomes"], "Outcomes: share who said each got better", drop=("Finding",)
        ),
        "process_table": _table(
            tables["Process"], "The process: share who found each step easy", drop=("Finding",)
        ),
        "process_answers_table": _table(
            tables["Process answers"], "How people answered each step (percent)"
        )
        if len(tables["Process answers"])
        else None,
        "changes_table": _table(
            tables["Changes since last wave"], "Changes since the last wave", drop=("Finding",)
        )
        if "Changes since last wave" in tables
        else None,
        "official_table": _table(
            tables["Official measures"],
            "Official measures (ASCOF) for the council, its region and England",
        )
        if "Official measures" in tables
        else None,
        "comments": content.comments.to_dict("records"),
        "you_said": you_said_items(content),
        "peer_responses": peer_response_items(content),
        "respond_url": peer_response_address(content.council),
        "making_it_real": grouped_findings(
            making_it_real_framework(content.instrument.id),
            pd.concat(
                [f for f in (content.outcomes, content.process) if len(f)] or [pd.DataFrame()]
            ),
        ),
        "making_it_real_source": framework_source(),
        "making_it_real_wording": wording_note(framework_source()),
        "unchecked_text": UNCHECKED_TEXT,
        "no_evidence_text": NO_EVIDENCE_TEXT,
        "comments_group_below": THRESHOLDS.comments_group_below,
        "sources": [
            {**source, "nature": benchmark_nature(source.get("benchmark_kind"))}
            for source in content.benchmark_sources.to_dict("records")
        ],
        "benchmark_sentence": benchmark_sentence(
            pd.concat(
                [f for f in (content.outcomes, content.process) if len(f)] or [pd.DataFrame()]
            )
        ),
        "intervals_text": INTERVALS_TEXT,
        "thresholds": THRESHOLDS,
        "answered_range": content.answered_range,
        "downloads": downloads or {},
        "generated": content.generated.isoformat(),
        "css": stylesheet("report.css"),
    }


def you_said_items(content: ReportContent) -> list[dict]:
    """The public actions, each with its plain sentences (``present.you_said``)."""
    if content.you_said.empty:
        return []
    items = content.you_said.to_dict("records")
    for item in items:
        item["action_wave"] = int(item["action_wave"])
    return items


def peer_response_items(content: ReportContent) -> list[dict]:
    """Approved peer responses (``analysis.published_responses``: moderated words only, never
    the contact), each with its paragraphs and the council's reply."""
    items = []
    for row in content.peer_responses.to_dict("records"):
        reply = row.get("council_reply")
        items.append(
            {
                "organisation": row["organisation"],
                "paragraphs": [line for line in str(row["response"]).split("\n") if line],
                "reply": reply if isinstance(reply, str) and reply else None,
            }
        )
    return items


def render_report_html(content: ReportContent, *, downloads: dict[str, str] | None = None) -> str:
    """The publishable local results page."""
    return report_renderer(content, downloads=downloads)(None)


def report_renderer(
    content: ReportContent, *, downloads: dict[str, str] | None = None
) -> Callable[[Mapping[str, str] | None], str]:
    """The results page with its contents' page numbers (heading -> page, for the PDF; None on
    screen), its context gathered once for however many renderings the PDF needs."""
    context = report_context(content, downloads=downloads)
    template = environment().get_template("report.html.j2")
    return lambda pages: template.render(**context, contents_pages=pages)


EASY_READ_COMPARISON = {
    "better": "This is better than the national survey.",
    "higher": "This is better than the national survey.",
    "similar": "This is about the same as the national survey.",
    "worse": "This is not as good as the national survey.",
    "lower": "This is not as good as the national survey.",
    # a bound only says the national figure was above (or below) a line, never how far
    "below floor": "This is lower than the lowest figure the national survey gave.",
    "not below floor": "This is not lower than the lowest figure the national survey gave.",
    "above ceiling": "This is higher than the highest figure the national survey gave.",
    "not above ceiling": "This is not higher than the highest figure the national survey gave.",
}


def easy_read_findings(content: ReportContent, limit: int = 4) -> list[dict]:
    """The main results only: the highest outcomes, the lowest one, and one process step."""
    rows = []
    shown = content.outcomes[content.outcomes["percent"].notna()].sort_values(
        "percent", ascending=False
    )
    picked = pd.concat([shown.head(limit - 1), shown.tail(1)]).drop_duplicates("question_code")
    for _, row in picked.iterrows():
        in_ten = int(math.floor(row["exact_value"] / 10 + 0.5))
        topic = lower_first(str(row["domain"]))
        rows.append(
            {
                "heading": str(row["domain"]),
                "sentence": f"About {in_ten} in 10 people said {topic} got better.",
                "percent": percent_text(row["exact_value"]).rstrip("%"),
                "comparison": EASY_READ_COMPARISON.get(str(row.get("comparison")), ""),
                "picture": svg.pictogram_svg(
                    float(row["exact_value"]),
                    title=f"{in_ten} out of 10 people",
                    description=f"A picture of 10 people. {in_ten} are coloured in.",
                ),
            }
        )
    easy = content.process[
        (content.process["measure"] == "easy") & content.process["percent"].notna()
    ].sort_values("n", ascending=False)
    if len(easy):
        row = easy.iloc[0]
        in_ten = int(math.floor(row["exact_value"] / 10 + 0.5))
        rows.append(
            {
                "heading": str(row["domain"]),
                "sentence": f"About {in_ten} in 10 people found {lower_first(str(row['domain']))} "
                "easy.",
                "percent": percent_text(row["exact_value"]).rstrip("%"),
                "comparison": EASY_READ_COMPARISON.get(str(row.get("comparison")), ""),
                "picture": svg.pictogram_svg(
                    float(row["exact_value"]),
                    title=f"{in_ten} out of 10 people",
                    description=f"A picture of 10 people. {in_ten} are coloured in.",
                ),
            }
        )
    return rows


def render_easy_read_html(content: ReportContent) -> str:
    """The easy-read summary: short sentences, large type, one finding per section."""
    return (
        environment()
        .get_template("easy_read.html.j2")
        .render(
            content=content,
            council=content.council,
            wave=content.wave,
            findings=easy_read_findings(content),
            compared_with=easy_read_benchmark(content.outcomes),
            you_said=you_said_items(content),
            peer_responses=peer_response_items(content),
            css=stylesheet("easy_read.css"),
        )
    )


def render_index_html(entries: list[dict], *, wave: int, instrument: str) -> str:
    """The index page of an ``--all-councils`` build: one row per council with its files."""
    return (
        environment()
        .get_template("index.html.j2")
        .render(entries=entries, wave=wave, instrument=instrument, css=stylesheet("report.css"))
    )
