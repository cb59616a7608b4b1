"""``outcomes demo``: build a realistic synthetic database through the real ingest path.

Three councils, two survey waves, both instruments and the budget registers the holders were
sampled from are generated with a fixed seed (:mod:`pipeline.demo.model`,
:mod:`pipeline.demo.register`), written as the messy CSV and Excel files councils send
(:mod:`pipeline.demo.exports`), and then loaded with :func:`pipeline.ingest.load_budget_file`
and :func:`pipeline.ingest.load_survey_file`, exactly as a user's files are. The demo therefore
tests the product end to end: if it loads, a council's export of the same shape loads too.

A ``manifest.json`` beside the files lists every problem planted in them (bad answers,
duplicated returns, impossible dates and amounts) so anyone can check the quarantine caught them.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import duckdb
import numpy as np
from rich.console import Console

from pipeline.config import REPO_ROOT
from pipeline.demo.exports import STYLES, WrittenFile, write_survey_export
from pipeline.demo.model import CARER, HOLDER, simulate_carer_returns, simulate_holder_returns
from pipeline.demo.register import COUNCILS, WAVES, generate_register, sample_holders
from pipeline.demo.register_exports import REGISTER_STYLES, write_register_export
from pipeline.ingest import LoadResult, load_budget_file, load_survey_file
from pipeline.store import connect

DEFAULT_SEED = 2026
INSTRUMENTS = (HOLDER, CARER)

# Which survey tool each council used for each wave and instrument: every style appears in
# more than one council so no council's results depend on one reader.
SURVEY_STYLE = {
    ("Northshire", 2024, HOLDER): "csv_wording",
    ("Northshire", 2025, HOLDER): "xlsx_titles",
    ("Northshire", 2024, CARER): "csv_numeric",
    ("Northshire", 2025, CARER): "csv_wording",
    ("Eastbrook", 2024, HOLDER): "csv_1252_variants",
    ("Eastbrook", 2025, HOLDER): "csv_numeric",
    ("Eastbrook", 2024, CARER): "xlsx_titles",
    ("Eastbrook", 2025, CARER): "csv_1252_variants",
    ("Westmere", 2024, HOLDER): "xlsx_titles",
    ("Westmere", 2025, HOLDER): "csv_wording",
    ("Westmere", 2024, CARER): "csv_1252_variants",
    ("Westmere", 2025, CARER): "xlsx_titles",
}
REGISTER_STYLE = {"Northshire": "csv_uk", "Eastbrook": "xlsx", "Westmere": "csv_iso"}


def default_demo_folder() -> Path:
    return REPO_ROOT / "data" / "demo"


def _rng(seed: int, *parts: int) -> np.random.Generator:
    """An independent stream per file, so adding a file never changes the others."""
    return np.random.default_rng([seed, *parts])


def write_demo_files(folder: Path, seed: int = DEFAULT_SEED) -> list[WrittenFile]:
    """Generate the demo and write its files into ``folder``; budgets first, then surveys."""
    folder.mkdir(parents=True, exist_ok=True)
    registers: list[WrittenFile] = []
    surveys: list[WrittenFile] = []
    for number, profile in enumerate(COUNCILS):
        register = generate_register(profile, _rng(seed, number, 0))
        registers.append(
            write_register_export(
                register,
                folder,
                profile=profile,
                style=REGISTER_STYLES[REGISTER_STYLE[profile.name]],
                rng=_rng(seed, number, 1),
            )
        )
        for wave in WAVES:
            rng = _rng(seed, number, wave, 0)
            size = int(rng.integers(profile.holder_returns[0], profile.holder_returns[1] + 1))
            holders = simulate_holder_returns(
                sample_holders(register, wave, size, rng), wave, profile, rng
            )
            rng = _rng(seed, number, wave, 1)
            size = int(rng.integers(profile.carer_returns[0], profile.carer_returns[1] + 1))
            carers = simulate_carer_returns(profile, wave, size, rng)
            for index, (instrument, returns) in enumerate(((HOLDER, holders), (CARER, carers))):
                style = STYLES[SURVEY_STYLE[(profile.name, wave, instrument)]]
                surveys.append(
                    write_survey_export(
                        returns,
                        folder,
                        council=profile.name,
                        wave=wave,
                        instrument=instrument,
                        style=style,
                        rng=_rng(seed, number, wave, 2, index),
                    )
                )
    files = registers + surveys
    manifest = {"seed": seed, "files": [f.as_dict() for f in files]}
    (folder / "manifest.json").write_text(json.dumps(manifest, indent=2), encoding="utf-8")
    return files


def _load(con: duckdb.DuckDBPyConnection, written: WrittenFile) -> LoadResult:
    # The demo councils are fictional, so they are not in the council register: new_council.
    if written.kind == "budgets":
        return load_budget_file(con, written.path, council=written.council, new_council=True)
    assert written.instrument is not None and written.wave is not None
    return load_survey_file(
        con,
        written.path,
        instrument=written.instrument,
        council=written.council,
        wave=written.wave,
        new_council=True,
    )


def _demo_sample(con: duckdb.DuckDBPyConnection, seed: int, console: Console) -> dict | None:
    """Draw the first council's latest-wave holder sample (once), so the dashboard's survey
    tracking has something to show: the smallest sample expected to reach ±8 points at the
    earlier wave's response rate. A rebuild finds it already drawn and leaves it."""
    from pipeline.collect.sampling import SampleError, draw_sample, existing_sample

    council, wave = COUNCILS[0].name, max(WAVES)
    found = existing_sample(con, council, wave, HOLDER)
    if found is not None:
        return {"sample_id": found, "council": council, "wave": wave, "status": "already_drawn"}
    try:
        draw = draw_sample(
            con,
            council=council,
            wave=wave,
            instrument=HOLDER,
            margin=8.0,
            seed=seed,
            drawn_by="outcomes demo",
        )
    except SampleError as error:
        console.print(f"  no demo sample: {error}")
        return None
    console.print(f"  {draw.summary()[0]}")
    return {
        "sample_id": draw.sample_id,
        "council": council,
        "wave": wave,
        "size": draw.size,
        "status": "drawn",
    }


def build_demo(
    db_path: Path,
    out_dir: Path | None = None,
    seed: int = DEFAULT_SEED,
    progress: bool = True,
) -> dict:
    """Write the demo files and load them into ``db_path``; return what was done.

    Loading is the product's own ingest, so a second build with the same seed is a no-op for
    every file (same content, same hash) and says so. The summary has one entry per file with
    what was planted in it and what the load reported.
    """
    started = time.perf_counter()
    console = Console(quiet=not progress, stderr=True)
    folder = Path(out_dir) if out_dir is not None else default_demo_folder()
    console.print(f"Writing demo files (seed {seed}) to {folder}")
    files = write_demo_files(folder, seed)
    entries = []
    con = connect(db_path)
    try:
        for written in files:
            result = _load(con, written)
            console.print(f"  {result.message}")
            entries.append(
                {
                    **written.as_dict(),
                    "load_id": result.load_id,
                    "status": result.status,
                    "rows_read": result.rows_read,
                    "rows_loaded": result.rows_loaded,
                    "rows_quarantined": result.rows_quarantined,
                    "values_quarantined": result.values_quarantined,
                    "unmatched_columns": result.unmatched_columns,
                }
            )
        sample = _demo_sample(con, seed, console)
    finally:
        con.close()
    surveys = [e for e in entries if e["kind"] == "survey"]
    summary = {
        "database": str(db_path),
        "folder": str(folder),
        "seed": seed,
        "councils": [profile.name for profile in COUNCILS],
        "waves": list(WAVES),
        "instruments": list(INSTRUMENTS),
        "files": entries,
        "survey_returns_loaded": sum(e["rows_loaded"] for e in surveys),
        "budget_records_loaded": sum(e["rows_loaded"] for e in entries if e["kind"] == "budgets"),
        "rows_quarantined": sum(e["rows_quarantined"] for e in entries),
        "values_quarantined": sum(e["values_quarantined"] for e in entries),
        "seconds": round(time.perf_counter() - started, 1),
        "sample": sample,
    }
    console.print(
        f"Demo ready in {summary['seconds']} s: {summary['survey_returns_loaded']} survey returns "
        f"and {summary['budget_records_loaded']} budget records in {db_path}"
    )
    return summary
