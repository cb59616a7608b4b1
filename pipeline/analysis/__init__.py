"""The one analysis API: every face (CLI, dashboards, reports, notebooks) calls these.

See docs/analysis-api.md for each function's columns.
"""
