"""You said, we did (public): the council's public actions in plain words, with the result for
the same question at the wave chosen. Unpublished actions never reach this page: it reads
``analysis.you_said``, which returns public actions only, and publishes figures through
``pipeline.disclosure`` for everyone (the same words a resident reads). Below them, peer
networks' responses to the results with the council's reply, approved ones only
(``analysis.published_responses``)."""

import html

import streamlit as st

from dashboards import quotes
from dashboards.context import page_context
from dashboards.data import query
from dashboards.views.you_said import published_actions
from pipeline.config import peer_response_address
from pipeline.present.you_said import describe_you_said, you_said_table

filters, role = page_context()
st.title(f"You said, we did: {filters.council}")
st.markdown(
    "What people told us in the survey, what the council said it would do about it, how far it "
    "has got, and whether the result for the same question has moved since. Whether a result "
    "moved uses the same test as the Trends page."
)
frame = published_actions(filters)
if frame.empty:
    st.info(
        f"{filters.council} has not published any actions for the {filters.wave} survey or "
        "before yet."
    )
else:
    for item in describe_you_said(frame).to_dict("records"):
        with st.container(border=True):
            st.subheader(f"{item['domain']} (from the {int(item['action_wave'])} survey)")
            st.markdown(item["you_said"])
            st.markdown(f"{item['we_said']} {item['due_text']}")
            st.markdown(f"**{item['status_text']}.** {item['update_text']}")
            st.markdown(item["result"])
    st.subheader("The same in a table")
    st.dataframe(you_said_table(frame), hide_index=True, width="stretch")
    if role == "commissioner":
        st.caption("Only actions marked public are shown here; the Actions page lists them all.")

# Peer responses: approved ones only, as moderated, never the contact (published_responses).
st.header("Responses from peer networks")
st.markdown(
    "Groups of people who use personal budgets can respond to these results on the survey "
    "site. The council reads each response before publishing it, with personal details "
    "replaced by a description such as [name], and replies here."
)
form = peer_response_address(filters.council)
if form:
    st.markdown(f"[Send a response to these results]({form})")
peer = query("published_responses", council=filters.council, wave=int(filters.wave))
if peer.empty:
    st.info(f"No responses to the {filters.wave} results have been published yet.")
for item in peer.to_dict("records"):
    with st.container(border=True):
        st.markdown(f"<h3>{html.escape(item['organisation'])} said</h3>", unsafe_allow_html=True)
        # one escaped HTML block: what the public wrote is never read as markdown or HTML
        st.markdown(quotes.as_html_block(html.escape(item["response"])), unsafe_allow_html=True)
        reply = item["council_reply"]
        st.markdown(
            quotes.as_html_block(
                f"<strong>{html.escape(filters.council)} replied:</strong> {html.escape(reply)}"
                if isinstance(reply, str) and reply
                else f"{html.escape(filters.council)} has not replied yet."
            ),
            unsafe_allow_html=True,
        )
