"""You said, we did: the council's public actions with the result for the same question, as the
public page shows them (one function, so ``outcomes audit-disclosure`` attacks exactly what the
page publishes).

Everyone sees the same published figures: the wave's results are protected as the results pages
publish them, and the actions' wave-on-wave figures are hidden wherever either wave's, or the
results page's, are (``pipeline.disclosure.you_said``).
"""

from __future__ import annotations

import pandas as pd

from dashboards.data import query
from dashboards.state import Filters
from pipeline.disclosure.pages import publish_page_results
from pipeline.disclosure.you_said import publish_you_said


def published_actions(filters: Filters) -> pd.DataFrame:
    """``analysis.you_said`` for the filters' council and wave, published."""
    published = pd.concat(
        [
            publish_page_results(
                query("results", council=filters.council, wave=filters.wave,
                      instrument=filters.instrument, section=section)
            )
            for section in ("outcomes", "process")
        ],
        ignore_index=True,
    )  # fmt: skip
    return publish_you_said(
        query("you_said", council=filters.council, wave=filters.wave,
              instrument=filters.instrument),
        published=published,
    )  # fmt: skip
