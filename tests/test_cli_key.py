"""`outcomes key check` and `outcomes key create` as a person uses them before and after a load."""

from __future__ import annotations

import secrets
import stat

import pytest
from typer.testing import CliRunner

from pipeline.cli import app
from pipeline.ingest.pseudonymise import KEY_ENV
from tests.conftest import FIXTURES
from tests.fixtures import make_fixtures as fx

runner = CliRunner()


@pytest.fixture
def key_file(tmp_path, monkeypatch):
    """A key file path of this test's own, not yet created."""
    path = tmp_path / "config" / "pseudonym.key"
    monkeypatch.setenv("OUTCOMES_KEY_FILE", str(path))
    monkeypatch.delenv(KEY_ENV, raising=False)
    return path


def invoke(*args: str, env: dict | None = None):
    # wide, so that paths and messages are not wrapped mid-word
    return runner.invoke(app, list(args), env={"COLUMNS": "400", **(env or {})})


def load_budgets(db: str):
    result = invoke(
        "ingest", "budgets", str(FIXTURES / fx.BUDGETS), "--council", "Leeds", "--db", db
    )
    assert result.exit_code == 0, result.output
    return result


def test_create_writes_a_private_key_and_never_replaces_it(key_file):
    result = invoke("key", "create")
    assert result.exit_code == 0, result.output
    assert f"created a new pseudonym key at {key_file}" in result.output
    assert "Back it up" in result.output
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    key = key_file.read_text()
    again = invoke("key", "create")
    assert again.exit_code == 1 and "already there" in again.output
    assert key_file.read_text() == key


def test_check_with_a_new_database(key_file, tmp_path):
    db = str(tmp_path / "new.duckdb")
    missing = invoke("key", "check", "--db", db)
    assert missing.exit_code == 1  # no key at all is worth a non-zero exit, even here
    assert f"no key: {key_file} does not exist" in missing.output
    assert "the first load creates a key" in missing.output
    invoke("key", "create")
    ready = invoke("key", "check", "--db", db)
    assert ready.exit_code == 0, ready.output
    assert f"key from the key file {key_file}" in ready.output
    assert "strong enough" in ready.output
    assert "no database at" in ready.output and "first load records" in ready.output


def test_check_says_match_after_a_load_and_mismatch_with_another_key(key_file, tmp_path):
    db = str(tmp_path / "built.duckdb")
    first = load_budgets(db)
    assert f"created a new pseudonym key at {key_file}" in first.output
    match = invoke("key", "check", "--db", db)
    assert match.exit_code == 0, match.output
    assert "matches the key" in match.output and "built.duckdb was built with" in match.output

    other = invoke("key", "check", "--db", db, env={KEY_ENV: secrets.token_hex(32)})
    assert other.exit_code == 1
    assert f"key from ${KEY_ENV}" in other.output
    assert "is not the one" in other.output and "repeat returns would count twice" in other.output

    refused = runner.invoke(
        app,
        ["ingest", "surveys", str(FIXTURES / fx.HOLDER_CP1252), "-i", "poet-holder"]
        + ["-c", "Leeds", "-w", "2025", "--db", db],
        env={KEY_ENV: secrets.token_hex(32), "COLUMNS": "400"},
    )
    assert refused.exit_code == 1 and "is not the one this database was built with" in (
        refused.output
    )


def test_check_with_the_key_file_gone_or_weak(key_file, tmp_path):
    db = str(tmp_path / "built.duckdb")
    load_budgets(db)
    key_file.unlink()
    gone = invoke("key", "check", "--db", db)
    assert gone.exit_code == 1
    assert "A new key is not made for it" in gone.output and "restore the original" in gone.output
    assert not key_file.exists()  # checking never creates a key
    weak = invoke("key", "check", "--db", db, env={KEY_ENV: "password"})
    assert weak.exit_code == 1
    assert "too weak: it is 8 bytes long" in weak.output and "outcomes key create" in weak.output


def test_check_escapes_a_path_that_looks_like_markup(tmp_path, monkeypatch):
    path = tmp_path / "[red]" / "pseudonym.key"
    monkeypatch.setenv("OUTCOMES_KEY_FILE", str(path))
    monkeypatch.delenv(KEY_ENV, raising=False)
    result = invoke("key", "check", "--db", str(tmp_path / "x.duckdb"))
    assert str(path) in result.output


def test_help_lists_the_key_commands():
    result = invoke("--help")
    assert "key" in result.output
    result = invoke("key", "--help")
    assert "check" in result.output and "create" in result.output
