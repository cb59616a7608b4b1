"""`outcomes dashboard` and `outcomes dashboard-user add`."""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
import time
import urllib.request

import pytest
from typer.testing import CliRunner

from dashboards.auth import check_credentials
from pipeline.cli import app
from pipeline.commands.dashboard import streamlit_command

runner = CliRunner()


def test_streamlit_is_started_headless_quiet_and_local() -> None:
    command = streamlit_command(8600, "127.0.0.1")
    options = dict(zip(command[5::2], command[6::2], strict=True))
    assert command[2:5] == ["streamlit", "run", command[4]] and command[4].endswith("app.py")
    assert options == {
        "--server.headless": "true",
        "--server.address": "127.0.0.1",
        "--server.port": "8600",
        "--browser.gatherUsageStats": "false",
    }


def test_dashboard_without_a_database_says_what_to_do(tmp_path) -> None:
    result = runner.invoke(app, ["dashboard", "--db", str(tmp_path / "none.duckdb")])
    assert result.exit_code == 1
    assert "outcomes demo" in result.output


def test_dashboard_user_add_writes_a_working_hash(tmp_path) -> None:
    users = tmp_path / "users.toml"
    result = runner.invoke(
        app, ["dashboard-user", "add", "alice", "--file", str(users)], input="pw-1\npw-1\n"
    )
    assert result.exit_code == 0, result.output
    assert check_credentials("alice", "pw-1", users)
    assert "pw-1" not in users.read_text()


def test_dashboard_user_add_rejects_a_bad_name(tmp_path) -> None:
    result = runner.invoke(
        app,
        ["dashboard-user", "add", "bad name", "--file", str(tmp_path / "u.toml")],
        input="x\nx\n",
    )
    assert result.exit_code == 1


def test_stopping_outcomes_dashboard_stops_the_server(dashboard_db, tmp_path) -> None:
    """A supervisor stops the dashboard with SIGTERM to the process it started: the server must
    go with it, not stay behind holding the port (and its memory)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    process = subprocess.Popen(
        [sys.executable, "-c", "from pipeline.cli import app; app()", "dashboard",
         "--db", str(dashboard_db), "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )  # fmt: skip
    health = f"http://127.0.0.1:{port}/_stcore/health"
    try:
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(health, timeout=2) as response:
                    if response.status == 200:
                        break
            except OSError:
                time.sleep(0.3)
        else:
            raise AssertionError("the dashboard did not start")
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=30)
        time.sleep(1)
        with pytest.raises(OSError):
            urllib.request.urlopen(health, timeout=2)
    finally:
        process.kill()
