"""People like me (public): a budget holder picks something about their situation and reads, in
the easy read's words and pictures, how people sharing it said each outcome changed in the
council and in its comparator group. The figures are the report set's static page's, published
as one wave-wide publication (``dashboards.people_like_me``), so the two never differ."""

import streamlit as st

from dashboards.context import page_context
from dashboards.people_like_me import published_wave
from pipeline.analysis.people_like_me import SITUATION_QUESTIONS, SITUATIONS
from pipeline.config import THRESHOLDS
from pipeline.present.people_like_me import council_groups

INSTRUMENT = "poet-holder"  # the page is for budget holders, whichever survey the sidebar shows

filters, _ = page_context()
st.title(f"People like me in {filters.council}")
st.markdown(
    f"In {filters.wave} we asked people with a personal budget what has changed since they got "
    "it.\n\nChoose something about your own situation below. You will see what people in the "
    "same situation said, here and in similar councils.\n\nWe only show a number when at least "
    f"{THRESHOLDS.minimum_base} people answered. Small differences can be chance."
)
if filters.instrument != INSTRUMENT:
    st.caption("This page is about the budget holders' survey, whichever survey is chosen.")

published = published_wave(int(filters.wave), INSTRUMENT)
own = published[published["council"] == filters.council] if len(published) else published
groups = council_groups(own, filters.council) if len(own) else {}
situations = [s for s in SITUATIONS if groups.get(s)]
if not situations:
    st.info(f"No budget holders' answers from {filters.council} in {filters.wave} to show here.")
    st.stop()

situation = st.radio(
    "What would you like to choose by?",
    situations,
    format_func=SITUATION_QUESTIONS.get,
    key="people_like_me_situation",
)
choices = groups[situation]
label = st.radio(
    SITUATION_QUESTIONS[situation],
    [group.label for group in choices],
    key=f"people_like_me_{situation}",
)
group = next(g for g in choices if g.label == label)

st.header(group.heading, anchor=False)
if group.message:
    st.info(group.message)
    st.stop()
for finding in group.findings:
    with st.container(border=True):
        st.subheader(finding.domain, anchor=False)
        if finding.picture is not None:
            # the pictogram is built by pipeline.present.svg from the published share alone
            st.markdown(str(finding.picture), unsafe_allow_html=True)
        st.markdown(f"**{finding.sentence}**" if finding.picture is not None else finding.sentence)
        if finding.detail:
            st.markdown(finding.detail)
        st.markdown(finding.comparator)
