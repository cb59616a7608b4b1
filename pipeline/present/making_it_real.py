"""Making it Real in plain words: themes, statements and what the published results say about
each, for the results page and the dashboard alike.

It takes results that have already been published (protected and described, with a ``finding``
sentence), so grouping them by statement can show nothing the results tables do not.
"""

from __future__ import annotations

import pandas as pd

NO_EVIDENCE_TEXT = "Our survey has no evidence about this yet."
UNCHECKED_TEXT = "wording not yet checked against the framework"


def wording_note(source: dict) -> str:
    """How far the statements' wording can be trusted, for the source line under them."""
    checked, total = source["wording_checked"], source["statements"]
    if checked == total:
        return "Every statement's wording was checked against the framework's own pages."
    return (
        f"{checked} of {total} statements were checked word for word against the framework's "
        f'own pages; the others are marked "{UNCHECKED_TEXT}" and may differ slightly from it.'
    )


def grouped_findings(framework: pd.DataFrame, published: pd.DataFrame) -> list[dict]:
    """Themes in order, each with its statements, each with the ``finding`` sentences of its
    questions from ``published`` (a described results frame) and whether it has evidence."""
    findings = {}
    answered = set()
    if len(published):
        for _, row in published.iterrows():
            findings[row["question_code"]] = str(row.get("finding") or "")
            if pd.to_numeric(row.get("n"), errors="coerce") > 0:
                answered.add(row["question_code"])
    themes: list[dict] = []
    for (_, theme), rows in framework.groupby(["theme_order", "theme"], sort=True):
        statements = []
        for (_, statement_id), group in rows.groupby(["statement_order", "statement_id"]):
            codes = [c for c in group["question_code"] if isinstance(c, str)]
            sentences = [findings[c] for c in codes if c in answered and findings.get(c)]
            statements.append(
                {
                    "id": statement_id,
                    "kind": group["kind"].iloc[0],
                    "text": group["statement"].iloc[0],
                    "wording_checked": bool(group["wording_checked"].iloc[0]),
                    "findings": sentences,
                    "evidence": bool(sentences),
                    "topics": [d for d in group["domain"] if isinstance(d, str)],
                }
            )
        themes.append(
            {
                "title": theme,
                "statements": statements,
                "with_evidence": sum(s["evidence"] for s in statements),
            }
        )
    return themes


def statement_table(framework: pd.DataFrame, published: pd.DataFrame) -> pd.DataFrame:
    """One row per statement: theme, statement, the topics mapped to it and whether the
    council's published results speak to it."""
    rows = []
    for theme in grouped_findings(framework, published):
        for statement in theme["statements"]:
            rows.append(
                {
                    "Theme": theme["title"],
                    "Statement": f"{statement['kind']}: {statement['text']}"
                    + ("" if statement["wording_checked"] else f" ({UNCHECKED_TEXT})"),
                    "Our questions": "; ".join(dict.fromkeys(statement["topics"])) or "none",
                    "Evidence": "Our results speak to this"
                    if statement["evidence"]
                    else "No evidence yet",
                }
            )
    return pd.DataFrame(rows, columns=["Theme", "Statement", "Our questions", "Evidence"])
