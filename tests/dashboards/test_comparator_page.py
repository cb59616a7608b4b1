"""The Compare councils page's "My comparator group": the loaded comparator file's members."""

from __future__ import annotations

import pandas as pd

from dashboards.views.outcomes import domain_choices
from pipeline.ingest.peer_files import load_peer_file
from tests.conftest import FIXTURES
from tests.dashboards.test_pages import _walk, frame, open_page
from tests.seeding import new_database, seed_returns

CODES = FIXTURES / "peers" / "nhs_nearest_neighbours_codes.csv"  # Darlington's three neighbours


def _returns(council: str, good: int, other: int) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "respondent_key": [f"{council}-{i}" for i in range(good + other)],
            "council": council,
            "wave": 2024,
            "instrument": "poet-holder",
            "out_dignity": ["better"] * good + ["same"] * other,
        }
    )


def test_my_comparator_group_compares_its_loaded_members(tmp_path, monkeypatch) -> None:
    con = new_database(tmp_path)
    # Stockton-on-Tees is in the group with no returns; Hartlepool is loaded but not in it
    for council, good, other in (("Darlington", 70, 30), ("Middlesbrough", 50, 30),
                                 ("Redcar and Cleveland", 45, 35), ("Hartlepool", 10, 90)):  # fmt: skip
        seed_returns(con, _returns(council, good, other))
    load_peer_file(con, CODES)
    con.close()
    query = {"council": "Darlington", "wave": "2024", "instrument": "poet-holder",
             "domain": "out_dignity", "group": "comparator"}  # fmt: skip
    at = open_page(tmp_path / "test.duckdb", monkeypatch, "7_Compare_councils.py", query=query)
    title = f"{domain_choices('poet-holder')['out_dignity']}: funnel plot, wave 2024"
    shown = frame(at, title)
    assert set(shown["council"]) == {"Darlington", "Middlesbrough", "Redcar and Cleveland"}
    texts = " ".join(str(getattr(node, "value", "")) for node in _walk(at.main))
    assert "Of 3 councils in the comparator group of Darlington, 2 have survey returns" in texts
