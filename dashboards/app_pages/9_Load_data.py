"""Load data (commissioners): upload a survey export, check and fix its matching, then load it;
or undo a load."""

import pandas as pd
import streamlit as st

from dashboards import loading
from dashboards.auth import current_user
from dashboards.context import require_commissioner
from dashboards.data import database_exists, database_path, forget_versions, query
from dashboards.render import table_downloads
from dashboards.state import INSTRUMENT_LABELS
from pipeline.ingest import IngestError
from pipeline.instruments import all_instruments

require_commissioner()
st.title("Load data")
st.markdown(
    "Upload a council's survey export (CSV, Excel or SPSS). You will see how each column was "
    "matched to a question, can correct the matching, and see which answers would be "
    "quarantined before anything is written."
)
filters = st.session_state.get("filters")
instruments = all_instruments()
done = st.session_state.pop("unload_done", None)  # said after the rerun that shows its effect
if done:
    st.success(done)
if database_exists():
    loads = query("loads").sort_values("load_id")
    with st.expander(
        f"Loads in this database ({len(loads)}): see or undo one", expanded=bool(done)
    ):
        st.dataframe(
            loading.loads_table(loads, INSTRUMENT_LABELS),
            hide_index=True,
            width="stretch",
            column_config={"survey": st.column_config.TextColumn(width="medium")},
        )
        titles = dict(zip(loads["load_id"], loading.load_titles(loads), strict=True))
        # Fresh widgets after each unload, so the browser does not keep showing the old choice.
        round_ = st.session_state.setdefault("unload_round", 0)
        chosen = st.selectbox(
            "Load to remove",
            list(titles),
            index=None,
            format_func=titles.get,
            placeholder="Choose a load to see what removing it would delete",
            key=f"unload_choice_{round_}",
        )
        if chosen is not None:
            try:
                plan = loading.plan_unload(database_path(), int(chosen))
            except (IngestError, ValueError) as error:
                st.error(loading.page_message(error))
            else:
                st.markdown(f"Removing {plan.title} deletes: {loading.removal_summary(plan)}.")
                if plan.refusal:
                    st.error(plan.refusal)
                else:
                    reason = st.text_input(
                        "Why (kept in the audit of unloads)", key=f"unload_reason_{round_}"
                    )
                    sure = st.checkbox(
                        f"I understand that load {plan.load_id}'s rows are removed for everyone "
                        "and every page will show the figures without them",
                        key=f"unload_sure_{round_}",
                    )
                    if st.button(f"Unload load {plan.load_id}", disabled=not sure, key="unload_go"):
                        try:
                            message = loading.unload(
                                database_path(),
                                plan.load_id,
                                by=current_user() or "commissioner",
                                reason=reason,
                            )
                        except (IngestError, ValueError) as error:
                            st.error(loading.page_message(error))
                        else:
                            # what read that load's council and wave recomputes (D66)
                            forget_versions()
                            st.session_state["unload_round"] = round_ + 1
                            st.session_state["unload_done"] = message[0].upper() + message[1:] + "."
                            st.rerun()

left, middle, right = st.columns(3)
if st.session_state.get("load_instrument") not in instruments and filters:
    # Start from the survey chosen in the sidebar, not the first instrument.
    st.session_state["load_instrument"] = (
        filters.instrument if filters.instrument in instruments else next(iter(instruments))
    )
instrument = left.selectbox(
    "Survey",
    list(instruments),
    format_func=lambda i: INSTRUMENT_LABELS.get(i, instruments[i].title),
    key="load_instrument",
)
council = middle.text_input(
    "Council", value=(filters.council if filters and filters.council else ""), key="load_council"
)
new_council = middle.checkbox(
    "Not in the council register",
    help="A test council, a Welsh or Scottish area or a provider: kept under the name typed.",
    key="load_new_council",
)
earliest, latest = loading.wave_range()  # the years `outcomes ingest` accepts
wave = right.number_input(
    "Wave (year)",
    min_value=earliest,
    max_value=latest,
    value=min(max(int(filters.wave), earliest), latest) if filters and filters.wave else latest - 1,
    step=1,
    key="load_wave",
)
no_reference = st.checkbox(
    "This file has no respondent reference column: load it anyway (a second copy of a return "
    "then cannot be found)",
    key="load_no_reference",
)
refused = False
stored_council = None
if council.strip():
    try:
        choice = loading.council_choice(
            database_path(), council, allow_new=new_council, wave=int(wave)
        )
    except (IngestError, ValueError) as error:
        st.error(loading.page_message(error))
        refused = True
    else:
        stored_council = choice.name
        code = f" ({choice.ons_code})" if choice.ons_code else " (not in the council register)"
        st.info(f"The returns will be stored for **{choice.name}**{code}.")
        if choice.note:
            st.warning(choice.note)
upload = st.file_uploader("Survey file", type=loading.ACCEPTED_TYPES, key="load_file")
if upload is None:
    st.stop()

path = loading.keep_upload(upload.name, upload.getvalue())
try:
    automatic = loading.preview(path, instrument, {}, no_reference=no_reference)
except (IngestError, ValueError) as error:
    st.error(loading.page_message(error))
    st.stop()

st.header("How the columns were matched", anchor=False)
st.caption(
    "Change 'code' to correct a match, or clear it to leave a column out. Methods: exact code, "
    "wording or alias matches are certain; 'fuzzy' matches show their score out of 100."
)
report = automatic.column_report[["column", "code", "method", "score"]]
codes = [q.code for q in instruments[instrument].questions]
edited = st.data_editor(
    report,
    hide_index=True,
    disabled=["column", "method", "score"],
    column_config={"code": st.column_config.SelectboxColumn("code", options=codes)},
    key=f"mapping_{path.parent.name}_{instrument}",
    width="stretch",
)
mapping = loading.mapping_from_edits(report, pd.DataFrame(edited))
current = (
    loading.preview(path, instrument, mapping, no_reference=no_reference) if mapping else automatic
)
if mapping:
    st.info(f"Your corrections: {mapping['columns']}")
if current.unmatched:
    st.warning("Columns that match no question: " + ", ".join(current.unmatched))

st.header(f"What would be quarantined ({len(current.would_quarantine)} values)", anchor=False)
if current.would_quarantine.empty:
    st.success(f"All {current.rows} rows' answers are valid.")
else:
    st.dataframe(current.would_quarantine, hide_index=True, width="stretch")
    table_downloads(current.would_quarantine, "Would be quarantined", "would_quarantine")

if not refused:
    try:
        earlier = loading.earlier_load(
            database_path(), path, instrument=instrument, council=stored_council, wave=int(wave)
        )
    except (IngestError, ValueError) as error:
        st.error(loading.page_message(error))
        refused = True
    else:
        if earlier:
            st.warning(earlier + ". Loading it again adds nothing.")

if st.button(
    "Load this file", type="primary", disabled=refused or not council.strip(), key="load_go"
):
    try:
        result = loading.load(
            database_path(),
            path,
            instrument=instrument,
            council=council.strip(),
            wave=int(wave),
            mapping=mapping,
            new_council=new_council,
            no_reference=no_reference,
        )
    except (IngestError, ValueError) as error:
        result = None
        st.error(loading.page_message(error))
    finally:
        # The returns are in the database (or were refused): no copy stays on disk. A later
        # rerun with the file still in the uploader writes it again for its preview.
        loading.discard_upload(path)
    if result is not None:
        if result.status == "already_loaded":
            st.warning(result.message)
        else:
            st.success(result.message + ". The other pages now show the new data.")
            for note in result.notes:
                st.caption(note)
