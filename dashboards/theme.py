"""Accessibility options: a high-contrast theme and larger text, applied as injected CSS.

Streamlit's theme is fixed when the server starts, so the per-viewer options are CSS layered on
top. The default theme (``.streamlit/config.toml``) already meets WCAG AA contrast; the
high-contrast option moves to black on white with thick focus rings, and the larger-text option
scales the whole page so tables, widgets, headings and headline numbers grow together (charts
are drawn with larger fonts by ``pipeline.present.charts``).
"""

from __future__ import annotations

import streamlit as st

_HIGH_CONTRAST_CSS = """
<style>
:root, .stApp, [data-testid="stSidebar"], [data-testid="stHeader"] {
  background-color: #ffffff !important; color: #000000 !important;
}
.stApp p, .stApp li, .stApp label, .stApp span, .stApp h1, .stApp h2, .stApp h3,
.stApp h4, .stApp caption, .stApp a, [data-testid="stCaptionContainer"] {
  color: #000000 !important;
}
.stApp a { text-decoration: underline !important; }
[data-testid="stSidebar"] { border-right: 3px solid #000000 !important; }
button, [data-baseweb="select"] > div, input, textarea {
  border: 2px solid #000000 !important;
}
*:focus, *:focus-visible { outline: 3px solid #0000c0 !important; outline-offset: 2px !important; }
</style>
"""

_LARGE_TEXT_CSS = """
<style>
html { font-size: 125% !important; }
/* Body text a step larger again. Spans inside headings and headline numbers are left out:
   forcing them to body size is what made titles and metrics smaller than without the option. */
.stApp p, .stApp li, .stApp label, .stApp td, .stApp th,
.stApp span:not(h1 *, h2 *, h3 *, h4 *, [data-testid="stMetricValue"] *),
[data-testid="stCaptionContainer"], [data-testid="stMarkdownContainer"] {
  font-size: 1.2rem !important; line-height: 1.5 !important;
}
.stApp h1, .stApp h1 * { font-size: 3rem !important; line-height: 1.2 !important; }
.stApp h2, .stApp h2 * { font-size: 2.25rem !important; line-height: 1.25 !important; }
.stApp h3, .stApp h3 * { font-size: 1.75rem !important; line-height: 1.3 !important; }
[data-testid="stMetricValue"], [data-testid="stMetricValue"] * {
  font-size: 2.5rem !important; line-height: 1.2 !important;
}
</style>
"""

# Always on: a visible keyboard focus ring, which the default theme draws faintly.
_FOCUS_CSS = """
<style>
a:focus-visible, button:focus-visible, [role="tab"]:focus-visible, input:focus-visible {
  outline: 3px solid #1d4ed8 !important; outline-offset: 2px !important;
}
/* A filter a page cannot use is disabled with its reason beneath; Streamlit fades a disabled
   widget's text below WCAG AA contrast, so keep it readable (the greyed box still says off). */
/* Captions (a chart's text description among them) are drawn in a faded grey of about 3.7:1;
   a solid dark grey keeps them quieter than body text and still over 4.5:1. */
[data-testid="stCaptionContainer"], [data-testid="stCaptionContainer"] * {
  color: #3d3d3d !important; opacity: 1 !important;
}
/* Buttons (downloads named after long table titles) wrap their label on a narrow screen
   instead of running past the right edge (WCAG 1.4.10 reflow). */
.stApp button { max-width: 100%; height: auto; }
.stApp button p { white-space: normal !important; overflow-wrap: anywhere; text-align: left; }
.stElementContainer:has(input:disabled) p, .stElementContainer:has(input:disabled) span,
.stElementContainer:has(input:disabled) label, .stElementContainer:has(input:disabled) input,
/* the label carries its own 'disabled' flag, set in the same render as the faded colour, while
   the input may be disabled a moment later: style the label by its own flag too */
[data-testid="stWidgetLabel"][disabled], [data-testid="stWidgetLabel"][disabled] *,
.stElementContainer:has([aria-disabled="true"]) p {
  color: #3d3d3d !important; -webkit-text-fill-color: #3d3d3d !important; opacity: 1 !important;
}
</style>
"""


def apply_base_css() -> None:
    """The CSS every page needs whatever the options (focus ring, readable disabled filters and
    captions): call first in every run, before the sidebar draws a filter. Sent after the
    filters, it reached the browser after them, and a disabled filter's label was drawn in
    Streamlit's faded grey (2.64:1) until it arrived."""
    st.html(_FOCUS_CSS)


def apply_display_options(*, high_contrast: bool, large_text: bool) -> None:
    """Inject the CSS for the chosen options (call once per run, before the page renders)."""
    css = ""
    if high_contrast:
        css += _HIGH_CONTRAST_CSS
    if large_text:
        css += _LARGE_TEXT_CSS
    if css:
        st.html(css)
