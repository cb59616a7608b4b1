"""Read the official ASCOF open-data file as NHS Digital / NHS England publish it.

The file ("Measures from the Adult Social Care Outcomes Framework", CSV or the same table saved
as XLSX) is long: one row per area, measure code, breakdown and measure type. Headers are matched
without regard to case, spacing or ``_`` ("Geographical Code", "Measure_Value" and
"measure value" are the same column). This module turns its rows into ``benchmarks`` rows:

- **measure**: ``Measure Group`` (or, when absent, the ``ASCOF Measure Code`` itself, or for a
  row whose Disaggregation Level names a breakdown the longest code of the framework that starts
  it: ``1C2A65OV`` is 1C2A) names the measure; the breakdown is the
  ``Disaggregation Level`` ("Female", "65 and over"), or the code's suffix when that says
  "Total". The key is ``ascof:<framework>:<measure>[:<breakdown>]``, the framework being 2010
  (to 2022-23) or 2023 (from 2023-24), because 2023-24 reused codes with new meanings.
- **measure types**: ``Outcome`` is the value, ``Base`` (survey respondents) the base,
  ``Denominator`` the base only when there is no Base row, ``Numerator`` the count and
  ``Margin Of Error`` the interval (outcome ± margin).
- **geography**: ``Geographical Level`` is kept as council, region, council type or England;
  council rows are named from the council register by their ONS (or CASSR) code.
- **markers**: ``[c]`` suppressed, ``[x]`` not collected, ``[z]`` not applicable, ``[w]``
  withheld load as an empty value with the reason in ``value_note``.
- **period**: ``year=``, else a Period/Year column, else the file name ("2022-23" is 2022;
  a name ending "eng-2023" is the period ending in 2023, so 2022-23).

Rows that cannot stand (an unknown measure type, level or measure, a value that is not a number)
come back as problems ``(row, column, value, reason)``; the rest load.
"""

from __future__ import annotations

import re
from collections import Counter
from datetime import date
from functools import cache
from pathlib import Path

import pandas as pd

from pipeline.config import surveys_dir
from pipeline.council_register import REGIONS, UnknownCouncil, resolve_council

NEW_FRAMEWORK_YEAR = 2023
FRAMEWORK_NAMES = {2010: "2010-based framework (to 2022-23)", 2023: "2023-24 framework"}

# normalised header -> field name; REQUIRED must all be present for a file to be ASCOF
HEADER_FIELDS = {
    "geographical code": "geo_code",
    "geographical description": "geo_name",
    "geographical level": "geo_level",
    "ons code": "ons_code",
    "ascof measure code": "code",
    "measure type": "measure_type",
    "measure value": "value",
    "disaggregation level": "disaggregation",
    "measure group": "group",
    "measure group description": "group_description",
    "period": "period",
    "year": "period",
    "financial year": "period",
    "reporting period": "period",
}
REQUIRED = ("geo_code", "geo_name", "geo_level", "ons_code", "code", "measure_type", "value")
REQUIRED_HEADERS = (
    "Geographical Code",
    "Geographical Description",
    "Geographical Level",
    "ONS Code",
    "ASCOF Measure Code",
    "Measure Type",
    "Measure Value",
)
MEASURE_TYPES = ("outcome", "numerator", "denominator", "base", "margin of error")
MARKERS = {
    "[c]": "suppressed",
    "[x]": "not collected",
    "[z]": "not applicable",
    "[w]": "withheld",
}
LEVELS = {
    "council": "council",
    "local authority": "council",
    "cassr": "council",
    "region": "region",
    "regional": "region",
    "council type": "council type",
    "england": "England",
    "national": "England",
}
TOTALS = ("", "total", "all", "none", "overall")


def normalise_header(text: object) -> str:
    """``"Measure_Value "`` -> ``"measure value"``: case, spacing and ``_`` do not matter."""
    return re.sub(r"\s+", " ", str(text).replace("_", " ").replace("\ufeff", "")).strip().lower()


def ascof_fields(columns: list[str]) -> dict[str, str]:
    """Field name -> the file's header, for the headers this module knows."""
    found: dict[str, str] = {}
    for column in columns:
        field = HEADER_FIELDS.get(normalise_header(column))
        if field and field not in found:
            found[field] = column
    return found


def is_ascof(columns: list[str]) -> bool:
    return set(REQUIRED) <= set(ascof_fields(columns))


def framework_of(year: int) -> int:
    return NEW_FRAMEWORK_YEAR if year >= NEW_FRAMEWORK_YEAR else 2010


def _period_text(text: str) -> int | None:
    """The first year of the financial year ``text`` names: "2022-23", "2022/23", "202223"."""
    match = re.search(r"(20\d{2})\s*[-_/ ]?\s*(\d{2})(?!\d)", text)
    if match and (int(match.group(1)) + 1) % 100 == int(match.group(2)):
        return int(match.group(1))
    return None


def ascof_period(path: Path, frame: pd.DataFrame, year: int | None) -> int | None:
    """The period's first year: ``year``, else the file's period column, else its name."""
    if year is not None:
        return int(year)
    column = ascof_fields(list(frame.columns)).get("period")
    if column is not None:
        found = {_period_text(str(v)) for v in frame[column].unique() if str(v).strip()}
        if len(found) == 1 and None not in found:
            return found.pop()
    from_name = _period_text(path.stem)
    if from_name is not None:
        return from_name
    # published names end in the year the period ends: ...-eng-2023 is 2022-23
    ending = re.findall(r"(?<!\d)(20\d{2})(?!\d)", path.stem)
    return int(ending[-1]) - 1 if ending else None


@cache
def _definitions_at(path: Path) -> dict[int, dict[str, dict]]:
    table = pd.read_csv(path, dtype=str, keep_default_na=False)
    out: dict[int, dict[str, dict]] = {}
    for record in table.to_dict("records"):
        out.setdefault(int(record["valid_from"]), {})[record["code"].upper()] = record
    return out


def ascof_definitions() -> dict[int, dict[str, dict]]:
    """Framework -> measure code -> its row of ``surveys/benchmarks/ascof-measures.csv``."""
    return _definitions_at(surveys_dir() / "benchmarks" / "ascof-measures.csv")


def _measure_of(code: str, group: str, breakdown: str, definitions: dict[str, dict]) -> str | None:
    """The measure a row belongs to: its Measure Group, its code, or the code less a breakdown.

    The prefix is trusted only when the Disaggregation Level names a breakdown: without a
    Measure Group a bare "3D2A" in the 2010-based framework is no measure, not 3D2 broken by "A".
    """
    if group:
        return group.upper() if group.upper() in definitions else None
    if code.upper() in definitions:
        return code.upper()
    if normalise_header(breakdown) in TOTALS:
        return None
    candidates = [known for known in definitions if code.upper().startswith(known)]
    return max(candidates, key=len) if candidates else None


def _number(text: str) -> float | None:
    cleaned = str(text).replace(",", "").replace("%", "").strip()
    try:
        return float(cleaned)
    except ValueError:
        return None


def _area(level: str, geo_code: str, geo_name: str, ons_code: str, year: int) -> tuple:
    """(area, area_code, note) for one row's geography; council rows named from the register."""
    if level == "England":
        return "England", ons_code or "E92000001", None
    if level == "region":
        return REGIONS.get(ons_code, geo_name or geo_code), ons_code or geo_code, None
    if level == "council type":
        return geo_name or geo_code, ons_code or geo_code, None
    for code in (ons_code, geo_code):
        if code:
            try:
                council = resolve_council(code, on=date(year + 1, 3, 31))
            except UnknownCouncil:
                continue
            return council.name, council.ons_code or ons_code or geo_code, None
    return geo_name or geo_code, ons_code or geo_code, "not in the council register"


def ascof_rows(
    frame: pd.DataFrame, year: int, file_name: str
) -> tuple[list[dict], list[tuple], Counter]:
    """Benchmark rows, problems ``(row, column, value, reason)`` and the markers met."""
    fields = ascof_fields(list(frame.columns))
    framework = framework_of(year)
    definitions = ascof_definitions().get(framework, {})
    period = f"{year}-{(year + 1) % 100:02d}"
    problems: list[tuple] = []
    markers: Counter = Counter()
    combined: dict[tuple, dict] = {}
    for position, raw in enumerate(frame.to_dict("records"), start=1):
        record = {field: str(raw.get(column, "")).strip() for field, column in fields.items()}
        record.setdefault("disaggregation", "")
        record.setdefault("group", "")
        measure_type = normalise_header(record["measure_type"])
        if measure_type not in MEASURE_TYPES:
            problems.append(
                (
                    position,
                    fields["measure_type"],
                    record["measure_type"],
                    "Measure Type must be Outcome, Numerator, Denominator, Base or Margin Of Error",
                )
            )
            continue
        level = LEVELS.get(normalise_header(record["geo_level"]))
        if level is None:
            problems.append(
                (
                    position,
                    fields["geo_level"],
                    record["geo_level"],
                    "Geographical Level must be Council (Local authority), Region, Council Type "
                    "or England (National)",
                )
            )
            continue
        measure = _measure_of(
            record["code"], record["group"], record["disaggregation"], definitions
        )
        if measure is None:
            column = fields.get("group") if record["group"] else fields["code"]
            problems.append(
                (
                    position,
                    column,
                    record["group"] or record["code"],
                    f"not a measure of the ASCOF {FRAMEWORK_NAMES[framework]} in "
                    "surveys/benchmarks/ascof-measures.csv (is the period right?)",
                )
            )
            continue
        text = record["value"]
        marker = MARKERS.get(text.lower())
        if marker is not None or text == "":
            number = None
            note = f"{text.lower()} {marker}" if marker else "blank"
            markers[text.lower() or "blank"] += 1
        else:
            number, note = _number(text), None
            if number is None:
                problems.append(
                    (
                        position,
                        fields["value"],
                        text,
                        "Measure Value must be a number or a marker: [c] suppressed, "
                        "[x] not collected, [z] not applicable, [w] withheld",
                    )
                )
                continue
        breakdown = record["disaggregation"]
        if normalise_header(breakdown) in TOTALS:
            suffix = record["code"][len(measure) :]
            breakdown = suffix or ""
        key = (level, record["geo_code"], record["ons_code"], measure, breakdown)
        entry = combined.setdefault(
            key,
            {
                "geo_name": record["geo_name"],
                "geo_level": record["geo_level"],
                "codes": set(),
                "types": {},
                "notes": [],
            },
        )
        entry["codes"].add(record["code"])
        entry["types"][measure_type] = number
        if note:
            entry["notes"].append(f"{record['measure_type']} {note}")
    rows = []
    for (level, geo_code, ons_code, measure, breakdown), entry in combined.items():
        definition = definitions[measure]
        types = entry["types"]
        outcome, margin = types.get("outcome"), types.get("margin of error")
        base = types.get("base") if "base" in types else types.get("denominator")
        notes = list(entry["notes"])
        if "outcome" not in types:
            notes.append("no Outcome row")
        area, area_code, area_note = _area(level, geo_code, entry["geo_name"], ons_code, year)
        provenance = (
            f"{file_name}; Geographical Level {entry['geo_level']}; "
            f"ASCOF Measure Code {', '.join(sorted(entry['codes']))}"
        )
        if area_note:
            provenance += f"; {entry['geo_name'] or geo_code} is {area_note}"
        rows.append(
            {
                "measure_id": f"ascof:{framework}:{measure}"
                + (f":{breakdown}" if breakdown else ""),
                "source": f"ASCOF {period} ({file_name})",
                "source_kind": "ascof",
                "year": year,
                "valid_from": framework,
                "instrument": None,
                "question_code": None,
                "answer_group": None,
                "area": area,
                "area_code": area_code,
                "value": outcome,
                "value_kind": "exact",
                "unit": definition["unit"],
                "base_n": None if base is None else round(base),
                "numerator": types.get("numerator"),
                "lower_ci": None if outcome is None or margin is None else outcome - margin,
                "upper_ci": None if outcome is None or margin is None else outcome + margin,
                "label": f"ASCOF {measure}: {definition['definition']}"
                + (f" ({breakdown})" if breakdown else ""),
                "provenance": provenance,
                "geography_level": level,
                "breakdown": breakdown or None,
                "denominator": types.get("denominator"),
                "margin_of_error": margin,
                "polarity": definition["polarity"],
                "value_note": "; ".join(notes) or None,
            }
        )
    return rows, problems, markers
