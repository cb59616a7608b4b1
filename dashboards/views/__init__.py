"""Page builders: each turns (filters, role) into a :class:`dashboards.render.View`.

Keeping what a page shows apart from how it is laid out lets the Downloads page offer every
page's tables and charts, and lets tests compare a page's numbers with the analysis API's.
"""
