"""``outcomes dashboard``: serve the Streamlit app; ``outcomes dashboard-user add``: sign-ins."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import typer

from pipeline.config import REPO_ROOT, default_db_path

APP = REPO_ROOT / "dashboards" / "app.py"

user_app = typer.Typer(help="Manage the commissioners who can sign in to the dashboard.")


def streamlit_command(port: int, address: str) -> list[str]:
    """The ``streamlit run`` command line: headless, no usage statistics, bound to ``address``."""
    return [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(APP),
        "--server.headless",
        "true",
        "--server.address",
        address,
        "--server.port",
        str(port),
        "--browser.gatherUsageStats",
        "false",
    ]


def dashboard(
    db: Path | None = typer.Option(
        None, "--db", help="The DuckDB file (default: data/outcomes.duckdb, or $OUTCOMES_DB)."
    ),
    port: int = typer.Option(8501, "--port", help="Port to serve on."),
    address: str = typer.Option(
        "127.0.0.1",
        "--address",
        help="Address to bind; 127.0.0.1 keeps it on this machine, 0.0.0.0 shares it.",
    ),
) -> None:
    """Serve the dashboard over the database (read-only; loads may run while it serves)."""
    path = Path(db) if db else default_db_path()
    if not path.exists():
        typer.echo(f"{path}: no database here; run `outcomes demo` first or pass --db", err=True)
        raise typer.Exit(code=1)
    environment = {**os.environ, "OUTCOMES_DB": str(path.resolve())}
    typer.echo(f"Serving {path} at http://{address}:{port} (Ctrl+C to stop)")
    sys.stdout.flush()
    sys.stderr.flush()
    # Run from the repository so .streamlit/config.toml (theme, upload size) applies. The
    # server takes over this process (same pid), so a supervisor's SIGTERM reaches it: run as
    # a child, it outlived a terminated `outcomes dashboard` with its memory and its port.
    os.chdir(REPO_ROOT)
    os.execve(sys.executable, streamlit_command(port, address), environment)


@user_app.command("add")
def add(
    name: str = typer.Argument(..., help="The user name to sign in with."),
    users_file: Path | None = typer.Option(
        None,
        "--file",
        help="Password file (default: $OUTCOMES_USERS_FILE or dashboards/users.toml).",
    ),
) -> None:
    """Add a commissioner (or change their password); the password is asked for, never echoed."""
    sys.path.insert(0, str(REPO_ROOT))
    from dashboards.auth import add_user
    from dashboards.auth import users_file as default_users_file

    password = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    path = users_file or default_users_file()
    try:
        add_user(path, name, password)
    except ValueError as error:
        typer.echo(f"error: {error}", err=True)
        raise typer.Exit(code=1) from error
    typer.echo(f"{name} can now sign in (password file: {path})")


def register(app: typer.Typer) -> None:
    app.command("dashboard")(dashboard)
    app.add_typer(user_app, name="dashboard-user")
