"""Every page's only door to the data: cached calls to ``pipeline.analysis``.

Each call opens the database read-only (``pipeline.analysis.open_database`` retries while a
load holds the write lock), runs one analysis function and closes the connection, so a load can
start at any moment between queries. Results are cached with ``st.cache_data`` keyed on the
function, its arguments and the database's *version* (modification times and sizes of the file
and its write-ahead log): a committed load changes the version, so the next run recomputes and
shows the new data, while repeat views of unchanged data are served from memory.

In the public view every frame passes through ``pipeline.disclosure.protect`` before a page sees
it; pages never decide what may be published.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
import streamlit as st

from pipeline.config import default_db_path

# How long an unused cached result stays in memory. The key carries the database version, so
# this only bounds memory use; it is never what makes new data appear.
_CACHE_SECONDS = 3600
_PROTECTED_COUNTS = ("count", "count_better", "respondents", "people")


def database_path() -> Path:
    """The database the dashboard serves (``OUTCOMES_DB``, set by ``outcomes dashboard --db``)."""
    return default_db_path()


def database_version(path: Path | None = None) -> tuple[int, int, int, int]:
    """A value that changes whenever a load commits: (mtime, size) of the file and its WAL."""
    path = path or database_path()
    parts: list[int] = []
    for candidate in (path, Path(f"{path}.wal")):
        try:
            stat = candidate.stat()
            parts += [stat.st_mtime_ns, stat.st_size]
        except FileNotFoundError:
            parts += [0, 0]
    return (parts[0], parts[1], parts[2], parts[3])


@st.cache_data(ttl=_CACHE_SECONDS, show_spinner=False, max_entries=2000)
def _cached_call(
    function: str, db_path: str, version: tuple[int, int, int, int], kwargs: tuple
) -> Any:
    import pipeline.analysis as analysis

    con = analysis.open_database(db_path)
    try:
        return getattr(analysis, function)(con, **dict(kwargs))
    finally:
        con.close()


def _freeze(value: Any) -> Any:
    """Make keyword values hashable and order-independent for the cache key."""
    if isinstance(value, list | tuple):
        return tuple(_freeze(v) for v in value)
    if isinstance(value, dict):
        return tuple(sorted((k, _freeze(v)) for k, v in value.items()))
    return value


def query(function: str, **kwargs: Any) -> Any:
    """``pipeline.analysis.<function>(con, **kwargs)`` on a fresh read-only connection, cached.

    Returns a copy so a page that adds a column never alters the cached result.
    """
    path = database_path()
    frozen = tuple(sorted((k, _freeze(v)) for k, v in kwargs.items()))
    result = _cached_call(function, str(path), database_version(path), frozen)
    if isinstance(result, pd.DataFrame):
        return result.copy()
    if isinstance(result, dict):
        return {k: v.copy() if isinstance(v, pd.DataFrame) else v for k, v in result.items()}
    return result


def database_exists() -> bool:
    return database_path().exists()


def publish(frame: pd.DataFrame, role: str, **protect_options: Any) -> pd.DataFrame:
    """The frame as the viewer may see it: as is for commissioners, disclosure-controlled else.

    Counts (``count``, ``people``, ...) and the base ``n`` are protected where the frame has them;
    frames without a base are protected on their counts alone.
    """
    if role == "commissioner" or frame.empty:
        return frame
    from pipeline.disclosure import protect

    options: dict[str, Any] = {"count_columns": _PROTECTED_COUNTS, "base_column": "n"}
    options.update(protect_options)
    return protect(frame, **options)


def environment_db_note() -> str:
    """Where the data comes from, for the page footer."""
    return f"Database: {database_path().name} (set OUTCOMES_DB or `outcomes dashboard --db`)"
