"""Reading the shipped YAML files (instruments, scales, register fields, measures) quickly.

Every command reads the instrument files, so their parse is on the path of every command a
person waits for: PyYAML's pure-Python loader took about 0.27 s for ``surveys/`` (issue 12), its
C loader (libyaml, shipped in PyYAML's wheels) about a tenth of that, with the same result. Files
a person writes by hand (mapping files) keep the pure-Python loader, whose errors quote the line.
"""

from __future__ import annotations

from typing import Any

import yaml

_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # pure Python when built without libyaml


def safe_load(text: str) -> Any:
    """``yaml.safe_load`` through the C loader when there is one; raises ``yaml.YAMLError``."""
    return yaml.load(text, Loader=_LOADER)  # noqa: S506 - a safe loader
