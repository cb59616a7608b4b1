"""Faces for the easy-read survey: the picture beside an answer that has a direction.

Drawn as small inline SVG in the easy-read report's style (black outline, the palette's blue for
the happier faces), so no image file or other host is needed. The answer's words are the label;
the face repeats them, so it is hidden from screen readers rather than described twice.
"""

from __future__ import annotations

from markupsafe import Markup

from pipeline.present.palette import OKABE_ITO

_MOUTHS = {
    -2: "M14 34 Q24 24 34 34",
    -1: "M15 33 Q24 28 33 33",
    0: "M15 31 H33",
    1: "M15 29 Q24 35 33 29",
    2: "M14 28 Q24 40 34 28",
}
_FILL = {
    -2: "#ffffff",
    -1: "#ffffff",
    0: "#ffffff",
    1: OKABE_ITO["sky_blue"],
    2: OKABE_ITO["sky_blue"],
}


def face_svg(mood: int) -> Markup:
    """A 48-pixel face: -2 very unhappy, 0 neither, 2 very happy."""
    mood = max(-2, min(2, int(mood)))
    return Markup(
        '<svg class="survey-face" width="48" height="48" viewBox="0 0 48 48" aria-hidden="true" '
        'focusable="false">'
        f'<circle cx="24" cy="24" r="21" fill="{_FILL[mood]}" stroke="#0b0c0c" stroke-width="3"/>'
        '<circle cx="17" cy="19" r="3" fill="#0b0c0c"/><circle cx="31" cy="19" r="3" '
        'fill="#0b0c0c"/>'
        f'<path d="{_MOUTHS[mood]}" fill="none" stroke="#0b0c0c" stroke-width="3" '
        'stroke-linecap="round"/></svg>'
    )
