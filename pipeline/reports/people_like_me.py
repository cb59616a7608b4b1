"""The report set's "people like me" page and the open-data CSV it is built from.

One static page per council (``<stem>-people-like-me.html``): a chooser of situations made of
plain in-page links (no JavaScript, no form), then one easy-read section per situation. The CSV
beside it (``<stem>-people-like-me.csv``) holds every figure the page rests on, as published, and
is what ``outcomes audit-disclosure`` reads back.
"""

from __future__ import annotations

import pandas as pd

from pipeline.analysis.people_like_me import SITUATION_QUESTIONS, SITUATIONS
from pipeline.config import THRESHOLDS
from pipeline.present.findings import round_half_away
from pipeline.present.people_like_me import council_groups

OPEN_DATA_COLUMNS = {
    "wave": "Wave",
    "council": "Council",
    "area": "Area",
    "comparator_councils": "Comparator councils",
    "situation": "Situation",
    "situation_value": "Situation code",
    "situation_label": "Situation label",
    "question_code": "Question code",
    "domain": "Topic",
    "n": "People who answered",
    "count": "People who said better",
    "percent": "Percent who said better",
}


def council_rows(published: pd.DataFrame, council: str) -> pd.DataFrame:
    return published[published["council"] == council].reset_index(drop=True)


def open_data(published: pd.DataFrame, council: str) -> pd.DataFrame:
    """The council's own groups and its comparator pools, as published (blank = hidden)."""
    rows = council_rows(published, council).copy()
    rows["percent"] = [
        None if bool(hidden) else round_half_away(value)
        for value, hidden in zip(rows["value"], rows["suppressed"], strict=True)
    ]
    rows["percent"] = pd.to_numeric(rows["percent"], errors="coerce")
    for column in ("n", "count"):
        rows[column] = pd.to_numeric(rows[column], errors="coerce").round().astype("Int64")
    return rows[list(OPEN_DATA_COLUMNS)].rename(columns=OPEN_DATA_COLUMNS)


def page_context(
    published: pd.DataFrame,
    council: str,
    wave: int,
    *,
    results_file: str | None = None,
    data_file: str | None = None,
) -> dict:
    """What ``people_like_me.html.j2`` needs: the situations in order, each with its groups."""
    groups = council_groups(council_rows(published, council), council)
    return {
        "council": council,
        "wave": wave,
        "min_base": THRESHOLDS.minimum_base,
        "situations": [
            {"key": s, "question": SITUATION_QUESTIONS[s], "groups": groups.get(s, [])}
            for s in SITUATIONS
            if groups.get(s)
        ],
        "results_file": results_file,
        "data_file": data_file,
    }


def publish_wave(con, wave: int, instrument: str, published_outcomes: pd.DataFrame) -> pd.DataFrame:
    """Every council's "people like me" figures of the wave, published together beside the
    outcome results their results pages publish (empty for the carers' survey: the page is
    for budget holders)."""
    from pipeline import analysis
    from pipeline.disclosure.people_like_me import publish_people_like_me

    if instrument != "poet-holder":
        return pd.DataFrame()
    frame = analysis.people_like_me(con, wave=wave, instrument=instrument)
    return publish_people_like_me(frame, published_outcomes)


def render_html(content, *, results_file: str | None, data_file: str | None) -> str:  # noqa: ANN001 - a ReportContent
    """The council's static page, in the easy-read summary's style (its CSS, then our own)."""
    from pipeline.reports.render import environment, stylesheet

    context = page_context(
        content.people_like_me,
        content.council,
        content.wave,
        results_file=results_file,
        data_file=data_file,
    )
    return (
        environment()
        .get_template("people_like_me.html.j2")
        .render(
            **context,
            css=stylesheet("easy_read.css"),
            extra_css=stylesheet("people_like_me.css"),
        )
    )


def write_files(content, out_dir, names: dict[str, str], formats: tuple[str, ...]) -> dict:  # noqa: ANN001
    """Write ``<stem>-people-like-me.html`` and its CSV; nothing for a survey without the page."""
    from pipeline.present.exports import to_csv_bytes

    if content.people_like_me is None or content.people_like_me.empty:
        return {}
    page = out_dir / names["people_like_me"]
    data = out_dir / names["people_like_me_csv"]
    data.write_bytes(to_csv_bytes(open_data(content.people_like_me, content.council)))
    results = names["html"] if "html" in formats else None
    page.write_text(render_html(content, results_file=results, data_file=data.name), "utf-8")
    return {"people_like_me": page, "people_like_me_csv": data}
