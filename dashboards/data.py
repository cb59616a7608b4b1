"""Every page's only door to the data: cached calls to ``pipeline.analysis``.

Each call opens the database read-only (``pipeline.analysis.open_database`` retries while a
load holds the write lock), runs one analysis function and closes the connection, so a load can
start at any moment between queries. Results are cached with ``st.cache_data`` keyed on the
function, its arguments and the *version of the data it reads*
(:mod:`pipeline.analysis.versions`): a token per council, per wave and for reference data, read
from the committed ``loads`` table. A load changes those tokens only when it commits, so

- while a load runs (and holds DuckDB's single write lock, so no reader can open the file),
  every page already cached keeps being served from what was committed before it;
- when it commits, only the calls that read its council, the pooled figures of its wave and the
  calls over every council are recomputed; the rest of the cache stays (docs/decisions.md D66).

The tokens themselves are re-read only when the file or its write-ahead log changes on disk
(one ``stat`` per run), and never waited for: if a writer holds the lock the last tokens read
are used.

In the public view every frame passes through ``pipeline.disclosure.protect`` before a page sees
it; pages never decide what may be published.
"""

from __future__ import annotations

import threading
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd
import streamlit as st

from pipeline.config import default_db_path

if TYPE_CHECKING:
    from pipeline.analysis.versions import DataVersions

# How long an unused cached result stays in memory. The key carries the data's version, so
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


# The last tokens read, per database file: {path: (file version when read, DataVersions)}.
# Shared by every session of this process (a Streamlit server is one process).
_versions: dict[str, tuple[tuple[int, int, int, int], DataVersions]] = {}
_versions_lock = threading.Lock()


def _read_versions(path: Path, *, wait: bool) -> DataVersions:
    import duckdb

    from pipeline.analysis.versions import data_versions

    if wait:
        import pipeline.analysis as analysis

        con = analysis.open_database(path)
    else:
        con = duckdb.connect(str(path), read_only=True)  # one attempt: raises while locked
    try:
        return data_versions(con)
    finally:
        con.close()


def data_versions(path: Path | None = None) -> DataVersions:
    """The committed data's tokens, re-read only when the file changed on disk.

    While another process holds the write lock (a load is running) the tokens read before it
    are kept, so readers are served from the cache of what was committed; only a process that
    has never read them waits for the lock like any query.
    """
    import duckdb

    path = path or database_path()
    key = str(path)
    on_disk = database_version(path)
    with _versions_lock:
        known = _versions.get(key)
    if known is not None and known[0] == on_disk:
        return known[1]
    try:
        versions = _read_versions(path, wait=known is None)
    except duckdb.Error:
        if known is None:
            raise
        return known[1]  # a writer holds the file: serve what was committed before it
    # Read while no writer held the file, so the file as it is now is committed data: any write
    # the tokens do not cover (a table written without a load) still changes the whole token.
    versions = replace(versions, committed=repr(on_disk))
    with _versions_lock:
        _versions[key] = (on_disk, versions)
    return versions


def forget_versions() -> None:
    """Make the next run re-read the tokens (after this process wrote to the database)."""
    with _versions_lock:
        _versions.clear()


# How many analysis calls may compute at once in this process (cache hits never wait). One
# call over a 1,000,000-return database holds 20-220 MB while it runs (the rows it reads, its
# DuckDB scan) and frees it after; 20 readers opening pages nobody has seen made 20 at a time
# and took the server to 1.8 GB, though what stays cached is about 100 MB. DuckDB already uses
# every core for one query, so more at once does not finish them sooner.
_COMPUTING = threading.BoundedSemaphore(2)


@st.cache_data(ttl=_CACHE_SECONDS, show_spinner=False, max_entries=2000)
def _cached_call(function: str, db_path: str, version: tuple, kwargs: tuple) -> Any:
    import pipeline.analysis as analysis

    with _COMPUTING:
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
    version = data_versions(path).for_call(function, kwargs)
    result = _cached_call(function, str(path), version, frozen)
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
