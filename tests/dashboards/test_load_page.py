"""The Load data page under AppTest: its defaults, the refusals it shows before the Load button,
and undoing a load with the Unload button as a signed-in commissioner."""

from __future__ import annotations

import shutil
from datetime import date

import pytest
from streamlit.testing.v1 import AppTest

from dashboards import loading
from pipeline.ingest import IngestError
from pipeline.ingest.loading import check_wave
from pipeline.store import connect
from tests.conftest import FIXTURES
from tests.dashboards.conftest import APP
from tests.fixtures import make_fixtures as fx

PAGE = "app_pages/9_Load_data.py"
QUERY = {"council": "Brightwater", "wave": "2024", "instrument": "poet-carer"}


@pytest.fixture
def db(dashboard_db, tmp_path):
    """A copy of the page-test database that a test may change."""
    path = tmp_path / "load-page.duckdb"
    shutil.copy(dashboard_db, path)
    return path


def open_load_page(db, monkeypatch, query=QUERY) -> AppTest:
    monkeypatch.setenv("OUTCOMES_DB", str(db))
    at = AppTest.from_file(str(APP), default_timeout=120)
    at.session_state["signed_in_user"] = "tester"
    at.query_params.update(query)
    at.run()
    at.switch_page(PAGE).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def upload(at: AppTest, path) -> AppTest:
    at.file_uploader(key="load_file").upload(path.name, path.read_bytes(), "text/csv")
    return at.run()


def texts(elements) -> list[str]:
    return [str(e.value) for e in elements]


def test_survey_defaults_to_the_sidebar_and_wave_accepts_what_the_loader_does(
    db, monkeypatch
) -> None:
    at = open_load_page(db, monkeypatch)
    assert at.sidebar.selectbox(key="f_instrument").value == "poet-carer"
    assert at.selectbox(key="load_instrument").value == "poet-carer"
    assert at.text_input(key="load_council").value == "Brightwater"
    wave = at.number_input(key="load_wave")
    assert (wave.value, wave.min, wave.max) == (2024, 1990, date.today().year + 1)
    earliest, latest = loading.wave_range()
    assert check_wave("f.csv", earliest) == earliest and check_wave("f.csv", latest) == latest
    for outside in (earliest - 1, latest + 1):
        with pytest.raises(IngestError, match="not a survey year"):
            check_wave("f.csv", outside)


def test_the_page_refuses_what_the_command_line_refuses_before_loading(
    db, monkeypatch, tmp_path
) -> None:
    query = {**QUERY, "instrument": "poet-holder"}
    at = upload(open_load_page(db, monkeypatch, query), FIXTURES / "not_a_survey.csv")
    assert any("no column matches a question" in e for e in texts(at.error))
    assert any("check the survey chosen above" in e.lower() for e in texts(at.error))
    assert not any("--" in e for e in texts(at.error)), texts(at.error)

    at = upload(open_load_page(db, monkeypatch, query), FIXTURES / "exports" / "paper_no_id.csv")
    assert any("no respondent reference column" in e for e in texts(at.error))
    assert any("tick 'This file has no respondent reference" in e for e in texts(at.error))
    at.checkbox(key="load_no_reference").check().run()
    assert not at.error and not at.button(key="load_go").disabled

    at = upload(open_load_page(db, monkeypatch, query), FIXTURES / fx.HOLDER_UTF8)
    assert not at.error and not at.warning
    at.button(key="load_go").click().run()
    assert any("loaded 30 of 30 rows" in s for s in texts(at.success)), texts(at.error)

    # The same bytes again: "already loaded" is a warning before the button and after it.
    at = upload(open_load_page(db, monkeypatch, query), FIXTURES / fx.HOLDER_UTF8)
    assert any("already loaded as load" in w for w in texts(at.warning))
    at.button(key="load_go").click().run()
    assert any("nothing was added" in w for w in texts(at.warning)) and not at.success

    # ... and for another council it is refused, naming the unload that would fix it.
    at.text_input(key="load_council").set_value("Caldermoor").run()
    assert any(
        "under 'Loads in this database' above" in e and "council 'Brightwater'" in e
        for e in texts(at.error)
    )
    # Every message names the page's controls, never a command-line flag.
    assert not any("--" in e or "`outcomes" in e for e in texts(at.error)), texts(at.error)
    assert at.button(key="load_go").disabled


def test_a_commissioner_unloads_a_load_with_the_button(db, monkeypatch) -> None:
    con = connect(db)
    load_id, returns = con.execute(
        "SELECT l.load_id, count(*) FROM loads AS l JOIN respondents USING (load_id) "
        "WHERE l.council = 'Brightwater' AND l.wave = 2024 AND l.instrument = 'poet-carer' "
        "GROUP BY ALL"
    ).fetchall()[0]
    loads_before = con.execute("SELECT count(*) FROM loads").fetchall()[0][0]
    con.close()

    at = open_load_page(db, monkeypatch)
    shown = at.expander[0]
    assert shown.label.startswith(f"Loads in this database ({loads_before})")
    assert at.dataframe[0].value["load"].tolist() == sorted(at.dataframe[0].value["load"])
    at.selectbox(key="unload_choice_0").set_value(load_id).run()
    assert any(
        f"{returns} survey returns (respondents)" in m and "and its row in loads" in m
        for m in texts(at.markdown)
    )
    assert at.button(key="unload_go").disabled  # until the commissioner confirms
    at.text_input(key="unload_reason_0").set_value("sent twice").run()
    at.checkbox(key="unload_sure_0").check().run()
    at.button(key="unload_go").click().run()
    assert not at.exception, [e.value for e in at.exception]

    assert any(f"Removed load {load_id}" in s for s in texts(at.success))
    assert at.expander[0].label.startswith(f"Loads in this database ({loads_before - 1})")
    assert load_id not in at.dataframe[0].value["load"].tolist()
    # The sidebar was drawn from fresh numbers: Brightwater has no carers' survey any more.
    assert at.sidebar.selectbox(key="f_instrument").value == "poet-carer"
    assert "Brightwater" not in at.sidebar.selectbox(key="f_council").options
    con = connect(db)
    audit = con.execute("SELECT load_id, removed_by, reason FROM unloads").fetchall()
    con.close()
    assert audit == [(load_id, "tester", "sent twice")]


def test_the_page_says_which_council_the_returns_will_be_stored_for(db, monkeypatch) -> None:
    query = {**QUERY, "instrument": "poet-holder"}
    at = upload(open_load_page(db, monkeypatch, query), FIXTURES / fx.HOLDER_UTF8)
    at.text_input(key="load_council").set_value("LEEDS CITY COUNCIL").run()
    assert any("stored for **Leeds** (E08000035)" in i for i in texts(at.info))
    at.text_input(key="load_council").set_value("Northshire").run()  # not a council, not loaded
    assert any(
        "unknown council 'Northshire'" in e and "North Yorkshire" in e for e in texts(at.error)
    )
    assert at.button(key="load_go").disabled
    at.checkbox(key="load_new_council").check().run()
    assert any("**Northshire** (not in the council register)" in i for i in texts(at.info))
    assert not at.button(key="load_go").disabled
    at.text_input(key="load_council").set_value("brightwater").run()  # loaded before: found
    assert any("stored for **Brightwater**" in i for i in texts(at.info))


def test_the_uploaded_file_is_removed_once_the_load_has_run(db, monkeypatch) -> None:
    import hashlib

    content = (FIXTURES / fx.HOLDER_UTF8).read_bytes()
    kept = loading.upload_dir() / hashlib.sha256(content).hexdigest()[:16]
    query = {**QUERY, "instrument": "poet-holder"}
    at = upload(open_load_page(db, monkeypatch, query), FIXTURES / fx.HOLDER_UTF8)
    assert kept.exists()  # the preview reads it from the private folder
    at.text_input(key="load_council").set_value("Leeds").run()
    at.button(key="load_go").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert any("The other pages now show the new data" in s for s in texts(at.success))
    assert not kept.exists()
