"""Reports: what a council publishes and circulates, built from the analysis API.

`charts` (plotly figure builders shared with the dashboards) and `exports` (CSV, Excel, images,
tidy open data with formula neutralising) are the building blocks; `builder` assembles a council's
full set of downloads.
"""
