"""Pseudonyms are HMAC-SHA-256 over council and id, with the key kept outside the database."""

from __future__ import annotations

import hashlib
import hmac
import os
import stat

from pipeline.ingest.pseudonymise import Pseudonymiser, pseudonym_key


def test_key_file_is_created_private_and_reused(tmp_path, monkeypatch):
    monkeypatch.delenv("OUTCOMES_PSEUDONYM_KEY", raising=False)
    path = tmp_path / "conf" / "pseudonym.key"
    first = pseudonym_key(path)
    assert path.exists() and len(first) == 64
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert pseudonym_key(path) == first


def test_environment_key_overrides_the_file(tmp_path, monkeypatch):
    monkeypatch.setenv("OUTCOMES_PSEUDONYM_KEY", "from-env")
    assert pseudonym_key(tmp_path / "unused.key") == b"from-env"
    assert not (tmp_path / "unused.key").exists()


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
