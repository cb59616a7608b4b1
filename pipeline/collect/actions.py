"""Record actions against survey findings, and every change to them (``actions``, migration 013).

A council takes its findings back to the people who gave them and says what it will change. An
action answers one finding (council, wave, instrument, question or process step) and records the
finding as the analysis API gave it that day, so "we acted because the result was worse than
the national figure" stays true even after a reload. Every change, from the command line or the
dashboard's Actions page, is appended to ``action_history`` with who made it and when.

An action shown to the public ("You said, we did") says in the council's own words what it will
do and how it is going. Those words are free text, so the same redaction as quotes
(:mod:`pipeline.moderation`) runs over them, and an action whose public words hold a personal
detail cannot be made public until they are rewritten. The owner is never published.

The dashboard runs this module as ``python -m pipeline.collect.actions`` (JSON in, JSON out) in
a process of its own, because its pages hold read-only connections and DuckDB lets one process
write the file.
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import duckdb
import pandas as pd

from pipeline import analysis
from pipeline.instruments import Question, get_instrument
from pipeline.moderation import redact_for_council
from pipeline.store.transactions import transaction

SQL_DIR = Path(__file__).parent / "sql"
STATUSES = ("not_started", "under_way", "done")
STATUS_WORDS = {"not_started": "Not started", "under_way": "Under way", "done": "Done"}
# Fields an update may change, in the order the history lists them.
UPDATABLE = ("action_text", "owner", "due", "status", "public_update", "public")
PUBLIC_TEXT = ("action_text", "public_update")  # what the public pages print


class ActionError(ValueError):
    """An action that cannot be recorded, with what to do about it."""


@dataclass(frozen=True)
class Finding:
    """What the survey said about one question at one wave, as the analysis API gave it."""

    council: str
    wave: int
    instrument: str
    question_code: str
    section: str
    measure: str | None
    value: float | None
    n: int | None
    comparison: str
    change: str | None


def _sql(name: str, **substitutions: str) -> str:
    text = (SQL_DIR / f"{name}.sql").read_text(encoding="utf-8")
    return text.format(**substitutions) if substitutions else text


def find_question(instrument: str, text: str) -> Question:
    """An outcome question or process step of the instrument, by code or by its short label
    ("out_support" or "Getting the support you need", any case)."""
    definition = get_instrument(instrument)
    choices = [
        q
        for q in definition.coded_questions
        if q.section in ("outcomes", "process") and q.scale is not None
    ]
    wanted = " ".join(str(text).split()).casefold()
    for question in choices:
        if wanted in (question.code.casefold(), str(question.domain).casefold()):
            return question
    codes = ", ".join(q.code for q in choices)
    raise ActionError(
        f"{text!r} is not an outcome question or process step of {instrument}; choose one of "
        f"{codes}"
    )


def parse_due(text: str | date) -> date:
    """A due date as YYYY-MM-DD (or YYYY-MM, taken as the last day of that month)."""
    if isinstance(text, date):
        return text
    value = str(text).strip()
    try:
        if len(value) == 7:
            month = pd.Timestamp(f"{value}-01")
            return (month + pd.offsets.MonthEnd(0)).date()
        return date.fromisoformat(value)
    except ValueError:
        raise ActionError(f"due date {value!r}: give it as YYYY-MM-DD, e.g. 2027-03-31") from None


def finding(
    con: duckdb.DuckDBPyConnection, council: str, wave: int, instrument: str, question: str
) -> Finding:
    """The finding an action answers: the council as loaded (resolved through the council
    register), the question, its share, base and comparison with the benchmark at that wave,
    and its change since the wave before when there is one."""
    try:
        stored = analysis.loaded_council(con, council)
    except ValueError as error:
        raise ActionError(str(error)) from None
    chosen = find_question(instrument, question)
    loaded = analysis.waves(con, council=stored, instrument=instrument)
    if int(wave) not in loaded:
        raise ActionError(
            f"no {instrument} returns for {stored}, wave {wave}; loaded waves: "
            f"{', '.join(map(str, loaded)) or 'none'}"
        )
    results = analysis.results(
        con, council=stored, wave=int(wave), instrument=instrument, section=chosen.section
    )
    row = results[results["question_code"] == chosen.code]
    if row.empty:
        raise ActionError(f"{chosen.code} has no result for {stored}, {wave}")
    row = row.iloc[0]
    change = None
    if any(w < int(wave) for w in loaded):
        changes = analysis.wave_changes(
            con, council=stored, wave=int(wave), instrument=instrument, section=chosen.section
        )
        match = changes[changes["question_code"] == chosen.code]
        change = str(match["verdict"].iloc[0]) if len(match) else None
    value = pd.to_numeric(row.get("value"), errors="coerce")
    n = pd.to_numeric(row.get("n"), errors="coerce")
    return Finding(
        council=stored,
        wave=int(wave),
        instrument=instrument,
        question_code=chosen.code,
        section=chosen.section,
        measure=str(row.get("measure")) if pd.notna(row.get("measure")) else None,
        value=None if pd.isna(value) else float(value),
        n=None if pd.isna(n) else int(n),
        comparison=str(row.get("comparison") or "not compared"),
        change=change,
    )


def check_public_text(council: str, texts: dict[str, str | None]) -> None:
    """Refuse public words that hold a personal detail (the quotes' redaction, every kind:
    the council writes these words itself, so it can always rewrite them)."""
    problems = []
    for field, text in texts.items():
        if not text:
            continue
        found = redact_for_council(text, council).spans
        if found:
            details = ", ".join(f"{span.label} '{span.text}'" for span in found)
            problems.append(f"the {field.replace('_', ' ')} holds {details}")
    if problems:
        raise ActionError(
            "; ".join(problems) + ": rewrite it without personal details before making the "
            "action public (the owner is never published, so name people there)"
        )


def _clean(text: str | None, what: str, *, required: bool = True) -> str | None:
    value = " ".join(str(text).split()) if text is not None else ""
    if not value:
        if required:
            raise ActionError(f"the {what} is empty")
        return None
    return value


def _as_text(value: object) -> str | None:
    if value is None or (not isinstance(value, str | bool) and pd.isna(value)):
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, pd.Timestamp | datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _history(
    con: duckdb.DuckDBPyConnection,
    action_id: int,
    by: str,
    at: datetime,
    change: str,
    field: str,
    old: object,
    new: object,
) -> None:
    con.execute(
        _sql("action_history_insert"),
        {
            "action_id": action_id,
            "by": by,
            "at": at,
            "change": change,
            "field": field,
            "old_value": _as_text(old),
            "new_value": _as_text(new),
        },
    )


def _who(by: str | None) -> str:
    if not by or not by.strip():
        raise ActionError("a change needs the name of who made it")
    return by.strip()


def add_action(
    con: duckdb.DuckDBPyConnection,
    *,
    council: str,
    wave: int,
    question: str,
    action: str,
    owner: str,
    due: str | date,
    by: str,
    instrument: str = "poet-holder",
    status: str = "not_started",
    public: bool = False,
    public_update: str | None = None,
) -> int:
    """Record a new action against a finding; returns its id. Raises ActionError."""
    who = _who(by)
    if status not in STATUSES:
        raise ActionError(f"status {status!r}: choose one of {', '.join(STATUSES)}")
    found = finding(con, council, wave, instrument, question)
    values = {
        "action_text": _clean(action, "action"),
        "owner": _clean(owner, "owner"),
        "due": parse_due(due),
        "status": status,
        "public_update": _clean(public_update, "public update", required=False),
        "public": bool(public),
    }
    if values["public"]:
        check_public_text(found.council, {f: values[f] for f in PUBLIC_TEXT})
    at = datetime.now()
    with transaction(con):
        action_id = int(
            con.execute("SELECT coalesce(max(action_id), 0) + 1 FROM actions").fetchall()[0][0]
        )
        con.execute(
            _sql("action_insert"),
            {
                "action_id": action_id,
                "council": found.council,
                "wave": found.wave,
                "instrument": instrument,
                "question_code": found.question_code,
                "section": found.section,
                "finding_measure": found.measure,
                "finding_value": found.value,
                "finding_n": found.n,
                "finding_comparison": found.comparison,
                "finding_change": found.change,
                **values,
                "by": who,
                "at": at,
            },
        )
        for field in ("council", "wave", "question_code", *UPDATABLE):
            new = values.get(field, getattr(found, field, None))
            _history(con, action_id, who, at, "created", field, None, new)
    return action_id


def current(con: duckdb.DuckDBPyConnection, action_id: int) -> dict:
    """One action as stored now; ActionError when there is none with that id."""
    frame = con.execute(_sql("action_one"), {"action_id": int(action_id)}).df()
    if frame.empty:
        raise ActionError(f"no action {action_id}: `outcomes actions list` shows their ids")
    return frame.iloc[0].to_dict()


def update_action(
    con: duckdb.DuckDBPyConnection, action_id: int, *, by: str, **changes: object
) -> list[str]:
    """Change some of ``UPDATABLE`` (None leaves a field as it is); returns the fields that
    changed. Making an action public, or changing the public words of a public action, runs the
    personal-details check first. Raises ActionError."""
    who = _who(by)
    unknown = set(changes) - set(UPDATABLE)
    if unknown:
        raise ActionError(f"cannot change {', '.join(sorted(unknown))}")
    before = current(con, action_id)
    wanted: dict[str, object] = {}
    for field, value in changes.items():
        if value is None:
            continue
        if field == "status" and value not in STATUSES:
            raise ActionError(f"status {value!r}: choose one of {', '.join(STATUSES)}")
        if field == "due":
            value = parse_due(value)  # type: ignore[arg-type]
        elif field in ("action_text", "owner"):
            value = _clean(value, field.replace("_", " "))  # type: ignore[arg-type]
        elif field == "public_update":
            value = _clean(value, "public update", required=False)  # type: ignore[arg-type]
        elif field == "public":
            value = bool(value)
        if _as_text(before[field]) != _as_text(value):
            wanted[field] = value
    public_after = bool(wanted.get("public", before["public"]))
    if public_after and (set(wanted) & {"public", *PUBLIC_TEXT}):
        check_public_text(
            str(before["council"]), {f: wanted.get(f, before[f]) for f in PUBLIC_TEXT}
        )
    if not wanted:
        return []
    at = datetime.now()
    with transaction(con):
        for field in UPDATABLE:
            if field not in wanted:
                continue
            con.execute(
                _sql("action_update", field=field),
                {"value": wanted[field], "by": who, "at": at, "action_id": int(action_id)},
            )
            _history(con, int(action_id), who, at, "updated", field, before[field], wanted[field])
    return [f for f in UPDATABLE if f in wanted]


def main(argv: list[str] | None = None) -> int:
    """``python -m pipeline.collect.actions DB`` with a JSON request on stdin: ``{"add": {...}}``
    or ``{"update": {"action_id": 3, ...}}`` (keyword arguments of :func:`add_action` /
    :func:`update_action`); prints ``{"action_id": ..., "changed": [...]}`` or ``{"error": ...}``."""
    from pipeline.store import connect

    args = sys.argv[1:] if argv is None else argv
    request = json.loads(sys.stdin.read())
    try:
        con = connect(Path(args[0]))
        try:
            if "add" in request:
                action_id = add_action(con, **request["add"])
                print(json.dumps({"action_id": action_id, "changed": ["created"]}))
            else:
                options = dict(request["update"])
                action_id = int(options.pop("action_id"))
                changed = update_action(con, action_id, **options)
                print(json.dumps({"action_id": action_id, "changed": changed}))
        finally:
            con.close()
    except (ActionError, ValueError, TypeError) as error:
        print(json.dumps({"error": str(error)}))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
