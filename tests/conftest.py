"""Shared test set-up: a private pseudonymisation key so tests never touch a user's real key."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

_KEY_DIR = Path(tempfile.mkdtemp(prefix="outcomes-test-key-"))
os.environ["OUTCOMES_KEY_FILE"] = str(_KEY_DIR / "pseudonym.key")
os.environ.pop("OUTCOMES_PSEUDONYM_KEY", None)

FIXTURES = Path(__file__).parent / "fixtures"
