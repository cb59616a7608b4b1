"""Record one moderation decision in a process of its own and print the result as JSON.

The dashboard's Quotes page runs this rather than writing itself: its pages hold read-only
connections, and DuckDB lets only one process write the file (as ``python -m pipeline.ingest``).

    python -m pipeline.moderation --db PATH --respondent-key K --instrument ID --council NAME
        --wave YEAR --question CODE --status approved|rejected|pending --by USER
        [--text "text to publish"] [--notes "why"]
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from pipeline.moderation.decisions import STATUSES, CommentKey, ModerationError, decide
from pipeline.store import connect


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Record a quote moderation decision; print JSON.")
    parser.add_argument("--db", type=Path, required=True)
    parser.add_argument("--respondent-key", required=True)
    parser.add_argument("--instrument", required=True)
    parser.add_argument("--council", required=True)
    parser.add_argument("--wave", type=int, required=True)
    parser.add_argument("--question", required=True)
    parser.add_argument("--status", choices=STATUSES, required=True)
    parser.add_argument("--by", required=True)
    parser.add_argument("--text")
    parser.add_argument("--notes")
    args = parser.parse_args(argv)
    key = CommentKey(args.respondent_key, args.instrument, args.council, args.wave, args.question)
    try:
        con = connect(args.db)
        try:
            message = decide(
                con, key, status=args.status, by=args.by, text=args.text, notes=args.notes
            )
        finally:
            con.close()
    except (ModerationError, ValueError) as error:
        print(json.dumps({"error": str(error)}))
        return 1
    print(json.dumps({"message": message}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
