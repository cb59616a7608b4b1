"""Pseudonyms are HMAC-SHA-256 over council and id, with the key kept outside the database."""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
import stat

import pytest

from pipeline.ingest.pseudonymise import (
    KEY_ENV,
    Pseudonymiser,
    PseudonymKeyError,
    create_key_file,
    key_fingerprint,
    pseudonym_key,
    read_pseudonym_key,
)

STRONG = "0123456789abcdef" * 4  # 64 hex digits, all 16 used: strong enough by the rule


def test_key_file_is_created_private_and_reused_only_when_asked(tmp_path, monkeypatch):
    monkeypatch.delenv(KEY_ENV, raising=False)
    path = tmp_path / "conf" / "pseudonym.key"
    first = read_pseudonym_key(path, create=True)
    assert first.created and first.path == path
    assert path.exists() and len(first.secret) == 64
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    again = read_pseudonym_key(path, create=True)
    assert again.secret == first.secret and not again.created
    assert pseudonym_key(path) == first.secret


def test_a_missing_key_file_is_an_error_naming_it_and_not_created(tmp_path, monkeypatch):
    monkeypatch.delenv(KEY_ENV, raising=False)
    path = tmp_path / "pseudonym.key"
    with pytest.raises(PseudonymKeyError, match="does not exist") as error:
        pseudonym_key(path)
    assert str(path) in str(error.value) and "outcomes key create" in str(error.value)
    assert not path.exists()


def test_create_key_file_never_replaces_a_key(tmp_path):
    path = create_key_file(tmp_path / "pseudonym.key")
    before = path.read_text()
    with pytest.raises(PseudonymKeyError, match="already there"):
        create_key_file(path)
    assert path.read_text() == before


def test_environment_key_overrides_the_file(tmp_path, monkeypatch):
    monkeypatch.setenv(KEY_ENV, STRONG)
    key = read_pseudonym_key(tmp_path / "unused.key", create=True)
    assert key.secret == STRONG.encode() and key.source == f"${KEY_ENV}" and key.path is None
    assert not (tmp_path / "unused.key").exists()


@pytest.mark.parametrize(
    ("weak", "why"),
    [
        ("", "empty"),
        ("x", "1 byte long"),
        ("password", "8 bytes long"),
        (secrets.token_urlsafe(32)[:31], "31 bytes long"),
        ("a" * 100, "only 1 different"),
        ("password" * 8, "only 7 different"),
        (secrets.token_hex(31), "62 hex digits (31 bytes)"),  # 31 random bytes, as hex
        ("0" * 64, "only 1 different digits"),
        ("12" * 40, "only 2 different digits"),
    ],
)
def test_weak_keys_are_refused_naming_source_length_and_fix(weak, why, tmp_path, monkeypatch):
    monkeypatch.setenv(KEY_ENV, weak)
    with pytest.raises(PseudonymKeyError) as error:
        pseudonym_key()
    message = str(error.value)
    assert why in message and f"${KEY_ENV}" in message and "too weak" in message
    assert "outcomes key create" in message and "secrets.token_hex(32)" in message
    monkeypatch.delenv(KEY_ENV)
    path = tmp_path / "pseudonym.key"
    path.write_text(weak + "\n", encoding="utf-8")
    with pytest.raises(PseudonymKeyError, match="too weak") as error:
        pseudonym_key(path)
    assert str(path) in str(error.value)


@pytest.mark.parametrize(
    "strong",
    [
        STRONG,
        secrets.token_hex(32),
        secrets.token_hex(64),
        secrets.token_urlsafe(32),
        "Tr0ub4dor&3 correct horse battery staple!",
    ],
)
def test_strong_keys_are_accepted(strong, monkeypatch):
    monkeypatch.setenv(KEY_ENV, strong)
    assert pseudonym_key() == strong.encode()


def test_fingerprint_is_domain_separated_and_not_the_key():
    fingerprint = key_fingerprint(STRONG.encode())
    assert (
        fingerprint
        == hmac.new(STRONG.encode(), b"sds-outcomes key fingerprint v1", hashlib.sha256).hexdigest()
    )
    assert STRONG not in fingerprint and len(fingerprint) == 64
    assert key_fingerprint(secrets.token_hex(32).encode()) != fingerprint
    # not any pseudonym either: the label is no council + separator + id
    assert fingerprint not in {Pseudonymiser(STRONG.encode()).key_for("c", "1")}


def test_matches_the_standard_library_hmac():
    pseudonymiser = Pseudonymiser(b"k" * 10)
    expected = hmac.new(b"k" * 10, b"northshire\x1fAB123", hashlib.sha256).hexdigest()
    assert pseudonymiser.key_for("Northshire", " ab123 ") == expected
    long_key = b"x" * 100  # keys longer than the block are hashed first, as RFC 2104 says
    assert (
        Pseudonymiser(long_key).key_for("c", "1")
        == hmac.new(long_key, b"c\x1f1", hashlib.sha256).hexdigest()
    )


def test_council_scoped_and_spreadsheet_floats_folded():
    pseudonymiser = Pseudonymiser(b"secret")
    assert pseudonymiser.key_for("Northshire", "1234") != pseudonymiser.key_for("Eastbrook", "1234")
    assert pseudonymiser.key_for("Northshire", "1234.0") == pseudonymiser.key_for(
        "northshire", "1234"
    )
