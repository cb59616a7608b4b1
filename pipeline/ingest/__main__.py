"""Load one survey file in a process of its own and print the result as JSON.

The dashboard's Load data page runs this rather than loading in its own process: DuckDB lets one
process hold the file for writing, and a writer inside the dashboard would clash with the
read-only connections its pages keep opening.

    python -m pipeline.ingest --db PATH --file FILE --instrument ID --council NAME --wave YEAR
        [--mapping map.yaml] [--no-reference] [--new-council]
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from pipeline.ingest.loading import IngestError
from pipeline.ingest.surveys import load_survey_file
from pipeline.store import connect


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Load one survey file; print JSON.")
    parser.add_argument("--db", type=Path, required=True)
    parser.add_argument("--file", type=Path, required=True)
    parser.add_argument("--instrument", required=True)
    parser.add_argument("--council", required=True)
    parser.add_argument("--wave", type=int, required=True)
    parser.add_argument("--mapping", type=Path)
    parser.add_argument("--no-reference", action="store_true")
    parser.add_argument("--new-council", action="store_true")
    args = parser.parse_args(argv)
    try:
        con = connect(args.db)
        try:
            result = load_survey_file(
                con,
                args.file,
                instrument=args.instrument,
                council=args.council,
                wave=args.wave,
                mapping=args.mapping,
                no_reference=args.no_reference,
                new_council=args.new_council,
            )
        finally:
            con.close()
    except (IngestError, ValueError) as error:
        print(json.dumps({"error": str(error)}))
        return 1
    payload = {
        key: getattr(result, key)
        for key in (
            "load_id",
            "status",
            "file_name",
            "sha256",
            "rows_read",
            "rows_loaded",
            "rows_quarantined",
            "values_quarantined",
            "message",
            "notes",
        )
    }
    payload["column_report"] = [m.as_dict() for m in result.column_report]
    print(json.dumps(payload))
    return 0


if __name__ == "__main__":
    sys.exit(main())
