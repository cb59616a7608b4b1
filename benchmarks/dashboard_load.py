"""The dashboard under many readers, and while a large file loads: a benchmark, not a test.

Starts ``outcomes dashboard`` on the synthetic national database and drives it with sessions
that speak Streamlit's own protocol (a WebSocket at ``/_stcore/stream`` carrying ``BackMsg`` and
``ForwardMsg`` protobufs), as browsers would but without drawing anything: each session asks
for a page and the time is until the server says the script finished. Public readers, so every
page is one a web reader can open.

    python benchmarks/dashboard_load.py sessions            # 20 sessions over the 1M database
    python benchmarks/dashboard_load.py while-loading       # 5 readers while 300,000 returns load
    python benchmarks/dashboard_load.py sessions --returns 200000 --sessions 10   # a quick run

``sessions`` (issue 12 item 4): first times the first page after the server starts (the
Overview of the first council, as the first reader would), then every session opens pages in
turn (each a council of its own, so the caches fill as they would); reports page p50/p95, the
server's CPU seconds per timed page (the cost that 20 readers queue behind on one process) and
its peak memory.
``while-loading`` (issue 12 item 5): readers first see every page once (warm), then a
300,000-return survey file (written by benchmarks/ingest.py's generator) loads into the same
database with ``outcomes ingest surveys`` into Council 001's latest wave while the readers keep
asking; reports page times before, during and after the load, and the load's time beside the
same file's load alone into a copy of the database.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import random
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

CLI = "from pipeline.cli import app; app()"  # `outcomes`, run by this interpreter
BENCHMARK_KEY = "benchmark-only key, never the user's pseudonymisation key"
# The public pages, by url path ("" is the Overview, the default page).
PAGES = ["", "outcomes", "trends", "process", "budgets", "compare", "official", "downloads"]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_dashboard(db: Path) -> tuple[subprocess.Popen, int]:
    """``outcomes dashboard --db db`` on a free port; returns once it answers its health check."""
    port = _free_port()
    environment = {**os.environ, "OUTCOMES_DB": str(db), "STREAMLIT_LOGGER_LEVEL": "error"}
    process = subprocess.Popen(
        [sys.executable, "-c", CLI, "dashboard", "--db", str(db), "--port", str(port)],
        cwd=ROOT,
        env=environment,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2):
                return process, port
        except OSError:
            time.sleep(0.3)
    stop_dashboard(process)
    raise RuntimeError("the dashboard did not start")


def stop_dashboard(process: subprocess.Popen) -> None:
    """Stop the CLI and the streamlit server it started: terminating the CLI alone leaves the
    server running (and holding its memory and a core's share) after the benchmark ends."""
    tree = _tree(process.pid)
    for pid in reversed(tree):  # children first
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGTERM)
    process.wait(timeout=60)
    deadline = time.monotonic() + 30
    for pid in tree[1:]:
        while Path(f"/proc/{pid}").exists() and time.monotonic() < deadline:
            time.sleep(0.2)


def _tree(pid: int) -> list[int]:
    """``pid`` and its descendants (the CLI runs streamlit as a child)."""
    pids, found = [pid], []
    while pids:
        current = pids.pop()
        found.append(current)
        try:
            children = Path(f"/proc/{current}/task/{current}/children").read_text().split()
        except OSError:
            continue
        pids += [int(child) for child in children]
    return found


def server_cpu_seconds(process: subprocess.Popen) -> float:
    """User and system CPU seconds the dashboard's process tree has used so far."""
    total = 0
    for pid in _tree(process.pid):
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime (clock ticks)
    return total / os.sysconf("SC_CLK_TCK")


def server_memory_mb(process: subprocess.Popen) -> float:
    """Resident memory of the dashboard's process tree (the CLI runs streamlit as a child)."""
    total = 0
    for pid in _tree(process.pid):
        try:
            status = Path(f"/proc/{pid}/status").read_text()
        except OSError:
            continue
        total += next(int(line.split()[1]) for line in status.splitlines() if line[:6] == "VmRSS:")
    return total / 1024


class Session:
    """One reader: a WebSocket speaking Streamlit's protocol, as the browser's page would."""

    def __init__(self, port: int) -> None:
        from websockets.sync.client import connect

        self._connection = connect(
            f"ws://127.0.0.1:{port}/_stcore/stream",
            subprotocols=["streamlit"],
            origin=f"http://127.0.0.1:{port}",
            max_size=None,
            open_timeout=120,
            compression=None,
            ping_interval=None,  # a busy server answers pings late; the page times say so
        )
        self.socket = self._connection.__enter__()  # what `with connect(...)` would do

    def open(self, page: str, query: dict[str, str], timeout: float = 600) -> float:
        """Ask for ``page`` with ``query`` as its URL's query string; seconds until it finished."""
        from streamlit.proto.BackMsg_pb2 import BackMsg
        from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

        message = BackMsg()
        message.rerun_script.query_string = urlencode(query)
        message.rerun_script.page_name = page
        started = time.perf_counter()
        self.socket.send(message.SerializeToString())
        while True:
            reply = ForwardMsg()
            reply.ParseFromString(self.socket.recv(timeout=timeout))
            if reply.WhichOneof("type") == "script_finished":
                if reply.script_finished == ForwardMsg.FINISHED_EARLY_FOR_RERUN:
                    continue
                return time.perf_counter() - started

    def close(self) -> None:
        self._connection.__exit__(None, None, None)


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def summary(label: str, times: list[float]) -> str:
    if not times:
        return f"{label:<28} no pages"
    return (
        f"{label:<28} {len(times):4d} pages  p50 {statistics.median(times):6.2f} s  "
        f"p95 {percentile(times, 0.95):6.2f} s  max {max(times):6.2f} s"
    )


def _councils(db: Path) -> list[str]:
    import duckdb

    con = duckdb.connect(str(db), read_only=True)
    try:
        return [
            r[0] for r in con.execute("SELECT DISTINCT council FROM loads ORDER BY 1").fetchall()
        ]
    finally:
        con.close()


def run_sessions(
    port: int, councils: list[str], sessions: int, rounds: int, process, warm: bool = False
) -> None:
    """``sessions`` readers at once, each opening every page ``rounds`` times, a council each.

    ``warm``: each reader first opens every page once, untimed, and the timed rounds start when
    all have (the issue's condition: "every query already cached").
    """
    times: dict[str, list[float]] = {page: [] for page in PAGES}
    peak = [server_memory_mb(process)]
    errors: list[BaseException] = []
    cpu = [server_cpu_seconds(process)]  # and again as the timed rounds start, if warm
    ready = threading.Barrier(sessions, action=lambda: cpu.append(server_cpu_seconds(process)))

    def reader(number: int) -> None:
        try:
            session = Session(port)
            query = {"council": councils[number % len(councils)], "wave": "2025"}
            if warm:
                for page in PAGES:
                    session.open(page, query)
                ready.wait()
            pages = PAGES * rounds
            random.Random(number).shuffle(pages)
            for page in pages:
                times[page].append(session.open(page, query))
            session.close()
        except BaseException as error:  # reported below
            ready.abort()
            errors.append(error)

    threads = [threading.Thread(target=reader, args=(n,)) for n in range(sessions)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    while any(thread.is_alive() for thread in threads):
        peak.append(server_memory_mb(process))
        time.sleep(0.5)
    elapsed = time.perf_counter() - started
    if errors:
        raise errors[0]
    every = [t for page in PAGES for t in times[page]]
    print(
        f"{sessions} sessions x {len(PAGES) * rounds} pages in {elapsed:.1f} s"
        + (" (after every session had opened every page once)" if warm else " (from cold)")
    )
    for page in PAGES:
        print(summary(page or "overview", times[page]))
    print(summary("every page", every))
    used = server_cpu_seconds(process) - cpu[-1]
    print(f"server CPU {used / max(len(every), 1):.3f} s per timed page")
    print(f"server peak memory {max(peak):.0f} MB (after: {server_memory_mb(process):.0f} MB)")


def _load(db: Path, survey: Path, council: str, wave: int) -> float:
    environment = {**os.environ, "OUTCOMES_PSEUDONYM_KEY": BENCHMARK_KEY}
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "-c", CLI, "ingest", "surveys", str(survey),
         "--instrument", "poet-holder", "--council", council, "--wave", str(wave),
         "--db", str(db)],
        check=True, cwd=ROOT, env=environment, stdout=subprocess.DEVNULL,
    )  # fmt: skip
    return time.perf_counter() - started


def run_while_loading(
    port: int, db: Path, councils: list[str], readers: int, survey: Path, alone: float
) -> None:
    """Readers keep asking for pages (warm first) while ``survey`` loads into ``db``."""
    phase = ["warm-up"]
    times: dict[str, list[float]] = {"warm-up": [], "before": [], "during": [], "after": []}
    stop = threading.Event()
    errors: list[BaseException] = []

    def reader(number: int) -> None:
        try:
            session = Session(port)
            query = {"council": councils[number % len(councils)], "wave": "2025"}
            for page in PAGES:  # every page once, so what follows is served warm
                times["warm-up"].append(session.open(page, query))
            while not stop.is_set():
                for page in PAGES:
                    label = phase[0]
                    times[label].append(session.open(page, query))
                    if stop.is_set():
                        break
            session.close()
        except BaseException as error:  # reported below
            errors.append(error)

    threads = [threading.Thread(target=reader, args=(n,)) for n in range(readers)]
    for thread in threads:
        thread.start()
    while len(times["warm-up"]) < readers * len(PAGES) and not errors:
        time.sleep(0.5)
    phase[0] = "before"
    time.sleep(20)
    phase[0] = "during"
    loaded = _load(db, survey, councils[0], 2025)
    phase[0] = "after"
    time.sleep(30)
    stop.set()
    for thread in threads:
        thread.join(timeout=600)
    if errors:
        raise errors[0]
    for label, values in times.items():
        print(summary(label, values))
    print(f"the load: {loaded:.1f} s while {readers} readers read, {alone:.1f} s alone")


def main() -> int:
    from synthetic_database import build_database

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("mode", choices=["sessions", "while-loading"])
    parser.add_argument("--db", type=Path, help="an existing database (default: build one)")
    parser.add_argument("--returns", type=int, default=1_000_000)
    parser.add_argument("--councils", type=int, default=150)
    parser.add_argument("--sessions", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument(
        "--warm", action="store_true", help="sessions: open every page once, untimed, first"
    )
    parser.add_argument("--readers", type=int, default=5)
    parser.add_argument("--load-returns", type=int, default=300_000)
    args = parser.parse_args()

    folder = Path(tempfile.mkdtemp(prefix="dashboard-load-"))
    try:
        db = args.db
        if db is None:
            db = folder / "national.duckdb"
            started = time.perf_counter()
            build_database(
                db, returns=args.returns, councils=args.councils, register_per_council=3000
            )
            print(f"built {args.returns:,} returns in {time.perf_counter() - started:.1f} s")
        councils = _councils(db)
        survey = alone = None
        if args.mode == "while-loading":
            from ingest import generate_files

            survey = generate_files(folder, args.load_returns, seed=3)[0]
            copy = folder / "alone.duckdb"
            shutil.copy(db, copy)
            alone = _load(copy, survey, councils[0], 2025)
            copy.unlink()
        process, port = start_dashboard(db)
        try:
            print(f"load average before: {os.getloadavg()}")
            if args.mode == "sessions":
                first = Session(port)
                seconds = first.open(PAGES[0], {"council": councils[0], "wave": "2025"})
                first.close()
                print(f"first page after start: {seconds:.2f} s")
                run_sessions(port, councils, args.sessions, args.rounds, process, args.warm)
            else:
                run_while_loading(port, db, councils, args.readers, survey, alone)
            print(f"load average after: {os.getloadavg()}")
        finally:
            stop_dashboard(process)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
