"""The wave's publication, kept on disk beside the database until the data or the code changes.

Every council's report of a wave is protected together with every other council's (the
whole-wave disclosure rule, D65; the people-like-me groups, D77), so even one council's report
publishes the whole wave first: most of a single report's time. The published frames depend only
on the committed data and on this program, so they are written once to
``<database folder>/.outcomes-cache/<database name>/`` under a key made of

- the database's committed-data tokens (:func:`pipeline.analysis.versions.data_versions`: every
  load, quote decision, sample draw and reference table) and a count and order-free hash of the
  wave's returns and answers (so rows written without a load still change it), and
- the disclosure thresholds and a fingerprint of the code and instrument files that compute and
  protect them (every ``.py`` and ``.sql`` under ``pipeline/``, every file under ``surveys/``),

and any later report of the same wave, in this process or another, reads them back instead of
publishing again. A key that no longer matches is never read; older files of the same wave are
removed when a new one is written. An in-memory database, or a folder we may not write to, simply
publishes every time. The file is a pickle of pandas frames, written and read only by this
module in a folder beside the database itself (whoever can write there can change the database).
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from functools import cache
from pathlib import Path

import duckdb
import pandas as pd

from pipeline.analysis.versions import data_versions
from pipeline.config import THRESHOLDS, surveys_dir
from pipeline.store.connection import database_file

ROOT = Path(__file__).resolve().parents[2]
CACHE_FOLDER = ".outcomes-cache"


@cache
def code_fingerprint(surveys: str) -> str:
    """A hash of every file whose change could change a publication: the code under
    ``pipeline/`` and the instrument files in ``surveys`` (read once per process)."""
    digest = hashlib.sha256()
    files = [
        *sorted((ROOT / "pipeline").rglob("*.py")),
        *sorted((ROOT / "pipeline").rglob("*.sql")),
    ]
    files += sorted(p for p in Path(surveys).rglob("*") if p.is_file())
    for path in files:
        digest.update(path.as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:20]


def cache_key(con: duckdb.DuckDBPyConnection, wave: int, instrument: str) -> str:
    """The key of the wave's publication: committed data, the wave's returns and answers
    (whole rows, order-free), the thresholds and the code."""
    returns = con.execute(
        "SELECT count(*), coalesce(sum(hash(r)), 0) FROM respondents r "
        "WHERE wave = ? AND instrument = ?",
        [int(wave), instrument],
    ).fetchone()
    answers = con.execute(
        "SELECT count(*), coalesce(sum(hash(a)), 0) FROM answer_values a "
        "JOIN respondents r USING (return_id) WHERE r.wave = ? AND r.instrument = ?",
        [int(wave), instrument],
    ).fetchone()
    parts = [
        data_versions(con).everything,
        str(returns),
        str(answers),
        repr(THRESHOLDS),
        code_fingerprint(str(surveys_dir())),
    ]
    return hashlib.sha256("|".join(parts).encode()).hexdigest()[:24]


def cache_path(con: duckdb.DuckDBPyConnection, wave: int, instrument: str) -> Path | None:
    """Where the wave's publication is (or would be) kept; None for an in-memory database."""
    database = database_file(con)
    if not database or database == ":memory:":
        return None
    database = Path(database)
    folder = database.parent / CACHE_FOLDER / database.name
    return folder / f"wave-{int(wave)}-{instrument}-{cache_key(con, wave, instrument)}.pickle"


def read_or_publish(
    con: duckdb.DuckDBPyConnection, wave: int, instrument: str, publish
) -> tuple[dict[str, pd.DataFrame], Path | None]:
    """The wave's published frames, from the cache when its key matches, else ``publish()``
    (then kept for next time). Also returns the cache file, for workers to read."""
    path = cache_path(con, wave, instrument)
    if path is not None and path.exists():
        try:
            return pd.read_pickle(path), path
        except Exception:  # noqa: BLE001 - a torn or foreign file: publish again
            path.unlink(missing_ok=True)
    published = publish()
    if path is None:
        return published, None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        for older in path.parent.glob(f"wave-{int(wave)}-{instrument}-*.pickle"):
            older.unlink(missing_ok=True)
        # written whole then renamed, so a reader never sees half a file
        handle, partial = tempfile.mkstemp(dir=path.parent, suffix=".partial")
        os.close(handle)
        pd.to_pickle(published, partial)
        os.replace(partial, path)
    except OSError:  # a read-only folder: publish every time, as before
        return published, None
    return published, path
