"""The public face of a view: every table made plain (:mod:`pipeline.present.plain_tables`).

Commissioners see and download the analysis frames as they are, codes and test statistics
included; everyone else sees plain headings, labels, rounded numbers and blanks.
"""

from __future__ import annotations

from dashboards.auth import COMMISSIONER
from dashboards.render import View
from pipeline.present.plain_tables import plain_table


def make_public(
    view: View,
    role: str,
    *,
    instrument: str | None = None,
    subgroup: str | None = None,
    headings: dict[str, dict[str, str]] | None = None,
) -> View:
    """``view`` with each chart's table and each table made plain, unless a commissioner looks.

    ``headings`` maps a chart or table key to heading overrides for that table only.
    """
    if role == COMMISSIONER:
        return view
    headings = headings or {}

    def plain(frame, key):
        table = plain_table(
            frame, instrument=instrument, subgroup=subgroup, headings=headings.get(key)
        )
        table.attrs["plain"] = True
        return table

    # Each keeps the protected frame its plain table was made from: the disclosure auditor
    # attacks that, since it holds every figure the plain table shows (unrounded) and more.
    for chart in view.charts:
        chart.protected, chart.table = chart.table, plain(chart.table, chart.key)
    for table in view.tables:
        table.protected, table.frame = table.frame, plain(table.frame, table.key)
    return view
