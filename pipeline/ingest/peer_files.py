"""Load a comparator group file: each council's comparator (nearest neighbour) councils.

Councils download their comparator groups from elsewhere, and the files come in two layouts:

- **long** (one row per pair), as LG Inform comparison-group and NHS England nearest-neighbour
  CSVs are saved: a council column ("Council", "Local Authority", "Authority", "Area", or a
  code column "ONS Code", "Area Code"), a peer column ("Nearest Neighbour", "Comparator",
  "Neighbour", "Peer", or "Neighbour ONS Code", "Comparator Code") and optionally a rank
  ("Rank", "Nearest Neighbour Rank", "Position");
- **wide** (one row per council), as the CIPFA Nearest Neighbours model exports it: a council
  column then its neighbours ranked in numbered columns ("1" ... "15", "Nearest Neighbour 1",
  "NN 1", "Neighbour 1").

Headers are matched without regard to case, spacing or ``_``; in a workbook, title rows above
the header (CIPFA's "Nearest Neighbours Model", the model year) are skipped. Every council and peer resolves
through the council register by name, variant or ONS code; an unknown one refuses the whole
file with a message naming the file, row and value, so a group is never stored half-resolved.
A council's group is replaced by a later load that names it (a new model year), and re-loading
the same file adds nothing (its SHA-256 is in ``loads``).
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd

from pipeline.council_register import UnknownCouncil, resolve_council
from pipeline.ingest.ascof_files import normalise_header
from pipeline.ingest.benchmark_files import _read_table
from pipeline.ingest.loading import next_load_id, register_frame, run_sql_file
from pipeline.store import connect
from pipeline.store.transactions import transaction

COUNCIL_HEADERS = (
    "council",
    "council name",
    "local authority",
    "local authority name",
    "authority",
    "authority name",
    "area",
    "area name",
    "la name",
    "selected authority",
    "selected council",
)
COUNCIL_CODE_HEADERS = (
    "ons code",
    "council ons code",
    "area code",
    "authority code",
    "la code",
    "council code",
    "local authority code",
)
PEER_HEADERS = (
    "nearest neighbour",
    "neighbour",
    "neighbour name",
    "comparator",
    "comparator council",
    "comparator name",
    "peer",
    "peer council",
    "comparison area",
    "comparison area name",
)
PEER_CODE_HEADERS = (
    "nearest neighbour code",
    "nearest neighbour ons code",
    "neighbour code",
    "neighbour ons code",
    "comparator code",
    "comparator ons code",
    "peer code",
    "peer ons code",
    "comparison area code",
)
RANK_HEADERS = ("rank", "nearest neighbour rank", "neighbour rank", "position", "order")
_NUMBERED = re.compile(r"^(?:(?:nearest )?neighbou?r|nn|comparator|peer)?\s*(\d{1,2})$")


class PeerFileError(ValueError):
    """The file cannot be loaded; nothing from it was stored. The message names the file."""


@dataclass
class PeerLoadResult:
    load_id: int
    councils: int
    pairs: int
    status: str  # loaded | already_loaded
    file_name: str

    @property
    def message(self) -> str:
        if self.status == "already_loaded":
            return f"{self.file_name}: already loaded (load {self.load_id}); nothing added"
        return (
            f"{self.file_name}: comparator groups for {self.councils} council(s), "
            f"{self.pairs} pairs loaded (load {self.load_id})"
        )


def _find(columns: dict[str, str], names: tuple[str, ...]) -> str | None:
    return next((columns[n] for n in names if n in columns), None)


TITLE_ROWS = 10  # CIPFA's saved sheets put a title and the model year above the header


def _skip_title_rows(frame: pd.DataFrame) -> tuple[pd.DataFrame, int]:
    """The table under any title rows, and how many file lines came before its header.

    The header is the first of the top rows that names a council column; a file whose first row
    does is returned unchanged (offset 0).
    """
    known = set(COUNCIL_HEADERS) | set(COUNCIL_CODE_HEADERS)
    if known & {normalise_header(c) for c in frame.columns}:
        return frame, 0
    for index in range(min(TITLE_ROWS, len(frame))):
        cells = [str(v).strip() for v in frame.iloc[index]]
        if known & {normalise_header(c) for c in cells}:
            body = frame.iloc[index + 1 :].reset_index(drop=True)
            body.columns = [c or f"column {i + 1}" for i, c in enumerate(cells)]
            return body, index + 1
    return frame, 0


def peer_pairs(frame, file_name: str) -> list[tuple[int, str, str | None, int | None]]:  # noqa: ANN001
    """``(row, council text, peer text, rank)`` from either layout; rows are file line numbers."""
    frame, offset = _skip_title_rows(frame)
    columns = {normalise_header(c): c for c in frame.columns}
    council_col = _find(columns, COUNCIL_HEADERS) or _find(columns, COUNCIL_CODE_HEADERS)
    if council_col is None:
        raise PeerFileError(
            f"{file_name}: no council column; expected one of "
            f"{', '.join(h.title() for h in COUNCIL_HEADERS[:5])} or an ONS Code column. "
            f"Found: {', '.join(frame.columns)}"
        )
    peer_col = _find(columns, PEER_HEADERS) or _find(columns, PEER_CODE_HEADERS)
    pairs: list[tuple[int, str, str, int | None]] = []
    if peer_col is not None:
        rank_col = _find(columns, RANK_HEADERS)
        for index, record in enumerate(frame.to_dict("records"), start=2 + offset):
            council, peer = record[council_col].strip(), record[peer_col].strip()
            if not council and not peer:
                continue
            rank_text = record[rank_col].strip() if rank_col else ""
            if rank_text and not rank_text.isdigit():
                raise PeerFileError(
                    f"{file_name}: row {index}, column {rank_col}: {rank_text!r} is not a rank"
                )
            pairs.append((index, council, peer, int(rank_text) if rank_text else None))
        return pairs
    numbered = {}
    for header, column in columns.items():
        match = _NUMBERED.match(header)
        if match and column != council_col:
            numbered[int(match.group(1))] = column
    if not numbered:
        raise PeerFileError(
            f"{file_name}: no comparator column; expected a Nearest Neighbour (or Comparator, "
            "Peer) column with one pair per row, or numbered neighbour columns (1 ... 15, "
            f"Nearest Neighbour 1 ...). Found: {', '.join(frame.columns)}"
        )
    for index, record in enumerate(frame.to_dict("records"), start=2 + offset):
        council = record[council_col].strip()
        if not council:
            continue
        for rank in sorted(numbered):
            peer = record[numbered[rank]].strip()
            if peer:
                pairs.append((index, council, peer, rank))
    return pairs


def load_peer_file(db: str | Path | duckdb.DuckDBPyConnection, path: str | Path) -> PeerLoadResult:
    """Load a comparator group file into ``peer_groups`` in one transaction."""
    path = Path(path)
    if not path.exists():
        raise PeerFileError(f"{path}: no such file")
    content = path.read_bytes()
    digest = hashlib.sha256(content).hexdigest()
    try:
        frame = _read_table(path, content)
    except ValueError as error:
        raise PeerFileError(str(error)) from error
    raw = peer_pairs(frame, path.name)
    if not raw:
        raise PeerFileError(f"{path.name}: the file has no comparator pairs")
    rows = []
    for row, council_text, peer_text, rank in raw:
        for column, text in (("council", council_text), ("comparator", peer_text)):
            if not text:
                raise PeerFileError(f"{path.name}: row {row}: the {column} is empty")
        try:
            council = resolve_council(council_text)
        except UnknownCouncil as error:
            raise PeerFileError(
                f"{path.name}: row {row}, council {council_text!r}: {error}"
            ) from error
        try:
            peer = resolve_council(peer_text)
        except UnknownCouncil as error:
            raise PeerFileError(
                f"{path.name}: row {row}, comparator {peer_text!r}: {error}"
            ) from error
        if peer.name != council.name:
            rows.append((council, peer, rank))
    con, owned = (db, False) if isinstance(db, duckdb.DuckDBPyConnection) else (connect(db), True)
    try:
        existing = con.execute(
            "SELECT load_id FROM loads WHERE kind = 'peers' AND sha256 = ?", [digest]
        ).fetchall()
        if existing:
            return PeerLoadResult(int(existing[0][0]), 0, 0, "already_loaded", path.name)
        unique: dict[tuple[str, str], tuple] = {}
        for council, peer, rank in rows:
            unique.setdefault((council.name, peer.name), (council, peer, rank))
        named = sorted({council.name for council, _, _ in unique.values()})
        pairs = pd.DataFrame(
            [[c.name, c.ons_code, p.name, p.ons_code, rank] for c, p, rank in unique.values()],
            columns=["council", "ons_code", "peer", "peer_code", "peer_rank"],
        ).astype({"ons_code": "string", "peer_code": "string", "peer_rank": "Int64"})
        with transaction(con):
            load_id = next_load_id(con)
            register_frame(con, "peer_rows", pairs)
            run_sql_file(
                con,
                "peers_write.sql",
                {"load_id": load_id, "file_name": path.name, "sha256": digest,
                 "rows_read": len(frame)},
            )  # fmt: skip
        return PeerLoadResult(load_id, len(named), len(unique), "loaded", path.name)
    finally:
        if owned:
            con.close()
