"""Disclosure control: the one rule every published number passes through.

- :mod:`.cells`: the small-number rules on one table (:func:`protect`), also used by the
  analysis API to flag rows without blanking them;
- :mod:`.publication`: :class:`Publication` (every table of one page, file or output and the
  relations between their cells) and :func:`publish`, which protects them together;
- :mod:`.pages`: the publications of each face (report results, budgets page, councils
  compared, wave-on-wave changes), called by the dashboards, the reports and the CLI alike;
- :mod:`.audit`: reads published outputs back and tries to recover every hidden count.
"""

from pipeline.disclosure.cells import (
    BASE_UNDER,
    COMPLEMENT_UNDER,
    COUNT_UNDER,
    PERCENT_WITHHELD,
    SECONDARY,
    protect,
    suppression_flags,
)
from pipeline.disclosure.publication import Publication, Relation, Table, publish

__all__ = [
    "BASE_UNDER",
    "COMPLEMENT_UNDER",
    "COUNT_UNDER",
    "PERCENT_WITHHELD",
    "SECONDARY",
    "Publication",
    "Relation",
    "Table",
    "protect",
    "publish",
    "suppression_flags",
]
