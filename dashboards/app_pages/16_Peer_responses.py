"""Peer responses (commissioners): read what a peer network sent about the council's results,
with its personal details marked, edit the words to publish, add the council's reply, and
approve or reject it. Only approved responses appear beside the results (the public You said,
we did page and the results page); the contact given is never published."""

import streamlit as st

from dashboards import quotes, responses
from dashboards.auth import current_user
from dashboards.context import page_context, require_commissioner
from dashboards.data import database_path, forget_versions, query

require_commissioner()
filters, _ = page_context()
st.title("Peer responses")
st.markdown(
    "Peer networks of budget holders can respond to the council's results on the survey site "
    "(`/respond`). Each response is shown as sent, with the personal details found in it "
    "marked; the words to publish have them replaced. Edit them if a detail was missed, add "
    "the council's reply, then approve (recorded with your name) or reject. The contact is "
    "for writing back and is never published."
)
done = st.session_state.pop("response_done", None)  # said after the rerun that shows its effect
if done:
    st.success(done)

frame = query("peer_responses", council=filters.council, wave=int(filters.wave))
st.caption(f"{filters.council}, responses to the {filters.wave} results: {len(frame)}.")
if frame.empty:
    st.info("No peer network has responded to these results yet.")
    st.stop()
counts = frame["status"].value_counts()
for column, status in zip(st.columns(3), ("pending", "approved", "rejected"), strict=True):
    column.metric(status.capitalize(), int(counts.get(status, 0)))
status = st.radio(
    "Show", responses.STATUS_CHOICES, horizontal=True, key="responses_status",
    format_func=str.capitalize,
)  # fmt: skip
chosen = frame if status == "all" else frame[frame["status"] == status]
if chosen.empty:
    st.info(f"No {status} responses.")
    st.stop()
by = current_user() or "commissioner"

for row in chosen.to_dict("records"):
    ident = int(row["response_id"])
    with st.container(border=True):
        state = str(row["status"])
        if state == "approved":
            state += f" by {row['approved_by']} on {row['approved_at']:%d %b %Y %H:%M}"
        elif state == "rejected":
            state += f" by {row['decided_by']}"
        st.markdown(
            quotes.as_html_block(
                f"<strong>Response {ident}</strong> from "
                f"{quotes.highlighted(row['organisation'], [])} · {state}"
            ),
            unsafe_allow_html=True,
        )
        st.caption(
            quotes.as_html_block("Contact (never published): " + quotes.highlighted(
                row["contact"], []
            )),
            unsafe_allow_html=True,
        )  # fmt: skip
        details = list(row["details"])
        st.markdown(
            quotes.as_html_block("As sent: " + quotes.highlighted(row["response_text"], details)),
            unsafe_allow_html=True,
        )
        st.caption(quotes.as_html_block(quotes.details_line(details)), unsafe_allow_html=True)
        organisation = st.text_input(
            "Organisation as published", value=row["published_organisation"],
            key=f"response_org_{ident}",
        )  # fmt: skip
        text = st.text_area(
            "Text to publish", value=row["published_text"], key=f"response_text_{ident}"
        )
        reply = st.text_area(
            "The council's reply (published with it)",
            value=row["council_reply"] if isinstance(row["council_reply"], str) else "",
            key=f"response_reply_{ident}",
        )
        note = st.text_input("Note (kept with the decision)", key=f"response_note_{ident}")
        approve, reject, _ = st.columns([1, 1, 4])
        decision = None
        if approve.button("Approve", key=f"response_approve_{ident}", type="primary"):
            decision = "approved"
        if reject.button("Reject", key=f"response_reject_{ident}"):
            decision = "rejected"
        if decision:
            try:
                message = responses.record(
                    database_path(), ident, status=decision, by=by, text=text,
                    organisation=organisation, reply=reply, notes=note or None,
                )  # fmt: skip
            except responses.ResponseRefused as error:
                st.error(str(error))
            else:
                forget_versions()
                st.session_state["response_done"] = message[0].upper() + message[1:] + "."
                st.rerun()
