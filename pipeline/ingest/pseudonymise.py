"""Replace person identifiers with a keyed hash (HMAC-SHA-256) on ingest.

The key lives outside the database (the ``OUTCOMES_PSEUDONYM_KEY`` environment variable, or a
key file in the user's config folder), so someone holding only the database cannot recompute a
pseudonym from a known client id. The council is part of what is hashed because identifiers are
council-scoped: two councils may both have a client "1234".

A key too weak to protect the ids is refused (:func:`check_key_strength`), and a key file is
created only when asked (``create=True``). The loader asks only for a new database
(``pipeline/ingest/key_guard.py``), so a lost key file is never silently replaced.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
import string
from dataclasses import dataclass, field
from pathlib import Path

from pipeline.config import key_file_path

KEY_ENV = "OUTCOMES_PSEUDONYM_KEY"
_SEPARATOR = "\x1f"  # unit separator: cannot appear in a council name or a client id

# The strength floor (docs/data-flow.md 1.5). A key written in hex must hold at least 32 bytes
# (64 hex digits); any other key must be at least 32 bytes long. Neither may be a few characters
# repeated: a hex key needs 8 distinct digits (64 random hex digits with fewer than 8 distinct
# practically never happen), any other key 16 distinct bytes. This is a floor against obvious
# mistakes ("", "x", "password", "aaaa..."), not a measure of entropy.
MIN_KEY_BYTES = 32
MIN_DISTINCT_HEX_DIGITS = 8
MIN_DISTINCT_BYTES = 16
MAKE_A_KEY = (
    "make a good one with `outcomes key create`, or set "
    f'{KEY_ENV} to the output of `python -c "import secrets; print(secrets.token_hex(32))"`'
)
_FINGERPRINT_MESSAGE = b"sds-outcomes key fingerprint v1"
_HEX_DIGITS = frozenset(string.hexdigits.encode("ascii"))


class PseudonymKeyError(ValueError):
    """The pseudonym key is missing or too weak; the message says where from, and the fix."""


@dataclass(frozen=True)
class PseudonymKey:
    """The secret and where it came from. ``secret`` is left out of repr so it is never logged."""

    secret: bytes = field(repr=False)
    source: str  # for messages: "$OUTCOMES_PSEUDONYM_KEY" or "the key file /path"
    path: Path | None = None  # the key file, None when the key came from the environment
    created: bool = False  # this call wrote a new key file

    @property
    def fingerprint(self) -> str:
        return key_fingerprint(self.secret)


def key_fingerprint(secret: bytes) -> str:
    """HMAC-SHA-256(key, a fixed label): identifies a key without revealing anything about it.

    The label keeps it apart from every pseudonym (those hash a council and an id, never this).
    """
    return hmac.new(secret, _FINGERPRINT_MESSAGE, hashlib.sha256).hexdigest()


def key_strength_problem(secret: bytes) -> str | None:
    """Why a key is too weak to use (see MIN_KEY_BYTES), or None when it is strong enough."""
    distinct = len(set(secret))
    if secret and set(secret) <= _HEX_DIGITS:
        if len(secret) < 2 * MIN_KEY_BYTES:
            return (
                f"it is {len(secret)} hex digits ({len(secret) // 2} bytes); "
                f"at least {2 * MIN_KEY_BYTES} ({MIN_KEY_BYTES} bytes) are needed"
            )
        if len(set(secret.lower())) < MIN_DISTINCT_HEX_DIGITS:
            return (
                f"its {len(secret)} hex digits use only {len(set(secret.lower()))} different "
                f"digits, so it is not random (a random key uses about 16)"
            )
        return None
    if len(secret) < MIN_KEY_BYTES:
        length = "empty" if not secret else f"{len(secret)} byte{'s' * (len(secret) > 1)} long"
        return f"it is {length}; at least {MIN_KEY_BYTES} random bytes are needed"
    if distinct < MIN_DISTINCT_BYTES:
        return (
            f"its {len(secret)} bytes use only {distinct} different characters, so it is not "
            f"random (at least {MIN_DISTINCT_BYTES} are needed)"
        )
    return None


def weak_key_message(key: PseudonymKey, problem: str) -> str:
    """What to tell a person whose key is too weak: where it came from, why, and the fix."""
    return (
        f"the pseudonym key from {key.source} is too weak: {problem}. With a weak key every "
        f"pseudonym can be reversed by trying ids; {MAKE_A_KEY}"
    )


def check_key_strength(key: PseudonymKey) -> None:
    """Raise :class:`PseudonymKeyError` if the key is too weak: short keys can be brute-forced."""
    problem = key_strength_problem(key.secret)
    if problem:
        raise PseudonymKeyError(weak_key_message(key, problem))


def create_key_file(path: Path | None = None) -> Path:
    """Write a new key file (32 random bytes as hex, mode 600); refuse to replace one."""
    path = path or key_file_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError as error:
        raise PseudonymKeyError(
            f"{path}: a key file is already there; it is not replaced, because data loaded with "
            "it would no longer link to new loads"
        ) from error
    with os.fdopen(fd, "w") as handle:
        handle.write(secrets.token_hex(MIN_KEY_BYTES))
    return path


def read_pseudonym_key(
    path: Path | None = None, *, create: bool = False, check_strength: bool = True
) -> PseudonymKey:
    """The key in use: ``$OUTCOMES_PSEUDONYM_KEY`` if set, else the key file; checked for strength.

    A missing key file is created only with ``create=True``; otherwise it is an error naming the
    path, because a new key silently gives everyone new pseudonyms. A set but empty environment
    variable is refused as weak rather than skipped, so it cannot quietly mean "use the file".
    ``check_strength=False`` is for reporting on a key (``outcomes key check``), never for using it.
    """
    if KEY_ENV in os.environ:
        key = PseudonymKey(os.environ[KEY_ENV].encode("utf-8"), f"${KEY_ENV}")
    else:
        path = path or key_file_path()
        created = False
        if not path.exists():
            if not create:
                raise PseudonymKeyError(
                    f"no pseudonym key: {path} does not exist and ${KEY_ENV} is not set. If data "
                    "was loaded on this machine before, restore the key file from its backup; "
                    f"for a new installation, {MAKE_A_KEY}"
                )
            create_key_file(path)
            created = True
        secret = path.read_text(encoding="utf-8").strip().encode("utf-8")
        key = PseudonymKey(secret, f"the key file {path}", path, created)
    if check_strength:
        check_key_strength(key)
    return key


def pseudonym_key(path: Path | None = None, *, create: bool = False) -> bytes:
    """The secret key bytes (see :func:`read_pseudonym_key`)."""
    return read_pseudonym_key(path, create=create).secret


def normalise_identifier(raw: str) -> str:
    """Identifiers compare without case or surrounding spaces ("ab123 " is "AB123").

    Spreadsheet tools turn a numeric id into "1234.0"; that is folded back to "1234".
    """
    text = str(raw).strip().upper()
    if text.endswith(".0") and text[:-2].isdigit():
        text = text[:-2]
    return text


class Pseudonymiser:
    """HMAC-SHA-256 over ``council`` + separator + identifier, fast for a million ids.

    The inner and outer hash states are keyed once and copied per identifier, which is exactly
    HMAC (RFC 2104) but avoids re-keying, so large files pseudonymise in about a second.
    """

    def __init__(self, key: bytes | None = None) -> None:
        key = key if key is not None else pseudonym_key()
        if len(key) > 64:
            key = hashlib.sha256(key).digest()
        key = key.ljust(64, b"\0")
        self._inner = hashlib.sha256(bytes(b ^ 0x36 for b in key))
        self._outer = hashlib.sha256(bytes(b ^ 0x5C for b in key))

    def key_for(self, council: str, identifier: str) -> str:
        message = f"{council.strip().casefold()}{_SEPARATOR}{normalise_identifier(identifier)}"
        inner = self._inner.copy()
        inner.update(message.encode("utf-8"))
        outer = self._outer.copy()
        outer.update(inner.digest())
        return outer.hexdigest()

    def keys_for(self, council: str, identifiers: list[str]) -> list[str]:
        """``key_for`` of each identifier: the same bytes hashed, the council's part once.

        The inner hash state is advanced over the council and separator once and copied per
        identifier (hashing is incremental, so the digest is that of the whole message); a
        million-row register spends its hashing time here.
        """
        prefix = self._inner.copy()
        prefix.update(f"{council.strip().casefold()}{_SEPARATOR}".encode())
        outer_state = self._outer
        keys = []
        for identifier in identifiers:
            inner = prefix.copy()
            inner.update(normalise_identifier(identifier).encode("utf-8"))
            outer = outer_state.copy()
            outer.update(inner.digest())
            keys.append(outer.hexdigest())
        return keys

    def anonymous_key(self, council: str, file_sha256: str, source_row: int) -> str:
        """A stable key for a return without a reference: the file and its row."""
        return self.key_for(council, f"anonymous{_SEPARATOR}{file_sha256}{_SEPARATOR}{source_row}")
