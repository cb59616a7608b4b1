"""The outputs as they were before one rule (issue 9): each table protected on its own.

Each writer reproduces one leak the issue reported, so the auditor is shown to catch it; the
fixed faces must then give it nothing.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from pipeline import analysis
from pipeline.disclosure import protect
from pipeline.instruments import get_instrument
from pipeline.present.exports import tidy_open_data, to_csv_bytes
from pipeline.present.findings import describe_results


def write_open_data(con, folder: Path, wave: int) -> None:  # noqa: ANN001
    """Every council's open-data CSV with its pooled benchmark "P% of N" kept beside a hidden
    council's blank count (one table at a time)."""
    from pipeline.reports.builder import slug

    folder.mkdir(parents=True, exist_ok=True)
    instrument = get_instrument("poet-holder")
    for council in sorted(analysis.available(con)["council"].unique()):
        frames = [
            describe_results(
                protect(
                    analysis.results(con, council=council, wave=wave, section=section),
                    group_columns=("question_code",),
                ),
                instrument,
            )
            for section in ("outcomes", "process")
        ]
        table = tidy_open_data(pd.concat(frames, ignore_index=True), council, "", wave)
        name = f"{slug(council)}-{wave}-poet-holder-open-data.csv"
        (folder / name).write_bytes(to_csv_bytes(table))


def compare_records(con, wave: int) -> pd.DataFrame:  # noqa: ANN001
    """``outcomes compare`` as it printed: the count hidden, the p-values and benchmark kept."""
    frames = []
    for council in sorted(analysis.available(con)["council"].unique()):
        frame = analysis.results(con, council=council, wave=wave, benchmark="pooled")
        frames.append(protect(frame, value_columns=("value", "lower", "upper", "difference")))
    return pd.concat(frames, ignore_index=True)


def council_comparison(con, wave: int, question: str) -> pd.DataFrame:  # noqa: ANN001
    """The Compare councils table as the dashboard published it: unrounded overall share."""
    frame = analysis.compare_councils(con, wave=wave, instrument="poet-holder",
                                      question_code=question)  # fmt: skip
    return protect(frame, count_columns=("count",), base_column="n")


def budget_tables(con, council: str) -> dict[str, pd.DataFrame]:  # noqa: ANN001
    """The Budgets page as it was: each table on its own, shares of hidden bands kept."""
    summary = analysis.budget_summary(con, council=council)
    out = {"headline": summary["headline"]}
    for name in ("by_option", "by_reason", "distribution"):
        out[name] = protect(summary[name], count_columns=("people",), base_column="n")
    return out
