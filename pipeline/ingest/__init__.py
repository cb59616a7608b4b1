"""Ingest: council files (CSV, XLSX, SPSS) into DuckDB with matching, validation, quarantine,
pseudonymisation and lineage. One transaction per load; a file already loaded is a no-op."""

from pipeline.ingest.budgets import load_budget_file
from pipeline.ingest.loading import IngestError, LoadResult
from pipeline.ingest.surveys import Preview, load_survey_file, preview_survey_file

__all__ = [
    "IngestError",
    "LoadResult",
    "Preview",
    "load_budget_file",
    "load_survey_file",
    "preview_survey_file",
]
