"""Ingest: council files (CSV, XLSX, SPSS) into DuckDB with matching, validation, quarantine,
pseudonymisation and lineage. One transaction per load; a file already loaded is a no-op."""

from pipeline.ingest.benchmark_files import (
    BenchmarkFileError,
    BenchmarkLoadResult,
    load_benchmark_file,
)
from pipeline.ingest.budgets import load_budget_file
from pipeline.ingest.loading import IngestError, LoadResult
from pipeline.ingest.surveys import Preview, load_survey_file, preview_survey_file

__all__ = [
    "BenchmarkFileError",
    "BenchmarkLoadResult",
    "IngestError",
    "LoadResult",
    "Preview",
    "load_benchmark_file",
    "load_budget_file",
    "load_survey_file",
    "preview_survey_file",
]
