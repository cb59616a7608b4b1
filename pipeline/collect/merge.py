"""Move submissions from the write-ahead store into DuckDB, through the ingest path.

A merge opens the DuckDB file for writing only for as long as it needs (a file load or the
dashboard may want it next), and if another process holds it the merge is simply tried again
later with a growing wait: the submissions are safe in the store meanwhile. Each run of
consecutive submissions for the same council, wave, instrument and channel (at most
``batch_size``) is one load through :func:`pipeline.ingest.survey_returns.load_survey_returns`,
so validation, quarantine and the duplicate rule are the loaded file's. The load records which
submissions it carried (table ``survey_submissions``) in its own transaction, and the store is
told afterwards: if the process dies between the two, the next merge finds them in DuckDB and
only marks them, so no submission is ever merged twice or lost.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pandas as pd

from pipeline.collect.responses import merge_peer_responses, refresh_result_councils
from pipeline.collect.submissions import Submission, SubmissionStore
from pipeline.ingest.survey_returns import KEY_COLUMN, ReturnsBatch, load_survey_returns
from pipeline.instruments import get_instrument
from pipeline.store.benchmarks_shipped import sync_shipped_benchmarks
from pipeline.store.connection import apply_migrations, sync_question_scales

LOG = logging.getLogger(__name__)
SITE_FILE_NAME = "survey-site"
PAPER_FILE_NAME = "survey-site paper keying"
DEFAULT_BATCH = 250


# One merge at a time per process: the site's thread and a merge asked for in the same process
# would otherwise both pick the same submissions (DuckDB shares one database between a process's
# connections, so the file lock does not keep them apart).
_MERGING = threading.Lock()


class DatabaseBusy(Exception):
    """Another process holds the DuckDB file; try again later."""


@dataclass
class MergeReport:
    merged: int = 0  # submissions moved into DuckDB by this run
    already: int = 0  # found in DuckDB from an interrupted earlier run, now marked
    loads: list[int] = field(default_factory=list)
    waiting: int = 0  # still in the store (no sample row for the code yet)
    invitations: int = 0  # codes copied from the samples
    more: bool = False  # the pass was full: more submissions may be waiting
    responses: int = 0  # peer responses copied into DuckDB for moderation

    def describe(self) -> str:
        return (
            f"merged {self.merged} submissions in {len(self.loads)} loads"
            + (f" (loads {', '.join(map(str, self.loads))})" if self.loads else "")
            + (f"; {self.already} were already in the database" if self.already else "")
            + (f"; {self.waiting} wait for their sample" if self.waiting else "")
            + f"; {self.invitations} invitation codes known to the site"
            + (f"; {self.responses} peer responses held for moderation" if self.responses else "")
        )


def open_for_merge(db_path: str | Path) -> duckdb.DuckDBPyConnection:
    """The database opened for writing now, or :class:`DatabaseBusy` (never a long wait: the
    caller backs off, and the person who submitted is not waiting on this)."""
    path = Path(db_path)
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        con = duckdb.connect(str(path))
    except duckdb.IOException as error:
        if "lock" in str(error).lower():
            raise DatabaseBusy(str(error)) from error
        raise
    try:
        apply_migrations(con)
        sync_question_scales(con)  # cheap when current: compares a fingerprint
        sync_shipped_benchmarks(con)
    except BaseException:
        con.close()
        raise
    return con


def refresh_invitations(con: duckdb.DuckDBPyConnection, store: SubmissionStore) -> int:
    """Copy the samples' codes (and whether each already has a return) into the store."""
    rows = con.execute(
        "SELECT s.invitation_code, s.person_key, s.council, s.wave, s.instrument, "
        "EXISTS (SELECT 1 FROM respondents AS r WHERE r.respondent_key = s.person_key "
        "AND r.council = s.council AND r.wave = s.wave AND r.instrument = s.instrument) "
        "FROM samples AS s"
    ).fetchall()
    return store.replace_invitations(rows)


def _runs(submissions: list[Submission], owners: dict[str, tuple], size: int) -> list[list]:
    """Consecutive submissions with the same council, wave, instrument and channel, so the
    first of two returns for one code (online, then paper) is loaded first."""
    runs: list[list] = []
    last = None
    for submission in submissions:
        owner = owners[submission.code]
        group = (owner[1], owner[2], owner[3], submission.channel)
        if group != last or len(runs[-1]) >= size:
            runs.append([])
            last = group
        runs[-1].append((submission, owner))
    return runs


def _frame(run: list, instrument_id: str) -> pd.DataFrame:
    questions = [q.code for q in get_instrument(instrument_id).questions if q.type != "id"]
    records = [
        {KEY_COLUMN: owner[0], **{q: submission.answers.get(q) for q in questions}}
        for submission, owner in run
    ]
    frame = pd.DataFrame.from_records(records, columns=[KEY_COLUMN, *questions])
    answered = [q for q in questions if frame[q].notna().any()]
    return frame[[KEY_COLUMN, *answered]]


def merge_pending(
    db_path: str | Path, store: SubmissionStore, *, batch_size: int = DEFAULT_BATCH
) -> MergeReport:
    """One merge: refresh the site's codes, then move every waiting submission into DuckDB."""
    with _MERGING:
        return _merge_pending(db_path, store, batch_size)


def _merge_pending(db_path: str | Path, store: SubmissionStore, batch_size: int) -> MergeReport:
    """One bounded pass (at most ``4 * batch_size`` submissions), so the file's write lock is
    held for a moment and released: under a steady stream of returns an unbounded loop would
    keep the dashboard and file loads out for as long as people keep answering."""
    report = MergeReport()
    limit = batch_size * 4
    con = open_for_merge(db_path)
    try:
        pending = store.unmerged(limit=limit)
        report.more = len(pending) == limit
        ids = [s.submission_id for s in pending]
        done = (
            dict(
                con.execute(
                    "SELECT submission_id, load_id FROM survey_submissions "
                    "WHERE list_contains(?, submission_id)",
                    [ids],
                ).fetchall()
            )
            if ids
            else {}
        )
        if done:
            store.mark_merged(done)
            report.already += len(done)
        codes = sorted({s.code for s in pending})
        owners = (
            {
                row[0]: tuple(row[1:])
                for row in con.execute(
                    "SELECT invitation_code, person_key, council, wave, instrument FROM samples "
                    "WHERE list_contains(?, invitation_code)",
                    [codes],
                ).fetchall()
            }
            if codes
            else {}
        )
        todo = [s for s in pending if s.submission_id not in done and s.code in owners]
        report.waiting = sum(1 for s in pending if s.code not in owners)
        for run in _runs(todo, owners, batch_size):
            merged = _load_run(con, run)
            store.mark_merged(merged)
            report.merged += len(merged)
            report.loads.append(next(iter(merged.values())))
        report.invitations = refresh_invitations(con, store)
        report.responses = merge_peer_responses(con, store)
        refresh_result_councils(con, store)
    finally:
        con.close()
    return report


def _load_run(con: duckdb.DuckDBPyConnection, run: list) -> dict[int, int]:
    first, owner = run[0]
    batch = ReturnsBatch(
        returns=_frame(run, owner[3]),
        instrument=owner[3],
        council=owner[1],
        wave=int(owner[2]),
        channel=first.channel,
        file_name=SITE_FILE_NAME if first.channel == "online" else PAPER_FILE_NAME,
    )
    carried = pd.DataFrame(
        {
            "submission_id": [s.submission_id for s, _ in run],
            "invitation_code": [s.code for s, _ in run],
            "channel": [s.channel for s, _ in run],
            "source_row": range(1, len(run) + 1),
            "submitted_at": [s.submitted_at for s, _ in run],
            "keyed_by": [s.keyed_by for s, _ in run],
        }
    )

    def record(con: duckdb.DuckDBPyConnection, load_id: int) -> None:
        con.register("carried_submissions", carried)
        try:
            con.execute(
                "INSERT INTO survey_submissions (submission_id, invitation_code, channel, "
                "load_id, source_row, submitted_at, keyed_by) SELECT submission_id, "
                "invitation_code, channel, ?, source_row, submitted_at, keyed_by "
                "FROM carried_submissions",
                [load_id],
            )
        finally:
            con.unregister("carried_submissions")

    result = load_survey_returns(con, batch, after_write=record)
    assert result.load_id is not None
    return {s.submission_id: result.load_id for s, _ in run}


class Merger(threading.Thread):
    """The site's background merger: a merge every ``interval`` seconds, backing off (up to
    ``max_wait``) while another process holds the database or a merge fails."""

    def __init__(
        self,
        db_path: str | Path,
        store: SubmissionStore,
        *,
        interval: float = 1.0,
        max_wait: float = 8.0,
        batch_size: int = DEFAULT_BATCH,
    ) -> None:
        super().__init__(name="survey-merger", daemon=True)
        self.db_path = Path(db_path)
        self.store = store
        self.interval = interval
        self.max_wait = max_wait
        self.batch_size = batch_size
        self._stopping = threading.Event()
        self.last_report: MergeReport | None = None
        self.busy_count = 0  # merges put off because the database was held

    def run(self) -> None:
        wait = self.interval
        while not self._stopping.is_set():
            try:
                self.last_report = merge_pending(
                    self.db_path, self.store, batch_size=self.batch_size
                )
                # a full pass means more are waiting: come back soon, but let others in first
                wait = 0.2 if self.last_report.more else self.interval
            except DatabaseBusy:
                self.busy_count += 1
                wait = min(wait * 2, self.max_wait)
            except Exception:  # a merge must never kill the site; the store keeps everything
                LOG.exception("merging survey submissions failed; will try again")
                wait = min(max(wait, 1.0) * 2, self.max_wait)
            self._stopping.wait(wait)

    def stop(self, timeout: float = 30.0) -> None:
        """Stop after the merge in progress (its transaction commits or rolls back whole)."""
        self._stopping.set()
        self.join(timeout)


def merge_until_done(
    db_path: str | Path,
    store: SubmissionStore,
    *,
    timeout: float = 120.0,
    batch_size: int = DEFAULT_BATCH,
) -> MergeReport:
    """Merge, retrying with backoff while the database is busy (``outcomes collect-merge``)."""
    deadline = time.monotonic() + timeout
    wait = 0.25
    total = MergeReport()
    while True:
        try:
            report = merge_pending(db_path, store, batch_size=batch_size)
            total.merged += report.merged
            total.already += report.already
            total.loads += report.loads
            total.waiting, total.invitations = report.waiting, report.invitations
            total.responses += report.responses
            if not report.more:
                return total
            continue
        except DatabaseBusy:
            if time.monotonic() + wait > deadline:
                raise
            time.sleep(wait)
            wait = min(wait * 2, 8.0)
