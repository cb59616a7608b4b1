"""The layout is the architecture: faces depend on present/ and analysis/, never on each other.

These read the source with ``ast`` so a stray import or a page's own SQL fails CI, as
``DESIGN.md``'s layering rule and issue 9 item 8 ask.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SQL = re.compile(r"\b(SELECT|INSERT|UPDATE|DELETE)\b.+\b(FROM|INTO|SET)\b", re.S)


def _imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def _sources(folder: str) -> list[Path]:
    return sorted((ROOT / folder).rglob("*.py"))


def test_dashboards_do_not_borrow_from_the_reports() -> None:
    offenders = {
        str(path.relative_to(ROOT)): sorted(
            n for n in _imports(path) if n.startswith("pipeline.reports")
        )
        for path in _sources("dashboards")
    }
    assert {k: v for k, v in offenders.items() if v} == {}


def test_present_depends_on_no_face() -> None:
    for path in _sources("pipeline/present"):
        faces = [n for n in _imports(path) if n.startswith(("pipeline.reports", "dashboards"))]
        assert faces == [], path


def test_dashboards_run_no_sql_of_their_own() -> None:
    for path in _sources("dashboards"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                assert not SQL.search(node.value.upper()), f"{path}: {node.value[:60]!r}"
            if isinstance(node, ast.Attribute) and node.attr in {"execute", "sql"}:
                raise AssertionError(f"{path}:{node.lineno} calls .{node.attr}()")


def test_analysis_depends_on_no_face() -> None:
    for path in _sources("pipeline/analysis"):
        faces = [
            n
            for n in _imports(path)
            if n.startswith(("pipeline.reports", "pipeline.present", "dashboards"))
        ]
        assert faces == [], path
