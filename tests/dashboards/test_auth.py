"""The password file: scrypt hashes with per-user salts, and checks that really check."""

from __future__ import annotations

import hashlib
import stat
import tomllib

import pytest

from dashboards.auth import add_user, check_credentials, hash_password, load_users, verify_password


def test_hash_is_scrypt_of_the_password_with_its_salt() -> None:
    stored = hash_password("correct horse", salt=bytes(range(16)))
    scheme, n, r, p, salt_hex, digest_hex = stored.split("$")
    expected = hashlib.scrypt(
        b"correct horse", salt=bytes(range(16)), n=int(n), r=int(r), p=int(p), dklen=32
    )
    assert scheme == "scrypt"
    assert bytes.fromhex(salt_hex) == bytes(range(16))
    assert digest_hex == expected.hex()


def test_verify_accepts_only_the_right_password() -> None:
    stored = hash_password("s3cret!")
    assert verify_password("s3cret!", stored)
    assert not verify_password("s3cret", stored)
    assert not verify_password("S3cret!", stored)
    assert not verify_password("s3cret!", "not a hash")
    assert not verify_password("s3cret!", stored.replace("scrypt", "md5", 1))


def test_same_password_gets_a_different_salt_and_hash() -> None:
    assert hash_password("same") != hash_password("same")


def test_add_user_writes_hashes_not_passwords(tmp_path) -> None:
    path = tmp_path / "users.toml"
    add_user(path, "alice", "alice-pass")
    add_user(path, "bob@council.gov.uk", "bob-pass")
    text = path.read_text()
    assert "alice-pass" not in text and "bob-pass" not in text
    parsed = tomllib.loads(text)
    assert set(parsed["users"]) == {"alice", "bob@council.gov.uk"}
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert check_credentials("alice", "alice-pass", path)
    assert check_credentials("bob@council.gov.uk", "bob-pass", path)
    assert not check_credentials("alice", "bob-pass", path)
    assert not check_credentials("carol", "alice-pass", path)


def test_add_user_again_changes_only_that_password(tmp_path) -> None:
    path = tmp_path / "users.toml"
    add_user(path, "alice", "first")
    add_user(path, "bob", "bobs")
    bob_before = load_users(path)["bob"]
    add_user(path, "alice", "second")
    assert not check_credentials("alice", "first", path)
    assert check_credentials("alice", "second", path)
    assert load_users(path)["bob"] == bob_before


@pytest.mark.parametrize("name", ["", "has space", 'quote"', "x" * 65, "new\nline"])
def test_add_user_refuses_names_that_could_break_the_file(tmp_path, name) -> None:
    with pytest.raises(ValueError, match="user name"):
        add_user(tmp_path / "users.toml", name, "pw")


def test_empty_password_is_refused(tmp_path) -> None:
    with pytest.raises(ValueError, match="empty"):
        add_user(tmp_path / "users.toml", "alice", "")


def test_missing_file_means_nobody_can_sign_in(tmp_path) -> None:
    assert load_users(tmp_path / "absent.toml") == {}
    assert not check_credentials("alice", "anything", tmp_path / "absent.toml")
