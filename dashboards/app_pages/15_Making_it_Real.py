"""Making it Real (public): the council's published results grouped under Think Local Act
Personal's themes and statements, and which statements they do not speak to yet."""

import pandas as pd
import streamlit as st

from dashboards.context import page_context
from dashboards.data import query
from pipeline.analysis.making_it_real import framework_source, making_it_real_framework
from pipeline.disclosure.pages import publish_page_results
from pipeline.instruments import get_instrument
from pipeline.present.findings import describe_results
from pipeline.present.making_it_real import (
    NO_EVIDENCE_TEXT,
    UNCHECKED_TEXT,
    grouped_findings,
    statement_table,
    wording_note,
)

filters, role = page_context()
source = framework_source()
st.title(f"Making it Real: {filters.council}")
st.markdown(
    f"*Making it Real* is {source['publisher']}'s framework for personalised care and support "
    f'({source["year"]}): what good looks like, in "I" statements from people who use care and '
    'support and "We" statements from the organisations that provide it. Here the council\'s '
    "results are grouped under its themes and statements."
)
instrument = get_instrument(filters.instrument)
frames = []
for section in ("outcomes", "process"):
    frame = query(
        "results",
        council=filters.council,
        wave=filters.wave,
        instrument=filters.instrument,
        section=section,
    )
    frames.append(describe_results(frame if role == "commissioner" else
                                   publish_page_results(frame), instrument))  # fmt: skip
results = pd.concat(frames, ignore_index=True)
framework = making_it_real_framework(filters.instrument)
themes = grouped_findings(framework, results)
total = sum(len(t["statements"]) for t in themes)
speaks = sum(t["with_evidence"] for t in themes)
st.metric("Statements our results speak to", f"{speaks} of {total}")
for theme in themes:
    st.subheader(theme["title"])
    for statement in theme["statements"]:
        unchecked = "" if statement["wording_checked"] else f"; {UNCHECKED_TEXT}"
        lines = [f"**“{statement['text']}”** ({statement['kind']} statement{unchecked})"]
        lines += [f"- {sentence}" for sentence in statement["findings"]] or [NO_EVIDENCE_TEXT]
        st.markdown("\n".join(lines))
st.subheader("Which statements have evidence")
st.dataframe(statement_table(framework, results), hide_index=True, width="stretch")
st.caption(
    f"Source: {source['title']}, {source['publisher']}, {source['year']} ({source['url']})."
    f" {wording_note(source)} Which of our questions speak to which statement is our own judgement."
)
