"""The Actions page's writes: ``python -m pipeline.collect.actions`` in a process of its own.

The dashboard's pages hold read-only connections and DuckDB lets one process write the file, so
(as the Quotes page does) each add or update runs the collect module in a subprocess, with the
signed-in commissioner's name as who made the change.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from dashboards.writer import run_writer


class ActionRefused(ValueError):
    """The collect module refused the change; the message says why and what to do."""


def _run(db_path: Path, request: dict) -> dict:
    return run_writer(
        "pipeline.collect.actions", db_path, request, ActionRefused, default=_json_value
    )


def _json_value(value: object) -> str:
    if isinstance(value, date):
        return value.isoformat()
    raise TypeError(f"cannot send {type(value).__name__}")


def add(db_path: Path, **fields: object) -> int:
    """Record a new action (keyword arguments of ``pipeline.collect.actions.add_action``)."""
    return int(_run(db_path, {"add": fields})["action_id"])


def update(db_path: Path, action_id: int, **fields: object) -> list[str]:
    """Change an action (``update_action``'s keywords); the fields that changed."""
    return list(_run(db_path, {"update": {"action_id": int(action_id), **fields}})["changed"])
