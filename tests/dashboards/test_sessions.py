"""Sign-ins that last: the signed, expiring session token and the secret that signs it."""

from __future__ import annotations

import stat

import pytest

from dashboards.sessions import (
    COOKIE,
    cookie_script,
    issue_token,
    load_secret,
    read_token,
    token_expiry,
)

SECRET = b"a server secret of enough length"
NOW = 1_800_000_000.0


def test_a_fresh_token_names_its_user_until_it_expires() -> None:
    token = issue_token("alice", SECRET, hours=8, now=NOW)
    assert token_expiry(token) == NOW + 8 * 3600
    assert read_token(token, SECRET, now=NOW) == "alice"
    assert read_token(token, SECRET, now=NOW + 8 * 3600 - 1) == "alice"


def test_an_expired_token_is_refused() -> None:
    token = issue_token("alice", SECRET, hours=8, now=NOW)
    assert read_token(token, SECRET, now=NOW + 8 * 3600) is None


def test_a_tampered_token_is_refused() -> None:
    token = issue_token("alice", SECRET, hours=1, now=NOW)
    version, name, expires, signature = token.split(".")
    other_name = issue_token("mallory", SECRET, hours=1, now=NOW).split(".")[1]
    later = str(int(expires) + 10 * 24 * 3600)
    for forged in (
        f"{version}.{other_name}.{expires}.{signature}",  # someone else's name
        f"{version}.{name}.{later}.{signature}",  # a longer life
        f"{version}.{name}.{expires}.{'0' * len(signature)}",  # a made-up signature
        f"v0.{name}.{expires}.{signature}",  # another format
        "not a token",
        "",
        None,
    ):
        assert read_token(forged, SECRET, now=NOW) is None, forged


def test_a_token_from_another_server_is_refused() -> None:
    token = issue_token("alice", SECRET, hours=1, now=NOW)
    assert read_token(token, b"another server's secret, also long", now=NOW) is None


def test_hours_come_from_the_environment_with_a_safe_default(monkeypatch) -> None:
    monkeypatch.setenv("OUTCOMES_SESSION_HOURS", "2")
    assert token_expiry(issue_token("alice", SECRET, now=NOW)) == NOW + 2 * 3600
    for nonsense in ("soon", "-1", "0"):
        monkeypatch.setenv("OUTCOMES_SESSION_HOURS", nonsense)
        assert token_expiry(issue_token("alice", SECRET, now=NOW)) == NOW + 8 * 3600


def test_the_secret_file_is_made_once_private_and_apart_from_the_pseudonym_key(
    tmp_path, monkeypatch
) -> None:
    monkeypatch.delenv("OUTCOMES_SESSION_SECRET", raising=False)
    path = tmp_path / "config" / "session.key"
    secret = load_secret(path)
    assert len(secret) == 64 and load_secret(path) == secret
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    monkeypatch.setenv("OUTCOMES_KEY_FILE", str(path))
    with pytest.raises(ValueError, match="must not be the pseudonymisation key"):
        load_secret(path)


def test_the_secret_can_come_from_the_environment(monkeypatch) -> None:
    monkeypatch.setenv("OUTCOMES_SESSION_SECRET", "x" * 32)
    assert load_secret() == b"x" * 32
    monkeypatch.setenv("OUTCOMES_SESSION_SECRET", "short")
    with pytest.raises(ValueError, match="at least 16"):
        load_secret()


def test_the_cookie_script_sets_and_clears_a_strict_cookie() -> None:
    token = issue_token("alice", SECRET, hours=8, now=NOW)
    script = cookie_script(token, now=NOW)
    assert f"{COOKIE}={token}; Max-Age=28800; Path=/; SameSite=Strict" in script
    assert "'; Secure'" in script
    assert f"{COOKIE}=; Max-Age=0;" in cookie_script(None)
