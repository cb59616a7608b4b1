"""The ``outcomes`` command: a thin layer over the pipeline's Python API.

Each area's commands live in ``pipeline/commands/<area>.py`` and register themselves here, so
this file stays a table of contents.
"""

from __future__ import annotations

import importlib

import typer

app = typer.Typer(
    name="outcomes",
    help=(
        "Outcomes evaluation for self-directed support: load POET-style surveys and budget "
        "registers into DuckDB, compare them with national benchmarks and earlier waves, and "
        "publish dashboards and reports. Start with `outcomes demo`."
    ),
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

# Modules under pipeline/commands/ that add commands to `app` through register(app).
COMMAND_MODULES = (
    "pipeline.commands.ingest",
    "pipeline.commands.unload",
    "pipeline.commands.quotes",
    "pipeline.commands.actions",
    "pipeline.commands.responses",
    "pipeline.commands.analysis",
    "pipeline.commands.reports",
    "pipeline.commands.dashboard",
    "pipeline.commands.key",
    "pipeline.commands.audit",
    "pipeline.commands.survey_site",
    "pipeline.commands.collect",
)

for _name in COMMAND_MODULES:
    try:
        _module = importlib.import_module(_name)
    except ModuleNotFoundError as error:
        if error.name != _name:  # a real missing dependency inside the module: say so
            raise
        continue
    _module.register(app)


def main() -> None:  # pragma: no cover - console entry point
    app()
