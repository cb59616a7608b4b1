"""Who is looking: commissioners (signed in) or the public (everyone else).

Commissioners sign in with a name and password kept in a small TOML file of scrypt hashes
(``dashboards/users.toml`` by default, or the path in ``OUTCOMES_USERS_FILE``), or through the
identity provider when Streamlit's OpenID Connect login is configured in ``secrets.toml``.
The password file never holds a password: each entry is ``scrypt$n$r$p$salt$hash`` with its own
random salt, so two users with the same password get different entries.

A password sign-in lasts beyond the browser tab through a signed, expiring cookie
(:mod:`dashboards.sessions`): refresh, a new tab or a bookmark keeps the commissioner signed in
for ``OUTCOMES_SESSION_HOURS`` (default 8) or until they sign out.

The functions that touch files are plain Python (the ``outcomes dashboard-user add`` command and
the tests call them); only :func:`current_role` and :func:`sign_in_panel` need Streamlit.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import re
import secrets
import tomllib
from pathlib import Path

COMMISSIONER = "commissioner"
PUBLIC = "public"

# scrypt cost: 2**14 iterations and 8 MiB of memory, the interactive-login figure that keeps
# a sign-in under a tenth of a second while making offline guessing expensive.
_SCRYPT_N = 2**14
_SCRYPT_R = 8
_SCRYPT_P = 1
_NAME = re.compile(r"^[A-Za-z0-9_.@-]{1,64}$")


def users_file() -> Path:
    """The password file in use: ``OUTCOMES_USERS_FILE`` or ``dashboards/users.toml``."""
    default = Path(__file__).resolve().parent / "users.toml"
    return Path(os.environ.get("OUTCOMES_USERS_FILE", default))


def hash_password(password: str, *, salt: bytes | None = None) -> str:
    """A self-describing scrypt hash of ``password`` with a fresh 16-byte salt."""
    if not password:
        raise ValueError("a password cannot be empty")
    salt = salt if salt is not None else secrets.token_bytes(16)
    digest = hashlib.scrypt(
        password.encode("utf-8"), salt=salt, n=_SCRYPT_N, r=_SCRYPT_R, p=_SCRYPT_P, dklen=32
    )
    return f"scrypt${_SCRYPT_N}${_SCRYPT_R}${_SCRYPT_P}${salt.hex()}${digest.hex()}"


def verify_password(password: str, stored: str) -> bool:
    """True when ``password`` matches a hash made by :func:`hash_password` (constant time)."""
    try:
        scheme, n, r, p, salt_hex, digest_hex = stored.split("$")
        if scheme != "scrypt":
            return False
        digest = hashlib.scrypt(
            password.encode("utf-8"),
            salt=bytes.fromhex(salt_hex),
            n=int(n),
            r=int(r),
            p=int(p),
            dklen=len(digest_hex) // 2,
        )
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(digest.hex(), digest_hex)


def load_users(path: Path | None = None) -> dict[str, str]:
    """Name -> stored hash from the password file; an absent file means no users."""
    path = path or users_file()
    if not path.exists():
        return {}
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    users = data.get("users", {})
    return {str(name): str(entry["hash"]) for name, entry in users.items() if "hash" in entry}


def add_user(path: Path | str, name: str, password: str) -> None:
    """Add ``name`` to the password file, or replace their password if they are already there."""
    path = Path(path)
    if not _NAME.match(name):
        raise ValueError(
            f"user name {name!r}: use 1-64 letters, digits or the characters _ . @ - only"
        )
    users = load_users(path)
    users[name] = hash_password(password)
    lines = [
        "# Dashboard commissioners: scrypt hashes, never passwords.",
        "# Add or change a user with: outcomes dashboard-user add NAME",
        "",
    ]
    for user, stored in sorted(users.items()):
        lines += [f'[users."{user}"]', f'hash = "{stored}"', ""]
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(path.suffix + ".tmp")
    temporary.write_text("\n".join(lines), encoding="utf-8")
    os.chmod(temporary, 0o600)
    temporary.replace(path)


def check_credentials(name: str, password: str, path: Path | None = None) -> bool:
    """True when ``name`` is in the password file and ``password`` is theirs."""
    stored = load_users(path).get(name)
    if stored is None:
        # Spend the same time as a real check so the response does not reveal which names exist.
        verify_password(password, hash_password("not-a-user", salt=b"\0" * 16))
        return False
    return verify_password(password, stored)


def _identity_provider_configured() -> bool:
    import streamlit as st

    try:
        return "auth" in st.secrets
    except Exception:  # no secrets.toml at all
        return False


def _remembered_user() -> str | None:
    """The commissioner named by a genuine, unexpired session cookie who is still a user."""
    import streamlit as st

    from dashboards import sessions

    if st.session_state.get("signed_out"):  # the browser keeps sending the cookie until reload
        return None
    try:
        token = st.context.cookies.get(sessions.COOKIE)
    except Exception:  # no browser request behind this session (tests, bare mode)
        return None
    if not token:
        return None
    try:
        name = sessions.read_token(token, sessions.load_secret())
    except (OSError, ValueError):
        return None
    if name is None or name not in load_users():  # a removed user's cookie no longer works
        return None
    st.session_state["session_token"] = token  # so the sidebar can say until when
    return name


def current_user() -> str | None:
    """The signed-in commissioner's name (password file or identity provider), or None."""
    import streamlit as st

    name = st.session_state.get("signed_in_user")
    if name:
        return str(name)
    remembered = _remembered_user()
    if remembered:
        st.session_state["signed_in_user"] = remembered
        return remembered
    if _identity_provider_configured() and st.user.is_logged_in:
        return str(st.user.get("email") or st.user.get("name") or "commissioner")
    return None


def current_role() -> str:
    """``commissioner`` when signed in, else ``public``."""
    return COMMISSIONER if current_user() else PUBLIC


def _start_session(name: str) -> None:
    """Sign ``name`` in for this tab, and issue the cookie that keeps them signed in elsewhere."""
    import streamlit as st

    from dashboards import sessions

    st.session_state["signed_in_user"] = name
    st.session_state.pop("signed_out", None)
    try:
        st.session_state["session_token"] = sessions.issue_token(name, sessions.load_secret())
    except (OSError, ValueError) as error:
        st.session_state.pop("session_token", None)
        st.session_state["session_problem"] = f"Signed in for this tab only: {error}"


def _end_session() -> None:
    import streamlit as st

    st.session_state.pop("signed_in_user", None)
    st.session_state.pop("session_token", None)
    st.session_state.pop("session_problem", None)
    st.session_state["signed_out"] = True


def sign_in_panel() -> None:
    """Sidebar sign-in / sign-out controls, and the cookie that carries the sign-in."""
    import datetime as dt

    import streamlit as st

    from dashboards import sessions

    user = current_user()
    with st.sidebar:
        if user:
            st.markdown(f"Signed in as **{user}** (commissioner view)")
            token = st.session_state.get("session_token")
            if token:
                until = dt.datetime.fromtimestamp(sessions.token_expiry(token))
                st.caption(f"Stays signed in on this browser until {until:%d %b %H:%M}.")
                st.html(sessions.cookie_script(token), unsafe_allow_javascript=True)
            elif st.session_state.get("session_problem"):
                st.caption(st.session_state["session_problem"])
            if st.button("Sign out", key="sign_out"):
                from_password = st.session_state.get("signed_in_user") is not None
                _end_session()
                if not from_password:  # signed in through the identity provider
                    st.logout()
                st.rerun()
            return
        if st.session_state.get("signed_out"):
            st.html(sessions.cookie_script(None), unsafe_allow_javascript=True)
        st.markdown("Public view: published figures only.")
        with st.expander("Commissioner sign in"):
            with st.form("sign_in", clear_on_submit=True):
                name = st.text_input("User name", key="sign_in_name")
                password = st.text_input("Password", type="password", key="sign_in_password")
                submitted = st.form_submit_button("Sign in")
            if submitted:
                if check_credentials(name.strip(), password):
                    _start_session(name.strip())
                    st.rerun()
                else:
                    st.error("That user name and password do not match.")
            if _identity_provider_configured() and st.button(
                "Sign in with your organisation", key="oidc_login"
            ):
                st.login()
