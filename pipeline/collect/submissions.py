"""The survey site's write-ahead submission store: durable the moment "thank you" is shown.

DuckDB lets one process write its file at a time, and a file load or the dashboard may hold it
for seconds. A person pressing *Send* cannot wait for that, and must never be told "thank you"
for a return that is then lost. So the site writes every submission first to this store, a
SQLite file beside the DuckDB file (``outcomes.duckdb`` -> ``outcomes.submissions.sqlite``), in
WAL mode with ``synchronous=FULL``: the commit is on disk before the reply is sent, SQLite
serialises concurrent writers with a short busy wait instead of refusing them, and readers
never block the writer. The merger (:mod:`pipeline.collect.merge`) later moves submissions into
DuckDB through the ingest path, in small transactions, and marks them merged.

The store also keeps what the site needs without touching DuckDB: drafts (answers saved against a
code, "save and come back"), and a copy of the invitation codes of the samples (``invitations``)
with the codes that already have a return in DuckDB, refreshed by the merger whenever it has the
database open. "Submit once" is a unique index on online submissions per code, so two presses
of *Send* in two tabs cannot both succeed.
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

SCHEMA = """
CREATE TABLE IF NOT EXISTS submissions (
    submission_id   INTEGER PRIMARY KEY AUTOINCREMENT,
    invitation_code TEXT NOT NULL,
    channel         TEXT NOT NULL CHECK (channel IN ('online', 'paper')),
    answers         TEXT NOT NULL,          -- JSON: question code -> answer code or text
    version         TEXT NOT NULL,          -- standard | easy_read | paper
    submitted_at    TEXT NOT NULL,          -- UTC, ISO 8601
    keyed_by        TEXT,                   -- paper: the staff user who keyed it
    merged_load_id  INTEGER,                -- set once the return is in DuckDB
    merged_at       TEXT
);
CREATE UNIQUE INDEX IF NOT EXISTS one_online_return ON submissions (invitation_code)
    WHERE channel = 'online';
CREATE INDEX IF NOT EXISTS unmerged ON submissions (submission_id) WHERE merged_load_id IS NULL;
CREATE TABLE IF NOT EXISTS drafts (
    invitation_code TEXT PRIMARY KEY,
    answers         TEXT NOT NULL,
    version         TEXT NOT NULL,
    updated_at      TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS invitations (
    invitation_code TEXT PRIMARY KEY,
    person_key      TEXT NOT NULL,
    council         TEXT NOT NULL,
    wave            INTEGER NOT NULL,
    instrument      TEXT NOT NULL,
    returned        INTEGER NOT NULL DEFAULT 0  -- a return is already in DuckDB (any channel)
);
CREATE TABLE IF NOT EXISTS peer_responses (
    response_id     INTEGER PRIMARY KEY AUTOINCREMENT,
    council         TEXT NOT NULL,
    wave            INTEGER NOT NULL,           -- the council's latest results when sent
    organisation    TEXT NOT NULL,
    contact         TEXT NOT NULL,              -- never published
    response_text   TEXT NOT NULL,              -- as sent; published only redacted and approved
    submitted_at    TEXT NOT NULL,
    merged_at       TEXT                        -- set once the response is in DuckDB
);
CREATE TABLE IF NOT EXISTS result_councils (
    council         TEXT PRIMARY KEY,           -- councils with results loaded, for /respond
    wave            INTEGER NOT NULL            -- their latest wave
);
"""


def store_path_for(db_path: str | Path) -> Path:
    """Where the store of a DuckDB file lives: beside it, named after it."""
    path = Path(db_path)
    return path.with_name(path.stem + ".submissions.sqlite")


@dataclass(frozen=True)
class Invitation:
    """An invitation code and whom it belongs to (from the sample)."""

    code: str
    person_key: str
    council: str
    wave: int
    instrument: str
    returned: bool


@dataclass(frozen=True)
class Submission:
    submission_id: int
    code: str
    channel: str
    answers: dict[str, str]
    version: str
    submitted_at: dt.datetime
    keyed_by: str | None


class AlreadySubmitted(Exception):
    """This code has already sent its answers online."""


def _now() -> str:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None).isoformat(timespec="microseconds")


class SubmissionStore:
    """One SQLite file, a connection per thread (the site serves requests from a thread pool)."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._local = threading.local()
        with self._connection() as con:
            con.executescript(SCHEMA)

    def _open(self) -> sqlite3.Connection:
        con = sqlite3.connect(self.path, timeout=30.0, isolation_level=None)
        con.execute("PRAGMA journal_mode=WAL")
        # FULL: the WAL is synced at every commit, so a return survives a power cut once
        # acknowledged (NORMAL would only protect against a crash of this process).
        con.execute("PRAGMA synchronous=FULL")
        con.execute("PRAGMA busy_timeout=30000")
        return con

    @contextmanager
    def _connection(self) -> Iterator[sqlite3.Connection]:
        con = getattr(self._local, "con", None)
        if con is None:
            con = self._open()
            self._local.con = con
        yield con

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        """BEGIN IMMEDIATE takes the write lock up front, so a busy store waits, never fails
        half-way through a read-then-write."""
        with self._connection() as con:
            con.execute("BEGIN IMMEDIATE")
            try:
                yield con
            except BaseException:
                con.execute("ROLLBACK")
                raise
            con.execute("COMMIT")

    # ---- invitations ---------------------------------------------------------------------

    def replace_invitations(self, rows: Iterable[tuple[str, str, str, int, str, bool]]) -> int:
        """Replace the copy of the samples' codes: (code, person_key, council, wave,
        instrument, returned). Returns how many codes there are."""
        rows = list(rows)
        with self._write() as con:
            con.execute("DELETE FROM invitations")
            con.executemany(
                "INSERT INTO invitations VALUES (?, ?, ?, ?, ?, ?)",
                [(c, k, co, int(w), i, int(bool(r))) for c, k, co, w, i, r in rows],
            )
        return len(rows)

    def invitation(self, code: str) -> Invitation | None:
        with self._connection() as con:
            row = con.execute(
                "SELECT invitation_code, person_key, council, wave, instrument, returned "
                "FROM invitations WHERE invitation_code = ?",
                [code],
            ).fetchone()
        return None if row is None else Invitation(*row[:5], returned=bool(row[5]))

    def invitation_count(self) -> int:
        with self._connection() as con:
            return int(con.execute("SELECT count(*) FROM invitations").fetchone()[0])

    def is_used(self, code: str) -> bool:
        """True when this code has sent its answers online, or a return for it (paper or a
        loaded file) is already in the database."""
        with self._connection() as con:
            row = con.execute(
                "SELECT EXISTS (SELECT 1 FROM submissions WHERE invitation_code = ? "
                "AND channel = 'online') OR EXISTS (SELECT 1 FROM invitations "
                "WHERE invitation_code = ? AND returned = 1)",
                [code, code],
            ).fetchone()
        return bool(row[0])

    def returns_for(self, code: str) -> list[str]:
        """The channels of the submissions this code already has in the store."""
        with self._connection() as con:
            return [
                row[0]
                for row in con.execute(
                    "SELECT channel FROM submissions WHERE invitation_code = ? "
                    "ORDER BY submission_id",
                    [code],
                ).fetchall()
            ]

    # ---- drafts --------------------------------------------------------------------------

    def save_draft(self, code: str, answers: dict[str, str], version: str) -> None:
        with self._write() as con:
            con.execute(
                "INSERT INTO drafts VALUES (?, ?, ?, ?) ON CONFLICT (invitation_code) DO UPDATE "
                "SET answers = excluded.answers, version = excluded.version, "
                "updated_at = excluded.updated_at",
                [code, json.dumps(answers, sort_keys=True), version, _now()],
            )

    def draft(self, code: str) -> tuple[dict[str, str], str] | None:
        with self._connection() as con:
            row = con.execute(
                "SELECT answers, version FROM drafts WHERE invitation_code = ?", [code]
            ).fetchone()
        return None if row is None else (json.loads(row[0]), row[1])

    # ---- submissions ---------------------------------------------------------------------

    def submit(
        self,
        code: str,
        answers: dict[str, str],
        *,
        channel: str,
        version: str,
        keyed_by: str | None = None,
    ) -> int:
        """Store a return durably and drop the code's draft; its id. An online return for a
        code that has one already raises :class:`AlreadySubmitted` (nothing is written)."""
        try:
            with self._write() as con:
                cursor = con.execute(
                    "INSERT INTO submissions (invitation_code, channel, answers, version, "
                    "submitted_at, keyed_by) VALUES (?, ?, ?, ?, ?, ?)",
                    [code, channel, json.dumps(answers, sort_keys=True), version, _now(), keyed_by],
                )
                con.execute("DELETE FROM drafts WHERE invitation_code = ?", [code])
                return int(cursor.lastrowid or 0)
        except sqlite3.IntegrityError as error:
            raise AlreadySubmitted(code) from error

    def unmerged(self, limit: int) -> list[Submission]:
        """The oldest submissions not yet in DuckDB, in arrival order."""
        with self._connection() as con:
            rows = con.execute(
                "SELECT submission_id, invitation_code, channel, answers, version, "
                "submitted_at, keyed_by FROM submissions WHERE merged_load_id IS NULL "
                "ORDER BY submission_id LIMIT ?",
                [limit],
            ).fetchall()
        return [
            Submission(
                submission_id=row[0],
                code=row[1],
                channel=row[2],
                answers=json.loads(row[3]),
                version=row[4],
                submitted_at=dt.datetime.fromisoformat(row[5]),
                keyed_by=row[6],
            )
            for row in rows
        ]

    def mark_merged(self, merged: dict[int, int]) -> None:
        """Record submission id -> load id for submissions now in DuckDB."""
        if not merged:
            return
        with self._write() as con:
            con.executemany(
                "UPDATE submissions SET merged_load_id = ?, merged_at = ? WHERE submission_id = ?",
                [(load_id, _now(), submission_id) for submission_id, load_id in merged.items()],
            )

    def counts(self) -> dict[str, int]:
        """Submissions in the store: all, merged and waiting."""
        with self._connection() as con:
            total, waiting = con.execute(
                "SELECT count(*), count(*) FILTER (WHERE merged_load_id IS NULL) FROM submissions"
            ).fetchone()
        return {"stored": int(total), "merged": int(total - waiting), "waiting": int(waiting)}

    # ---- peer responses (issue 13) -------------------------------------------------------

    def replace_result_councils(self, rows: Iterable[tuple[str, int]]) -> int:
        """Replace the copy of which councils have results (council, latest wave): the
        /respond form offers these without opening DuckDB."""
        rows = [(str(council), int(wave)) for council, wave in rows]
        with self._write() as con:
            con.execute("DELETE FROM result_councils")
            con.executemany("INSERT INTO result_councils VALUES (?, ?)", rows)
        return len(rows)

    def result_councils(self) -> list[tuple[str, int]]:
        """(council, latest wave) of every council with results, by name."""
        with self._connection() as con:
            rows = con.execute(
                "SELECT council, wave FROM result_councils ORDER BY council"
            ).fetchall()
        return [(str(council), int(wave)) for council, wave in rows]

    def add_peer_response(
        self, council: str, wave: int, organisation: str, contact: str, text: str
    ) -> int:
        """Store a peer network's response durably (synced before the reply); its id."""
        with self._write() as con:
            cursor = con.execute(
                "INSERT INTO peer_responses (council, wave, organisation, contact, "
                "response_text, submitted_at) VALUES (?, ?, ?, ?, ?, ?)",
                [council, int(wave), organisation, contact, text, _now()],
            )
            return int(cursor.lastrowid or 0)

    def unmerged_peer_responses(self) -> list[dict]:
        """Responses not yet in DuckDB, oldest first, as column -> value."""
        with self._connection() as con:
            cursor = con.execute(
                "SELECT response_id, council, wave, organisation, contact, response_text, "
                "submitted_at FROM peer_responses WHERE merged_at IS NULL ORDER BY response_id"
            )
            names = [column[0] for column in cursor.description]
            return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]

    def mark_peer_responses_merged(self, response_ids: Iterable[int]) -> None:
        now = _now()
        rows = [(now, int(response_id)) for response_id in response_ids]
        if not rows:
            return
        with self._write() as con:
            con.executemany("UPDATE peer_responses SET merged_at = ? WHERE response_id = ?", rows)

    def close(self) -> None:
        con = getattr(self._local, "con", None)
        if con is not None:
            con.close()
            self._local.con = None
