"""Read the report files back as a member of the public would download them.

The auditor (:mod:`pipeline.disclosure.audit`) attacks what was published, not what the
analysis computed: the open-data CSV and the Excel workbook of every council are read here into
frames of the published figures, with each share's rounding kept as a tolerance.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd

POOLED_LABEL = re.compile(r"(\d+) (?:other|peer) councils pooled: ([\d.]+)% of ([\d,]+)")
RESULT_KEY = ["wave", "council", "question_code"]


def decimals_tolerance(value: float) -> float:
    """Half the last digit shown: 7.7 -> 0.05, 7 -> 0.5; a full float (an unrounded share in a
    download) -> 1e-6, kept above the solver's own tolerance."""
    for digits in range(0, 6):
        if abs(round(value, digits) - value) < 1e-9:
            return 0.5 * 10.0**-digits
    return 1e-6


def _question_of(indicator: str) -> str:
    parts = str(indicator).split(":")
    return parts[1] if len(parts) >= 2 else str(indicator)


def read_open_data(path: Path) -> pd.DataFrame:
    """A report's open-data CSV as ``wave, council, question_code, n, count, value,
    benchmark_value, benchmark_n, pool_size`` (blank = hidden)."""
    data = pd.read_csv(path, encoding="utf-8-sig", dtype={"Area": str})
    rows = []
    for _, row in data.iterrows():
        label = POOLED_LABEL.search(str(row.get("Benchmark") or ""))
        rows.append(
            {
                "wave": int(row["Period"]),
                "council": str(row["Area"]),
                "question_code": _question_of(row["Indicator ID"]),
                "measure": str(row["Indicator ID"]).split(":")[-1],
                "n": row.get("Denominator"),
                "count": row.get("Count"),
                "value": row.get("Value"),
                "benchmark_value": float(label.group(2)) if label else np.nan,
                "benchmark_n": float(label.group(3).replace(",", "")) if label else np.nan,
                "benchmark_count": np.nan,
                "pool_size": int(label.group(1)) if label else np.nan,
            }
        )
    return numeric_columns(pd.DataFrame(rows))


def read_workbook(path: Path, council: str, wave: int, instrument: str) -> dict[str, pd.DataFrame]:
    """The results sheets (by topic) and the process answers of a report's workbook."""
    from pipeline.instruments import get_instrument

    definition = get_instrument(instrument)
    by_domain = {q.domain: q for q in definition.questions}
    sheets = pd.read_excel(path, sheet_name=None, engine="openpyxl")
    out: dict[str, pd.DataFrame] = {}
    results = []
    for name in ("Outcomes", "Process"):
        sheet = sheets.get(name)
        if sheet is None:
            continue
        for _, row in sheet.iterrows():
            question = by_domain.get(str(row["Topic"]))
            if question is None:
                continue
            results.append(
                {
                    "wave": wave,
                    "council": council,
                    "question_code": question.code,
                    "n": row.get("People who answered"),
                    "count": row.get("Count"),
                    "value": row.get("Percent"),
                }
            )
    out["results"] = numeric_columns(
        pd.DataFrame(results, columns=[*RESULT_KEY, "n", "count", "value"])
    )
    answers = sheets.get("Process answers")
    rows = []
    if answers is not None and len(answers):
        for _, row in answers.iterrows():
            question = by_domain.get(str(row["Step"]))
            if question is None or question.scale is None:
                continue
            for code in question.scale.valid_codes:
                label = question.scale.label_of(code)
                if label not in answers.columns:
                    continue
                rows.append(
                    {
                        "wave": wave,
                        "council": council,
                        "question_code": question.code,
                        "answer_code": code,
                        "n": row.get("People who answered"),
                        "count": np.nan,  # the workbook gives percentages only
                        "value": row.get(label),
                    }
                )
    columns = [*RESULT_KEY, "answer_code", "n", "count", "value"]
    out["answers"] = numeric_columns(pd.DataFrame(rows, columns=columns))
    out["you_said"] = read_you_said(sheets.get("You said, we did"), council, by_domain)
    return out


def read_you_said(sheet: pd.DataFrame | None, council: str, by_domain: dict) -> pd.DataFrame:
    """The workbook's "You said, we did" sheet as results: each row's share now (at its result
    year) and then (at the action's survey year), counts and bases not given (blank)."""
    rows = []
    for _, row in (sheet if sheet is not None else pd.DataFrame()).iterrows():
        question = by_domain.get(str(row.get("Topic")))
        if question is None:
            continue
        for wave, value in (
            (row.get("Result year"), row.get("Percent now")),
            (row.get("Survey year"), row.get("Percent then")),
        ):
            if pd.notna(wave) and pd.notna(value) and str(value) != "":
                rows.append(
                    {
                        "wave": int(wave),
                        "council": council,
                        "question_code": question.code,
                        "n": np.nan,
                        "count": np.nan,
                        "value": value,
                    }
                )
    frame = pd.DataFrame(rows, columns=[*RESULT_KEY, "n", "count", "value"])
    return numeric_columns(frame.drop_duplicates(subset=RESULT_KEY))


def numeric_columns(frame: pd.DataFrame) -> pd.DataFrame:
    for column in frame.columns:
        if column not in ("council", "question_code", "answer_code", "label", "table", "measure"):
            frame[column] = pd.to_numeric(frame[column], errors="coerce")
    return frame.reset_index(drop=True)
