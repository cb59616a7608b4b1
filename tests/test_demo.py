"""The demo build: files written messy, loaded through the real ingest path, structure findable.

One demo is built per session (about 5 s) and every test asks the database plain SQL questions.
Expected figures come from the generator's own record of what it planted (the summary returned
by ``build_demo``), and statistics are recomputed with statsmodels on the loaded rows.
"""

from __future__ import annotations

import math
from pathlib import Path

import duckdb
import numpy as np
import pytest
import statsmodels.api as sm
from statsmodels.stats.proportion import proportions_ztest

from pipeline.demo import SURVEY_STYLE, build_demo, write_demo_files
from pipeline.demo.register import COUNCILS, WAVES
from pipeline.ingest.pseudonymise import KEY_ENV

INSTRUMENTS = ("poet-holder", "poet-carer")
PROFILES = {profile.name: profile for profile in COUNCILS}
DEMO_TEST_KEY = "demo test key, strong enough by the rule: 0123456789abcdef"


@pytest.fixture(scope="session")
def demo(tmp_path_factory: pytest.TempPathFactory) -> dict:
    folder = tmp_path_factory.mktemp("demo")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(KEY_ENV, DEMO_TEST_KEY)
        summary = build_demo(folder / "demo.duckdb", folder / "files", progress=False)
    return summary


@pytest.fixture
def con(demo: dict) -> duckdb.DuckDBPyConnection:
    # per test, so the rebuild test can open the database for writing between them
    connection = duckdb.connect(demo["database"], read_only=True)
    yield connection
    connection.close()


def _rows(con: duckdb.DuckDBPyConnection, sql: str, params: list | None = None) -> list[tuple]:
    return con.execute(sql, params or []).fetchall()


def _survey_files(demo: dict) -> list[dict]:
    return [f for f in demo["files"] if f["kind"] == "survey"]


def test_every_council_wave_and_instrument_is_loaded_once(demo: dict, con) -> None:
    loaded = _rows(
        con,
        "SELECT council, wave, instrument, count(*) FROM loads WHERE kind = 'survey' GROUP BY ALL",
    )
    expected = {(c.name, w, i) for c in COUNCILS for w in WAVES for i in INSTRUMENTS}
    assert {(c, w, i) for c, w, i, _ in loaded} == expected
    assert all(n == 1 for *_, n in loaded)
    budgets = _rows(con, "SELECT council FROM loads WHERE kind = 'budgets' ORDER BY council")
    assert [b[0] for b in budgets] == sorted(c.name for c in COUNCILS)
    # every survey style is exercised, and every file's columns were all recognised exactly
    assert set(SURVEY_STYLE.values()) == {f["style"] for f in _survey_files(demo)}
    assert all(f["unmatched_columns"] == [] for f in demo["files"])
    methods = _rows(
        con,
        "SELECT DISTINCT m.method FROM loads, "
        "unnest(CAST(column_report AS JSON[])) AS r(m_json), "
        "LATERAL (SELECT m_json->>'method' AS method) AS m",
    )
    assert "fuzzy" not in {m[0] for m in methods}


def test_returns_per_file_are_in_the_planned_range(demo: dict, con) -> None:
    counts = dict(
        ((c, w, i), n)
        for c, w, i, n in _rows(
            con, "SELECT council, wave, instrument, count(*) FROM respondents GROUP BY ALL"
        )
    )
    for file in _survey_files(demo):
        profile = PROFILES[file["council"]]
        low, high = (
            profile.holder_returns if file["instrument"] == "poet-holder" else profile.carer_returns
        )
        returns = counts[(file["council"], file["wave"], file["instrument"])]
        assert low <= returns <= high, file["file"]
        # the file holds every return plus one duplicated copy
        assert returns == file["rows_written"] - 1 == file["rows_loaded"]


def test_quarantine_holds_exactly_the_planted_bad_values(demo: dict, con) -> None:
    for file in demo["files"]:
        found = set(
            _rows(
                con,
                "SELECT source_row, column_name, raw_value FROM quarantine "
                "WHERE load_id = ? AND NOT whole_row",
                [file["load_id"]],
            )
        )
        planted = {(p["source_row"], p["column"], p["raw_value"]) for p in file["planted_values"]}
        assert 2 <= len(planted) <= 4, file["file"]
        assert found == planted, file["file"]
    reasons = _rows(
        con,
        "SELECT DISTINCT l.kind, q.reason FROM quarantine q JOIN loads l USING (load_id) "
        "WHERE NOT q.whole_row",
    )
    for kind, reason in reasons:
        if kind == "survey":
            assert "is not an answer to" in reason
        else:
            assert reason.startswith(("not a date", "not an amount", "amount outside"))


def test_each_duplicated_return_is_quarantined_whole_and_the_first_copy_kept(
    demo: dict, con
) -> None:
    for file in _survey_files(demo):
        first, later = file["duplicate_rows"]
        whole = _rows(
            con,
            "SELECT source_row, reason FROM quarantine WHERE load_id = ? AND whole_row",
            [file["load_id"]],
        )
        assert [row for row, _ in whole] == [later], file["file"]
        assert whole[0][1].startswith("duplicate return")
        kept = _rows(
            con,
            "SELECT count(*) FROM respondents WHERE load_id = ? AND source_row = ?",
            [file["load_id"], first],
        )
        assert kept[0][0] == 1


def test_budget_registers_load_with_codes_labels_and_amounts(demo: dict, con) -> None:
    for council, people, options, low, high in _rows(
        con,
        "SELECT council, count(*), list(DISTINCT management_option), min(agreed_annual), "
        "max(agreed_annual) FROM budgets GROUP BY council",
    ):
        assert people == PROFILES[council].register_size
        assert set(options) <= {*PROFILES[council].option_mix, None}
        assert low >= 1 and high <= 1_000_000
    labels = dict(
        _rows(
            con,
            "SELECT DISTINCT management_option, management_label FROM budgets "
            "WHERE management_option IS NOT NULL",
        )
    )
    assert labels["direct_payment"] == "Direct payment only"
    assert labels["provider_managed"] == "Individual service fund"
    # the register's mix differs by council as planned: Westmere has the most direct payments
    shares = dict(
        _rows(
            con,
            "SELECT council, avg((management_option = 'direct_payment')::INT) FROM budgets "
            "GROUP BY council",
        )
    )
    assert shares["Westmere"] > shares["Northshire"] > shares["Eastbrook"]
    # reviews: the council with the longest review gap has the fewest reviewed within a year
    reviewed = dict(
        _rows(
            con,
            "SELECT council, avg((last_review >= DATE '2025-03-31')::INT) FROM budgets "
            "WHERE start_date < DATE '2025-03-31' GROUP BY council",
        )
    )
    assert reviewed["Northshire"] > reviewed["Westmere"] > reviewed["Eastbrook"]


def test_most_holders_link_to_their_budget_record(demo: dict, con) -> None:
    rows = _rows(
        con,
        "SELECT r.council, r.wave, count(*), count(b.person_key) FROM respondents r "
        "LEFT JOIN budgets b ON b.council = r.council AND b.person_key = r.respondent_key "
        "WHERE r.instrument = 'poet-holder' GROUP BY ALL",
    )
    unlinkable = {
        (f["council"], f["wave"]): len(f["blank_references"]) + len(f["mistyped_references"])
        for f in _survey_files(demo)
        if f["instrument"] == "poet-holder"
    }
    for council, wave, returns, linked in rows:
        assert linked / returns > 0.9
        # exactly the returns whose reference was blanked or mistyped fail to link
        assert returns - linked == unlinkable[(council, wave)]
    # and the respondents' demographics agree with the register they were sampled from
    disagree = _rows(
        con,
        "SELECT count(*) FROM respondents r JOIN budgets b "
        "ON b.council = r.council AND b.person_key = r.respondent_key "
        "WHERE r.age_band IS DISTINCT FROM b.age_band OR r.support_reason IS DISTINCT FROM "
        "b.support_reason",
    )
    assert disagree[0][0] == 0


def _share(con, question: str, *, council: str | None = None, wave: int) -> tuple[int, int]:
    where = "question_code = ? AND wave = ? AND NOT is_missing"
    params: list = [question, wave]
    if council:
        where += " AND council = ?"
        params.append(council)
    count, n = _rows(
        con,
        f"SELECT count(*) FILTER (WHERE is_positive), count(*) FROM answers_scored WHERE {where}",
        params,
    )[0]
    return int(count), int(n)


def test_the_planted_wave_change_shows_in_every_council(con) -> None:
    for profile in COUNCILS:
        before = _share(con, "out_control", council=profile.name, wave=2024)
        after = _share(con, "out_control", council=profile.name, wave=2025)
        difference = 100 * (after[0] / after[1] - before[0] / before[1])
        assert difference > 5, profile.name
    before, after = _share(con, "out_control", wave=2024), _share(con, "out_control", wave=2025)
    _, p_value = proportions_ztest([after[0], before[0]], [after[1], before[1]])
    assert p_value < 0.001


@pytest.mark.parametrize("question", ["out_dignity", "out_quality_of_life", "out_physical_health"])
def test_domains_without_a_planted_change_stay_put(con, question: str) -> None:
    before, after = _share(con, question, wave=2024), _share(con, question, wave=2025)
    difference = 100 * (after[0] / after[1] - before[0] / before[1])
    _, p_value = proportions_ztest([after[0], before[0]], [after[1], before[1]])
    # no planted change: within sampling noise of ~900 returns a wave
    assert abs(difference) < 5 and p_value > 0.01


def test_easy_process_goes_with_better_outcomes(con) -> None:
    """The 2014 national finding the model plants: easy process ~3x the odds of good outcomes."""
    rows = _rows(
        con,
        """
        SELECT p.is_positive AS easy, o.is_positive AS better, count(*)
        FROM answers_scored p JOIN answers_scored o
          ON o.respondent_key = p.respondent_key AND o.council = p.council
         AND o.wave = p.wave AND o.instrument = p.instrument
        WHERE p.question_code = 'proc_planning' AND o.question_code = 'out_control'
          AND NOT p.is_missing AND NOT o.is_missing
        GROUP BY ALL
        """,
    )
    cell = {(easy, better): n for easy, better, n in rows}
    odds_ratio = (cell[(True, True)] * cell[(False, False)]) / (
        cell[(True, False)] * cell[(False, True)]
    )
    assert 1.8 < odds_ratio < 6
    log_se = math.sqrt(sum(1 / n for n in cell.values()))
    assert math.log(odds_ratio) / log_se > 5  # far from chance with ~1,800 holders


def test_planning_using_the_budget_and_views_drive_outcomes_when_adjusted(con) -> None:
    """In one logistic regression the planted drivers stand out and an unplanted step does not."""
    frame = (
        con.execute(
            """
        PIVOT (
            SELECT respondent_key, council, wave, question_code,
                   CASE WHEN is_missing THEN NULL ELSE is_positive::INT END AS positive
            FROM answers_scored
            WHERE instrument = 'poet-holder' AND question_code IN
                  ('out_control', 'proc_planning', 'proc_using_budget', 'views_included',
                   'proc_assessment', 'proc_choose_management')
        ) ON question_code USING first(positive)
        """
        )
        .df()
        .dropna()
    )
    predictors = [
        "proc_planning",
        "proc_using_budget",
        "views_included",
        "proc_assessment",
        "proc_choose_management",
    ]
    model = sm.Logit(
        frame["out_control"].astype(float), sm.add_constant(frame[predictors].astype(float))
    ).fit(disp=0)
    odds = np.exp(model.params)
    for planted in ("proc_planning", "proc_using_budget", "views_included"):
        assert odds[planted] > 1.4 and model.pvalues[planted] < 0.01, planted
    for unplanted in ("proc_assessment", "proc_choose_management"):
        assert odds[unplanted] < min(odds[p] for p in ("proc_planning", "views_included"))


def test_direct_payments_bring_more_control_and_answer_more_often(con) -> None:
    shares = dict(
        _rows(
            con,
            "SELECT r.management_option, avg(a.is_positive::INT) FROM answers_scored a "
            "JOIN respondents r USING (respondent_key, council, wave, instrument) "
            "WHERE a.question_code = 'out_control' AND NOT a.is_missing GROUP BY ALL",
        )
    )
    assert shares["direct_payment"] - shares["commissioned"] > 0.1
    # non-response bias: direct payment holders are over-represented among respondents
    register, respondents = _rows(
        con,
        "SELECT (SELECT avg((management_option = 'direct_payment')::INT) FROM budgets), "
        "(SELECT avg((management_option = 'direct_payment')::INT) FROM respondents "
        " WHERE instrument = 'poet-holder' AND management_option <> 'dont_know')",
    )[0]
    assert respondents > register + 0.03


def test_rebuilding_with_the_same_seed_is_a_no_op(demo: dict, tmp_path: Path) -> None:
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(KEY_ENV, DEMO_TEST_KEY)
        again = build_demo(Path(demo["database"]), Path(demo["folder"]), progress=False)
    assert {f["status"] for f in again["files"]} == {"already_loaded"}


def test_two_builds_with_the_same_seed_give_identical_answers(demo: dict, tmp_path: Path) -> None:
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(KEY_ENV, DEMO_TEST_KEY)
        other = build_demo(tmp_path / "other.duckdb", tmp_path / "files", progress=False)
    query = (
        "SELECT respondent_key, instrument, council, wave, question_code, answer_code "
        "FROM answers ORDER BY ALL"
    )
    first = duckdb.connect(demo["database"], read_only=True)
    second = duckdb.connect(other["database"], read_only=True)
    try:
        assert first.execute(query).fetchall() == second.execute(query).fetchall()
    finally:
        first.close()
        second.close()


def test_a_different_seed_gives_different_files(tmp_path: Path) -> None:
    one = write_demo_files(tmp_path / "a", seed=1)
    two = write_demo_files(tmp_path / "b", seed=2)
    assert one[3].path.read_bytes() != two[3].path.read_bytes()
    assert [f.path.name for f in one] == [f.path.name for f in two]


def test_demo_draws_a_sample_the_dashboard_can_track(demo: dict, con) -> None:
    from pipeline.analysis import sample_status

    drawn = demo["sample"]
    assert drawn["status"] in ("drawn", "already_drawn")
    status = sample_status(con, council=drawn["council"], wave=drawn["wave"])
    total = status[status["stratum"] == "All strata"].iloc[0]
    assert total["sampled"] > 0 and total["returned"] > 0  # returns of sampled people link
