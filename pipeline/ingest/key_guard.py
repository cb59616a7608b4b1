"""Check the pseudonym key against the database before a load writes a single pseudonym.

The database keeps the fingerprint of the key it was built with (table ``pseudonym_key``,
migration 003), never the key. A load with another key, or with a key file made afresh because
the old one went missing, would give the same people new pseudonyms: a repeat return would count
as a second person and a survey return would link to no budget record. So such a load is refused
before anything is written, and only a new database may have a key file created for it.
"""

from __future__ import annotations

import datetime as dt
import hmac
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from pipeline.config import key_file_path
from pipeline.ingest.loading import IngestError
from pipeline.ingest.pseudonymise import (
    KEY_ENV,
    MAKE_A_KEY,
    Pseudonymiser,
    PseudonymKey,
    PseudonymKeyError,
    key_strength_problem,
    read_pseudonym_key,
    weak_key_message,
)
from pipeline.store.connection import read_only_connection

_SHOWN = 12  # fingerprint characters shown in messages: enough to tell keys apart


@dataclass(frozen=True)
class RecordedKey:
    """The database's record of the key it was built with."""

    fingerprint: str
    created_at: dt.datetime

    def describe(self) -> str:
        return (
            f"fingerprint {self.fingerprint[:_SHOWN]}…, recorded {self.created_at:%Y-%m-%d %H:%M}"
        )


@dataclass(frozen=True)
class CheckedKey:
    """A key that may be used for this load, and anything the load report should say about it."""

    pseudonymiser: Pseudonymiser = field(repr=False)
    key: PseudonymKey
    note: str = ""  # "" or "; ..." to append to the load's message


def _has_table(con: duckdb.DuckDBPyConnection, name: str) -> bool:
    return bool(
        con.execute(
            "SELECT count(*) FROM duckdb_tables() WHERE table_name = ? "
            "AND database_name = current_database()",
            [name],
        ).fetchall()[0][0]
    )


def recorded_key(con: duckdb.DuckDBPyConnection) -> RecordedKey | None:
    """The fingerprint the database holds, or None (a new database, or one from before 003)."""
    if not _has_table(con, "pseudonym_key"):  # a read-only look at an unmigrated database
        return None
    rows = con.execute("SELECT fingerprint, created_at FROM pseudonym_key").fetchall()
    return RecordedKey(rows[0][0], rows[0][1]) if rows else None


def pseudonymised_rows(con: duckdb.DuckDBPyConnection) -> int:
    """How many stored rows carry a pseudonym (survey returns and budget records)."""
    return sum(
        con.execute(f"SELECT count(*) FROM {table}").fetchall()[0][0]
        for table in ("respondents", "budgets")
        if _has_table(con, table)
    )


def _would_break(what: str) -> str:
    return (
        f"loading with {what} would give the same people new pseudonyms, so repeat returns would "
        "count twice and survey returns would link to no budget record"
    )


def _restore(key_path: Path) -> str:
    return (
        f"restore the original key file to {key_path} or set ${KEY_ENV} to the original key, "
        "and check with `outcomes key check`"
    )


def _mismatch(key: PseudonymKey, recorded: RecordedKey, database: str) -> str:
    return (
        f"the pseudonym key from {key.source} is not the one {database} was built with (this "
        f"key's fingerprint starts {key.fingerprint[:_SHOWN]}; the database's key has "
        f"{recorded.describe()}): {_would_break('it')}"
    )


def _missing(key_path: Path, recorded: RecordedKey | None, rows: int, database: str) -> str:
    built_with = (
        f"{database} was built with a pseudonym key ({recorded.describe()})"
        if recorded
        else f"{database} already holds {rows} pseudonymised records made with a pseudonym key"
    )
    return (
        f"no pseudonym key: {key_path} does not exist and ${KEY_ENV} is not set, but {built_with}. "
        f"A new key is not made for it: {_would_break('a new key')}"
    )


def check_key_for_load(con: duckdb.DuckDBPyConnection) -> CheckedKey:
    """The pseudonymiser for a load, once the key in use is known to be the database's own.

    Call it inside the load's transaction, before any pseudonym is written, so a fingerprint
    recorded now is committed with the load's rows or rolled back with them. Raises
    :class:`IngestError` (so nothing is written) when the key is missing, too weak, or not the
    one whose fingerprint the database holds. A database with no fingerprint yet records this
    key's; a key file is created only if that database also holds no pseudonymised rows.
    """
    key_path = key_file_path()
    recorded = recorded_key(con)
    existing = 0 if recorded else pseudonymised_rows(con)
    is_new = recorded is None and existing == 0
    try:
        key = read_pseudonym_key(key_path, create=is_new, check_strength=False)
    except PseudonymKeyError as error:  # the key file is missing
        if is_new:
            raise IngestError(str(error)) from error
        raise IngestError(
            f"{_missing(key_path, recorded, existing, 'this database')}. Nothing was loaded; "
            f"{_restore(key_path)}"
        ) from error
    matches = recorded is not None and hmac.compare_digest(key.fingerprint, recorded.fingerprint)
    problem = key_strength_problem(key.secret)
    if problem:  # said first: a weak key is the thing to fix, whichever database it meets
        raise IngestError(
            weak_key_message(key, problem)
            + (
                "; this database was built with this weak key, so load every file again into a "
                "new database with the new one"
                if matches
                else ""
            )
        )
    if recorded and not matches:
        raise IngestError(
            f"{_mismatch(key, recorded, 'this database')}. Nothing was loaded; {_restore(key_path)}"
        )
    if recorded:
        return CheckedKey(Pseudonymiser(key.secret), key)
    con.execute("INSERT INTO pseudonym_key (fingerprint) VALUES (?)", [key.fingerprint])
    notes = []
    if key.created:
        notes.append(
            f"created a new pseudonym key at {key.path}: back it up now, because later loads "
            "link to this one only with the same key"
        )
    if existing:
        notes.append(
            f"this database already held {existing} pseudonymised records from before key "
            f"fingerprints were kept; recorded the fingerprint of the key from {key.source}, "
            "so from now on only that key is accepted (if those records were made with another "
            "key, they will not link to new loads: restore that key and rebuild)"
        )
    return CheckedKey(Pseudonymiser(key.secret), key, "".join(f"; {note}" for note in notes))


@dataclass
class KeyStatus:
    """What ``outcomes key check`` reports: the key in use, its strength, and the database's."""

    key_problem: str | None  # missing or too weak; None when the key can be used
    database: str  # "absent" | "unrecorded" | "match" | "mismatch"
    lines: list[tuple[bool, str]] = field(default_factory=list)  # (all right?, what to say)

    @property
    def ok(self) -> bool:
        return self.key_problem is None and self.database != "mismatch"


def key_status(db_path: Path) -> KeyStatus:
    """Check the key in use against the database at ``db_path`` without changing either."""
    key_path = key_file_path()
    try:
        key: PseudonymKey | None = read_pseudonym_key(key_path, check_strength=False)
    except PseudonymKeyError:
        key = None
        status = KeyStatus("missing", "absent")
        status.lines.append((False, f"no key: {key_path} does not exist and ${KEY_ENV} is not set"))
    else:
        problem = key_strength_problem(key.secret)
        status = KeyStatus(problem, "absent")
        status.lines.append((True, f"key from {key.source}"))
        status.lines.append(
            (False, f"too weak: {problem}; {MAKE_A_KEY}") if problem else (True, "strong enough")
        )
    recorded, rows = None, 0
    if db_path.exists():
        con = read_only_connection(db_path)
        try:
            recorded, rows = recorded_key(con), pseudonymised_rows(con)
        finally:
            con.close()
        status.database = "unrecorded"
    if recorded is None and rows == 0:
        where = (
            f"no database at {db_path} yet"
            if status.database == "absent"
            else f"{db_path} holds no pseudonymised records yet"
        )
        if key is not None:
            status.lines.append((True, f"{where}: the first load records this key's fingerprint"))
        else:  # not an error in itself: a new database may have its key made by the first load
            status.lines.append(
                (
                    True,
                    f"{where}: the first load creates a key at {key_path} (or run "
                    "`outcomes key create` first) and records its fingerprint",
                )
            )
    elif key is None:
        status.database = "mismatch"
        status.lines.append(
            (False, f"{_missing(key_path, recorded, rows, str(db_path))}; {_restore(key_path)}")
        )
    elif recorded is None:
        status.lines.append(
            (
                True,
                f"{db_path} has no key fingerprint but holds {rows} pseudonymised records made "
                "before fingerprints were kept: the next load records the fingerprint of this "
                "key, so make sure it is the key those records were made with",
            )
        )
    elif hmac.compare_digest(key.fingerprint, recorded.fingerprint):
        status.database = "match"
        status.lines.append(
            (True, f"matches the key {db_path} was built with ({recorded.describe()})")
        )
    else:
        status.database = "mismatch"
        status.lines.append(
            (False, f"{_mismatch(key, recorded, str(db_path))}; {_restore(key_path)}")
        )
    return status


def pseudonymiser_for_lookup(con: duckdb.DuckDBPyConnection) -> Pseudonymiser:
    """The pseudonymiser for finding stored people again (invitations), never for writing.

    The key must be the one whose fingerprint the database holds, or every reference would hash
    to someone unknown and the mail merge would silently come out empty; nothing is recorded
    or created here.
    """
    key_path = key_file_path()
    recorded = recorded_key(con)
    try:
        key = read_pseudonym_key(key_path, check_strength=False)
    except PseudonymKeyError as error:
        raise IngestError(
            f"{_missing(key_path, recorded, pseudonymised_rows(con), 'this database')}; "
            f"{_restore(key_path)}"
        ) from error
    if recorded is None:
        raise IngestError(
            "this database records no pseudonym key, so the people in it cannot be matched to a "
            "register file; load the budget register first"
        )
    if not hmac.compare_digest(key.fingerprint, recorded.fingerprint):
        raise IngestError(f"{_mismatch(key, recorded, 'this database')}; {_restore(key_path)}")
    return Pseudonymiser(key.secret)
