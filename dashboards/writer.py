"""Run a collect module's writer in a process of its own and read back its one-line JSON answer.

The dashboard's pages hold read-only connections and DuckDB lets one process write the file, so
the Actions and Peer responses pages send each change as JSON to ``python -m <module> <db>`` and
read its last JSON line: ``{"error": ...}`` when it refused, otherwise what it recorded. The
Quotes page's decisions, sent through the ``outcomes quotes`` command, are read the same way.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path


def run_writer(
    module: str,
    db_path: Path,
    request: dict,
    refused: type[Exception],
    *,
    default: Callable[[object], object] | None = None,
) -> dict:
    """The writer's answer to ``request``; raises ``refused`` with its reason when it refused
    or recorded nothing."""
    finished = subprocess.run(
        [sys.executable, "-m", module, str(db_path)],
        input=json.dumps(request, default=default),
        capture_output=True,
        text=True,
        check=False,
    )
    return json_answer(finished, refused, "nothing was recorded")


def json_answer(
    finished: subprocess.CompletedProcess, refused: type[Exception], unrecorded: str
) -> dict:
    """A writer process's last JSON line; raises ``refused`` with its error, or with
    ``unrecorded`` and the end of its stderr when it printed no JSON at all."""
    lines = [line for line in finished.stdout.splitlines() if line.startswith("{")]
    if not lines:
        raise refused(f"{unrecorded}: {finished.stderr.strip()[-500:]}")
    payload = json.loads(lines[-1])
    if "error" in payload:
        raise refused(payload["error"])
    return payload
