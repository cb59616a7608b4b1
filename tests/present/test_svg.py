"""The report's inline SVG charts agree with their text descriptions."""

from __future__ import annotations

import re

from pipeline.present import charts, svg
from tests.present.test_charts import _distribution


def test_stacked_svg_draws_the_shown_answers_of_a_bar_with_a_suppressed_one() -> None:
    frame = _distribution(
        {
            "female": [None, 20.0, None, 33.3, 20.0],
            "not known": [None, None, None, None, None],
        }
    )
    alt = charts.alt_text("distribution", frame, title="t", category="subgroup_value")
    drawn = str(svg.stacked_svg(frame, title="t", description=alt, category="subgroup_value"))
    assert "female: Got a lot worse not shown; Got worse 20%" in alt
    labels = re.findall(r">(\d+)%</text>", drawn)
    assert labels == ["20", "33", "20"]  # every shown answer of female, nothing for not known
    assert "female [c]</text>" in drawn and "not known [c]</text>" in drawn
    assert "[c] too few answers to show" in drawn
