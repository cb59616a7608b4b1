"""Plain words and pictures for the "people like me" pages (report page and dashboard alike).

Everything here reads the *published* frame (:func:`pipeline.disclosure.people_like_me.
publish_people_like_me`), so a sentence can only say what the disclosure rule let through. The
wording and the ten-people picture are the easy-read summary's ("About 7 in 10 people said ...",
:func:`pipeline.present.svg.pictogram_svg`); a group too small to put into words says so kindly
instead of showing a number.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import pandas as pd
from markupsafe import Markup

from pipeline.config import THRESHOLDS
from pipeline.present import svg
from pipeline.present.findings import lower_first, percent_text

# How each situation reads in a heading: "People whose budget is a direct payment".
HEADINGS = {
    "management_option": "People whose budget is managed this way: {label}",
    "support_reason": "People whose main reason for support is: {label}",
    "age_band": "People aged {label}",
    "held_for": "People who have had a budget for: {label}",
}
NOBODY = "Nobody in this situation answered the survey in {council}."
HIDDEN = (
    "Not enough people in this situation answered for us to show what they said. We keep small "
    "groups private so that nobody can be recognised."
)
FEW = (
    "Only {n} people in this situation answered about this. That is too few to say for sure, so "
    "we do not show a number."
)
NO_GROUP = "No comparator group of similar councils has been loaded for {council}."


@dataclass
class Finding:
    """One outcome for one group: the council's words and picture, and the comparator's words."""

    domain: str
    sentence: str
    detail: str = ""
    picture: Markup | None = None
    comparator: str = ""


@dataclass
class Group:
    """One situation value (e.g. "Direct payment") of one council, ready to show."""

    anchor: str
    situation: str
    label: str
    heading: str
    answered: int | None
    message: str = ""
    findings: list[Finding] = field(default_factory=list)


def anchor(situation: str, value: str) -> str:
    """An id for the group's section: letters, digits and hyphens only."""
    text = f"{situation}-{value}".lower()
    return "".join(c if c.isalnum() else "-" for c in text).strip("-")


def _number(value: object) -> float | None:
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return None if math.isnan(number) else number


def _in_ten(value: float) -> int:
    return int(math.floor(value / 10 + 0.5))


def _shown(row: pd.Series | None, min_base: int) -> bool:
    if row is None:
        return False
    value, n = _number(row.get("value")), _number(row.get("n"))
    return value is not None and n is not None and n >= min_base and not bool(row.get("suppressed"))


def _comparator_sentence(row: pd.Series | None, topic: str, council: str, min_base: int) -> str:
    if row is None:
        return NO_GROUP.format(council=council)
    members = [m.strip() for m in str(row.get("comparator_councils") or "").split(";") if m.strip()]
    place = "In similar councils" + (f" ({', '.join(members)})" if members else "")
    if not _shown(row, min_base):
        return f"{place}, not enough people in this situation answered to show a number."
    value = float(row["value"])
    return (
        f"{place}, about {_in_ten(value)} in 10 people in this situation said {topic} got better "
        f"({percent_text(value)})."
    )


def council_groups(
    published: pd.DataFrame, council: str, *, min_base: int = THRESHOLDS.minimum_base
) -> dict[str, list[Group]]:
    """Situation column -> its groups for ``council``, from the published frame, in scale order
    ("Not known" left out: nobody picks it as their situation)."""
    own = published[(published["council"] == council) & (published["area"] == "council")]
    pools = published[(published["council"] == council) & (published["area"] == "comparator")]
    pool_rows = {
        (s, v, q): row
        for (s, v, q), row in zip(
            zip(pools["situation"], pools["situation_value"], pools["question_code"], strict=True),
            (r for _, r in pools.iterrows()),
            strict=True,
        )
    }
    out: dict[str, list[Group]] = {}
    for situation, rows in own.groupby("situation", sort=False):
        groups = []
        for value, part in rows.groupby("situation_value", sort=False):
            if value == "not_known":
                continue
            label = str(part["situation_label"].iloc[0])
            bases = pd.to_numeric(part["n"], errors="coerce")
            answered = int(bases.max()) if bases.notna().any() else None
            group = Group(
                anchor=anchor(situation, value),
                situation=situation,
                label=label,
                heading=HEADINGS.get(situation, "{label}").format(label=label),
                answered=answered,
            )
            if answered == 0 and bases.notna().all():
                group.message = NOBODY.format(council=council)
            elif answered is None:
                group.message = HIDDEN
            for _, row in part.iterrows():
                topic = lower_first(str(row["domain"]))
                pool = pool_rows.get((situation, value, row["question_code"]))
                finding = Finding(
                    domain=str(row["domain"]),
                    sentence="",
                    comparator=_comparator_sentence(pool, topic, council, min_base)
                    if pools is not None and len(pools)
                    else NO_GROUP.format(council=council),
                )
                n = _number(row.get("n"))
                if _shown(row, min_base):
                    value_shown = float(row["value"])
                    in_ten = _in_ten(value_shown)
                    finding.sentence = f"About {in_ten} in 10 people said {topic} got better."
                    finding.detail = (
                        f"That is {percent_text(value_shown).rstrip('%')} out of every 100 "
                        f"people ({int(n)} answered)."
                    )
                    finding.picture = svg.pictogram_svg(
                        value_shown,
                        title=f"{in_ten} out of 10 people",
                        description=f"A picture of 10 people. {in_ten} are coloured in.",
                    )
                elif n is None or bool(row.get("suppressed")):
                    finding.sentence = HIDDEN
                elif n == 0:
                    finding.sentence = f"Nobody in this situation answered about {topic}."
                else:
                    finding.sentence = FEW.format(n=int(n))
                group.findings.append(finding)
            groups.append(group)
        out[str(situation)] = groups
    return out
