"""The Peer responses page's writes: ``python -m pipeline.collect.responses`` in a process of its
own, as the Quotes and Actions pages write: the dashboard's pages hold read-only connections and
DuckDB lets one process write the file. The signed-in commissioner's name is who decided."""

from __future__ import annotations

from pathlib import Path

from dashboards.writer import run_writer

STATUS_CHOICES = ("pending", "approved", "rejected", "all")


class ResponseRefused(ValueError):
    """The collect module refused the decision; the message says why and what to do."""


def record(db_path: Path, response_id: int, **decision: str | None) -> str:
    """Record a decision (``pipeline.collect.responses.decide``'s keywords: status, by, text,
    organisation, reply, notes); the sentence saying what was recorded."""
    request = {"response_id": int(response_id), **decision}
    payload = run_writer("pipeline.collect.responses", db_path, request, ResponseRefused)
    return str(payload["message"])
