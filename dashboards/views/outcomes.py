"""Outcomes: one domain's full answer distribution, overall or by subgroup, weighted or not."""

from __future__ import annotations

import pandas as pd

from dashboards.data import query
from dashboards.plain import make_public
from dashboards.render import Chart, View
from dashboards.state import SUBGROUP_LABELS, Filters
from pipeline.present import charts
from pipeline.present.plain_tables import INTERVALS_SENTENCE, subgroup_labels

DISTRIBUTION_COLUMNS = [
    "subgroup_value",
    "answer_label",
    "answer_code",
    "is_missing",
    "n",
    "count",
    "value",
    "lower",
    "upper",
    "suppressed",
]


def domain_choices(instrument: str, section: str = "outcomes") -> dict[str, str]:
    """question_code -> plain domain label, in questionnaire order."""
    from pipeline.analysis import domains

    frame = domains(instrument, section)  # read from the instrument YAML, not the database
    return dict(zip(frame["question_code"], frame["domain"], strict=True))


def distribution(filters: Filters, role: str, question_code: str) -> pd.DataFrame:
    """Every answer on the scale, per subgroup value, disclosure-controlled for the public."""
    frame = query(
        "distribution",
        council=filters.council,
        wave=filters.wave,
        instrument=filters.instrument,
        question_code=question_code,
        by=filters.subgroup,
    )  # unweighted always: the analysis offers no weighted distribution (state.FILTER_PAGES)
    if "subgroup_value" not in frame or filters.subgroup is None:
        frame["subgroup_value"] = "Everyone"
    frame["subgroup_value"] = frame["subgroup_value"].fillna("Not stated").astype(str)
    # The answers of one subgroup add up to its base, so the group rule (not the complement
    # rule) is what stops a hidden count being recovered.
    if role == "commissioner":
        return frame
    from pipeline.disclosure.pages import publish_distribution

    return publish_distribution(frame, ("subgroup_value",))


def build(filters: Filters, role: str, question_code: str) -> View:
    labels = domain_choices(filters.instrument)
    domain = labels.get(question_code, question_code)
    frame = distribution(filters, role, question_code)
    split = SUBGROUP_LABELS.get(filters.subgroup or "", "everyone")
    view = View(title=f"{domain}: answers by {split.lower()}")
    title = f"{domain}: the full answer scale"
    # The chart and its description name each group by its label ("Prefer not to say"), as the
    # plain table does, never by its code.
    names = subgroup_labels(filters.instrument, filters.subgroup)
    drawn = frame.assign(group=frame["subgroup_value"].map(lambda value: names.get(value, value)))
    view.charts.append(
        Chart(
            key="distribution",
            title=title,
            figure=charts.distribution_chart(
                drawn,
                title=title,
                category="group",
                high_contrast=filters.high_contrast,
                large_text=filters.large_text,
            ),
            alt=charts.alt_text("distribution", drawn, title=title, category="group"),
            table=frame[[c for c in DISTRIBUTION_COLUMNS if c in frame.columns]],
        )
    )
    view.explanations = [
        "This page shows every answer people gave; it is not compared with a national figure.",
        INTERVALS_SENTENCE,
    ]
    return make_public(
        view,
        role,
        instrument=filters.instrument,
        subgroup=filters.subgroup,
        headings={
            "distribution": {
                "subgroup_value": split if filters.subgroup else "Group",
                "count": "Number giving this answer",
                "value": "Share giving this answer (%)",
            }
        },
    )
