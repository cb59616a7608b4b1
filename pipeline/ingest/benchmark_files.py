"""Load benchmark tables from CSV: a council's national POET tables or the official ASCOF file.

Two shapes are recognised from the header row:

- **POET tables**: ``instrument, question_code, year, value, base_n, source`` and optionally
  ``numerator, answer_group, area, area_code, kind, label``. One row per measure; ``value`` is a
  percentage. Rows land with ``source_kind = 'loaded'``.
- **ASCOF open data** as NHS Digital / NHS England publish it (CSV, or the same table saved as
  XLSX), headers in any case, spacing or with ``_``: ``Geographical Code, Geographical
  Description, Geographical Level, ONS Code, ASCOF Measure Code, Measure Type, Measure Value``
  and optionally ``Disaggregation Level, Measure Group``. Read by :mod:`pipeline.ingest.ascof_files`
  (measure types, breakdowns, geography, markers, the period from the file or its name).

Rows that cannot stand go to ``quarantine`` with the row, column, value and reason; the rest load.
A file whose SHA-256 is already loaded is a no-op that says so. Everything is one transaction.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from io import BytesIO, StringIO
from pathlib import Path

import duckdb
import openpyxl
import pandas as pd

from pipeline.ingest.ascof_files import MARKERS as MARKER_NAMES
from pipeline.ingest.ascof_files import REQUIRED_HEADERS, ascof_period, ascof_rows, is_ascof
from pipeline.instruments import InstrumentError, get_instrument
from pipeline.store import connect
from pipeline.store.transactions import transaction

POET_REQUIRED = ("instrument", "question_code", "year", "value", "base_n", "source")
POET_OPTIONAL = ("numerator", "answer_group", "area", "area_code", "kind", "label")
VALUE_KINDS = ("exact", "at_least", "over", "approx", "text")

BENCHMARK_INSERT = (
    "INSERT INTO benchmarks (benchmark_id, measure_id, source, source_kind, year, valid_from, "
    "instrument, question_code, answer_group, area, area_code, value, value_kind, unit, base_n, "
    "numerator, lower_ci, upper_ci, label, provenance, geography_level, breakdown, denominator, "
    "margin_of_error, polarity, value_note, load_id) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
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
    markers: dict[str, int] = field(default_factory=dict)  # ASCOF "[c]" etc.: how many values

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
        if self.markers:
            text += "; values published as markers, loaded empty with the reason: " + ", ".join(
                f"{count} {marker} {MARKER_NAMES.get(marker, '')}".rstrip()
                for marker, count in sorted(self.markers.items())
            )
        return text

    def problem_summary(self, examples: int = 3) -> list[str]:
        """One line per kind of problem: how many rows, which column, the reason, a few rows."""
        return summarise_problems(self.problems, examples)


def summarise_problems(problems: list[tuple], examples: int = 3) -> list[str]:
    """Group ``(row, column, value, reason)`` by column and reason, largest group first."""
    groups: dict[tuple, list[tuple]] = {}
    for problem in problems:
        groups.setdefault((problem[1], problem[3]), []).append(problem)
    lines = []
    for (column, reason), items in sorted(groups.items(), key=lambda kv: -len(kv[1])):
        shown = ", ".join(f"row {row} {raw!r}" for row, _, raw, _ in items[:examples])
        more = f" and {len(items) - examples} more" if len(items) > examples else ""
        noun = "row" if len(items) == 1 else "rows"
        lines.append(f"{len(items)} {noun}, {column}: {reason} ({shown}{more})")
    return lines


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
    frame = _read_table(path, content)
    columns = {c.strip() for c in frame.columns}
    if is_ascof(list(frame.columns)):
        file_format = "ascof"
    elif set(POET_REQUIRED) <= {c.lower() for c in columns}:
        file_format = "poet"
    else:
        raise BenchmarkFileError(
            f"{path.name}: not a benchmark table. A POET table needs the columns "
            f"{', '.join(POET_REQUIRED)}; an ASCOF file needs {', '.join(REQUIRED_HEADERS)} (any case or spacing). "
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
        markers: dict[str, int] = {}
        if file_format == "ascof":
            period = ascof_period(path, frame, year)
            if period is None:
                raise BenchmarkFileError(
                    f"{path.name}: the period is neither in the file nor in its name; pass the "
                    "year it describes (--year 2023 for 2023-24) or keep the published name, "
                    "which ends in the year the period ends (...-eng-2024.csv is 2023-24)"
                )
            rows, problems, markers = ascof_rows(frame, period, path.name)
        else:
            rows, problems = _poet_rows(frame)
        if not rows:
            detail = "; ".join(summarise_problems(problems)) or "the file has no data rows"
            raise BenchmarkFileError(
                f"{path.name}: nothing loaded, every row was refused: {detail}"
            )
        result = _write(con, path.name, digest, file_format, len(frame), rows, problems)
        result.markers = dict(markers)
        return result
    finally:
        if owned:
            con.close()


def _read_table(path: Path, content: bytes) -> pd.DataFrame:
    if content.startswith(b"PK\x03\x04") or path.suffix.lower() in (".xlsx", ".xlsm"):
        return _read_xlsx(path, content)
    return _read_csv(path, content)


def _read_xlsx(path: Path, content: bytes) -> pd.DataFrame:
    """The first sheet, header on row 1, every cell as text (whole numbers without ".0")."""
    try:
        workbook = openpyxl.load_workbook(BytesIO(content), read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises zipfile, KeyError and its own errors
        raise BenchmarkFileError(f"{path.name}: not a readable .xlsx workbook: {error}") from error
    try:
        lines = [
            ["" if v is None else _cell_text(v) for v in row]
            for row in workbook.worksheets[0].iter_rows(values_only=True)
        ]
    finally:
        workbook.close()
    if not lines:
        raise BenchmarkFileError(f"{path.name}: the first sheet is empty")
    header = [str(c).strip() for c in lines[0]]
    width = len(header)
    body = [(line + [""] * width)[:width] for line in lines[1:] if any(line)]
    return pd.DataFrame(body, columns=header, dtype=str)


def _cell_text(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


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
    except pd.errors.EmptyDataError as error:
        raise BenchmarkFileError(f"{path.name}: the file is empty") from error
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
                **dict.fromkeys(_ASCOF_ONLY_KEYS),
                "geography_level": "England"
                if (record.get("area") or "England") == "England"
                else None,
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


_ASCOF_ONLY_KEYS = (
    "breakdown",
    "denominator",
    "margin_of_error",
    "polarity",
    "value_note",
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
    "geography_level",
    "breakdown",
    "denominator",
    "margin_of_error",
    "polarity",
    "value_note",
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
