"""The council register: every English council with adult social services responsibilities.

The register ships as data in ``surveys/councils.csv`` (documented in ``surveys/councils.md``):
one row per council (CASSR) that existed at any time from 1 April 2019, with its ONS code, its
NHS Digital CASSR code where known, region, council type, the dates of the 2019-2023
reorganisations and the names exports commonly use for it. Ingest and analysis both read it
through this module, so it sits below both stages, like :mod:`pipeline.instruments`.

``--council`` is resolved with :func:`resolve_council`: a name in any case or spacing, a common
variant ("Hull", "BCP", "Royal Borough of Windsor and Maidenhead"), an ONS code or a CASSR code.
Anything else is refused with the nearest names unless the user says ``--new-council``
(:func:`new_council`), for a test council, a Welsh or Scottish area or a provider.

Dates. A county council and the unitary authority that replaced it can share a name (North
Yorkshire E10000023 until 31 March 2023, E06000065 from 1 April 2023). A name matching several
councils resolves to the one that existed on ``on`` (default: today); if none did, to the one
nearest in time. A name matching only councils that had ended (or not yet started) on ``on``
still resolves to that council: a historical wave is often loaded years later, and the name in
the file is the evidence. :func:`existence_note` says, for the caller to show, when the council
did not exist on the date. Codes are exact and always resolve to their own council.
"""

from __future__ import annotations

import csv
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache
from pathlib import Path

from rapidfuzz import fuzz, process

from pipeline.config import surveys_dir

REGISTER_FILE = "councils.csv"
COLUMNS = (
    "ons_code",
    "cassr_code",
    "name",
    "council_type",
    "region_code",
    "region_name",
    "start_date",
    "end_date",
    "replaced_by",
    "variants",
    "source",
)
COUNCIL_TYPES = {
    "E06": "unitary authority",
    "E08": "metropolitan district",
    "E09": "London borough",
    "E10": "county council",
}
REGIONS = {
    "E12000001": "North East",
    "E12000002": "North West",
    "E12000003": "Yorkshire and The Humber",
    "E12000004": "East Midlands",
    "E12000005": "West Midlands",
    "E12000006": "East of England",
    "E12000007": "London",
    "E12000008": "South East",
    "E12000009": "South West",
}
_ONS_CODE = re.compile(r"^[EWSN]\d{8}$")
_CASSR_CODE = re.compile(r"^\d{3}$")


class CouncilRegisterError(ValueError):
    """The register file is malformed; the message names the file and the line."""


class UnknownCouncil(ValueError):
    """A ``--council`` value names no registered council; ``suggestions`` are the nearest names."""

    def __init__(self, message: str, suggestions: tuple[str, ...] = ()) -> None:
        super().__init__(message)
        self.suggestions = suggestions


@dataclass(frozen=True)
class Council:
    name: str
    ons_code: str | None
    cassr_code: str | None
    council_type: str | None
    region_code: str | None
    region_name: str | None
    start_date: date | None  # None: existed before the register begins (1 April 2019)
    end_date: date | None  # None: still exists
    variants: tuple[str, ...] = ()
    registered: bool = True  # False for a council given with --new-council
    replaced_by: tuple[str, ...] = ()  # ONS codes of the successor councils

    def exists_on(self, day: date) -> bool:
        """Whether the council existed on ``day`` (an unregistered council always does)."""
        if self.start_date is not None and day < self.start_date:
            return False
        return self.end_date is None or day <= self.end_date

    @property
    def keys(self) -> tuple[str, ...]:
        """The normalised name and variants this council is matched by."""
        seen: dict[str, None] = {}
        for text in (self.name, *self.variants):
            key = normalise_council_name(text)
            if key:
                seen[key] = None
        return tuple(seen)


# --- names -----------------------------------------------------------------------------------

_PREFIXES = (
    "london borough of",
    "royal borough of",
    "metropolitan borough of",
    "borough of",
    "county of",
    "city of",
)
_SUFFIXES = (
    "metropolitan borough council",
    "metropolitan district council",
    "county council",
    "city council",
    "borough council",
    "district council",
    "unitary authority",
    "council",
    "mbc",
    "cc",
)
_TRAILING_OF = re.compile(r",\s*(?:city|county)\s+of\s*$")


def normalise_council_name(text: object) -> str:
    """Fold a council name so that the ways exports write it compare equal.

    Case, accents-as-compatibility-forms (NFKC), "&" for "and", "St." for "St", punctuation and
    spacing are folded, and the words councils put around their area's name are dropped at
    either end: "London Borough of", "Royal Borough of", "City of", ", City of", ", County of",
    "Council", "County Council", "City Council", "Metropolitan Borough Council", "Metropolitan
    District Council", "Borough Council", "District Council", "Unitary Authority", "MBC", "CC".
    "City of London" keeps its "City of" (it is the name, not a style), and "County Durham"
    keeps its "County" (only "County of" is dropped).
    """
    value = unicodedata.normalize("NFKC", str(text)).casefold().strip()
    value = value.replace("&", " and ").replace("’", "'").replace("'", "")
    value = re.sub(r"\bst\.", "st ", value)
    trimmed = _TRAILING_OF.sub("", value)
    if trimmed != value:  # "London, City of" is the City of London, not "London"
        value = "city of london" if trimmed.strip() == "london" else trimmed
    value = re.sub(r"[^\w\s]|_", " ", value)
    value = re.sub(r"\s+", " ", value).strip()
    changed = True
    while changed:
        changed = False
        for suffix in _SUFFIXES:
            rest = value[: -len(suffix)].strip()
            if value.endswith(" " + suffix) and rest:
                value, changed = rest, True
        for prefix in _PREFIXES:
            rest = value[len(prefix) :].strip()
            if value.startswith(prefix + " ") and rest and value != "city of london":
                value, changed = rest, True
    return value


# --- the register file -----------------------------------------------------------------------


def _parse_date(text: str, where: str) -> date | None:
    text = text.strip()
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise CouncilRegisterError(f"{where}: {text!r} is not a date (YYYY-MM-DD)") from None


def _split(text: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in text.split("|") if part.strip())


def _read_register(path: Path) -> tuple[Council, ...]:
    try:
        handle = path.open(encoding="utf-8", newline="")
    except FileNotFoundError:
        raise CouncilRegisterError(f"{path}: the council register is missing") from None
    with handle:
        reader = csv.DictReader(handle)
        missing = [column for column in COLUMNS if column not in (reader.fieldnames or ())]
        if missing:
            raise CouncilRegisterError(f"{path} line 1: missing columns {', '.join(missing)}")
        councils: list[Council] = []
        lines: dict[Council, int] = {}
        for row in reader:
            line = reader.line_num
            where = f"{path} line {line}"
            values = {key: (row.get(key) or "").strip() for key in COLUMNS}
            for required in ("name", "ons_code", "council_type", "region_code", "region_name"):
                if not values[required]:
                    raise CouncilRegisterError(f"{where}: {required} is empty")
            ons = values["ons_code"]
            if not _ONS_CODE.match(ons):
                raise CouncilRegisterError(f"{where}: {ons!r} is not an ONS code like E06000001")
            expected_type = COUNCIL_TYPES.get(ons[:3])
            if expected_type is None or values["council_type"] != expected_type:
                raise CouncilRegisterError(
                    f"{where}: council_type {values['council_type']!r} does not fit ONS code "
                    f"{ons} (E06 unitary authority, E08 metropolitan district, E09 London "
                    "borough, E10 county council)"
                )
            region = values["region_code"]
            if REGIONS.get(region) != values["region_name"]:
                raise CouncilRegisterError(
                    f"{where}: region {region} {values['region_name']!r} is not one of the nine "
                    "English regions"
                )
            cassr = values["cassr_code"] or None
            if cassr is not None and not _CASSR_CODE.match(cassr):
                raise CouncilRegisterError(f"{where}: CASSR code {cassr!r} is not three digits")
            start = _parse_date(values["start_date"], f"{where}: start_date")
            end = _parse_date(values["end_date"], f"{where}: end_date")
            if start and end and end < start:
                raise CouncilRegisterError(f"{where}: end_date {end} is before start_date {start}")
            council = Council(
                name=values["name"],
                ons_code=ons,
                cassr_code=cassr,
                council_type=values["council_type"],
                region_code=region,
                region_name=values["region_name"],
                start_date=start,
                end_date=end,
                variants=_split(values["variants"]),
                replaced_by=_split(values["replaced_by"]),
            )
            councils.append(council)
            lines[council] = line
    _check_register(tuple(councils), lines, path)
    return tuple(councils)


def _overlap(a: Council, b: Council) -> bool:
    a_start, b_start = a.start_date or date.min, b.start_date or date.min
    a_end, b_end = a.end_date or date.max, b.end_date or date.max
    return a_start <= b_end and b_start <= a_end


def _check_register(councils: tuple[Council, ...], lines: dict[Council, int], path: Path) -> None:
    if not councils:
        raise CouncilRegisterError(f"{path}: the council register has no rows")
    for attribute in ("ons_code", "cassr_code"):
        seen: dict[str, Council] = {}
        for council in councils:
            code = getattr(council, attribute)
            if code is None:
                continue
            if code in seen:
                raise CouncilRegisterError(
                    f"{path} line {lines[council]}: {attribute} {code} is already used on line "
                    f"{lines[seen[code]]}"
                )
            seen[code] = council
    codes = {council.ons_code for council in councils}
    for council in councils:
        unknown = [code for code in council.replaced_by if code not in codes]
        if unknown:
            raise CouncilRegisterError(
                f"{path} line {lines[council]}: replaced_by names {', '.join(unknown)}, "
                "which are not in the register"
            )
        if council.replaced_by and council.end_date is None:
            raise CouncilRegisterError(
                f"{path} line {lines[council]}: replaced_by is given but end_date is empty"
            )
    by_key: dict[str, list[Council]] = {}
    for council in councils:
        for key in council.keys:
            for other in by_key.get(key, []):
                if _overlap(council, other):
                    raise CouncilRegisterError(
                        f"{path} line {lines[council]}: {council.name!r} and {other.name!r} "
                        f"(line {lines[other]}) both answer to {key!r} at the same time"
                    )
            by_key.setdefault(key, []).append(council)


@cache
def _register_at(path: Path) -> tuple[Council, ...]:
    return _read_register(path)


def council_register(folder: Path | str | None = None) -> tuple[Council, ...]:
    """Every council in ``folder/councils.csv`` (default :func:`~pipeline.config.surveys_dir`).

    Read once per file and validated: unique ONS and CASSR codes, every row with a name, type
    and region, dates that parse, and no two councils answering to the same name at once.
    """
    base = Path(folder) if folder is not None else surveys_dir()
    return _register_at((base / REGISTER_FILE).resolve())


@cache
def _index(councils: tuple[Council, ...]) -> dict[str, tuple[Council, ...]]:
    index: dict[str, list[Council]] = {}
    for council in councils:
        for key in council.keys:
            index.setdefault(key, []).append(council)
    return {key: tuple(matches) for key, matches in index.items()}


# --- resolution ------------------------------------------------------------------------------


def _distance(council: Council, day: date) -> int:
    """Days between ``day`` and the council's existence (0 while it exists)."""
    if council.start_date is not None and day < council.start_date:
        return (council.start_date - day).days
    if council.end_date is not None and day > council.end_date:
        return (day - council.end_date).days
    return 0


def _pick(candidates: Iterable[Council], day: date) -> Council:
    return min(candidates, key=lambda council: (_distance(council, day), not council.registered))


def councils_on(day: date | None = None, folder: Path | str | None = None) -> tuple[Council, ...]:
    """The registered councils that existed on ``day`` (default: today)."""
    day = day or date.today()
    return tuple(council for council in council_register(folder) if council.exists_on(day))


def find_councils(
    text: str, limit: int = 3, *, on: date | None = None, known: Iterable[Council] = ()
) -> list[Council]:
    """The councils whose names or variants are nearest to ``text``, best first, one per name.

    Only councils that existed on ``on`` (default today) and ``known`` ones are offered: a
    suggestion should be a council the user can mean for that date.
    """
    day = on or date.today()
    pool = [*(c for c in council_register() if c.exists_on(day)), *known]
    choices: dict[str, list[Council]] = {}
    for council in pool:
        for key in council.keys:
            choices.setdefault(key, []).append(council)
    query = normalise_council_name(text)
    if not query:
        return []
    ranked = process.extract(query, list(choices), scorer=fuzz.WRatio, limit=None)
    found: list[Council] = []
    names: set[str] = set()
    for key, _score, _ in ranked:
        council = _pick(choices[key], day)
        if council.name not in names:
            names.add(council.name)
            found.append(council)
        if len(found) == limit:
            break
    return found


def _guidance(example_code: str) -> str:
    return (
        f"Give its name as in the council register (surveys/{REGISTER_FILE}), its ONS code "
        f"({example_code}) or, for a test council, a Welsh or Scottish area or a provider, add "
        "--new-council."
    )


def lookup_council(
    text: object, *, on: date | None = None, known: Iterable[Council] = ()
) -> Council | None:
    """The council ``text`` names exactly (see :func:`resolve_council`), or ``None``: no fuzzy
    suggestions, so a caller that only wants to know (a report asking for a loaded council's
    geography) does not pay for ranking every name in the register."""
    raw = "" if text is None else unicodedata.normalize("NFKC", str(text)).strip()
    if not raw:
        return None
    day = on or date.today()
    register = council_register()
    known = tuple(known)
    code = raw.upper()
    if _ONS_CODE.match(code):
        return next((c for c in (*register, *known) if c.ons_code == code), None)
    cassr = re.sub(r"\.0+$", "", raw)
    if _CASSR_CODE.match(cassr):
        for council in (*register, *known):
            if council.cassr_code == cassr:
                return council
    key = normalise_council_name(raw)
    matches = _index(register).get(key)
    if matches:
        return _pick(matches, day)
    known_matches = [council for council in known if key in council.keys]
    return _pick(known_matches, day) if known_matches else None


def resolve_council(
    text: object, *, on: date | None = None, known: Iterable[Council] = ()
) -> Council:
    """The council ``text`` names: a name in any case or spacing, a variant, an ONS or CASSR code.

    ``known`` are councils already in the user's database (including ones created earlier with
    ``--new-council``); they are matched by normalised name and variants too, after the register.
    When several councils answer to the name, the one that existed on ``on`` (default today) wins,
    else the one nearest in time; a name matching only a council that had ended on ``on`` still
    returns that council (see :func:`existence_note`). Raises :class:`UnknownCouncil` otherwise.
    """
    raw = "" if text is None else unicodedata.normalize("NFKC", str(text)).strip()
    if not raw:
        raise UnknownCouncil(
            "--council is required: the council whose survey or register this is. "
            + _guidance("for example E06000024")
        )
    day = on or date.today()
    known = tuple(known)
    found = lookup_council(raw, on=day, known=known)
    if found is not None:
        return found
    if _ONS_CODE.match(raw.upper()):
        raise UnknownCouncil(
            f"unknown council {raw!r}: not the ONS code of an English council with social "
            "services responsibilities. " + _guidance("for example E06000024")
        )
    suggestions = tuple(council.name for council in find_councils(raw, on=day, known=known))
    example = next(
        (
            council.ons_code
            for council in find_councils(raw, limit=1, on=day)
            if council.ons_code is not None
        ),
        "E06000024",
    )
    hint = f" (did you mean: {', '.join(suggestions)}?)" if suggestions else ""
    raise UnknownCouncil(
        f"unknown council {raw!r}: not an English council with social services "
        f"responsibilities{hint}. " + _guidance(example),
        suggestions,
    )


def new_council(text: object, *, on: date | None = None, known: Iterable[Council] = ()) -> Council:
    """A council given with ``--new-council``: one that is not in the register.

    If ``text`` does resolve (to a registered council, or to one of ``known``), that council is
    returned rather than a second copy, so ``--new-council`` never duplicates a council: check
    ``registered`` to tell. Otherwise the name is ``text`` with its spacing folded and the user's
    capitalisation kept, with no codes, type or region.
    """
    name = re.sub(r"\s+", " ", unicodedata.normalize("NFKC", str(text or ""))).strip()
    if not normalise_council_name(name):
        raise ValueError("--new-council needs the council's name, e.g. --council 'Test Council'")
    try:
        return resolve_council(name, on=on, known=known)
    except UnknownCouncil:
        pass
    return Council(
        name=name,
        ons_code=None,
        cassr_code=None,
        council_type=None,
        region_code=None,
        region_name=None,
        start_date=None,
        end_date=None,
        variants=(),
        registered=False,
    )


def existence_note(council: Council, on: date) -> str | None:
    """A sentence for the user when ``council`` did not exist on ``on``; None when it did."""
    if not council.registered or council.exists_on(on):
        return None
    label = f"{council.name} ({council.ons_code})"
    if council.start_date is not None and on < council.start_date:
        return f"{label} was created on {council.start_date}, after {on}."
    note = f"{label} was abolished on {council.end_date + timedelta(days=1)}, before {on}"
    by_code = {other.ons_code: other for other in council_register()}
    successors = [by_code[code] for code in council.replaced_by if code in by_code]
    if successors:
        names = " and ".join(f"{other.name} ({other.ons_code})" for other in successors)
        note += f"; its area is served by {names}"
    return note + "."
