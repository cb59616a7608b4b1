"""Making it Real (issue 13 item 3): Think Local Act Personal's themes and "I" / "We"
statements (``surveys/making-it-real.yaml``, with their source and how each statement's wording
was checked), mapped to this project's questions, and a council's results grouped by them.

The mapping is data, so a council can correct a statement or add one without touching Python. A
statement with no question of the chosen survey, or whose questions had no answers, is "no
evidence yet": the page says so rather than leaving it out, because which statements a council
cannot yet speak to is half of what the framework asks it to publish.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import duckdb
import pandas as pd

from pipeline import yaml_files
from pipeline.analysis.results import results
from pipeline.instruments import get_instrument

FRAMEWORK_FILE = Path(__file__).resolve().parents[2] / "surveys" / "making-it-real.yaml"
SPEAKS_TO = "speaks to"
NO_EVIDENCE = "no evidence yet"
# How a statement's wording was checked (see the file's header): only ``checked`` is word for
# word against the framework's own page.
WORDING = ("checked", "reworded copy", "from memory")
FRAMEWORK_COLUMNS = [
    "theme_id",
    "theme",
    "theme_order",
    "statement_id",
    "statement_order",
    "kind",
    "statement",
    "wording",
    "wording_checked",
    "question_code",
    "domain",
    "section",
]
RESULT_COLUMNS = [
    "n",
    "count",
    "value",
    "lower",
    "upper",
    "measure",
    "benchmark_value",
    "comparison",
    "suppressed",
    "suppression_reason",
]


class FrameworkError(ValueError):
    """The framework file names a question an instrument does not have, or is malformed."""


@cache
def _document(path: Path = FRAMEWORK_FILE) -> dict:
    return yaml_files.safe_load(path.read_text(encoding="utf-8"))


def framework_source(path: Path = FRAMEWORK_FILE) -> dict:
    """Where the statements come from (publisher, title, year, url), with ``statements`` (how
    many the file has) and ``wording_checked`` (how many were checked word for word against
    the framework's own pages), so a page can say how far its quotations can be trusted."""
    document = _document(path)
    statements = [s for theme in document["themes"] for s in theme["statements"]]
    return {
        **document["source"],
        "statements": len(statements),
        "wording_checked": sum(_wording(s, path) == "checked" for s in statements),
    }


def _wording(statement: dict, path: Path) -> str:
    wording = statement.get("wording")
    if wording not in WORDING:
        raise FrameworkError(
            f"{path.name}: statement {statement.get('id')} has wording {wording!r}; "
            f"say how it was checked: {', '.join(WORDING)}"
        )
    if wording != "from memory" and not statement.get("checked_against"):
        raise FrameworkError(
            f"{path.name}: statement {statement['id']} says its wording was checked "
            "but not against what (checked_against: the page's address)"
        )
    return wording


def making_it_real_framework(
    instrument: str = "poet-holder", path: Path = FRAMEWORK_FILE
) -> pd.DataFrame:
    """One row per statement and question of ``instrument`` mapped to it (``question_code``
    None for a statement with none), in the framework's order. Raises FrameworkError when a
    mapped code is not an outcome question or process step of the instrument."""
    definition = get_instrument(instrument)
    known = {q.code: q for q in definition.coded_questions if q.section in ("outcomes", "process")}
    rows = []
    for theme_order, theme in enumerate(_document(path)["themes"], start=1):
        for statement_order, statement in enumerate(theme["statements"], start=1):
            codes = (statement.get("questions") or {}).get(instrument) or []
            unknown = [code for code in codes if code not in known]
            if unknown:
                raise FrameworkError(
                    f"{path.name}: statement {statement['id']} maps {', '.join(unknown)}, "
                    f"which {instrument} does not ask"
                )
            base = {
                "theme_id": theme["id"],
                "theme": theme["title"],
                "theme_order": theme_order,
                "statement_id": statement["id"],
                "statement_order": statement_order,
                "kind": str(statement["kind"]),
                "statement": str(statement["text"]).strip(),
                "wording": _wording(statement, path),
                "wording_checked": _wording(statement, path) == "checked",
            }
            if not codes:
                rows.append({**base, "question_code": None, "domain": None, "section": None})
            for code in codes:
                question = known[code]
                rows.append(
                    {
                        **base,
                        "question_code": code,
                        "domain": question.domain,
                        "section": question.section,
                    }
                )
    return pd.DataFrame(rows, columns=FRAMEWORK_COLUMNS)


def evidence_by_statement(frame: pd.DataFrame) -> pd.Series:
    """Per row, whether its statement has any result with answers (``speaks to``) or not."""
    answered = pd.to_numeric(frame.get("n"), errors="coerce").fillna(0) > 0
    has = answered.groupby(frame["statement_id"]).transform("any")
    return has.map({True: SPEAKS_TO, False: NO_EVIDENCE})


def making_it_real(
    con: duckdb.DuckDBPyConnection,
    *,
    council: str,
    wave: int,
    instrument: str = "poet-holder",
) -> pd.DataFrame:
    """The council's results grouped by theme and statement: ``FRAMEWORK_COLUMNS`` + ``n,
    count, value, lower, upper, measure, benchmark_value, comparison, suppressed,
    suppression_reason`` (from :func:`results`, flagged, not blanked) + ``evidence``
    (``speaks to`` / ``no evidence yet``, per statement). A question mapped to several
    statements appears under each."""
    framework = making_it_real_framework(instrument)
    found = pd.concat(
        [
            results(con, council=council, wave=wave, instrument=instrument, section=section)
            for section in ("outcomes", "process")
        ],
        ignore_index=True,
    )
    found = found[["question_code", *[c for c in RESULT_COLUMNS if c in found]]]
    frame = framework.merge(found, on="question_code", how="left")
    frame["council"], frame["wave"], frame["instrument"] = council, int(wave), instrument
    frame["evidence"] = evidence_by_statement(frame)
    return frame.reset_index(drop=True)
