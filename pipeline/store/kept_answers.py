"""Where the commands' kept answers live beside a database, and how writers drop them.

`pipeline/commands/answer_cache.py` keeps a read-only command's printed answer until the
database changes (docs/decisions.md D80). Its key already misses once the file changes, but a
kept answer may quote what a load or an unload has since removed, so every writable connection
(:func:`pipeline.store.connect`) drops the database's kept answers when it opens and again when
the process ends: nothing removed from the database outlives it in a cache file.
"""

from __future__ import annotations

import atexit
from pathlib import Path

CACHE_FOLDER = ".outcomes-cache"
ANSWERS = "answers"

_forget_at_exit: set[Path] = set()


def answers_folder(database: Path) -> Path:
    """A database's kept answers: beside it, like the wave publications (D73)."""
    return database.parent / CACHE_FOLDER / database.name / ANSWERS


def file_identity(path: Path) -> str:
    try:
        stat = path.stat()
    except OSError:
        return "-"
    return f"{stat.st_ino}:{stat.st_size}:{stat.st_mtime_ns}"


def database_stamp(database: Path) -> str:
    """Changes whenever the database file or its write-ahead log is written."""
    wal = database.with_name(database.name + ".wal")
    return f"{file_identity(database)}|{file_identity(wal)}"


def forget_answers(database: Path) -> None:
    """Remove every answer kept for a database."""
    folder = answers_folder(database)
    if not folder.is_dir():
        return
    for path in folder.iterdir():
        path.unlink(missing_ok=True)


def forget_answers_now_and_at_exit(database: Path) -> None:
    """Drop the kept answers of a database about to be written, and again when this process
    ends (after its last commit)."""
    forget_answers(database)
    if database not in _forget_at_exit:
        _forget_at_exit.add(database)
        atexit.register(forget_answers, database)
