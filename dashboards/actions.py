"""The Actions page's writes: ``python -m pipeline.collect.actions`` in a process of its own.

The dashboard's pages hold read-only connections and DuckDB lets one process write the file, so
(as the Quotes page does) each add or update runs the collect module in a subprocess, with the
signed-in commissioner's name as who made the change.
"""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date
from pathlib import Path


class ActionRefused(ValueError):
    """The collect module refused the change; the message says why and what to do."""


def _run(db_path: Path, request: dict) -> dict:
    finished = subprocess.run(
        [sys.executable, "-m", "pipeline.collect.actions", str(db_path)],
        input=json.dumps(request, default=_json_value),
        capture_output=True,
        text=True,
        check=False,
    )
    lines = [line for line in finished.stdout.splitlines() if line.startswith("{")]
    if not lines:
        raise ActionRefused(f"nothing was recorded: {finished.stderr.strip()[-500:]}")
    payload = json.loads(lines[-1])
    if "error" in payload:
        raise ActionRefused(payload["error"])
    return payload


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
