"""Sign-ins that last: a signed, expiring token in a cookie, so refresh, new tabs and bookmarks
keep a commissioner signed in for ``OUTCOMES_SESSION_HOURS`` (default 8).

A Streamlit session ends with its browser tab, and ``st.login`` needs an OpenID Connect
provider, so after a password sign-in the dashboard writes a cookie holding
``v1.<name>.<expiry>.<signature>``: the signature is an HMAC-SHA256 of the name and expiry with
a server secret kept outside the database (:func:`pipeline.config.session_secret_path`, never
the pseudonym key). Any change to the name or expiry, a token from another server, or one past
its expiry is refused. The token is never put in the URL, because links and bookmarks get shared.

Trade-off: Streamlit offers no server-side ``Set-Cookie``, so the cookie is written by a line
of JavaScript in the page (``st.html``) and cannot be ``HttpOnly``; it is ``SameSite=Strict``
(and ``Secure`` over HTTPS). A script injected into the page could read it; the dashboard
renders no user-supplied HTML. Signing out deletes the cookie in that browser; a copied token
stays valid until it expires (rotate the secret file to end every sign-in at once).

The token functions are plain Python (tested without Streamlit); :func:`cookie_script` is the
only browser-facing part.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import secrets
import time
from pathlib import Path

from pipeline.config import key_file_path, session_hours, session_secret_path

COOKIE = "sds_outcomes_session"
_VERSION = "v1"


def load_secret(path: Path | None = None) -> bytes:
    """The signing secret: ``OUTCOMES_SESSION_SECRET``, else the secret file (made on first use).

    The file is created with 32 random bytes and mode 0600, like the pseudonym key, but is a
    different file: rotating one never touches the other.
    """
    from_environment = os.environ.get("OUTCOMES_SESSION_SECRET")
    if from_environment and path is None:
        if len(from_environment) < 16:
            raise ValueError("OUTCOMES_SESSION_SECRET must be at least 16 characters")
        return from_environment.encode("utf-8")
    path = path or session_secret_path()
    if path.resolve() == key_file_path().resolve():
        raise ValueError(f"{path}: the session secret must not be the pseudonymisation key")
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        try:
            descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:  # another dashboard process made it first
            pass
        else:
            with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
                handle.write(secrets.token_hex(32))
    return path.read_text(encoding="utf-8").strip().encode("utf-8")


def _encode(name: str) -> str:
    return base64.urlsafe_b64encode(name.encode("utf-8")).decode("ascii").rstrip("=")


def _decode(text: str) -> str:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)).decode("utf-8")


def _signature(secret: bytes, payload: str) -> str:
    return hmac.new(secret, payload.encode("ascii"), hashlib.sha256).hexdigest()


def issue_token(
    name: str, secret: bytes, *, hours: float | None = None, now: float | None = None
) -> str:
    """A token saying ``name`` signed in, valid for ``hours`` (default: the configured hours)."""
    expires = int((now if now is not None else time.time()) + 3600 * (hours or session_hours()))
    payload = f"{_VERSION}.{_encode(name)}.{expires}"
    return f"{payload}.{_signature(secret, payload)}"


def read_token(token: str | None, secret: bytes, *, now: float | None = None) -> str | None:
    """The signed-in name if ``token`` is genuine (signed with ``secret``) and unexpired, else None."""
    if not token:
        return None
    try:
        version, encoded, expires, signature = token.split(".")
        payload = f"{version}.{encoded}.{expires}"
        if version != _VERSION or not hmac.compare_digest(signature, _signature(secret, payload)):
            return None
        if int(expires) <= (now if now is not None else time.time()):
            return None
        return _decode(encoded)
    except (ValueError, UnicodeError):
        return None


def token_expiry(token: str) -> int:
    """When a token made by :func:`issue_token` expires (seconds since the epoch)."""
    return int(token.split(".")[2])


def cookie_script(token: str | None, *, now: float | None = None) -> str:
    """A script that stores ``token`` in the session cookie, or deletes the cookie when None."""
    if token is None:
        value, max_age = "", 0
    else:
        value = token
        max_age = max(0, token_expiry(token) - int(now if now is not None else time.time()))
    cookie = json.dumps(f"{COOKIE}={value}; Max-Age={max_age}; Path=/; SameSite=Strict")
    return (
        "<script>"
        f"document.cookie = {cookie} + (location.protocol === 'https:' ? '; Secure' : '');"
        "</script>"
    )
