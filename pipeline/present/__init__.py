"""How results are shown, shared by the reports and the dashboards.

``palette`` (colours, verdict styles, contrast), ``charts`` (plotly figures and their alt text),
``svg`` (inline SVG for pages and PDF), ``exports`` (CSV/Excel/PNG writers that neutralise
formulas), ``findings`` (rounding and sentences from one number) and ``plain_tables`` (plain
headings and labels for public tables). Neither the dashboards nor the reports keep their own copy.
"""
