"""The DuckDB store: connection, numbered migrations and reference rows from the instruments."""

from pipeline.store.connection import connect, read_only_connection

__all__ = ["connect", "read_only_connection"]
