"""Report test data: the demo database (three councils, two waves) and a small seeded database
with a crafted council name, crafted (approved) comments and one cell that must be suppressed."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from pipeline.moderation import CommentKey, decide
from pipeline.store import read_only_connection
from tests.seeding import new_database, seed_returns

CRAFTED_COUNCIL = '=HYPERLINK("http://x.example")<script>alert(1)</script>'
CRAFTED_COMMENTS = [
    '=HYPERLINK("http://evil.example","click")',
    '<script>alert("comment")</script>',
    "+SUM(1,2)",
    "@cmd",
    "-2+3",
]
SUPPRESSED_QUESTION = "out_paid_job"  # 3 of 41 said better: a count under 5
RETURNS = 41


@pytest.fixture(scope="session")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from pipeline.demo import build_demo

    folder = tmp_path_factory.mktemp("demo")
    path = folder / "demo.duckdb"
    build_demo(path, folder / "files", progress=False)
    return path


def _crafted_returns() -> pd.DataFrame:
    from pipeline.instruments import get_instrument

    rng = np.random.default_rng(7)
    holder = get_instrument("poet-holder")
    frame = pd.DataFrame(
        {
            "council": CRAFTED_COUNCIL,
            "wave": 2025,
            "instrument": "poet-holder",
            "respondent_key": [f"r{i:03d}" for i in range(RETURNS)],
            "management_option": "direct_payment",
        }
    )
    change = ["much_worse", "worse", "same", "better", "much_better"]
    for code in holder.outcome_codes:
        frame[code] = rng.choice(change, size=RETURNS, p=[0.05, 0.1, 0.25, 0.4, 0.2])
    frame[SUPPRESSED_QUESTION] = ["better"] * 3 + ["same"] * (RETURNS - 3)
    ease = ["very_difficult", "difficult", "neither", "easy", "very_easy"]
    for question in holder.section("process"):
        if question.scale is not None and question.scale.name == "ease5":
            frame[question.code] = rng.choice(ease, size=RETURNS)
    return frame


@pytest.fixture(scope="session")
def crafted_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("crafted")
    con = new_database(folder)
    seed_returns(con, _crafted_returns())
    for number, text in enumerate(CRAFTED_COMMENTS):
        con.execute(
            "INSERT INTO comments VALUES (?, 'poet-holder', ?, 2025, 'comment_best', ?, 1)",
            [f"r{number:03d}", CRAFTED_COUNCIL, text],
        )
        # comments reach a report only once approved: approve these so the escaping is tested
        key = CommentKey(f"r{number:03d}", "poet-holder", CRAFTED_COUNCIL, 2025, "comment_best")
        decide(con, key, status="approved", by="test commissioner")
    con.close()
    return folder / "test.duckdb"


@pytest.fixture(scope="session")
def demo_reports(demo_db: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    from pipeline.reports.builder import build_council_report

    con = read_only_connection(demo_db)
    out = tmp_path_factory.mktemp("demo-reports")
    files = build_council_report(con, "Eastbrook", 2025, out)
    con.close()
    return files


@pytest.fixture(scope="session")
def crafted_reports(crafted_db: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    from pipeline.reports.builder import build_council_report

    con = read_only_connection(crafted_db)
    out = tmp_path_factory.mktemp("crafted-reports")
    files = build_council_report(con, CRAFTED_COUNCIL, 2025, out)
    con.close()
    return files
