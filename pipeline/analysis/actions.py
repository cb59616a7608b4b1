"""Actions against findings, read back (issue 13): the list, the audit trail, and "You said, we
did" with the next wave's result for the same question.

Actions are written by :mod:`pipeline.collect.actions`; this module only reads. The "did it
move" verdict is :func:`pipeline.analysis.trends.wave_changes` between the action's wave and the
wave shown, so it follows exactly the rules of the Trends page and ``outcomes trends``. Only
actions a commissioner made public reach :func:`you_said`, and only while their public words
still pass the personal-details check (the rules may have grown since they were published).
"""

from __future__ import annotations

import duckdb
import pandas as pd

from pipeline.analysis.results import NoDataError
from pipeline.analysis.sql_files import run_sql
from pipeline.analysis.trends import wave_changes
from pipeline.instruments import get_instrument
from pipeline.moderation.redact import redact_for_council

ACTION_COLUMNS = [
    "action_id",
    "council",
    "wave",
    "instrument",
    "question_code",
    "section",
    "finding_measure",
    "finding_value",
    "finding_n",
    "finding_comparison",
    "finding_change",
    "action_text",
    "owner",
    "due",
    "status",
    "public_update",
    "public",
    "created_by",
    "created_at",
    "updated_by",
    "updated_at",
]
HISTORY_COLUMNS = [
    "history_id",
    "action_id",
    "changed_by",
    "changed_at",
    "change",
    "field",
    "old_value",
    "new_value",
]
# What a public "You said, we did" row carries about the action: never the owner or who typed it.
PUBLIC_ACTION_COLUMNS = [
    "action_id",
    "council",
    "instrument",
    "question_code",
    "domain",
    "section",
    "finding_measure",
    "finding_comparison",
    "action_wave",
    "action_text",
    "due",
    "status",
    "public_update",
]
RESULT_COLUMNS = [
    "result_wave",
    "value",
    "previous_value",
    "difference",
    "n",
    "previous_n",
    "count",
    "previous_count",
    "p_value",
    "p_adjusted",
    "verdict",
    "verdict_note",
    "suppressed",
    "suppression_reason",
]


def _has_table(con: duckdb.DuckDBPyConnection, name: str) -> bool:
    """A database made before migration 013 and opened read-only has no actions tables."""
    return bool(run_sql(con, "table_exists", {"table_name": name})["present"].iloc[0])


def _domains(frame: pd.DataFrame) -> pd.Series:
    labels: dict[tuple[str, str], str] = {}
    for instrument in frame["instrument"].unique():
        for question in get_instrument(str(instrument)).coded_questions:
            labels[(str(instrument), question.code)] = str(question.domain)
    return pd.Series(
        [labels.get((i, q), q) for i, q in zip(frame["instrument"], frame["question_code"],
                                                strict=True)],
        index=frame.index,
        dtype=object,
    )  # fmt: skip


def actions(
    con: duckdb.DuckDBPyConnection,
    *,
    council: str | None = None,
    wave: int | None = None,
    public_only: bool = False,
) -> pd.DataFrame:
    """Every action (or one council's, one wave's), with ``domain`` after ``question_code``;
    newest wave first. ``public_only`` keeps those a commissioner made public."""
    if not _has_table(con, "actions"):
        return pd.DataFrame(columns=[*ACTION_COLUMNS, "domain"])
    frame = run_sql(
        con,
        "actions_list",
        {
            "council": council,
            "wave": None if wave is None else int(wave),
            "public_only": bool(public_only),
        },
    )
    frame.insert(5, "domain", _domains(frame) if len(frame) else pd.Series(dtype=object))
    frame["due"] = pd.to_datetime(frame["due"]).dt.date
    return frame


def action_history(con: duckdb.DuckDBPyConnection, action_id: int | None = None) -> pd.DataFrame:
    """Every change to actions (or to one), oldest first: who, when, field, old and new value."""
    if not _has_table(con, "action_history"):
        return pd.DataFrame(columns=HISTORY_COLUMNS)
    return run_sql(
        con, "action_history", {"action_id": None if action_id is None else int(action_id)}
    )


def publishable(frame: pd.DataFrame) -> pd.Series:
    """True where an action's public words (action and update) hold no personal detail."""

    def clean(row: pd.Series) -> bool:
        for field in ("action_text", "public_update"):
            text = row.get(field)
            if isinstance(text, str) and text and redact_for_council(text, row["council"]).spans:
                return False
        return True

    if frame.empty:
        return pd.Series(dtype=bool)
    return frame.apply(clean, axis=1).astype(bool)


def you_said(
    con: duckdb.DuckDBPyConnection,
    *,
    council: str,
    wave: int,
    instrument: str = "poet-holder",
) -> pd.DataFrame:
    """The council's public actions agreed at ``wave`` or before, each with the result for the
    same question at ``wave`` against the action's wave.

    Columns: ``PUBLIC_ACTION_COLUMNS`` + ``RESULT_COLUMNS``. An action of an earlier wave gets
    :func:`wave_changes` (``wave`` against the action's wave, the Trends verdict rules:
    ``improved`` / ``no change`` / ``worse`` / ``not compared``); an action of ``wave`` itself
    has no later result yet (``verdict`` ``not yet``). Figures are flagged, not blanked:
    publish through :func:`pipeline.disclosure.pages.publish_you_said`.
    """
    chosen = actions(con, council=council, public_only=True)
    chosen = chosen[(chosen["instrument"] == instrument) & (chosen["wave"] <= int(wave))]
    chosen = chosen[publishable(chosen)] if len(chosen) else chosen
    columns = PUBLIC_ACTION_COLUMNS + RESULT_COLUMNS
    if chosen.empty:
        return pd.DataFrame(columns=columns)
    chosen = chosen.rename(columns={"wave": "action_wave"})
    rows = []
    for (section, earlier), group in chosen.groupby(["section", "action_wave"], sort=False):
        group = group[[c for c in PUBLIC_ACTION_COLUMNS if c in group]].copy()
        group["result_wave"] = int(wave)
        if int(earlier) == int(wave):
            group["verdict"] = "not yet"
            group["verdict_note"] = "agreed at this wave: the next survey will show"
            group["suppressed"] = False
            group["suppression_reason"] = ""
            rows.append(group)
            continue
        try:
            changes = wave_changes(
                con,
                council=council,
                wave=int(wave),
                instrument=instrument,
                section=str(section),
                previous=int(earlier),
            )
        except NoDataError:
            changes = pd.DataFrame(columns=["question_code", *RESULT_COLUMNS])
        changes = changes.drop(columns=["instrument", "council", "domain", "wave",
                                        "previous_wave"], errors="ignore")  # fmt: skip
        rows.append(group.merge(changes, on="question_code", how="left"))
    frame = pd.concat(rows, ignore_index=True)
    for column in columns:
        if column not in frame:
            frame[column] = None
    frame["suppressed"] = frame["suppressed"].fillna(False).astype(bool)
    order = {code: i for i, code in enumerate(get_instrument(instrument).outcome_codes)}
    frame["_order"] = [
        (0 if section == "outcomes" else 1, order.get(code, 99), action_id)
        for section, code, action_id in zip(
            frame["section"], frame["question_code"], frame["action_id"], strict=True
        )
    ]
    frame = frame.sort_values(["action_wave", "_order"], ascending=[False, True])
    return frame[columns].reset_index(drop=True)
