"""Load benchmark tables from CSV: a council's national POET tables or the official ASCOF file.

Two shapes are recognised from the header row:

- **POET tables**: ``instrument, question_code, year, value, base_n, source`` and optionally
  ``numerator, answer_group, area, area_code, kind, label``. One row per measure; ``value`` is a
  percentage. Rows land with ``source_kind = 'loaded'``.
- **ASCOF long format** (docs/methods.md): ``Geographical code, Geographical description,
  Geographical level, ONS code, ASCOF measure code, Disaggregation level, Measure type, Measure
  value``; ``[c]`` (suppressed) and ``[z]`` (not applicable) become NULL. The four measure types
  of one area and measure become one row (outcome, numerator, denominator, margin of error).
  The file has no year column, so the year comes from ``year=`` or the file name
  ("...2023-24..."). ASCOF codes were reused from 2023-24, so the measure definition key is
  ``ascof:<framework year>:<code>`` (2023 framework for 2023-24 on, 2010 before).

Rows that cannot stand go to ``quarantine`` with the row, column, value and reason; the rest load.
A file whose SHA-256 is already loaded is a no-op that says so. Everything is one transaction.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from io import StringIO
from pathlib import Path

import duckdb
import pandas as pd

from pipeline.config import surveys_dir
from pipeline.instruments import InstrumentError, get_instrument
from pipeline.store import connect
from pipeline.store.transactions import transaction

POET_REQUIRED = ("instrument", "question_code", "year", "value", "base_n", "source")
POET_OPTIONAL = ("numerator", "answer_group", "area", "area_code", "kind", "label")
ASCOF_COLUMNS = (
    "Geographical code",
    "Geographical description",
    "Geographical level",
    "ONS code",
    "ASCOF measure code",
    "Disaggregation level",
    "Measure type",
    "Measure value",
)
VALUE_KINDS = ("exact", "at_least", "over", "approx", "text")
ASCOF_NOT_A_VALUE = {"[c]": "suppressed", "[z]": "not applicable", "[x]": "not available", "": ""}
NEW_FRAMEWORK_YEAR = 2023

BENCHMARK_INSERT = (
    "INSERT INTO benchmarks (benchmark_id, measure_id, source, source_kind, year, valid_from, "
    "instrument, question_code, answer_group, area, area_code, value, value_kind, unit, base_n, "
    "numerator, lower_ci, upper_ci, label, provenance, load_id) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)


class BenchmarkFileError(ValueError):
    """The file cannot be read as a benchmark table; the message says what to fix."""


@dataclass
class BenchmarkLoadResult:
    """What happened to one benchmark file."""

    load_id: int
    rows: int  # benchmark rows written (0 when already loaded)
    status: str  # "loaded" | "already_loaded" (as the survey loader says it)
    format: str  # "poet" | "ascof"
    file_name: str
    quarantined: int = 0
    problems: list[tuple[int | None, str | None, str | None, str]] = field(default_factory=list)

    @property
    def message(self) -> str:
        if self.status == "already_loaded":
            return (
                f"{self.file_name}: already loaded as load {self.load_id} (same content); "
                "nothing changed"
            )
        text = (
            f"{self.file_name}: loaded {self.rows} {self.format.upper()} benchmark rows "
            f"as load {self.load_id}"
        )
        if self.quarantined:
            text += (
                f"; {self.quarantined} rows quarantined (see `quarantine` for load {self.load_id})"
            )
        return text


def load_benchmark_file(
    db: str | Path | duckdb.DuckDBPyConnection,
    path: str | Path,
    *,
    year: int | None = None,
) -> BenchmarkLoadResult:
    """Load a POET benchmark table or an ASCOF long-format CSV into ``benchmarks``."""
    path = Path(path)
    if not path.exists():
        raise BenchmarkFileError(f"{path}: no such file")
    content = path.read_bytes()
    digest = hashlib.sha256(content).hexdigest()
    frame = _read_csv(path, content)
    columns = {c.strip() for c in frame.columns}
    if set(ASCOF_COLUMNS) <= columns:
        file_format = "ascof"
    elif set(POET_REQUIRED) <= {c.lower() for c in columns}:
        file_format = "poet"
    else:
        raise BenchmarkFileError(
            f"{path.name}: not a benchmark table. A POET table needs the columns "
            f"{', '.join(POET_REQUIRED)}; an ASCOF file needs {', '.join(ASCOF_COLUMNS)}. "
            f"Found: {', '.join(frame.columns)}"
        )
    con, owned = (db, False) if isinstance(db, duckdb.DuckDBPyConnection) else (connect(db), True)
    try:
        existing = con.execute(
            "SELECT load_id FROM loads WHERE kind = 'benchmark' AND sha256 = ?", [digest]
        ).fetchall()
        existing = existing[0] if existing else None  # fetchall: fetchone leaves DuckDB 2.0 busy
        if existing:
            return BenchmarkLoadResult(
                int(existing[0]), 0, "already_loaded", file_format, path.name
            )
        if file_format == "ascof":
            rows, problems = _ascof_rows(frame, _ascof_year(path, year), path.name)
        else:
            rows, problems = _poet_rows(frame)
        return _write(con, path.name, digest, file_format, len(frame), rows, problems)
    finally:
        if owned:
            con.close()


def _read_csv(path: Path, content: bytes) -> pd.DataFrame:
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            text = content.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:  # pragma: no cover - cp1252 decodes nearly anything
        raise BenchmarkFileError(f"{path.name}: not readable as UTF-8 or Windows-1252 text")
    try:
        frame = pd.read_csv(StringIO(text), dtype=str, keep_default_na=False)
    except pd.errors.ParserError as error:
        raise BenchmarkFileError(f"{path.name}: not a well-formed CSV: {error}") from error
    frame.columns = [str(c).strip() for c in frame.columns]
    return frame.apply(lambda column: column.str.strip())


def _poet_rows(frame: pd.DataFrame) -> tuple[list[dict], list[tuple]]:
    frame = frame.rename(columns={c: c.lower() for c in frame.columns})
    rows, problems = [], []
    for position, record in enumerate(frame.to_dict("records"), start=1):
        errors: list[tuple[str, str, str]] = []
        instrument_id = record["instrument"]
        try:
            instrument = get_instrument(instrument_id)
        except InstrumentError as error:
            problems.append((position, "instrument", instrument_id, str(error)))
            continue
        code = record["question_code"]
        try:
            question = instrument.question(code)
        except KeyError:
            problems.append(
                (position, "question_code", code, f"{instrument_id} has no question {code!r}")
            )
            continue
        scale = question.scale
        group = record.get("answer_group") or (scale.positive if scale else None)
        if scale is None or group not in scale.groups:
            known = ", ".join(scale.groups) if scale else "none"
            errors.append(("answer_group", str(group), f"not a group of {code}'s scale ({known})"))
        year = _whole(record["year"])
        if year is None or not 1990 <= year <= 2100:
            errors.append(("year", record["year"], "year must be a four-digit year such as 2014"))
        kind = (record.get("kind") or "exact").lower()
        if kind not in VALUE_KINDS:
            errors.append(("kind", kind, f"kind must be one of {', '.join(VALUE_KINDS)}"))
        value = _number(record["value"])
        if kind != "text" and (value is None or not 0 <= value <= 100):
            errors.append(("value", record["value"], "value must be a percentage from 0 to 100"))
        base = _whole(record["base_n"]) if record["base_n"] else None
        if record["base_n"] and (base is None or base < 0):
            errors.append(("base_n", record["base_n"], "base_n must be a whole number or blank"))
        numerator = _number(record.get("numerator") or "")
        if numerator is not None and base is not None and numerator > base:
            errors.append(("numerator", record["numerator"], "numerator is larger than base_n"))
        if not record["source"]:
            errors.append(("source", "", "every row needs its source (publication or table)"))
        if errors:
            problems.extend((position, column, raw, reason) for column, raw, reason in errors)
            continue
        rows.append(
            {
                "measure_id": f"poet:{code}:{group}",
                "source": record["source"],
                "source_kind": "loaded",
                "year": year,
                "valid_from": None,
                "instrument": instrument_id,
                "question_code": code,
                "answer_group": group,
                "area": record.get("area") or "England",
                "area_code": record.get("area_code") or None,
                "value": value,
                "value_kind": kind,
                "unit": "percent",
                "base_n": base,
                "numerator": numerator,
                "lower_ci": None,
                "upper_ci": None,
                "label": record.get("label") or None,
                "provenance": f"loaded from file, row {position}",
            }
        )
    return rows, problems


def _ascof_year(path: Path, year: int | None) -> int:
    if year is not None:
        return int(year)
    match = re.search(r"(20\d{2})[-_ ]?(\d{2})(?!\d)", path.stem)
    if match:
        return int(match.group(1))
    raise BenchmarkFileError(
        f"{path.name}: an ASCOF file has no year column; pass the year it describes "
        "(--year 2023 for 2023-24) or name the file like ascof-2023-24.csv"
    )


def _ascof_definitions() -> dict[tuple[str, int], dict]:
    table = pd.read_csv(surveys_dir() / "benchmarks" / "ascof-measures.csv", dtype=str)
    return {(r["code"], int(r["valid_from"])): r for r in table.to_dict("records")}


def _ascof_rows(frame: pd.DataFrame, year: int, file_name: str) -> tuple[list[dict], list[tuple]]:
    framework = NEW_FRAMEWORK_YEAR if year >= NEW_FRAMEWORK_YEAR else 2010
    definitions = _ascof_definitions()
    keys = list(ASCOF_COLUMNS[:6])
    problems: list[tuple] = []
    values: dict[tuple, dict[str, float | None]] = {}
    for position, record in enumerate(frame.to_dict("records"), start=1):
        raw = record["Measure value"]
        measure_type = record["Measure type"].strip().lower()
        if measure_type not in ("numerator", "denominator", "outcome", "margin of error"):
            problems.append(
                (
                    position,
                    "Measure type",
                    record["Measure type"],
                    "Measure type must be Numerator, Denominator, Outcome or Margin of error",
                )
            )
            continue
        if raw in ASCOF_NOT_A_VALUE:
            number = None
        else:
            number = _number(raw)
            if number is None:
                problems.append(
                    (position, "Measure value", raw, "not a number, [c] (suppressed) or [z]")
                )
                continue
        key = tuple(record[k] for k in keys)
        values.setdefault(key, {})[measure_type] = number
    rows = []
    for key, measures in values.items():
        geo_code, geo_name, geo_level, ons_code, code, disaggregation = key
        definition = definitions.get((code, framework), {})
        outcome = measures.get("outcome")
        margin = measures.get("margin of error")
        denominator = measures.get("denominator")
        split = (
            "" if disaggregation.lower() in ("", "total", "all", "none") else f":{disaggregation}"
        )
        rows.append(
            {
                "measure_id": f"ascof:{framework}:{code}{split}",
                "source": f"ASCOF {year}-{(year + 1) % 100:02d} ({file_name})",
                "source_kind": "ascof",
                "year": year,
                "valid_from": framework,
                "instrument": None,
                "question_code": None,
                "answer_group": None,
                "area": geo_name or geo_code,
                "area_code": ons_code or geo_code or None,
                "value": outcome,
                "value_kind": "exact",
                "unit": definition.get("unit", "unspecified"),
                "base_n": None if denominator is None else round(denominator),
                "numerator": measures.get("numerator"),
                "lower_ci": None if outcome is None or margin is None else outcome - margin,
                "upper_ci": None if outcome is None or margin is None else outcome + margin,
                "label": f"ASCOF {code}: {definition.get('definition', 'measure ' + code)}"
                + (f" ({disaggregation})" if split else ""),
                "provenance": f"{file_name}; geographical level {geo_level}",
            }
        )
    return rows, problems


def _write(
    con: duckdb.DuckDBPyConnection,
    file_name: str,
    digest: str,
    file_format: str,
    rows_read: int,
    rows: list[dict],
    problems: list[tuple],
) -> BenchmarkLoadResult:
    bad_rows = {p[0] for p in problems if p[0] is not None}
    with transaction(con):
        load_id = int(con.execute("SELECT nextval('load_id_seq')").fetchall()[0][0])
        con.execute(
            "INSERT INTO loads (load_id, kind, file_name, sha256, rows_read, rows_loaded, "
            "rows_quarantined, values_quarantined) VALUES (?, 'benchmark', ?, ?, ?, ?, ?, 0)",
            [load_id, file_name, digest, rows_read, rows_read - len(bad_rows), len(bad_rows)],
        )
        con.executemany(
            BENCHMARK_INSERT,
            [
                [load_id * 100_000 + i, *(row[k] for k in _ROW_KEYS), load_id]
                for i, row in enumerate(rows, start=1)
            ],
        )
        if problems:
            con.executemany(
                "INSERT INTO quarantine (load_id, source_row, column_name, raw_value, reason, "
                "whole_row) VALUES (?, ?, ?, ?, ?, true)",
                [[load_id, *problem] for problem in problems],
            )
    return BenchmarkLoadResult(
        load_id, len(rows), "loaded", file_format, file_name, len(bad_rows), problems
    )


_ROW_KEYS = (
    "measure_id",
    "source",
    "source_kind",
    "year",
    "valid_from",
    "instrument",
    "question_code",
    "answer_group",
    "area",
    "area_code",
    "value",
    "value_kind",
    "unit",
    "base_n",
    "numerator",
    "lower_ci",
    "upper_ci",
    "label",
    "provenance",
)


def _number(text: str) -> float | None:
    cleaned = str(text).replace(",", "").replace("%", "").strip()
    try:
        return float(cleaned)
    except ValueError:
        return None


def _whole(text: str) -> int | None:
    number = _number(text)
    if number is None or not float(number).is_integer():
        return None
    return int(number)
