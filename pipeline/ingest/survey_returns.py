"""Load survey returns that arrive as a frame rather than a file: the survey site and paper keying.

The returns go through the very path a loaded file takes (:mod:`pipeline.ingest.surveys`): the
frame becomes the same raw table (text columns ``c0, c1, ...`` and ``source_row``), its answers
are mapped against the instrument's scales (an answer that matches nothing is quarantined with
its reason), a later copy of a return already loaded for the same council, respondent, wave and
instrument is quarantined whole, and everything is written with a ``loads`` row, in one
transaction. Only two things differ, and both are said in the load:

- the respondent keys are already pseudonyms (the sample's ``person_key``), so they are used as
  they are instead of being hashed again: a return keyed by an invitation code links to the
  person's budget record and to any other return from the same code;
- ``respondents.channel`` is set to how the returns arrived (``online`` or ``paper``).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd

from pipeline.ingest.councils import identify_council, remember_council, survey_day
from pipeline.ingest.headers import ColumnMatch
from pipeline.ingest.loading import (
    IngestError,
    LoadResult,
    check_wave,
    column_report_json,
    limited_memory,
    next_load_id,
)
from pipeline.ingest.mapping import load_mapping
from pipeline.ingest.readers import RawTable
from pipeline.ingest.surveys import RAW_TABLE, StagedSurvey, _drop_temps, _write
from pipeline.instruments import get_instrument
from pipeline.store.transactions import transaction

CHANNELS = ("online", "paper")
KEY_COLUMN = "respondent_key"


class _KeysAlreadyPseudonymous:
    """Stands in for :class:`~pipeline.ingest.pseudonymise.Pseudonymiser` when the references
    are pseudonyms already: hashing them again would give the person a second, unlinked key."""

    def keys_for(self, council: str, identifiers: list[str]) -> list[str]:
        return list(identifiers)

    def anonymous_key(self, council: str, file_sha256: str, source_row: int) -> str:
        raise IngestError("every return from the survey site carries its person's key")


@dataclass(frozen=True)
class ReturnsBatch:
    """A batch of returns for one council, wave, instrument and channel.

    ``returns`` has a ``respondent_key`` column (pseudonyms) and one column per question code
    answered, holding canonical answer codes (or free text for comment questions); blank is
    None. Row order is arrival order: the first return of a respondent in the batch is kept.
    """

    returns: pd.DataFrame
    instrument: str
    council: str
    wave: int
    channel: str
    file_name: str  # what the loads table shows, e.g. 'survey-site'


def _raw_table(con: duckdb.DuckDBPyConnection, batch: ReturnsBatch, columns: Sequence[str]) -> None:
    """The frame as the raw table every reader produces (text columns and ``source_row``)."""
    frame = pd.DataFrame(
        {
            f"c{index}": batch.returns[name].map(
                lambda value: None if value is None or pd.isna(value) else str(value)
            )
            for index, name in enumerate(columns)
        }
    ).astype("object")
    frame["source_row"] = range(1, len(frame) + 1)
    con.register("returns_frame", frame)
    try:
        casts = ", ".join(f"CAST(c{i} AS VARCHAR) AS c{i}" for i in range(len(columns)))
        con.execute(
            f'CREATE OR REPLACE TEMP TABLE "{RAW_TABLE}" AS '
            f"SELECT {casts}, CAST(source_row AS INTEGER) AS source_row FROM returns_frame"
        )
    finally:
        con.unregister("returns_frame")


def batch_sha256(batch: ReturnsBatch) -> str:
    """A fingerprint of the batch's content for ``loads.sha256`` (there is no file to hash)."""
    text = batch.returns.to_csv(index=False)
    header = f"{batch.channel}|{batch.instrument}|{batch.council}|{batch.wave}\n"
    return hashlib.sha256((header + text).encode("utf-8")).hexdigest()


def load_survey_returns(
    con: duckdb.DuckDBPyConnection,
    batch: ReturnsBatch,
    *,
    after_write: Callable[[duckdb.DuckDBPyConnection, int], None] | None = None,
) -> LoadResult:
    """Load a batch of keyed returns in one transaction; ``after_write(con, load_id)`` runs
    inside that transaction (the merger records which submissions the load carried there, so
    they commit, or fail, together)."""
    if batch.channel not in CHANNELS:
        raise IngestError(f"channel must be one of {CHANNELS}, not {batch.channel!r}")
    if KEY_COLUMN not in batch.returns.columns:
        raise IngestError(f"{batch.file_name}: the returns have no {KEY_COLUMN} column")
    if batch.returns[KEY_COLUMN].isna().any():
        raise IngestError(f"{batch.file_name}: every return needs its person's key")
    definition = get_instrument(batch.instrument)
    wave = check_wave(batch.file_name, batch.wave)
    known = {q.code for q in definition.questions if q.type != "id"}
    unknown = [c for c in batch.returns.columns if c != KEY_COLUMN and c not in known]
    if unknown:
        raise IngestError(f"{batch.file_name}: {definition.id} has no question {unknown[0]!r}")
    columns = [KEY_COLUMN] + [c for c in batch.returns.columns if c != KEY_COLUMN]
    matches = [
        ColumnMatch(
            index=index,
            column=name,
            code="respondent_id" if name == KEY_COLUMN else name,
            method="code",
            score=100.0,
        )
        for index, name in enumerate(columns)
    ]
    raw = RawTable(
        path=Path(batch.file_name),
        kind=batch.channel,
        headers=list(columns),
        header_row=0,
        rows=len(batch.returns),
        encoding=None,
        delimiter=None,
        sheet=None,
        value_labels_used=False,
    )
    staged = StagedSurvey(raw, definition, matches, pd.DataFrame())
    choice = identify_council(
        con, batch.file_name, batch.council, allow_new=True, on=survey_day(wave)
    )
    sha256 = batch_sha256(batch)
    with limited_memory(con):
        _raw_table(con, batch, columns)
        try:
            with transaction(con):
                load_id = next_load_id(con)
                params = {
                    "load_id": load_id,
                    "instrument": definition.id,
                    "version": definition.version,
                    "council": choice.name,
                    "wave": wave,
                }
                _write(
                    con,
                    staged,
                    load_mapping(None),
                    params,
                    choice.name,
                    sha256,
                    _KeysAlreadyPseudonymous(),  # type: ignore[arg-type]
                )
                loaded, quarantined = con.execute(
                    "SELECT count(*) FILTER (WHERE rejection IS NULL), "
                    "count(*) FILTER (WHERE rejection IS NOT NULL) FROM accepted"
                ).fetchall()[0]
                values_bad = con.execute(
                    "SELECT count(*) FROM quarantine WHERE load_id = ? AND NOT whole_row",
                    [load_id],
                ).fetchall()[0][0]
                con.execute(
                    "UPDATE respondents SET channel = ? WHERE load_id = ?",
                    [batch.channel, load_id],
                )
                con.execute(
                    "INSERT INTO loads (load_id, kind, instrument, instrument_version, council, "
                    "council_code, wave, file_name, sha256, sheet, rows_read, rows_loaded, "
                    "rows_quarantined, values_quarantined, column_report) "
                    "VALUES (?, 'survey', ?, ?, ?, ?, ?, ?, ?, NULL, ?, ?, ?, ?, ?)",
                    [
                        load_id,
                        definition.id,
                        definition.version,
                        choice.name,
                        choice.ons_code,
                        wave,
                        batch.file_name,
                        sha256,
                        len(batch.returns),
                        loaded,
                        quarantined,
                        values_bad,
                        column_report_json(matches),
                    ],
                )
                remember_council(con, choice, load_id)
                if after_write is not None:
                    after_write(con, load_id)
        finally:
            _drop_temps(con)
    return LoadResult(
        load_id=load_id,
        status="loaded",
        file_name=batch.file_name,
        sha256=sha256,
        rows_read=len(batch.returns),
        rows_loaded=int(loaded),
        rows_quarantined=int(quarantined),
        values_quarantined=int(values_bad),
        column_report=matches,
        message=(
            f"{batch.file_name}: {batch.channel} returns: loaded {loaded} of "
            f"{len(batch.returns)} as load {load_id}; {quarantined} returns and {values_bad} "
            "answers quarantined"
        ),
    )
