"""The Peer responses page's writes: ``python -m pipeline.collect.responses`` in a process of its
own, as the Quotes and Actions pages write: the dashboard's pages hold read-only connections and
DuckDB lets one process write the file. The signed-in commissioner's name is who decided."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

STATUS_CHOICES = ("pending", "approved", "rejected", "all")


class ResponseRefused(ValueError):
    """The collect module refused the decision; the message says why and what to do."""


def record(db_path: Path, response_id: int, **decision: str | None) -> str:
    """Record a decision (``pipeline.collect.responses.decide``'s keywords: status, by, text,
    organisation, reply, notes); the sentence saying what was recorded."""
    request = {"response_id": int(response_id), **decision}
    finished = subprocess.run(
        [sys.executable, "-m", "pipeline.collect.responses", str(db_path)],
        input=json.dumps(request),
        capture_output=True,
        text=True,
        check=False,
    )
    lines = [line for line in finished.stdout.splitlines() if line.startswith("{")]
    if not lines:
        raise ResponseRefused(f"nothing was recorded: {finished.stderr.strip()[-500:]}")
    payload = json.loads(lines[-1])
    if "error" in payload:
        raise ResponseRefused(payload["error"])
    return str(payload["message"])
