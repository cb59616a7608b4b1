"""Shared test set-up: a private pseudonymisation key so tests never touch a user's real key."""

from __future__ import annotations

import os
import secrets
import tempfile
from pathlib import Path

_KEY_DIR = Path(tempfile.mkdtemp(prefix="outcomes-test-key-"))
os.environ["OUTCOMES_KEY_FILE"] = str(_KEY_DIR / "pseudonym.key")
# The key exists before any test runs, as a council's would: a seeded database (rows but no key
# fingerprint) is never given a new key, so tests must not depend on which one loads first.
(_KEY_DIR / "pseudonym.key").write_text(secrets.token_hex(32), encoding="utf-8")
os.environ.pop("OUTCOMES_PSEUDONYM_KEY", None)
# The dashboard's sign-in secret likewise never lands in the user's real config folder.
os.environ["OUTCOMES_SESSION_SECRET_FILE"] = str(_KEY_DIR / "session.key")
os.environ.pop("OUTCOMES_SESSION_SECRET", None)
os.environ.pop("OUTCOMES_SESSION_HOURS", None)

FIXTURES = Path(__file__).parent / "fixtures"
