"""Replace person identifiers with a keyed hash (HMAC-SHA-256) on ingest.

The key lives outside the database (a file in the user's config folder, created on first use,
or the ``OUTCOMES_PSEUDONYM_KEY`` environment variable), so someone holding only the database
cannot recompute a pseudonym from a known client id. The council is part of what is hashed
because identifiers are council-scoped: two councils may both have a client "1234".
"""

from __future__ import annotations

import hashlib
import os
import secrets
from pathlib import Path

from pipeline.config import key_file_path

KEY_ENV = "OUTCOMES_PSEUDONYM_KEY"
_SEPARATOR = "\x1f"  # unit separator: cannot appear in a council name or a client id


def pseudonym_key(path: Path | None = None) -> bytes:
    """The secret key: from the environment, else the key file (created with 32 random bytes)."""
    from_env = os.environ.get(KEY_ENV)
    if from_env:
        return from_env.encode("utf-8")
    path = path or key_file_path()
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_hex(32))
    return path.read_text(encoding="utf-8").strip().encode("utf-8")


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
        return [self.key_for(council, identifier) for identifier in identifiers]

    def anonymous_key(self, council: str, file_sha256: str, source_row: int) -> str:
        """A stable key for a return without a reference: the file and its row."""
        return self.key_for(council, f"anonymous{_SEPARATOR}{file_sha256}{_SEPARATOR}{source_row}")
