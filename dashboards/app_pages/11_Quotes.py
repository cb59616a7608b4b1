"""Quotes (commissioners): read each comment with its personal details marked, edit the text to
publish, and approve or reject it. Only approved quotes reach the results page and workbook."""

import streamlit as st

from dashboards import quotes
from dashboards.auth import current_user
from dashboards.context import page_context, require_commissioner
from dashboards.data import database_path, forget_versions, query
from pipeline.config import THRESHOLDS
from pipeline.moderation import CommentKey, ModerationError

require_commissioner()
filters, _ = page_context()
st.title("Quotes")
st.markdown(
    "What people wrote is never published as written. Each comment below is shown with the "
    "personal details found in it marked (names, phone numbers, emails, postcodes, addresses, "
    "NHS numbers, client references); the text to publish has them replaced. Edit it if a "
    "detail was missed or a word was taken for a name, then approve it, or reject the comment. "
    "Only approved quotes appear in the results page and workbook, and only for groups of at "
    f"least {THRESHOLDS.comments_group_below} returns."
)
done = st.session_state.pop("quote_done", None)  # said after the rerun that shows its effect
if done:
    st.success(done)

try:
    queue = query(
        "moderation_queue",
        council=filters.council,
        wave=int(filters.wave),
        instrument=filters.instrument,
    )
except ValueError as error:
    st.error(str(error))
    st.stop()
st.caption(f"{filters.council}, {filters.wave}: {len(queue)} comments.")
if queue.empty:
    st.info("No comments were written for this council, wave and survey.")
    st.stop()
returns = int(queue["group_returns"].iloc[0])
small = returns < THRESHOLDS.comments_group_below
if small:
    st.warning(
        f"This group has {returns} returns: comments are never published for groups under "
        f"{THRESHOLDS.comments_group_below}, so none can be approved."
    )

counts = queue["status"].value_counts()
for column, status in zip(st.columns(3), ("pending", "approved", "rejected"), strict=True):
    column.metric(status.capitalize(), int(counts.get(status, 0)))
status = st.radio(
    "Show", quotes.STATUS_CHOICES, horizontal=True, key="quotes_status", format_func=str.capitalize
)
chosen = quotes.shown(queue, status)  # those with details found come first
if chosen.empty:
    st.info(f"No {status} comments.")
    st.stop()
pages = (len(chosen) - 1) // quotes.PER_PAGE + 1
page = st.number_input("Page", min_value=1, max_value=pages, value=1, step=1, key="quotes_page")
start = (int(page) - 1) * quotes.PER_PAGE
by = current_user() or "commissioner"

for _, row in chosen.iloc[start : start + quotes.PER_PAGE].iterrows():
    key = CommentKey(
        str(row["respondent_key"]),
        filters.instrument,
        filters.council,
        int(filters.wave),
        str(row["question_code"]),
    )
    widget = f"{key.respondent_key}_{key.question_code}"
    with st.container(border=True):
        state = str(row["status"])
        if state == "approved":
            state += f" by {row['approved_by']} on {row['approved_at']:%d %b %Y %H:%M}"
        elif state == "rejected":
            state += f" by {row['decided_by']}"
        st.markdown(f"**{row['question']}** · {state}")
        details = list(row["details"])
        # escaped by quotes.highlighted / details_line; one HTML block, so no markdown applies
        st.markdown(
            quotes.as_html_block("As written: " + quotes.highlighted(row["comment_text"], details)),
            unsafe_allow_html=True,
        )
        st.caption(quotes.as_html_block(quotes.details_line(details)), unsafe_allow_html=True)
        text = st.text_area("Text to publish", value=row["to_publish"], key=f"quote_{widget}")
        note = st.text_input("Note (kept with the decision)", key=f"quote_note_{widget}")
        approve, reject, _ = st.columns([1, 1, 4])
        decision = None
        if approve.button("Approve", key=f"approve_{widget}", disabled=small, type="primary"):
            decision = "approved"
        if reject.button("Reject", key=f"reject_{widget}"):
            decision = "rejected"
        if decision:
            try:
                message = quotes.record(
                    database_path(), key, status=decision, by=by, text=text, notes=note
                )
            except ModerationError as error:
                st.error(str(error))
            else:
                forget_versions()  # the council's pages recompute, others keep their cache
                st.session_state["quote_done"] = message[0].upper() + message[1:] + "."
                st.rerun()
