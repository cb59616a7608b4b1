"""Rewrite reference data only when its source changed (``reference_versions``).

Writers refresh the question scales and the shipped benchmarks on connect. Rewriting them every
time made every connection change the database file, so nobody could check that a refused load
left the file exactly as it was; now each refresh is skipped when the fingerprint of its source
equals the one recorded when it was last written.
"""

from __future__ import annotations

import hashlib

import duckdb


def fingerprint(*parts: bytes) -> str:
    digest = hashlib.sha256()
    for part in parts:
        digest.update(hashlib.sha256(part).digest())
    return digest.hexdigest()


def is_current(con: duckdb.DuckDBPyConnection, name: str, value: str) -> bool:
    """Whether ``name`` was last written from a source with this fingerprint."""
    rows = con.execute(
        "SELECT fingerprint FROM reference_versions WHERE name = ?", [name]
    ).fetchall()
    return bool(rows) and rows[0][0] == value


def record(con: duckdb.DuckDBPyConnection, name: str, value: str) -> None:
    """Record (inside the refresh's transaction) what ``name`` was written from."""
    con.execute(
        "INSERT INTO reference_versions (name, fingerprint) VALUES (?, ?) ON CONFLICT (name) "
        "DO UPDATE SET fingerprint = excluded.fingerprint, synced_at = now()",
        [name, value],
    ).fetchall()
