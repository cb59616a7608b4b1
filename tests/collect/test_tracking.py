"""Tracking returns against the sample (issue 11 item 6): the analysis API, weighting by the
sample's strata, and the Data quality page under AppTest."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from pipeline.analysis import reminder_codes, sample_status, weights
from pipeline.collect.codes import display
from pipeline.collect.invitations import write_invitations
from pipeline.collect.sampling import draw_sample
from pipeline.ingest import load_budget_file, load_survey_file
from pipeline.store import connect
from tests.conftest import FIXTURES
from tests.dashboards.conftest import APP, build_dashboard_database
from tests.fixtures import make_register_fixtures as rx

REGISTER = FIXTURES / "registers" / rx.LIQUIDLOGIC
COUNCIL = "Kirklees"


def _reached(population: list[float], returned: list[float]) -> float:
    """The weighting formula written out at p = 0.5, over strata with 2 or more returns."""
    pairs = [(big_n, n) for big_n, n in zip(population, returned, strict=True) if n >= 2]
    total = sum(big_n for big_n, _ in pairs)
    variance = sum(0.25 * big_n**2 * (1 - n / big_n) / (n - 1) for big_n, n in pairs)
    return 1.96 * math.sqrt(variance * 100**2 / total**2)


@pytest.fixture
def tracked(tmp_path):
    """A sample of 60, 12 of them answered (4 online, 3 paper, 5 by file), and one return from
    someone outside the sample."""
    con = connect(tmp_path / "outcomes.duckdb")
    load_budget_file(con, REGISTER, council=COUNCIL)
    draw_sample(con, council=COUNCIL, wave=2025, size=60, seed=31)
    merged = write_invitations(
        con, council=COUNCIL, wave=2025, register=REGISTER, out_dir=tmp_path, paper=()
    )
    rows = pd.read_csv(merged.files["csv"], encoding="utf-8-sig")
    answered = rows.iloc[::5].head(12)
    returns = tmp_path / "returns.csv"
    returns.write_text(
        "Client Reference,out_dignity\r\n"
        + "".join(f"{reference},Got better\r\n" for reference in answered["Reference"])
        + "LAS9999999,Got worse\r\n",
        encoding="utf-8",
    )
    load_survey_file(con, returns, instrument="poet-holder", council=COUNCIL, wave=2025)
    keys = dict(con.execute("SELECT invitation_code, person_key FROM samples").fetchall())
    answered_keys = [keys[code.replace("-", "")] for code in answered["Invitation code"]]
    for channel, chosen in (("online", answered_keys[:4]), ("paper", answered_keys[4:7])):
        con.execute(
            "UPDATE respondents SET channel = ? WHERE list_contains(?, respondent_key)",
            [channel, chosen],
        )
    yield con, answered
    con.close()


def test_status_by_stratum_and_channel(tracked) -> None:
    con, answered = tracked
    status = sample_status(con, council=COUNCIL, wave=2025)
    total = status[status["stratum"] == "All strata"].iloc[0]
    assert (total["sampled"], total["returned"]) == (60, 12)
    assert (total["returned_online"], total["returned_paper"], total["returned_file"]) == (4, 3, 5)
    assert total["response_rate"] == pytest.approx(20.0)
    outside = status[status["stratum"] == "not in the sample"].iloc[0]
    assert (outside["returned"], outside["returned_file"]) == (1, 1)
    strata = status[~status["stratum"].isin(["All strata", "not in the sample"])]
    assert strata["returned"].sum() == 12 and strata["population"].sum() == 271
    expected = _reached(strata["population"].tolist(), strata["returned"].tolist())
    assert total["margin"] == pytest.approx(expected, abs=1e-9)
    assert (
        total["population_without_margin"] == strata.loc[strata["returned"] < 2, "population"].sum()
    )
    one = strata[strata["returned"] >= 2].iloc[0]
    assert one["margin"] == pytest.approx(_reached([one["population"]], [one["returned"]]))


def test_reminder_codes_are_the_people_who_have_not_answered(tracked) -> None:
    con, answered = tracked
    codes = reminder_codes(con, council=COUNCIL, wave=2025)
    assert list(codes.columns) == ["invitation_code"] and len(codes) == 48
    assert not set(answered["Invitation code"]) & set(codes["invitation_code"])
    everyone = {
        display(r[0]) for r in con.execute("SELECT invitation_code FROM samples").fetchall()
    }
    assert set(codes["invitation_code"]) | set(answered["Invitation code"]) == everyone


def test_weighting_uses_the_sample_strata_and_places_sampled_returns_in_them(tmp_path) -> None:
    con = connect(tmp_path / "strata.duckdb")
    load_budget_file(con, REGISTER, council=COUNCIL)
    draw_sample(con, council=COUNCIL, wave=2025, size=60, seed=5, strata=["age_band"])
    merged = write_invitations(
        con, council=COUNCIL, wave=2025, register=REGISTER, out_dir=tmp_path, paper=()
    )
    references = pd.read_csv(merged.files["csv"], encoding="utf-8-sig")["Reference"].head(8)
    returns = tmp_path / "returns.csv"
    returns.write_text(  # no age on the survey: the register's, through the sample, places them
        "Client Reference,out_dignity\r\n" + "".join(f"{r},Got better\r\n" for r in references),
        encoding="utf-8",
    )
    before_carer = weights(con, council=COUNCIL, wave=2025, instrument="poet-carer")
    load_survey_file(con, returns, instrument="poet-holder", council=COUNCIL, wave=2025)
    frame = weights(con, council=COUNCIL, wave=2025)
    assert "age_band" in frame.columns and "management_option" not in frame.columns
    placed = frame[frame["respondents"] > 0]
    assert placed["respondents"].sum() == 8
    assert "not_known" not in set(placed["age_band"])
    # no sample for the carer survey: its weighting is what it was
    after_carer = weights(con, council=COUNCIL, wave=2025, instrument="poet-carer")
    pd.testing.assert_frame_equal(before_carer, after_carer)
    explicit = weights(con, council=COUNCIL, wave=2025, cells=["management_option"])
    assert "management_option" in explicit.columns


def test_data_quality_page_tracks_the_sample(tmp_path, monkeypatch) -> None:
    db = build_dashboard_database(tmp_path)
    con = connect(db)
    draw_sample(con, council="Brightwater", wave=2024, size=150, seed=3)
    sampled = [r[0] for r in con.execute("SELECT person_key FROM samples").fetchall()]
    # 30 returns come from sampled people (as the survey site would key them), 10 of them online
    keys = [
        r[0]
        for r in con.execute(
            "SELECT respondent_key FROM respondents WHERE council = 'Brightwater' AND wave = 2024 "
            "AND instrument = 'poet-holder' ORDER BY respondent_key LIMIT 30"
        ).fetchall()
    ]
    for old, new, channel in zip(keys, sampled, ["online"] * 10 + [None] * 20, strict=False):
        con.execute(
            "UPDATE respondents SET respondent_key = ?, channel = ? WHERE respondent_key = ?",
            [new, channel, old],
        )
    expected = sample_status(con, council="Brightwater", wave=2024)
    con.execute("CHECKPOINT")
    con.close()
    monkeypatch.setenv("OUTCOMES_DB", str(db))
    at = AppTest.from_file(str(APP), default_timeout=120)
    at.session_state["signed_in_user"] = "tester"
    at.query_params.update({"council": "Brightwater", "wave": "2024", "instrument": "poet-holder"})
    at.run()
    at.switch_page("app_pages/8_Data_quality.py").run()
    assert not at.exception, [e.value for e in at.exception]
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Invited"] == "150"
    assert metrics["Returned"] == "30 (20.0%)"
    assert metrics["Online / paper / file"] == "10 / 0 / 20"
    total = expected[expected["stratum"] == "All strata"].iloc[0]
    assert metrics["Margin reached"] == f"±{total['margin']:.1f} points"
    tables = [t.value for t in at.dataframe]
    shown = next(t for t in tables if "returned_online" in t.columns or "Online" in t.columns)
    assert len(shown) == len(expected)
    labels = [b.label for b in at.download_button]
    assert "Download the reminder list: invitation codes (CSV)" in labels
    assert any("Reminders" in str(h.value) for h in at.subheader)


def test_public_view_has_no_tracking(tmp_path, monkeypatch) -> None:
    db = build_dashboard_database(tmp_path)
    monkeypatch.setenv("OUTCOMES_DB", str(db))
    at = AppTest.from_file(str(APP), default_timeout=120)
    at.query_params.update({"council": "Brightwater", "wave": "2024", "instrument": "poet-holder"})
    at.run()
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        at.switch_page("app_pages/8_Data_quality.py")
    assert np.all([not b.label.startswith("Download the reminder") for b in at.download_button])
