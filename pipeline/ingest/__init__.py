"""Ingest: council files (CSV, XLSX, SPSS) into DuckDB with matching, validation, quarantine,
pseudonymisation and lineage. One transaction per load; a file already loaded is a no-op.

Names are imported on first use (PEP 562): ``outcomes key check`` needs ``IngestError`` and not
the Excel, SPSS and benchmark readers behind the loaders (issue 12).
"""

from __future__ import annotations

import importlib
from typing import Any

_API: dict[str, str] = {
    "BenchmarkFileError": "pipeline.ingest.benchmark_files",
    "BenchmarkLoadResult": "pipeline.ingest.benchmark_files",
    "load_benchmark_file": "pipeline.ingest.benchmark_files",
    "load_budget_file": "pipeline.ingest.budgets",
    "IngestError": "pipeline.ingest.loading",
    "LoadResult": "pipeline.ingest.loading",
    "Preview": "pipeline.ingest.surveys",
    "load_survey_file": "pipeline.ingest.surveys",
    "preview_survey_file": "pipeline.ingest.surveys",
}

__all__ = sorted(_API)


def __getattr__(name: str) -> Any:
    module = _API.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_API})
