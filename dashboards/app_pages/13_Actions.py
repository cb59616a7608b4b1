"""Actions (commissioners): record what the council will do about a finding, update how it is
going, choose whether the public sees it, and read every change with who made it and when."""

from datetime import date

import pandas as pd
import streamlit as st

from dashboards import actions
from dashboards.auth import current_user
from dashboards.context import page_context, require_commissioner
from dashboards.data import database_path, forget_versions, query
from pipeline.instruments import get_instrument

STATUS_LABELS = {"not_started": "Not started", "under_way": "Under way", "done": "Done"}

require_commissioner()
filters, _ = page_context()
st.title("Actions")
st.markdown(
    "Record what the council will change because of a finding, who owns it and by when. Actions "
    "marked public appear on the results page, the easy-read page, the workbook and the public "
    "*You said, we did* page, with the result for the same question at the next survey. The "
    "owner is never published, and an action whose public words hold a name or contact detail "
    "cannot be made public. Every change is kept with who made it and when."
)
done = st.session_state.pop("action_done", None)  # said after the rerun that shows its effect
if done:
    st.success(done)
by = current_user() or "commissioner"
instrument = get_instrument(filters.instrument)
questions = {
    q.code: f"{q.domain} ({'outcome' if q.section == 'outcomes' else 'process step'})"
    for q in instrument.coded_questions
    if q.section in ("outcomes", "process") and q.scale is not None
}


def _finished(message: str) -> None:
    forget_versions()
    st.cache_data.clear()
    st.session_state["action_done"] = message
    st.rerun()


with st.form("add_action", clear_on_submit=False):
    st.subheader(f"New action for {filters.council}, {filters.wave}")
    question = st.selectbox(
        "Finding (question or process step)", list(questions), format_func=questions.get
    )
    text = st.text_area("What we will do", placeholder="run drop-in sessions in every library")
    owner = st.text_input("Owner (never published)")
    due = st.date_input("Due by", value=date(int(filters.wave) + 1, 3, 31), format="YYYY-MM-DD")
    public_update = st.text_input("Public update (optional)")
    public = st.checkbox("Show on the public pages")
    if st.form_submit_button("Add action", type="primary"):
        try:
            action_id = actions.add(
                database_path(),
                council=filters.council,
                wave=int(filters.wave),
                instrument=filters.instrument,
                question=question,
                action=text,
                owner=owner,
                due=due,
                by=by,
                public=public,
                public_update=public_update or None,
            )
        except actions.ActionRefused as error:
            st.error(str(error))
        else:
            _finished(f"Action {action_id} recorded by {by}.")

listed = query("actions", council=filters.council)
st.subheader(f"Actions for {filters.council} ({len(listed)})")
if listed.empty:
    st.info("No actions recorded for this council yet.")
    st.stop()
shown = listed.assign(status=listed["status"].map(STATUS_LABELS))[
    ["action_id", "wave", "domain", "finding_comparison", "action_text", "owner", "due",
     "status", "public", "public_update", "updated_by", "updated_at"]
].rename(columns={"action_id": "Id", "wave": "Wave", "domain": "Finding",
                  "finding_comparison": "Against benchmark", "action_text": "Action",
                  "owner": "Owner", "due": "Due", "status": "Status", "public": "Public",
                  "public_update": "Public update", "updated_by": "Last changed by",
                  "updated_at": "Last changed"})  # fmt: skip
st.dataframe(shown, hide_index=True, width="stretch")

labels = {
    int(row.action_id): f"{int(row.action_id)}: {row.domain} ({row.wave}), {row.action_text[:60]}"
    for row in listed.itertuples()
}
chosen = st.selectbox("Action to update", list(labels), format_func=labels.get)
current = listed[listed["action_id"] == chosen].iloc[0]
with st.form("update_action"):
    status = st.radio(
        "Status",
        list(STATUS_LABELS),
        index=list(STATUS_LABELS).index(str(current["status"])),
        format_func=STATUS_LABELS.get,
        horizontal=True,
    )
    new_update = st.text_input(
        "Public update",
        value=current["public_update"] if isinstance(current["public_update"], str) else "",
    )
    new_public = st.checkbox("Show on the public pages", value=bool(current["public"]))
    if st.form_submit_button("Save changes", type="primary"):
        try:
            changed = actions.update(
                database_path(),
                chosen,
                by=by,
                status=status,
                public_update=new_update,
                public=new_public,
            )
        except actions.ActionRefused as error:
            st.error(str(error))
        else:
            _finished(
                f"Action {chosen}: changed {', '.join(changed)} (by {by})."
                if changed
                else f"Action {chosen}: nothing changed."
            )

history = query("action_history", action_id=int(chosen))
st.subheader(f"Every change to action {chosen}")
st.dataframe(
    pd.DataFrame(
        {
            "When": history["changed_at"],
            "Who": history["changed_by"],
            "Change": history["change"],
            "Field": history["field"],
            "Was": history["old_value"].fillna(""),  # a creation had no earlier value
            "Now": history["new_value"].fillna(""),
        }
    ),
    hide_index=True,
    width="stretch",
)
