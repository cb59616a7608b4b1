"""Drawing the sample from a register written as Liquidlogic writes it (issue 11 item 1).

Expected strata and exclusions come from ``make_register_fixtures.liquidlogic_people()`` (the
fixture's intent, person by person), never from the loader.
"""

from __future__ import annotations

import math
from collections import Counter

import pytest
from typer.testing import CliRunner

from pipeline.cli import app
from pipeline.collect import codes
from pipeline.collect.allocation import (
    AllocationError,
    allocate,
    expected_margin,
    size_for_margin,
)
from pipeline.collect.sampling import SampleError, draw_sample
from pipeline.ingest import load_budget_file
from pipeline.ingest.pseudonymise import Pseudonymiser, pseudonym_key
from pipeline.store import connect
from tests.conftest import FIXTURES
from tests.fixtures import make_register_fixtures as rx

REGISTER = FIXTURES / "registers" / rx.LIQUIDLOGIC
COUNCIL = "Kirklees"


def _load(tmp_path, name: str = "outcomes.duckdb"):
    con = connect(tmp_path / name)
    load_budget_file(con, REGISTER, council=COUNCIL)
    return con


@pytest.fixture
def con(tmp_path):
    connection = _load(tmp_path)
    yield connection
    connection.close()


def _key(reference: str) -> str:
    return Pseudonymiser(pseudonym_key()).key_for(COUNCIL, reference)


def _eligible(*, residential: bool = True) -> list[dict]:
    people = []
    for person in rx.liquidlogic_people():
        if person["ended"] or person["not_started"]:
            continue
        if person["do_not_contact"] or person["old_marker_only"]:
            continue
        if not residential and person["setting"] != "Community":
            continue
        people.append(person)
    return people


def _stratum(person: dict) -> str:
    return f"{person['management_option']} | {person['support_reason']}"


def _drawn(con, sample_id: int) -> set[str]:
    rows = con.execute("SELECT person_key FROM samples WHERE sample_id = ?", [sample_id])
    return {r[0] for r in rows.fetchall()}


def test_register_reads_the_do_not_contact_marker_on_any_record(con) -> None:
    marked = con.execute(
        "SELECT person_key FROM budgets GROUP BY person_key HAVING bool_or(do_not_contact)"
    ).fetchall()
    expected = {
        _key(p["reference"])
        for p in rx.liquidlogic_people()
        if p["do_not_contact"] or p["old_marker_only"]
    }
    assert {r[0] for r in marked} == expected
    # "N" reads as false and a blank cell as no marker (NULL), never as quarantine
    assert con.execute("SELECT count(*) FROM quarantine").fetchall()[0][0] == 0
    values = dict(con.execute("SELECT do_not_contact, count(*) FROM budgets GROUP BY 1").fetchall())
    assert values[None] > 0 and values[False] > 0


def test_opted_out_of_surveys_column_as_mosaic_names_it(tmp_path) -> None:
    con = connect(tmp_path / "optout.duckdb")
    load_budget_file(con, FIXTURES / "registers" / rx.MOSAIC_OPTOUT, council=COUNCIL)
    marked = {
        r[0] for r in con.execute("SELECT person_key FROM budgets WHERE do_not_contact").fetchall()
    }
    assert marked == {_key(f"MP{500200 + i}") for i in rx.MOSAIC_OPTOUT_YES}
    assert con.execute("SELECT count(*) FROM budgets WHERE NOT do_not_contact").fetchall()[0][
        0
    ] == 12 - len(rx.MOSAIC_OPTOUT_YES)


@pytest.mark.parametrize(
    ("header", "yes", "no"),
    [
        ("DNC", "1", "0"),
        ("Contact preference: do not contact", "Do not contact", "Post"),
        ("Do Not Contact", "TRUE", "FALSE"),
    ],
)
def test_other_names_of_the_marker(tmp_path, header: str, yes: str, no: str) -> None:
    path = tmp_path / "register.csv"
    path.write_text(
        f"Person ID,Start Date,{header}\r\nA1,01/04/2024,{yes}\r\nA2,01/04/2024,{no}\r\n",
        encoding="utf-8",
    )
    con = connect(tmp_path / "names.duckdb")
    load_budget_file(con, path, council=COUNCIL)
    rows = dict(con.execute("SELECT person_key, do_not_contact FROM budgets").fetchall())
    assert rows == {_key("A1"): True, _key("A2"): False}


def test_strata_sizes_and_proportional_allocation(con) -> None:
    draw = draw_sample(con, council=COUNCIL, wave=2025, size=100, seed=3)
    expected = Counter(_stratum(p) for p in _eligible())
    assert dict(zip(draw.table["stratum"], draw.table["population"], strict=True)) == expected
    assert draw.population == len(_eligible()) == 271
    assert draw.size == 100
    total = sum(expected.values())
    for stratum, population, share in draw.table[["stratum", "population", "sample"]].itertuples(
        index=False
    ):
        assert abs(share - population * 100 / total) < 1, stratum
    stored = con.execute(
        "SELECT stratum, count(*), any_value(stratum_population) FROM samples GROUP BY 1"
    ).fetchall()
    assert {s: (n, pop) for s, n, pop in stored} == {
        s: (int(n), int(pop))
        for s, n, pop in draw.table[["stratum", "sample", "population"]].itertuples(index=False)
    }
    exclusions = draw.exclusions
    people = rx.liquidlogic_people()
    assert exclusions["not_current"] == sum(p["ended"] or p["not_started"] for p in people)
    assert exclusions["do_not_contact"] == sum(
        (p["do_not_contact"] or p["old_marker_only"]) and not (p["ended"] or p["not_started"])
        for p in people
    )


def test_minimum_allocation_gives_every_stratum_its_floor(con) -> None:
    draw = draw_sample(
        con,
        council=COUNCIL,
        wave=2025,
        size=80,
        seed=3,
        allocation="minimum",
        min_per_stratum=7,
    )
    assert draw.size == 80
    assert (draw.table["sample"] >= draw.table["population"].clip(upper=7)).all()
    # the mental health strata (8 people each) get 7 where proportional would give 2 or 3
    mental = draw.table[draw.table["stratum"].str.endswith("mental_health")]
    assert set(mental["sample"]) == {7}


def test_allocation_rules_by_hand() -> None:
    assert allocate([50, 30, 20], 10) == [5, 3, 2]
    assert allocate([10, 10, 10], 10) == [4, 3, 3]  # remainder tie: the first stratum
    assert allocate([100, 5, 5], 20, "minimum", 4) == [12, 4, 4]
    assert allocate([100, 3], 20, "minimum", 4) == [17, 3]  # all of a stratum smaller than K
    with pytest.raises(AllocationError, match="needs at least 12"):
        allocate([100, 5, 5], 10, "minimum", 4)


def test_same_seed_draws_the_same_people_with_new_codes(tmp_path) -> None:
    first = _load(tmp_path, "first.duckdb")
    second = _load(tmp_path, "second.duckdb")
    a = draw_sample(first, council=COUNCIL, wave=2025, size=60, seed=20251)
    b = draw_sample(second, council=COUNCIL, wave=2025, size=60, seed=20251)
    assert _drawn(first, a.sample_id) == _drawn(second, b.sample_id)
    codes_a = {r[0] for r in first.execute("SELECT invitation_code FROM samples").fetchall()}
    codes_b = {r[0] for r in second.execute("SELECT invitation_code FROM samples").fetchall()}
    assert len(codes_a) == 60 and not codes_a & codes_b  # codes are fresh, not from the seed
    assert all(codes.is_valid(code) for code in codes_a)
    other = draw_sample(first, council=COUNCIL, wave=2025, instrument="poet-carer", size=60, seed=9)
    assert _drawn(first, other.sample_id) != _drawn(first, a.sample_id)
    recorded = first.execute("SELECT seed FROM sample_draws WHERE sample_id = ?", [a.sample_id])
    assert recorded.fetchall()[0][0] == 20251


def test_a_random_seed_is_recorded_and_reproduces_the_draw(tmp_path) -> None:
    first = _load(tmp_path, "first.duckdb")
    a = draw_sample(first, council=COUNCIL, wave=2025, size=40)
    second = _load(tmp_path, "second.duckdb")
    b = draw_sample(second, council=COUNCIL, wave=2025, size=40, seed=a.seed)
    assert _drawn(first, a.sample_id) == _drawn(second, b.sample_id)


def test_exclusions_do_not_contact_residential_and_last_wave(con) -> None:
    everyone = len(_eligible(residential=False))
    draw = draw_sample(
        con,
        council=COUNCIL,
        wave=2024,
        size=everyone,
        seed=1,
        exclude_residential=True,
        reference_date=rx.LIQUIDLOGIC_REFERENCE_DATE,
    )
    assert _drawn(con, draw.sample_id) == {
        _key(p["reference"]) for p in _eligible(residential=False)
    }
    marked = {
        _key(p["reference"])
        for p in rx.liquidlogic_people()
        if p["do_not_contact"] or p["old_marker_only"] or p["setting"] != "Community"
    }
    assert not marked & _drawn(con, draw.sample_id)
    assert draw.exclusions["residential_or_nursing"] == sum(
        p["setting"] != "Community" for p in _eligible()
    )
    later = draw_sample(
        con, council=COUNCIL, wave=2025, size=30, seed=1, exclude_sampled_last_wave=True
    )
    assert later.exclusions["sampled_last_wave"] == everyone
    assert later.population == len(_eligible()) - everyone
    assert not _drawn(con, later.sample_id) & _drawn(con, draw.sample_id)


def test_expected_margin_is_the_weighting_formula_at_p_one_half() -> None:
    populations, sample, rate = [120, 80, 40], [60, 40, 20], 40.0
    returns = [s * rate / 100 for s in sample]  # 24, 16, 8 expected returns
    total = sum(populations)
    variance = (
        sum(
            0.5 * 0.5 * big_n**2 * (1 - n / big_n) / (n - 1)
            for big_n, n in zip(populations, returns, strict=True)
        )
        * 100**2
        / total**2
    )
    found = expected_margin(populations, sample, rate)
    assert found.margin == pytest.approx(1.96 * math.sqrt(variance), abs=1e-9)
    assert found.margin == pytest.approx(13.0734, abs=1e-4)  # docs/methods.md example
    assert found.expected_returns == pytest.approx(48)


def test_margin_target_gives_the_smallest_size_reaching_it() -> None:
    populations = [400, 250, 150, 60]
    size = size_for_margin(populations, 8.0, 35.0)
    assert expected_margin(populations, allocate(populations, size), 35.0).margin <= 8.0
    assert expected_margin(populations, allocate(populations, size - 1), 35.0).margin > 8.0
    with pytest.raises(AllocationError, match="cannot be reached"):
        size_for_margin(populations, 1.0, 35.0)


def test_sample_from_a_margin_target(con) -> None:
    draw = draw_sample(
        con,
        council=COUNCIL,
        wave=2025,
        margin=15,
        allocation="minimum",
        min_per_stratum=7,
        seed=5,
        response_rate=40,
    )
    assert draw.margin.margin <= 15
    smaller = allocate(draw.table["population"].tolist(), draw.size - 1, "minimum", 7)
    before = expected_margin(draw.table["population"].tolist(), smaller, 40)
    assert not before.estimable or before.margin > 15
    stored = con.execute("SELECT target_margin, expected_margin, target_size FROM sample_draws")
    assert stored.fetchall() == [(15.0, pytest.approx(draw.margin.margin), draw.size)]


def test_refusals_name_council_and_wave(con, tmp_path) -> None:
    with pytest.raises(SampleError, match="Leeds, wave 2025.*no budget register is loaded"):
        draw_sample(con, council="Leeds", wave=2025, size=10)
    with pytest.raises(SampleError, match="Kirklees, wave 2025.*more than the 271 eligible"):
        draw_sample(con, council=COUNCIL, wave=2025, size=272)
    draw_sample(con, council=COUNCIL, wave=2025, size=10, seed=1)
    with pytest.raises(SampleError, match="sample 1 was already drawn.*outcomes sample-status"):
        draw_sample(con, council=COUNCIL, wave=2025, size=10, seed=2)
    assert con.execute("SELECT count(*) FROM samples").fetchall()[0][0] == 10


def test_cli_draws_explains_and_refuses(tmp_path) -> None:
    db = tmp_path / "cli.duckdb"
    _load(tmp_path, "cli.duckdb").close()
    runner = CliRunner()
    args = ["sample", "--council", "kirklees", "--wave", "2025", "--db", str(db)]
    result = runner.invoke(app, [*args, "--size", "50", "--seed", "12"])
    assert result.exit_code == 0, result.output
    assert "Sample 1: 50 of 271 eligible people drawn for Kirklees, wave 2025" in result.output
    assert "17 do not contact" in result.output
    assert "direct_payment | physical" in result.output
    again = runner.invoke(app, [*args, "--size", "50"])
    assert again.exit_code == 1
    assert "sample 1 was already drawn" in again.output
    missing = runner.invoke(
        app, ["sample", "--council", "Leeds", "--wave", "2025", "--size", "5", "--db", str(db)]
    )
    assert missing.exit_code == 1 and "Leeds, wave 2025" in missing.output


def test_cli_sample_status_reads_in_an_80_column_window(tmp_path) -> None:
    """Every figure whole at 80 columns (the strata fold, the numbers do not), and a stratum
    with no figure shows a blank, not pandas' "<NA>"."""
    db = tmp_path / "cli.duckdb"
    _load(tmp_path, "cli.duckdb").close()
    runner = CliRunner()
    drawn = runner.invoke(
        app, ["sample", "--council", "kirklees", "--wave", "2025", "--size", "50", "--db", str(db)]
    )
    assert drawn.exit_code == 0, drawn.output
    status = runner.invoke(
        app,
        ["sample-status", "--council", "Kirklees", "--wave", "2025", "--db", str(db)],
        env={"COLUMNS": "80", "OUTCOMES_ANSWER_CACHE": "off"},
    )
    assert status.exit_code == 0, status.output
    table = status.output.split("Returns by stratum and channel")[1].splitlines()
    assert all(len(line) <= 80 for line in table)
    assert "Margin ±" in table[1] and "<NA>" not in status.output
    totals = next(line for line in table if line.startswith("All strata")).split()
    assert totals[2:5] == ["271", "50", "0"]  # eligible, sampled, online: whole numbers
