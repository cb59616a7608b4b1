"""People like me: each situation's groups add up to the council's result, comparator pools are
the sum of the group's other councils, small groups are hidden kindly, and the static page and
its CSV pass the disclosure auditor."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from pipeline import analysis
from pipeline.disclosure import audit as auditor
from pipeline.disclosure.people_like_me import publish_people_like_me
from pipeline.instruments import get_instrument
from pipeline.present.people_like_me import HIDDEN, NO_GROUP, council_groups
from pipeline.store import read_only_connection
from tests.seeding import new_database, seed_returns

WAVE = 2025
SIZES = {"Ashby": 120, "Brook": 90, "Coldwell": 70, "Dale": 40}
GROUPS = {"Ashby": ["Brook", "Coldwell"], "Brook": ["Ashby", "Coldwell"], "Coldwell": ["Ashby"]}
OPTIONS = ["direct_payment", "council_managed", "provider_managed"]


def _returns(council: str, size: int, rng: np.random.Generator) -> pd.DataFrame:
    holder = get_instrument("poet-holder")
    frame = pd.DataFrame(
        {
            "council": council,
            "wave": WAVE,
            "instrument": "poet-holder",
            "respondent_key": [f"{council}-{i}" for i in range(size)],
            "management_option": rng.choice(OPTIONS, size=size, p=[0.6, 0.35, 0.05]),
            "support_reason": rng.choice(["physical", "learning_disability", None], size=size),
            "age_band": rng.choice(["25-34", "65-74", "85+"], size=size),
            "held_for": rng.choice(["under_6m", "1_2y", "over_3y"], size=size),
        }
    )
    change = ["much_worse", "worse", "same", "better", "much_better"]
    for code in holder.outcome_codes:
        frame[code] = rng.choice(change, size=size, p=[0.05, 0.1, 0.25, 0.4, 0.2])
    ease = ["very_difficult", "difficult", "neither", "easy", "very_easy"]
    for question in holder.section("process"):
        if question.scale is not None and question.scale.name == "ease5":
            frame[question.code] = rng.choice(ease, size=size)
    return frame


@pytest.fixture(scope="module")
def db(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("plm")
    con = new_database(folder)
    rng = np.random.default_rng(13)
    for council, size in SIZES.items():
        seed_returns(con, _returns(council, size, rng))
    for council, peers in GROUPS.items():
        for rank, peer in enumerate(peers, 1):
            con.execute(
                "INSERT INTO peer_groups VALUES (1, ?, NULL, ?, NULL, ?, 'test groups')",
                [council, peer, rank],
            )
    con.close()
    return folder / "test.duckdb"


@pytest.fixture(scope="module")
def frame(db) -> pd.DataFrame:
    con = analysis.open_database(db)
    try:
        return analysis.people_like_me(con, wave=WAVE)
    finally:
        con.close()


@pytest.fixture(scope="module")
def totals(db) -> pd.DataFrame:
    con = analysis.open_database(db)
    try:
        return analysis.results(con, council=None, wave=WAVE, section="outcomes", benchmark="none")
    finally:
        con.close()


def test_each_situation_adds_up_to_the_councils_result(frame, totals) -> None:
    own = frame[frame["area"] == "council"]
    sums = own.groupby(["council", "situation", "question_code"])[["n", "count"]].sum()
    expected = totals.set_index(["council", "question_code"])[["n", "count"]]
    for (council, _, question), row in sums.iterrows():
        assert row["n"] == expected.loc[(council, question), "n"]
        assert row["count"] == expected.loc[(council, question), "count"]
    # every value of the scale is listed, nobody in it or not (so a person can find theirs)
    ages = own[(own["council"] == "Dale") & (own["situation"] == "age_band")]
    assert {"18-24", "not_known"} <= set(ages["situation_value"])
    assert ages.loc[ages["situation_value"] == "18-24", "n"].eq(0).all()


def test_the_comparator_pools_the_other_councils_of_the_group(frame) -> None:
    own = frame[frame["area"] == "council"].set_index(
        ["council", "situation", "situation_value", "question_code"]
    )
    pools = frame[frame["area"] == "comparator"]
    assert set(pools["council"]) == {"Ashby", "Brook", "Coldwell"}  # Dale has no group loaded
    for _, row in pools.iterrows():
        members = row["comparator_councils"].split("; ")
        assert row["council"] not in members
        key = (row["situation"], row["situation_value"], row["question_code"])
        assert row["n"] == sum(own.loc[(m, *key), "n"] for m in members)
    assert pools.loc[pools["council"] == "Coldwell", "comparator_councils"].eq("Ashby").all()
    assert (frame["too_small"] == (frame["n"] < 30)).all()


def test_small_groups_are_hidden_and_said_kindly(frame, totals) -> None:
    from pipeline.disclosure.pages import publish_results

    published_totals = publish_results({"outcomes": totals})["outcomes"]
    published = publish_people_like_me(frame, published_totals)
    assert len(published) == len(frame)
    raw = frame.set_index(["council", "area", "situation", "situation_value", "question_code"])
    shown = published.set_index(raw.index.names)
    small = raw[(raw["count"].between(1, 4)) | (raw["n"].between(1, 4))].index
    assert len(small) and shown.loc[small, "count"].isna().all()
    assert shown.loc[small, "value"].isna().all()
    groups = council_groups(published, "Dale")
    provider = next(g for g in groups["management_option"] if g.label == "Individual service fund")
    texts = [f.sentence for f in provider.findings] + [provider.message]
    assert any(HIDDEN in t or "too few" in t for t in texts)
    assert all("%" not in t for t in texts)
    assert all(f.comparator == NO_GROUP.format(council="Dale") for f in provider.findings)


@pytest.fixture(scope="module")
def report_folder(db, tmp_path_factory) -> Path:
    from pipeline.reports.builder import build_all_councils

    folder = tmp_path_factory.mktemp("plm-reports")
    con = read_only_connection(db)
    try:
        build_all_councils(
            con, WAVE, folder, formats=("csv", "xlsx", "people_like_me"), progress=False, workers=1
        )
    finally:
        con.close()
    return folder


def test_the_auditor_reads_the_pages_and_recovers_nothing(report_folder) -> None:
    pages = sorted(report_folder.rglob("*-people-like-me.html"))
    assert len(pages) == len(SIZES)
    result = auditor.audit_folder(report_folder)
    assert any(s.endswith("-people-like-me.csv") for s in result.sources)
    assert any("people like me" in c.label for c in result.cells)
    assert result.passed, list(auditor.describe(result))


def test_a_leaky_page_would_be_caught(report_folder, frame, tmp_path) -> None:
    """The auditor really uses the page's relations: print the true value of every hidden count
    of one situation but one, and the last is pinned by the council's total."""
    import shutil

    shutil.copytree(report_folder, tmp_path / "copy")
    path = next((tmp_path / "copy").rglob("dale-*-people-like-me.csv"))
    data = pd.read_csv(path, encoding="utf-8-sig", dtype=str, keep_default_na=False)
    own = data[(data["Area"] == "council") & (data["People who said better"] == "")]
    situation, question = own.iloc[0][["Situation", "Question code"]]
    blanks = own[(own["Situation"] == situation) & (own["Question code"] == question)].index
    assert len(blanks) >= 2
    truth = frame[(frame["council"] == "Dale") & (frame["area"] == "council")].set_index(
        ["situation", "situation_value", "question_code"]
    )
    for row in blanks[1:]:
        key = (situation, data.loc[row, "Situation code"], question)
        data.loc[row, "People who said better"] = str(int(truth.loc[key, "count"]))
        data.loc[row, "People who answered"] = str(int(truth.loc[key, "n"]))
    data.to_csv(path, index=False, encoding="utf-8-sig")
    result = auditor.audit_folder(tmp_path / "copy")
    assert not result.passed
    assert any(f"Dale {question}" in cell.label for cell in result.recovered)


SHOTS = Path("/tmp/people-like-me-shots")  # screenshots of the static page, to look at


@pytest.mark.browser
def test_the_static_page_passes_axe_and_works_without_javascript(report_folder) -> None:
    from concurrent.futures import ThreadPoolExecutor

    page = next(report_folder.rglob("ashby-*-people-like-me.html"))
    html = page.read_text(encoding="utf-8")
    assert "<script" not in html and "<form" not in html
    assert 'href="#management-option-direct-payment"' in html
    with ThreadPoolExecutor(max_workers=1) as pool:  # Playwright's sync API needs a fresh loop
        violations = pool.submit(_axe_and_screenshots, page).result()
    assert violations == [], violations


def _axe_and_screenshots(path: Path) -> list:
    from axe_playwright_python.sync_playwright import Axe
    from playwright.sync_api import sync_playwright

    from tests.reports.test_accessibility import CHROMIUM_ARGS

    SHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        context = browser.new_context(java_script_enabled=False, viewport={"width": 1000,
                                                                           "height": 900})  # fmt: skip
        tab = context.new_page()
        tab.goto(path.as_uri())
        tab.screenshot(path=str(SHOTS / "people-like-me-top.png"))
        tab.get_by_role(
            "link", name="Direct payment", exact=True
        ).click()  # the chooser, no JavaScript
        assert tab.url.endswith("#management-option-direct-payment")
        tab.screenshot(path=str(SHOTS / "people-like-me-direct-payment.png"))
        browser.close()
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        tab = browser.new_page()
        tab.goto(path.as_uri())
        results = Axe().run(tab)
        browser.close()
    return [
        (v["id"], v["help"], len(v["nodes"]))
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical", "moderate")
    ]


def test_without_any_comparator_group_there_are_no_pools(tmp_path) -> None:
    con = new_database(tmp_path)
    seed_returns(con, _returns("Ashby", 40, np.random.default_rng(1)))
    frame = analysis.people_like_me(con, wave=WAVE)
    con.close()
    assert len(frame) and set(frame["area"]) == {"council"}
    assert not frame.columns.duplicated().any()
