"""The DuckDB store: connection, numbered migrations and reference rows from the instruments.

The connection functions load on first use (PEP 562), so a module that only needs a light part
of the store, such as where the commands' kept answers live, does not import DuckDB.
"""

__all__ = ["connect", "read_only_connection"]


def __getattr__(name: str):  # noqa: ANN202
    if name in __all__:
        from pipeline.store import connection

        return getattr(connection, name)
    raise AttributeError(f"module 'pipeline.store' has no attribute {name!r}")
