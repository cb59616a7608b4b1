"""Load data (commissioners): upload a survey export, check and fix its matching, then load it."""

import pandas as pd
import streamlit as st

from dashboards import loading
from dashboards.context import require_commissioner
from dashboards.data import database_path
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
left, middle, right = st.columns(3)
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
wave = right.number_input(
    "Wave (year)",
    min_value=2000,
    max_value=2100,
    value=int(filters.wave) if filters and filters.wave else 2025,
    step=1,
    key="load_wave",
)
upload = st.file_uploader("Survey file", type=loading.ACCEPTED_TYPES, key="load_file")
if upload is None:
    st.stop()

path = loading.keep_upload(upload.name, upload.getvalue())
try:
    automatic = loading.preview(path, instrument, {})
except (IngestError, ValueError) as error:
    st.error(str(error))
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
current = loading.preview(path, instrument, mapping) if mapping else automatic
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

if st.button("Load this file", type="primary", disabled=not council.strip(), key="load_go"):
    try:
        result = loading.load(
            database_path(),
            path,
            instrument=instrument,
            council=council.strip(),
            wave=int(wave),
            mapping=mapping,
            new_council=new_council,
        )
    except (IngestError, ValueError) as error:
        st.error(str(error))
    else:
        if result.status == "already_loaded":
            st.warning(result.message)
        else:
            st.success(result.message + ". The other pages now show the new data.")
