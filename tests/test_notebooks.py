"""The analyst notebooks run top to bottom on the demo data (they are documentation that runs)."""

from __future__ import annotations

import os
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

NOTEBOOKS = sorted((Path(__file__).resolve().parents[1] / "notebooks").glob("*.ipynb"))


@pytest.fixture(scope="session")
def demo_database(tmp_path_factory) -> Path:
    from pipeline.demo import build_demo

    folder = tmp_path_factory.mktemp("notebook-demo")
    path = folder / "outcomes.duckdb"
    build_demo(path, out_dir=folder / "files", progress=False)
    return path


def test_there_are_at_least_three_notebooks():
    names = {path.name for path in NOTEBOOKS}
    assert {
        "01_explore_council_wave.ipynb",
        "02_what_drives_outcomes.ipynb",
        "03_custom_benchmark.ipynb",
    } <= names


@pytest.mark.slow
@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda path: path.stem)
def test_notebook_runs_on_the_demo_database(path: Path, demo_database: Path, monkeypatch):
    monkeypatch.setenv("OUTCOMES_DB", str(demo_database))
    notebook = nbformat.read(path, as_version=4)
    # the kernel inherits this process's environment, so it sees OUTCOMES_DB
    client = NotebookClient(
        notebook,
        timeout=300,
        kernel_name="python3",
        resources={"metadata": {"path": str(path.parent)}},
    )
    client.execute(env=dict(os.environ))
    errors = [
        output
        for cell in notebook.cells
        if cell.cell_type == "code"
        for output in cell.get("outputs", [])
        if output.get("output_type") == "error"
    ]
    assert not errors
    # notebooks use the analysis API, not the store underneath it
    source = "\n".join(cell.source for cell in notebook.cells if cell.cell_type == "code")
    assert "import pipeline.analysis as pa" in source
    for forbidden in ("import duckdb", "pipeline.store", ".execute(", ".sql("):
        assert forbidden not in source, forbidden
