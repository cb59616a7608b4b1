"""A live survey site on loopback over a sampled database, for the HTTP and browser tests."""

from __future__ import annotations

import socket
import threading
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
import uvicorn

from dashboards.auth import add_user
from pipeline.collect.site.app import create_app
from tests.collect.sampled import Sampled, sampled_database

STAFF = ("keyer", "correct horse battery staple")


@dataclass
class LiveSite:
    url: str
    sampled: Sampled
    app: object

    @property
    def store(self):  # noqa: ANN201 - the app's SubmissionStore
        return self.app.state.site.store


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def serve(app) -> Iterator[str]:  # noqa: ANN001 - a Starlette app
    """Serve ``app`` on a free loopback port until the block ends; its base URL."""
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url + "/", timeout=2).close()
            break
        except OSError:
            time.sleep(0.1)
    try:
        yield url
    finally:
        server.should_exit = True
        thread.join(timeout=30)


@pytest.fixture(scope="module")
def live_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveSite]:
    folder: Path = tmp_path_factory.mktemp("site")
    sampled = sampled_database(folder, 30)
    users = folder / "users.toml"
    add_user(users, *STAFF)
    app = create_app(sampled.db, merge_interval=0.3, users_file=users, attempt_limit=(10, 600))
    with serve(app) as url:
        yield LiveSite(url, sampled, app)


@dataclass
class ResultsSite:
    """The site over a database with results loaded (the dashboards' seeded one), so /respond
    has councils to offer."""

    url: str
    db: Path
    app: object

    @property
    def store(self):  # noqa: ANN201 - the app's SubmissionStore
        return self.app.state.site.store


@pytest.fixture(scope="module")
def results_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ResultsSite]:
    from tests.dashboards.conftest import build_dashboard_database

    db = build_dashboard_database(tmp_path_factory.mktemp("respond"))
    app = create_app(db, merge_interval=0.3)
    with serve(app) as url:
        yield ResultsSite(url, db, app)
