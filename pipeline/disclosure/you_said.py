"""The "You said, we did" publication: public actions beside the next wave's result.

A row's figures (the share now, the share at the action's wave, the change and its test) are a
wave-on-wave change, so they follow :func:`pipeline.disclosure.pages.publish_wave_changes`: both
waves' counts and bases are protected and the whole comparison is hidden if either wave's is.
Where the page beside it publishes the same question's result hidden (``published``: a
protected results frame of the same council and wave), the comparison is hidden too, so the
section never shows a figure the results table withholds.
"""

from __future__ import annotations

import pandas as pd

from pipeline.disclosure.pages import publish_wave_changes

FIGURES = (
    "value",
    "previous_value",
    "difference",
    "n",
    "previous_n",
    "count",
    "previous_count",
    "p_value",
    "p_adjusted",
)


def publish_you_said(frame: pd.DataFrame, published: pd.DataFrame | None = None) -> pd.DataFrame:
    """``analysis.you_said`` as it may be published: figures blanked where the disclosure rule
    hides them (``suppressed`` true, ``verdict`` blank); rows agreed at the wave shown carry no
    figures at all."""
    if frame.empty:
        return frame.copy()
    data = frame.copy().reset_index(drop=True)
    pending = data["verdict"].astype(str).eq("not yet")
    compared = data[~pending]
    if len(compared):
        shown = publish_wave_changes(compared.reset_index(drop=True))
        shown.index = compared.index
        data.loc[compared.index, "suppressed"] = shown["suppressed"].to_numpy()
        data.loc[compared.index, "suppression_reason"] = shown["suppression_reason"].to_numpy()
    if published is not None and len(published):
        hidden = set(
            published.loc[published["suppressed"].fillna(False).astype(bool), "question_code"]
        )
        also = ~pending & data["question_code"].isin(hidden)
        data.loc[also, "suppressed"] = True
        data.loc[also, "suppression_reason"] = "hidden in this wave's published results"
    hidden_rows = data["suppressed"].fillna(False).astype(bool) | pending
    for column in FIGURES:
        if column in data:
            data[column] = pd.to_numeric(data[column], errors="coerce").astype("float64")
            data.loc[hidden_rows, column] = None
    data["verdict"] = data["verdict"].astype(object)
    data.loc[data["suppressed"].fillna(False).astype(bool) & ~pending, "verdict"] = None
    data["suppressed"] = data["suppressed"].fillna(False).astype(bool)
    return data
