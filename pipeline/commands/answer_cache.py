"""A read-only command's printed answer, kept until the database or the program changes.

An analyst asks the same question of the same database many times (`outcomes compare`, then
`trends`, then `compare` again with the table in view). Most of such a command's time is not the
question: Python must import pandas (about 0.3 s on the project's machines) and, for some
commands, statsmodels or scipy, before the database is read at all (docs/decisions.md D80). So
the commands wrapped here keep what they printed, standard output and standard error, in
``<database folder>/.outcomes-cache/<database name>/answers/``, under a key made of

- the command and every option as given (the database path resolved),
- the database file's and its write-ahead log's identity, size and modification time, so any
  committed write, by this program or any other, makes every kept answer stale,
- the disclosure thresholds, the terminal the answer is printed for (width, colours), and
- a fingerprint of the program: the modification times and sizes of every file under
  ``pipeline/`` and ``surveys/`` and of the installed packages' folder.

A stale answer is never printed: a key either matches exactly or the command runs. When the
database changes, the next cached command removes every answer kept for it, and the commands
that write (`ingest`, `unload`, quote decisions and the rest) remove them as they finish
(:func:`forget_answers`), so a person's answers that were removed from the database do not
outlive it in a cache file. ``--unsuppressed`` answers (small numbers, for analysts only) are
never kept. ``OUTCOMES_ANSWER_CACHE=off`` turns the cache off (the command-latency benchmark
uses it to time the uncached command).
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import io
import json
import os
import sys
import sysconfig
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from pipeline.config import REPO_ROOT, THRESHOLDS, default_db_path, surveys_dir
from pipeline.store.kept_answers import answers_folder, database_stamp, file_identity

STAMP = "database.stamp"


def enabled() -> bool:
    """False when ``OUTCOMES_ANSWER_CACHE`` is ``off`` (or ``0``/``no``)."""
    return os.environ.get("OUTCOMES_ANSWER_CACHE", "on").strip().lower() not in {"off", "0", "no"}


@functools.cache
def program_fingerprint() -> str:
    """Modification times and sizes of the code, the instruments and the installed packages.

    Stat, not read: a few hundred files cost about 20 ms, and an edit or an upgrade changes
    what a read would have found.
    """
    digest = hashlib.sha256()
    roots = [REPO_ROOT / "pipeline", surveys_dir()]
    for root in roots:
        for folder, _dirs, files in sorted(os.walk(root)):
            for name in sorted(files):
                if name.endswith((".pyc", ".partial")):
                    continue
                path = os.path.join(folder, name)
                digest.update(f"{path}={file_identity(Path(path))};".encode())
    packages = Path(sysconfig.get_paths()["purelib"])
    digest.update(f"{sys.version}|{packages}={file_identity(packages)}".encode())
    return digest.hexdigest()[:20]


def _terminal() -> str:
    """What the printed answer depends on besides the data: the width and colours it is
    drawn for, as a console made now measures them (``$COLUMNS``, ``NO_COLOR``, a pipe)."""
    from rich.console import Console

    console = Console()
    return f"{console.width}|{console.color_system}|{console.is_terminal}|{console.encoding}"


def answer_key(command: str, options: dict[str, Any], database: Path, stamp: str) -> str:
    """The key of one command's answer (see the module docstring for its parts)."""
    parts = [
        command,
        json.dumps({k: repr(v) for k, v in sorted(options.items())}),
        str(database.resolve()),
        stamp,
        repr(THRESHOLDS),
        _terminal(),
        program_fingerprint(),
    ]
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()[:32]


def _purge_if_changed(folder: Path, stamp: str) -> None:
    """Drop the kept answers of an earlier state of the database, then record this one."""
    stamp_file = folder / STAMP
    try:
        if stamp_file.read_text() == stamp:
            return
    except OSError:
        pass
    for path in folder.glob("*.json"):
        path.unlink(missing_ok=True)
    stamp_file.write_text(stamp)


class _Tee(io.TextIOBase):
    """A standard stream that also records what is written, and still looks like the
    terminal to rich (same ``isatty``, ``fileno`` and encoding), so the answer is drawn as
    it would be unrecorded."""

    def __init__(self, stream: Any) -> None:
        self.stream = stream
        self.parts: list[str] = []

    def write(self, text: str) -> int:
        self.parts.append(text)
        return self.stream.write(text)

    def flush(self) -> None:
        self.stream.flush()

    def isatty(self) -> bool:
        return self.stream.isatty()

    def fileno(self) -> int:
        return self.stream.fileno()

    @property
    def encoding(self) -> str:  # type: ignore[override]
        return getattr(self.stream, "encoding", "utf-8")

    def text(self) -> str:
        return "".join(self.parts)


def _read_answer(path: Path) -> dict[str, str] | None:
    try:
        kept = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(kept, dict) or not {"stdout", "stderr"} <= kept.keys():
        return None
    return kept


def _write_answer(path: Path, stdout: str, stderr: str) -> None:
    handle, partial = tempfile.mkstemp(dir=path.parent, suffix=".partial")
    with os.fdopen(handle, "w", encoding="utf-8") as out:
        json.dump({"stdout": stdout, "stderr": stderr}, out)
    os.replace(partial, path)


def cached_answer(command: str) -> Callable[[Callable[..., None]], Callable[..., None]]:
    """Wrap a read-only command so a repeat on unchanged data prints its kept answer.

    The wrapper keeps the command's signature (Typer reads it through ``__wrapped__``). The
    command's ``db`` option names the database; an answer is kept only when the command
    finished without an error and ``--unsuppressed`` was not asked for.
    """

    def wrap(function: Callable[..., None]) -> Callable[..., None]:
        @functools.wraps(function)
        def run(**options: Any) -> None:
            database = Path(options.get("db") or default_db_path())
            if not enabled() or options.get("unsuppressed") or not database.is_file():
                return function(**options)
            stamp = database_stamp(database)
            folder = answers_folder(database)
            try:
                folder.mkdir(parents=True, exist_ok=True)
                _purge_if_changed(folder, stamp)
            except OSError:  # a folder we may not write to: answer every time
                return function(**options)
            key = answer_key(command, options, database, stamp)
            path = folder / f"{command.replace(' ', '-')}-{key}.json"
            kept = _read_answer(path)
            if kept is not None:
                sys.stdout.write(kept["stdout"])
                sys.stdout.flush()
                sys.stderr.write(kept["stderr"])
                return None
            stdout, stderr = _Tee(sys.stdout), _Tee(sys.stderr)
            sys.stdout, sys.stderr = stdout, stderr
            try:
                function(**options)  # an error (typer.Exit) leaves nothing kept
            finally:
                sys.stdout, sys.stderr = stdout.stream, stderr.stream
            if database_stamp(database) == stamp:  # nothing wrote meanwhile
                with contextlib.suppress(OSError):
                    _write_answer(path, stdout.text(), stderr.text())
            return None

        return run

    return wrap
