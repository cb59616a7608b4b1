"""Data quality (commissioners): loads with lineage, quarantine, unmatched columns, coverage,
and the survey in progress with its reminder list."""

import streamlit as st

from dashboards.context import page_context, require_commissioner
from dashboards.render import file_stem, show_view
from dashboards.views import quality

require_commissioner()
filters, role = page_context()
view = quality.build(filters, role)
st.title(view.title)
show_view(view)

unanswered = quality.reminders(filters)
if unanswered is not None:
    from pipeline.present.exports import to_csv_bytes

    st.subheader("Reminders")
    st.markdown(
        f"{len(unanswered):,} people in the sample have not answered yet. The list holds their "
        "invitation codes only: add names and addresses by running `outcomes invitations "
        "--reminders` with the register file."
    )
    st.download_button(
        "Download the reminder list: invitation codes (CSV)",
        data=to_csv_bytes(unanswered.rename(columns={"invitation_code": "Invitation code"})),
        file_name=file_stem(f"reminders {filters.council} {filters.wave} {filters.instrument}")
        + ".csv",
        mime="text/csv",
        key="reminder_codes",
        on_click="ignore",
        disabled=unanswered.empty,
    )
