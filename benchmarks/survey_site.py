"""Soak the survey site: many people answering at once while a file load and dashboard reads
run, then check that every return is in the database exactly once.

```
python benchmarks/survey_site.py                          # 2,000 returns from 50 clients
python benchmarks/survey_site.py --returns 200 --clients 10   # a quick run
python benchmarks/survey_site.py --keep --dir /tmp/soak   # keep the database to inspect
```

It builds a database in a temporary folder (the tests' budget register fixture, and a sample of
``--returns`` invitation codes written directly as `outcomes sample` would), starts
``outcomes survey-site`` on the loopback interface as its own process, and runs three things
at once:

- ``--clients`` threads, each playing people one after another: open the start page (session
  cookie and CSRF token), enter the code, answer every page with random answers (through the
  forms as served, so the site's own validation runs), check and send, and see "Thank you";
- a file load: ``outcomes ingest surveys`` of the survey fixtures for several waves, over and
  over, each taking the database's single write lock as a council's load would;
- dashboard-style reads: ``read_only_connection`` and a results query, in a loop.

Then it stops the site (whose merger finishes), runs ``outcomes collect-merge`` for anything
left, and counts: sent (people who saw "Thank you"), stored (online returns in ``respondents``
for those codes), duplicates (codes with more than one respondents row or a quarantined copy)
and lost (sent but not stored). It prints throughput (returns per second over the sending
period) and the median and 95th percentile of the send step's latency (pressing *Send* until
"Thank you" is shown), and exits 1 unless duplicates and lost are 0 and stored equals sent.
"""

from __future__ import annotations

import argparse
import http.cookiejar
import json
import os
import random
import re
import secrets
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from pipeline.collect import codes  # noqa: E402

CSRF = re.compile(r'name="csrf" value="([^"]+)"')
RADIO = re.compile(r'name="([a-z0-9_]+)" type="radio" value="([a-z0-9_]+)"')
TEXTAREA = re.compile(r'<textarea[^>]* name="([a-z0-9_]+)"')
# the `outcomes` command, run by this interpreter (the venv it was started from)
OUTCOMES = [sys.executable, "-c", "from pipeline.cli import app; app()"]
SURVEY_FIXTURES = [ROOT / "tests" / "fixtures" / name for name in ("holder_utf8_bom.csv",)]


class Refused(Exception):
    """The site did not say thank you."""


@dataclass
class Respondent:
    """One person with a browser: a cookie jar, and the pages as the site serves them."""

    base: str
    opener: urllib.request.OpenerDirector = field(init=False)

    def __post_init__(self) -> None:
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
        )

    def get(self, path: str) -> tuple[str, str]:
        with self.opener.open(self.base + path, timeout=60) as response:
            return response.geturl(), response.read().decode("utf-8")

    def post(self, path: str, data: list[tuple[str, str]]) -> tuple[str, str]:
        body = urllib.parse.urlencode(data).encode("ascii")
        try:
            with self.opener.open(self.base + path, data=body, timeout=60) as response:
                return response.geturl(), response.read().decode("utf-8")
        except urllib.error.HTTPError as error:
            body = error.read().decode("utf-8", "replace")
            raise Refused(f"{path}: {error.code} {body}") from error

    def answer(self, code: str, rng: random.Random, version: str = "standard") -> float:
        """Answer the whole survey as the site serves it; the send step's latency (seconds)."""
        _, page = self.get("/")
        token = CSRF.search(page).group(1)
        url, page = self.post(
            "/start", [("csrf", token), ("code", codes.display(code)), ("version", version)]
        )
        while "/survey/check" not in url:
            path = urllib.parse.urlparse(url).path
            choices: dict[str, list[str]] = {}
            for name, value in RADIO.findall(page):
                choices.setdefault(name, []).append(value)
            data = [("csrf", token), ("action", "next")]
            data += [(name, rng.choice(values)) for name, values in choices.items()]
            data += [(name, "It helps.") for name in TEXTAREA.findall(page) if rng.random() < 0.3]
            url, page = self.post(path, data)
            if "There is a problem" in page:
                raise Refused(f"{path}: the site found a problem with the answers")
        started = time.perf_counter()
        url, page = self.post("/survey/send", [("csrf", token)])
        elapsed = time.perf_counter() - started
        if "/thank-you" not in url or "Your answers have been sent" not in page:
            raise Refused(f"send ended at {url}")
        return elapsed


def build_database(folder: Path, size: int) -> tuple[Path, list[str], list[str]]:
    """A database with the fixture register and a sample of ``size`` codes."""
    from tests.collect.sampled import sampled_database

    sampled = sampled_database(folder, size)
    return sampled.db, sampled.codes, sampled.person_keys


def wait_for(url: str, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"{url} did not answer within {timeout:.0f} s")


def start_site(db: Path, port: int, env: dict) -> subprocess.Popen:
    site = subprocess.Popen(
        [
            *OUTCOMES,
            "survey-site",
            "--db",
            str(db),
            "--port",
            str(port),
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    wait_for(f"http://127.0.0.1:{port}/")
    return site


def stop_site(site: subprocess.Popen) -> str:
    site.send_signal(signal.SIGINT)  # uvicorn shuts down; the lifespan stops the merger
    try:
        output, _ = site.communicate(timeout=120)
    except subprocess.TimeoutExpired:
        site.kill()
        output, _ = site.communicate()
    return output


def free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _file_loads(db: Path, env: dict, stop: threading.Event, log: list[str]) -> None:
    """Load the survey fixture for wave after wave until told to stop (a council's loads).

    Each wave gets its own copy of the file (blank lines added, which the reader drops), since
    the same bytes loaded for another wave are refused as a likely mistake."""
    folder = db.parent / "loads"
    folder.mkdir(exist_ok=True)
    wave = 2000
    while not stop.is_set():
        for fixture in SURVEY_FIXTURES:
            copy = folder / f"holders-{wave}.csv"
            copy.write_bytes(fixture.read_bytes() + b"\n" * (wave - 1999))
            command = [
                *OUTCOMES,
                "ingest",
                "surveys",
                str(copy),
                "--instrument",
                "poet-holder",
                "--council",
                "Northshire",
                "--new-council",
                "--wave",
                str(wave),
                "--db",
                str(db),
            ]
            done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)
            log.append(f"wave {wave}: exit {done.returncode}: {(done.stdout + done.stderr)[-200:]}")
        wave = wave + 1 if wave < 2024 else 2000


def _dashboard_reads(db: Path, stop: threading.Event, counts: dict) -> None:
    """What a dashboard page does: a short read-only connection and an aggregate query."""
    from pipeline.store.connection import read_only_connection

    while not stop.is_set():
        try:
            con = read_only_connection(db)
        except RuntimeError:  # locked for the whole of LOCK_WAIT_SECONDS: a page would fail
            counts["failed_reads"] = counts.get("failed_reads", 0) + 1
            continue
        try:
            con.execute(
                "SELECT council, wave, count(*) FROM respondents GROUP BY ALL ORDER BY ALL"
            ).fetchall()
            counts["reads"] = counts.get("reads", 0) + 1
        finally:
            con.close()
        time.sleep(0.05)


def count_stored(db: Path, sent_codes: list[str]) -> dict[str, int]:
    """Sent, stored, duplicates and lost, from the database itself."""
    from pipeline.store.connection import read_only_connection

    con = read_only_connection(db)
    try:
        con.execute("CREATE TEMP TABLE sent (invitation_code VARCHAR)")
        con.executemany("INSERT INTO sent VALUES (?)", [[c] for c in sent_codes])
        stored, duplicates, lost, quarantined, carried = con.execute(
            """
            WITH per_code AS (
                SELECT s.invitation_code,
                       count(r.respondent_key) AS returns
                FROM sent
                JOIN samples AS s USING (invitation_code)
                LEFT JOIN respondents AS r
                  ON r.respondent_key = s.person_key AND r.council = s.council
                 AND r.wave = s.wave AND r.instrument = s.instrument AND r.channel = 'online'
                GROUP BY ALL
            )
            SELECT count(*) FILTER (WHERE returns >= 1),
                   count(*) FILTER (WHERE returns > 1),
                   count(*) FILTER (WHERE returns = 0),
                   (SELECT count(*) FROM quarantine AS q JOIN loads AS l USING (load_id)
                    WHERE l.file_name = 'survey-site' AND q.whole_row),
                   (SELECT count(*) FROM survey_submissions)
            FROM per_code
            """
        ).fetchall()[0]
    finally:
        con.close()
    return {
        "sent": len(sent_codes),
        "stored": int(stored),
        "duplicates": int(duplicates) + int(quarantined),
        "lost": int(lost),
        "submissions_recorded": int(carried),
    }


def run_soak(folder: Path, returns: int = 2000, clients: int = 50, seed: int = 11) -> dict:
    """Run the whole soak in ``folder``; the figures as a dict (see the module docstring)."""
    folder.mkdir(parents=True, exist_ok=True)
    env = {**os.environ}
    if "OUTCOMES_KEY_FILE" not in env or not Path(env["OUTCOMES_KEY_FILE"]).exists():
        key = folder / "pseudonym.key"  # a throwaway key, never the user's
        key.write_text(secrets.token_hex(32), encoding="utf-8")
        env["OUTCOMES_KEY_FILE"] = os.environ["OUTCOMES_KEY_FILE"] = str(key)
    env.pop("OUTCOMES_PSEUDONYM_KEY", None)
    db, sample_codes, _ = build_database(folder, returns)
    port = free_port()
    site = start_site(db, port, env)
    base = f"http://127.0.0.1:{port}"

    queue = list(sample_codes)
    lock = threading.Lock()
    sent: list[str] = []
    latencies: list[float] = []
    failures: list[str] = []

    def client(number: int) -> None:
        rng = random.Random(seed * 1000 + number)
        while True:
            with lock:
                if not queue:
                    return
                code = queue.pop()
            version = "easy_read" if rng.random() < 0.2 else "standard"
            try:
                latency = Respondent(base).answer(code, rng, version)
            except Exception as error:  # noqa: BLE001 - counted and reported, never hidden
                with lock:
                    failures.append(f"{code}: {str(error)[:300]}")
                continue
            with lock:
                sent.append(code)
                latencies.append(latency)

    stop = threading.Event()
    load_log: list[str] = []
    read_counts: dict = {}
    background = [
        threading.Thread(target=_file_loads, args=(db, env, stop, load_log), daemon=True),
        threading.Thread(target=_dashboard_reads, args=(db, stop, read_counts), daemon=True),
    ]
    for thread in background:
        thread.start()
    started = time.perf_counter()
    workers = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    sending = time.perf_counter() - started
    stop.set()
    for thread in background:
        thread.join(timeout=120)
    site_output = stop_site(site)
    merge = subprocess.run(
        [*OUTCOMES, "collect-merge", "--db", str(db)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    figures = count_stored(db, sent)
    ordered = sorted(latencies)
    figures.update(
        {
            "clients": clients,
            "failures": len(failures),
            "failure_examples": failures[:5],
            "seconds": round(sending, 1),
            "returns_per_second": round(len(sent) / sending, 1) if sending else 0.0,
            "send_p50_ms": round(statistics.median(ordered) * 1000, 1) if ordered else None,
            "send_p95_ms": round(ordered[int(0.95 * (len(ordered) - 1))] * 1000, 1)
            if ordered
            else None,
            "file_loads": len(load_log),
            "file_loads_ok": sum(1 for line in load_log if "exit 0" in line),
            "file_load_failures": [line for line in load_log if "exit 0" not in line][:3],
            "dashboard_reads": read_counts.get("reads", 0),
            "dashboard_reads_failed": read_counts.get("failed_reads", 0),
            "final_merge": merge.stdout.strip() or merge.stderr.strip(),
            "site_log_tail": site_output.strip().splitlines()[-3:],
        }
    )
    return figures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--returns", type=int, default=2000)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--dir", type=Path, default=None, help="work here instead of a temp dir")
    parser.add_argument("--keep", action="store_true", help="keep the folder afterwards")
    arguments = parser.parse_args()
    folder = arguments.dir or Path(tempfile.mkdtemp(prefix="survey-soak-"))
    try:
        figures = run_soak(folder, arguments.returns, arguments.clients)
    finally:
        if not arguments.keep and arguments.dir is None:
            shutil.rmtree(folder, ignore_errors=True)
    print(json.dumps(figures, indent=2, default=str))
    ok = (
        figures["lost"] == 0
        and figures["duplicates"] == 0
        and figures["stored"] == figures["sent"] == arguments.returns
    )
    print("PASS" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
