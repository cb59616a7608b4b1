"""Peer responses read back (issue 13 item 5): the moderation queue, and what may be published.

Responses are written by :mod:`pipeline.collect.responses`; this module only reads.
:func:`published_responses` is the only door for public faces (the results page, the dashboard's
You said, we did page): it returns approved responses only, as moderated, never the contact or
the text as sent, and drops any whose published words hold a detail the redaction rules now
find (the rules may have grown since it was approved), as ``you_said`` does for actions.
"""

from __future__ import annotations

import duckdb
import pandas as pd

from pipeline.moderation.redact import redact_for_council

QUEUE_COLUMNS = [
    "response_id",
    "council",
    "wave",
    "organisation",
    "contact",
    "response_text",
    "submitted_at",
    "status",
    "published_organisation",
    "published_text",
    "council_reply",
    "approved_by",
    "approved_at",
    "decided_by",
    "decided_at",
    "notes",
    "details",
]
PUBLIC_COLUMNS = [
    "response_id",
    "council",
    "wave",
    "organisation",
    "response",
    "council_reply",
    "approved_at",
]


def peer_responses(
    con: duckdb.DuckDBPyConnection,
    council: str | None = None,
    wave: int | None = None,
    status: str | None = None,
) -> pd.DataFrame:
    """Every response (commissioners only: it holds the contact and the text as sent), newest
    first, with ``details``: the personal details found in the text as sent, as (kind, text)."""
    frame = con.execute(
        "SELECT * EXCLUDE (merged_at) FROM peer_responses "
        "WHERE ($council IS NULL OR council = $council) AND ($wave IS NULL OR wave = $wave) "
        "AND ($status IS NULL OR status = $status) ORDER BY submitted_at DESC, response_id DESC",
        {"council": council, "wave": None if wave is None else int(wave), "status": status},
    ).df()
    frame["details"] = [
        [(span.label, span.text) for span in redact_for_council(text, place).spans]
        for text, place in zip(frame["response_text"], frame["council"], strict=True)
    ]
    return frame[QUEUE_COLUMNS]


def published_responses(con: duckdb.DuckDBPyConnection, council: str, wave: int) -> pd.DataFrame:
    """The approved responses to ``council``'s ``wave`` results, as moderated, oldest first:
    organisation, response and the council's reply (NULL until it replies). Never the contact,
    the words as sent, or who moderated them."""
    frame = con.execute(
        "SELECT response_id, council, wave, published_organisation AS organisation, "
        "published_text AS response, council_reply, approved_at FROM peer_responses "
        "WHERE council = ? AND wave = ? AND status = 'approved' ORDER BY approved_at, response_id",
        [council, int(wave)],
    ).df()
    if frame.empty:
        return frame[PUBLIC_COLUMNS]
    still_clean = [
        not any(
            redact_for_council(str(text), council).blocking
            for text in (row.organisation, row.response, row.council_reply)
            if isinstance(text, str) and text
        )
        for row in frame.itertuples(index=False)
    ]
    return frame[still_clean].reset_index(drop=True)[PUBLIC_COLUMNS]
