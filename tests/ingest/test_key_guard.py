"""The database remembers its key's fingerprint, and a load with any other key is refused.

Real fixture files go through the real loaders; each test has its own key file (never the
session's) so that a key can go missing or change.
"""

from __future__ import annotations

import secrets

import duckdb
import pytest

from pipeline.ingest import IngestError, load_budget_file, load_survey_file
from pipeline.ingest.key_guard import check_key_for_load
from pipeline.ingest.pseudonymise import KEY_ENV, key_fingerprint
from pipeline.store import connect
from tests.conftest import FIXTURES
from tests.fixtures import make_fixtures as fx

COUNTED = ("loads", "respondents", "answer_values", "comments", "budgets", "quarantine")


@pytest.fixture
def key_file(tmp_path, monkeypatch):
    """A key file path of this test's own, not yet created."""
    path = tmp_path / "config" / "pseudonym.key"
    monkeypatch.setenv("OUTCOMES_KEY_FILE", str(path))
    monkeypatch.delenv(KEY_ENV, raising=False)
    return path


@pytest.fixture
def con(tmp_path):
    connection = connect(tmp_path / "outcomes.duckdb")
    yield connection
    connection.close()


def load_budgets(con: duckdb.DuckDBPyConnection):
    return load_budget_file(con, FIXTURES / fx.BUDGETS, council="Northshire", new_council=True)


def load_holder(con: duckdb.DuckDBPyConnection):
    return load_survey_file(
        con,
        FIXTURES / fx.HOLDER_CP1252,
        instrument="poet-holder",
        council="Northshire",
        wave=2025,
        new_council=True,
    )


def counts(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    tables = {
        table: con.execute(f"SELECT count(*) FROM {table}").fetchall()[0][0] for table in COUNTED
    }
    return {
        **tables,
        "pseudonym_key": con.execute("SELECT count(*) FROM pseudonym_key").fetchall()[0][0],
    }


def fingerprints(con: duckdb.DuckDBPyConnection) -> list[str]:
    return [row[0] for row in con.execute("SELECT fingerprint FROM pseudonym_key").fetchall()]


def test_the_first_load_creates_a_key_and_records_its_fingerprint_never_the_key(con, key_file):
    result = load_budgets(con)
    assert key_file.exists()
    key = key_file.read_text().strip()
    assert fingerprints(con) == [key_fingerprint(key.encode())]
    assert f"created a new pseudonym key at {key_file}" in result.message
    assert "back it up" in result.message
    # the key itself is nowhere in the database
    tables = [r[0] for r in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()]
    for table in tables:
        assert key not in repr(con.execute(f"SELECT * FROM {table}").fetchall()), table
    second = load_holder(con)  # the same key: accepted, nothing more to say
    assert second.status == "loaded" and "pseudonym key" not in second.message
    assert fingerprints(con) == [key_fingerprint(key.encode())]


def test_a_load_with_an_existing_key_file_records_it_without_creating_one(con, key_file):
    key_file.parent.mkdir()
    key_file.write_text(secrets.token_hex(32))
    result = load_holder(con)
    assert "created" not in result.message
    assert fingerprints(con) == [key_fingerprint(key_file.read_text().encode())]


def test_a_different_key_is_refused_and_the_database_is_unchanged(con, key_file, monkeypatch):
    load_holder(con)
    before = counts(con)
    monkeypatch.setenv(KEY_ENV, secrets.token_hex(32))
    another_survey = lambda c: load_survey_file(  # noqa: E731
        c,
        FIXTURES / fx.HOLDER_XLSX,
        instrument="poet-holder",
        council="Northshire",
        wave=2025,
        new_council=True,
    )
    for load in (load_budgets, another_survey):
        with pytest.raises(IngestError) as error:
            load(con)
        message = str(error.value)
        assert (
            f"the pseudonym key from ${KEY_ENV} is not the one this database was built" in message
        )
        assert "repeat returns would count twice" in message
        assert "link to no budget record" in message
        assert str(key_file) in message and "outcomes key check" in message
        assert counts(con) == before
    monkeypatch.delenv(KEY_ENV)  # the original key again: the load goes ahead
    assert load_budgets(con).status == "loaded"


def test_a_missing_key_file_with_a_fingerprinted_database_is_refused_and_not_made(con, key_file):
    load_budgets(con)
    key_file.rename(key_file.with_suffix(".backup"))
    before = counts(con)
    with pytest.raises(IngestError) as error:
        load_holder(con)
    message = str(error.value)
    assert f"{key_file} does not exist" in message and "A new key is not made" in message
    assert "repeat returns would count twice" in message
    assert not key_file.exists()
    assert counts(con) == before


def test_a_database_from_before_fingerprints_records_the_key_and_says_so(con, key_file):
    load_budgets(con)
    con.execute("DELETE FROM pseudonym_key")  # as a database built before migration 003 is
    result = load_holder(con)
    assert "already held 40 pseudonymised records from before key fingerprints" in result.message
    assert fingerprints(con) == [key_fingerprint(key_file.read_text().encode())]


def test_a_database_from_before_fingerprints_never_gets_a_new_key(con, key_file):
    load_budgets(con)
    con.execute("DELETE FROM pseudonym_key")
    key_file.unlink()
    before = counts(con)
    with pytest.raises(IngestError, match="already holds 40 pseudonymised records"):
        load_holder(con)
    assert not key_file.exists() and counts(con) == before


def test_a_weak_key_is_refused_before_anything_is_written(con, key_file, monkeypatch):
    monkeypatch.setenv(KEY_ENV, "x")
    with pytest.raises(IngestError, match="too weak"):
        load_holder(con)
    assert counts(con) == dict.fromkeys(counts(con), 0)


def test_a_weak_key_is_called_weak_even_where_another_key_built_the_database(
    con, key_file, monkeypatch
):
    load_budgets(con)
    before = counts(con)
    monkeypatch.setenv(KEY_ENV, "short")
    with pytest.raises(IngestError, match="too weak") as refused:
        load_holder(con)
    assert "load every file again" not in str(refused.value)
    assert counts(con) == before


def test_a_weak_key_the_database_was_built_with_is_refused_with_the_way_out(con, key_file):
    weak = "password"
    con.execute(
        "INSERT INTO pseudonym_key (fingerprint) VALUES (?)", [key_fingerprint(weak.encode())]
    )
    key_file.parent.mkdir()
    key_file.write_text(weak)
    with pytest.raises(IngestError, match="load every file again into a new database"):
        check_key_for_load(con)


def test_two_databases_built_with_the_same_key_give_the_same_pseudonyms(tmp_path, key_file):
    keys = []
    for name in ("one", "two"):
        connection = connect(tmp_path / f"{name}.duckdb")
        load_budgets(connection)
        keys.append(connection.execute("SELECT person_key FROM budgets ORDER BY 1").fetchall())
        connection.close()
    assert keys[0] == keys[1]
