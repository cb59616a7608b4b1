"""Property: a file the loaders refuse leaves the database file byte-for-byte as it was.

Each example starts from the same database (one survey already loaded, checkpointed and closed),
tries to load a generated file (arbitrary bytes, CSVs with headers drawn from real and near-real
wordings, no outcome questions, no reference column, an unknown council, an implausible wave),
and, when the load is refused, closes the connection and compares the file's SHA-256 with the
original's. Loads that succeed are fine too; the property is about refusals, and enough of the
examples are refusals to mean something (``test_the_examples_include_refusals``).
"""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipeline.ingest import IngestError, load_budget_file, load_survey_file
from pipeline.store import connect
from tests.conftest import FIXTURES
from tests.fixtures import make_fixtures as fx

HEADER_WORDS = [
    "Respondent ID",
    "Client ref no.",
    "Your dignity",
    "Your independence",
    "How easy or difficult was: planning your support",
    "Gender",
    "Collector ID",
    "Start Date",
    "Person ID",
    "Agreed Budget",
    "Start Date",
    "Management Option",
    "Q1",
    "notes",
    "",
]
CELLS = st.sampled_from(
    ["Better", "Worse", "1", "-1", "1.5", "£1.234,50", "01/02/25", "[c]", "", "Male", "x" * 40]
)


@st.composite
def csv_files(draw) -> bytes:
    headers = draw(st.lists(st.sampled_from(HEADER_WORDS), min_size=1, max_size=6))
    rows = draw(st.lists(st.lists(CELLS, min_size=len(headers), max_size=len(headers)), max_size=6))
    lines = [",".join(headers)] + [",".join(row) for row in rows]
    ending = draw(st.sampled_from(["\n", "\r\n", "\r"]))
    encoding = draw(st.sampled_from(["utf-8", "cp1252", "utf-16"]))
    return ending.join(lines).encode(encoding, errors="replace")


FILES = st.one_of(st.binary(max_size=400), csv_files())
TARGETS = st.sampled_from(
    [
        ("survey", "Leeds", 2025),
        ("survey", "Northshire", 2025),  # not in the council register, no --new-council
        ("survey", "Leeds", 25),  # not a survey year
        ("budgets", "Leeds", None),
    ]
)


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def base_db(tmp_path_factory) -> Path:
    """A database holding one load, closed so that its file is complete."""
    path = tmp_path_factory.mktemp("base") / "base.duckdb"
    con = connect(path)
    load_survey_file(
        con, FIXTURES / fx.HOLDER_CP1252, instrument="poet-holder", council="Leeds", wave=2025
    )
    con.execute("CHECKPOINT")
    con.close()
    return path


def try_load(db: Path, content: bytes, target: tuple, folder: Path) -> bool:
    """Load ``content`` as the target says; True if it was refused (and the db was unchanged)."""
    kind, council, wave = target
    upload = folder / "upload.csv"
    upload.write_bytes(content)
    con = connect(db)
    refused = False
    try:
        if kind == "survey":
            load_survey_file(con, upload, instrument="poet-holder", council=council, wave=wave)
        else:
            load_budget_file(con, upload, council=council)
    except IngestError:
        refused = True
    finally:
        con.close()
    return refused


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(content=FILES, target=TARGETS)
def test_a_refused_file_leaves_the_database_byte_for_byte_unchanged(
    base_db, tmp_path, content, target
):
    db = tmp_path / "work.duckdb"
    shutil.copyfile(base_db, db)
    before = sha256(db)
    if try_load(db, content, target, tmp_path):
        assert sha256(db) == before, f"a refused load changed the database ({target})"


def test_the_examples_include_refusals(base_db, tmp_path):
    """Each kind of refusal the property covers really is a refusal, and leaves no trace."""
    cases = [
        (b"\x00\x01\x02garbage", ("survey", "Leeds", 2025)),
        (b"Respondent ID,Gender\nR1,Male\n", ("survey", "Leeds", 2025)),  # no outcome question
        (b"Your dignity,Your independence\nBetter,Worse\n", ("survey", "Leeds", 2025)),  # no id
        ((FIXTURES / fx.HOLDER_UTF8).read_bytes(), ("survey", "Northshire", 2025)),
        ((FIXTURES / fx.HOLDER_UTF8).read_bytes(), ("survey", "Leeds", 25)),
        (b"Notes\nhello\n", ("budgets", "Leeds", None)),
    ]
    for content, target in cases:
        db = tmp_path / "work.duckdb"
        shutil.copyfile(base_db, db)
        before = sha256(db)
        assert try_load(db, content, target, tmp_path), (content[:40], target)
        assert sha256(db) == before, (content[:40], target)
