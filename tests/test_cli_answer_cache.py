"""A read-only command's answer is kept until the database or the program changes (D80).

The commands are run as a person runs them (in-process through Typer, and as whole processes),
on a database the loader wrote; each test changes the data the way a council would and checks
the next answer is the new one.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import duckdb
import pandas as pd
import pytest
from typer.testing import CliRunner

import pipeline.analysis
from pipeline.cli import app
from pipeline.store import connect
from pipeline.store.kept_answers import answers_folder
from tests.seeding import new_database, seed_returns

runner = CliRunner()
COMPARE = ["compare", "-c", "A", "-w", "2024", "-f", "json"]


def _returns(wave: int, good: int, other: int, first: int = 0) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "respondent_key": [f"A-{wave}-{i}" for i in range(first, first + good + other)],
            "council": "A",
            "wave": wave,
            "instrument": "poet-holder",
            "out_dignity": ["better"] * good + ["same"] * other,
        }
    )


@pytest.fixture
def db(tmp_path):
    con = new_database(tmp_path)
    for wave, good in ((2023, 60), (2024, 75)):
        seed_returns(con, _returns(wave, good, 100 - good))
    con.close()
    return tmp_path / "test.duckdb"


def _dignity_count(db, *extra: str, env: dict | None = None) -> int:
    result = runner.invoke(app, [*COMPARE, "--db", str(db), *extra], env=env)
    assert result.exit_code == 0, result.output
    return {r["question_code"]: r for r in json.loads(result.stdout)}["out_dignity"]["count"]


def _kept(db) -> list[str]:
    folder = answers_folder(db)
    return sorted(p.name for p in folder.glob("*.json")) if folder.is_dir() else []


def test_a_repeat_prints_the_kept_answer_without_asking_the_analysis(db, monkeypatch):
    first = runner.invoke(app, [*COMPARE, "--db", str(db)])
    assert first.exit_code == 0, first.output
    assert [name.split("-")[0] for name in _kept(db)] == ["compare"]

    def no_analysis(*args, **kwargs):
        raise AssertionError("the analysis ran again on unchanged data")

    monkeypatch.setattr(pipeline.analysis, "results", no_analysis)
    again = runner.invoke(app, [*COMPARE, "--db", str(db)])
    assert again.exit_code == 0, again.output
    assert again.stdout == first.stdout
    # other options are another question, answered afresh
    other = runner.invoke(app, ["compare", "-c", "A", "-w", "2023", "-f", "json", "--db", str(db)])
    assert other.exit_code == 1 and "the analysis ran again" in str(other.exception)


def test_a_load_drops_the_kept_answers_and_the_next_answer_is_new(db):
    assert _dignity_count(db) == 75
    assert _kept(db)
    con = connect(db)  # what every load opens
    assert _kept(db) == []
    seed_returns(con, _returns(2024, 20, 0, first=100))
    con.close()
    assert _dignity_count(db) == 95


def test_a_write_by_another_program_makes_the_kept_answer_stale(db):
    assert _dignity_count(db) == 75
    con = duckdb.connect(str(db))  # not through our store: nothing forgets the answers
    con.execute(
        "DELETE FROM answer_values WHERE return_id IN "
        "(SELECT return_id FROM respondents WHERE wave = 2024 AND respondent_key = 'A-2024-0')"
    )
    con.close()
    assert _dignity_count(db) == 74


def test_unsuppressed_and_failed_answers_are_never_kept_and_the_cache_can_be_off(db):
    assert _dignity_count(db, "--unsuppressed") == 75
    missing = runner.invoke(app, ["compare", "-c", "B", "-w", "2024", "--db", str(db)])
    assert missing.exit_code == 1
    assert _dignity_count(db, env={"OUTCOMES_ANSWER_CACHE": "off"}) == 75
    assert _kept(db) == []


def test_a_kept_answer_is_printed_without_importing_pandas(db):
    """What makes the repeat fast: the process that prints a kept answer never imports the
    analysis libraries."""
    probe = (
        "import sys\n"
        "from pipeline.cli import app\n"
        f"sys.argv = ['outcomes', *{COMPARE!r}, '--db', {str(db)!r}]\n"
        "try:\n    app()\nexcept SystemExit:\n    pass\n"
        "sys.stderr.write('pandas imported: %s' % ('pandas' in sys.modules))\n"
    )
    env = {**os.environ, "COLUMNS": "120"}
    runs = [
        subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, env=env)
        for _ in range(2)
    ]
    assert runs[0].returncode == 0 and runs[1].returncode == 0, runs[0].stderr
    assert "pandas imported: True" in runs[0].stderr
    assert "pandas imported: False" in runs[1].stderr
    assert runs[1].stdout == runs[0].stdout and '"out_dignity"' in runs[1].stdout
