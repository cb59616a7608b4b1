"""How big a file the readers accept: size guards that refuse a file before it exhausts memory.

Each limit has a default generous enough for a national file (a 1,000,000-row, 30-column CSV of
about 500 MB passes) and an environment variable to raise it for a file bigger still:

| variable | default | what it limits |
|---|---|---|
| ``OUTCOMES_MAX_CSV_BYTES`` | 4,000,000,000 | size of a CSV file on disk |
| ``OUTCOMES_MAX_XLSX_UNCOMPRESSED_BYTES`` | 500,000,000 | an XLSX's parts unpacked, and its sheet's cell grid in memory (32 bytes a cell) |
| ``OUTCOMES_MAX_ROWS`` | 5,000,000 | data rows of any file |
| ``OUTCOMES_MAX_COLUMNS`` | 2,000 | columns of any file |
| ``OUTCOMES_MAX_CELL_BYTES`` | 8,000,000 | one CSV cell (also DuckDB's ``max_line_size`` while reading) |

The variables are read at every call, so a test or a one-off load can set them for itself.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from pipeline.ingest.raw_table import ReadError

CALAMINE_BYTES_PER_CELL = 32  # python-calamine holds a sheet as a dense grid of 32-byte cells


@dataclass(frozen=True)
class ReadLimits:
    csv_bytes: int = 4_000_000_000
    xlsx_uncompressed_bytes: int = 500_000_000
    rows: int = 5_000_000
    columns: int = 2_000
    cell_bytes: int = 8_000_000


ENV_VARS = {
    "csv_bytes": "OUTCOMES_MAX_CSV_BYTES",
    "xlsx_uncompressed_bytes": "OUTCOMES_MAX_XLSX_UNCOMPRESSED_BYTES",
    "rows": "OUTCOMES_MAX_ROWS",
    "columns": "OUTCOMES_MAX_COLUMNS",
    "cell_bytes": "OUTCOMES_MAX_CELL_BYTES",
}


def read_limits(name: str = "file") -> ReadLimits:
    """The limits in force now: the defaults, each overridden by its environment variable.

    ``name`` is the file being read, so a bad setting is reported against the load it stops.
    """
    values = {}
    for field_name, variable in ENV_VARS.items():
        text = os.environ.get(variable, "").strip()
        if not text:
            continue
        digits = text.replace("_", "").replace(",", "")
        if not digits.isdigit() or int(digits) < 1:
            raise ReadError(
                f"{name}: {variable}={text!r} is not a positive whole number; "
                f"set it to a number such as {getattr(ReadLimits(), field_name)} or unset it"
            )
        values[field_name] = int(digits)
    return ReadLimits(**values)


def raise_hint(field_name: str, needed: int) -> str:
    """The instruction that ends a limit's error message: which variable to raise, and to what."""
    return f"set {ENV_VARS[field_name]}={needed} to read it anyway"


def human_bytes(count: int) -> str:
    """1234567 -> '1.2 MB' (decimal units, as file managers show sizes)."""
    size = float(count)
    for unit in ("bytes", "KB", "MB", "GB"):
        if size < 1000 or unit == "GB":
            return f"{int(size)} bytes" if unit == "bytes" else f"{size:,.1f} {unit}"
        size /= 1000
    return f"{size:,.1f} GB"  # pragma: no cover - the loop always returns
