"""Configuration in one place: paths, thresholds and defaults every stage shares.

Values can be overridden by environment variables so that tests, CI and councils' own
deployments never need to edit code.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]


def surveys_dir() -> Path:
    """Folder holding the instrument YAML files and shipped benchmark tables."""
    return Path(os.environ.get("OUTCOMES_SURVEYS_DIR", REPO_ROOT / "surveys"))


def chromium_path() -> str | None:
    """The Chromium that prints the reports' PDFs and draws their PNG charts: Debian's
    ``chromium`` (installed by ``make demo`` / ``make test``), or ``OUTCOMES_CHROMIUM``."""
    import shutil

    found = os.environ.get("OUTCOMES_CHROMIUM") or shutil.which("chromium")
    if found:
        return found
    return "/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None


def default_db_path() -> Path:
    """The DuckDB file used when ``--db`` is not given."""
    return Path(os.environ.get("OUTCOMES_DB", REPO_ROOT / "data" / "outcomes.duckdb"))


def key_file_path() -> Path:
    """Where the pseudonymisation key lives: outside the database, in the user's config."""
    if "OUTCOMES_KEY_FILE" in os.environ:
        return Path(os.environ["OUTCOMES_KEY_FILE"])
    base = Path(os.environ.get("XDG_CONFIG_HOME", Path.home() / ".config"))
    return base / "sds-outcomes" / "pseudonym.key"


def session_secret_path() -> Path:
    """Where the dashboard's sign-in secret lives: beside the pseudonym key, never the key itself.

    ``OUTCOMES_SESSION_SECRET_FILE`` overrides it (``OUTCOMES_SESSION_SECRET`` supplies the
    secret itself, for deployments that keep secrets in the environment).
    """
    if "OUTCOMES_SESSION_SECRET_FILE" in os.environ:
        return Path(os.environ["OUTCOMES_SESSION_SECRET_FILE"])
    base = Path(os.environ.get("XDG_CONFIG_HOME", Path.home() / ".config"))
    return base / "sds-outcomes" / "session.key"


def session_hours() -> float:
    """How long a commissioner's sign-in lasts: ``OUTCOMES_SESSION_HOURS``, default 8 hours.

    A value that is not a positive number falls back to the default rather than stopping the
    dashboard.
    """
    try:
        hours = float(os.environ.get("OUTCOMES_SESSION_HOURS", "8"))
    except ValueError:
        return 8.0
    return hours if 0 < hours < 24 * 366 else 8.0


def survey_site_address() -> str:
    """The survey site's public address, printed on letters and paper questionnaires.

    ``OUTCOMES_SURVEY_SITE_URL`` (e.g. ``https://survey.kirklees.gov.uk``); by default the
    address ``outcomes survey-site`` serves on this machine, which is right only for a trial.
    """
    return os.environ.get("OUTCOMES_SURVEY_SITE_URL", "http://127.0.0.1:8502").rstrip("/")


def peer_response_address(council: str) -> str | None:
    """The survey site's form for a peer network's response to ``council``'s results, for a link
    beside them; None unless ``OUTCOMES_SURVEY_SITE_URL`` is set, because the default loopback
    address would be a dead link on a published page."""
    from urllib.parse import quote

    base = os.environ.get("OUTCOMES_SURVEY_SITE_URL", "").rstrip("/")
    return f"{base}/respond/{quote(council)}" if base else None


def ingest_memory_limit() -> str:
    """DuckDB's memory limit while a file loads: big files spill to disk rather than grow past it.

    National-scale loads stay under the 2 GB a council laptop can spare (benchmarks/ingest.py).
    """
    return os.environ.get("OUTCOMES_INGEST_MEMORY", "1GB")


@dataclass(frozen=True)
class Thresholds:
    """Statistical and disclosure thresholds (methods.md: our defaults, all configurable)."""

    minimum_base: int = 30  # below this a result is "not compared"
    suppress_count_below: int = 5  # counts under this are hidden in published outputs
    withhold_percent_base_below: int = 10  # percentages withheld where the base is smaller
    comments_group_below: int = 10  # free text never shown for groups smaller than this
    pooled_min_other_councils: int = 3  # pooled leave-one-out benchmark needs this many others
    confidence: float = 0.95
    strict_confidence: float = 0.998
    fuzzy_header_cutoff: float = 85.0  # rapidfuzz score (0-100) a fuzzy header match needs


THRESHOLDS = Thresholds()
