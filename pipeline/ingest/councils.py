"""Which council a load is for: ``--council`` resolved to one canonical council before anything is stored.

The same council typed as "NORTHSHIRE", "Northshire " and "northshire" must be one council, or
its people are counted twice and their pseudonyms differ. Registered councils resolve through
the council register (:mod:`pipeline.council_register`: a name in any case or spacing, a common
variant, an ONS or CASSR code) to their register name and ONS code. A council outside the
register is refused with the nearest names unless ``new_council`` is given; it is then kept in
the database's ``councils`` table so that later loads find it by name without the flag.

Loads, respondents, budgets, pseudonyms, duplicate detection and report file names all use the
canonical name this module returns, so every face shows the same council.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import duckdb

from pipeline.council_register import (
    Council,
    UnknownCouncil,
    existence_note,
    new_council,
    resolve_council,
)
from pipeline.ingest.loading import IngestError


@dataclass(frozen=True)
class CouncilChoice:
    """The council a load is for, and a note for the user when it needs one."""

    council: Council
    note: str | None = None  # e.g. the council did not exist in the survey's year

    @property
    def name(self) -> str:
        return self.council.name

    @property
    def ons_code(self) -> str | None:
        return self.council.ons_code


def known_councils(con: duckdb.DuckDBPyConnection) -> tuple[Council, ...]:
    """Councils this database holds that are not in the register (``--new-council`` ones).

    A database without the ``councils`` table (none yet, or read before its migration) has none.
    """
    try:
        rows = con.execute(
            "SELECT name FROM councils WHERE NOT registered ORDER BY first_load NULLS LAST, name"
        ).fetchall()
    except duckdb.CatalogException:
        return ()
    return tuple(new_council(name) for (name,) in rows)


def survey_day(wave: int) -> date:
    """The day a wave's council is checked on: the middle of the survey year."""
    return date(int(wave), 7, 1)


def identify_council(
    con: duckdb.DuckDBPyConnection,
    file_name: str,
    text: str,
    *,
    allow_new: bool = False,
    on: date | None = None,
) -> CouncilChoice:
    """The canonical council ``text`` names, or an :class:`IngestError` naming the nearest ones.

    ``on`` is the day the council must have existed (a survey's year); a council that had been
    abolished or not yet created then is still used (a wave is often loaded years later and the
    file is the evidence) with a note for the load report.
    """
    known = known_councils(con)
    try:
        council = resolve_council(text, on=on, known=known)
    except UnknownCouncil as error:
        if not allow_new:
            raise IngestError(f"{file_name}: {error}") from error
        try:
            council = new_council(text, on=on, known=known)
        except ValueError as empty:
            raise IngestError(f"{file_name}: {empty}") from empty
    note = existence_note(council, on) if on is not None else None
    return CouncilChoice(council, note)


def remember_council(con: duckdb.DuckDBPyConnection, choice: CouncilChoice, load_id: int) -> None:
    """Record the load's council (inside the load's transaction) so later loads resolve it."""
    con.execute(
        "INSERT INTO councils (name, ons_code, registered, first_load, region_code, council_type) "
        "VALUES (?, ?, ?, ?, ?, ?) "
        "ON CONFLICT (name) DO UPDATE SET ons_code = excluded.ons_code, "
        "registered = excluded.registered, region_code = excluded.region_code, "
        "council_type = excluded.council_type",
        [
            choice.name,
            choice.ons_code,
            choice.council.registered,
            load_id,
            choice.council.region_code,
            choice.council.council_type,
        ],
    ).fetchall()
