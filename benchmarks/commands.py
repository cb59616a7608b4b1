"""Command latency: every ``outcomes`` command timed as a whole process, as a person runs it.

What a person waits for is the command, not the analysis call inside it: starting Python,
importing what the command needs, opening the database, the query, printing. So each command
here is its own process started from the shell's ``outcomes`` script, on the demo database
(three councils, two waves, 2,933 returns), and the figure is wall time from start to exit.

Runs are interleaved (round robin over the commands, ``--repeats`` rounds) so that a burst of
load from other work on the machine spreads over every command instead of landing on one; each
command's median, min and max are printed with the machine's load average before and after.
``python -c pass`` is measured alongside as the floor no command can beat.

Targets (issue 12 item 1): every command under 0.5 s, ``--help`` (the top level and each
command's) under 0.25 s. The analysis commands print a kept answer while the database and the
program are unchanged (docs/decisions.md D80), so each is timed twice: as a person repeating it
(the target) and, labelled "first answer", with ``OUTCOMES_ANSWER_CACHE=off``, as the first
answer after a load costs (printed, not judged).

    python benchmarks/commands.py                      # builds a demo database in a temp dir
    python benchmarks/commands.py --db /tmp/demo.duckdb --repeats 7
    python benchmarks/commands.py --tree /tmp/old-checkout    # time another checkout's code
    python benchmarks/commands.py --check              # exit 1 if a target is missed
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

COMMAND_TARGET_SECONDS = 0.5
HELP_TARGET_SECONDS = 0.25
COUNCIL = "Northshire"  # the demo's first council: it has both waves and a survey sample
WAVE = "2025"
# Commands whose answer is kept until the database changes (pipeline/commands/answer_cache.py)
CACHED_COMMANDS = frozenset(
    {"loads", "compare", "trends", "drivers", "budgets", "official", "sample-status", "quotes list"}
)


@dataclass
class Command:
    """One command line (without ``outcomes``) and the wall time it must stay under."""

    label: str
    arguments: list[str]
    target: float | None
    seconds: list[float] = field(default_factory=list)
    cpu_seconds: list[float] = field(default_factory=list)
    environment: dict[str, str] = field(default_factory=dict)


def commands() -> list[Command]:
    """The commands a person runs day to day, read-only on the demo database, and some helps."""
    council = ["--council", COUNCIL]
    wave = ["--wave", WAVE]
    table = [
        ("status", ["status"]),
        ("loads", ["loads"]),
        ("quarantine", ["quarantine"]),
        ("compare", ["compare", *council, *wave]),
        ("trends", ["trends", *council]),
        ("drivers", ["drivers", *council, *wave]),
        ("budgets", ["budgets", *council]),
        ("official", ["official", *council]),
        ("sample-status", ["sample-status", *council, *wave]),
        ("quotes list", ["quotes", "list", COUNCIL, WAVE]),
        ("key check", ["key", "check"]),
    ]
    helps = [
        ("--help", ["--help"]),
        ("compare --help", ["compare", "--help"]),
        ("ingest surveys --help", ["ingest", "surveys", "--help"]),
        ("report --help", ["report", "--help"]),
        ("dashboard --help", ["dashboard", "--help"]),
    ]
    # The same commands with their kept answers turned off: what the first answer after a
    # load (or any other change of the database or the program) costs (D80).
    uncached = [
        Command(f"{label} (first answer)", args, None, environment={"OUTCOMES_ANSWER_CACHE": "off"})
        for label, args in table
        if label in CACHED_COMMANDS
    ]
    return [
        Command("python -c pass (floor)", [], None),
        *(Command(label, args, COMMAND_TARGET_SECONDS) for label, args in table),
        *(Command(label, args, HELP_TARGET_SECONDS) for label, args in helps),
        *uncached,
    ]


def outcomes_script() -> str:
    """The ``outcomes`` console script of this interpreter's environment."""
    beside = Path(sys.executable).parent / "outcomes"
    return str(beside) if beside.exists() else (shutil.which("outcomes") or "outcomes")


def run_once(command: Command, env: dict[str, str], workdir: Path) -> tuple[float, float]:
    """Wall and CPU (user + system) time of one whole process; a failing command stops the
    benchmark with its error. CPU time is far less moved by other work on a shared machine."""
    if command.arguments:
        argv = [outcomes_script(), *command.arguments]
    else:
        argv = [sys.executable, "-c", "pass"]
    with tempfile.TemporaryFile() as output, tempfile.TemporaryFile() as errors:
        started = time.perf_counter()
        process = subprocess.Popen(
            argv, env={**env, **command.environment}, cwd=workdir, stdout=output, stderr=errors
        )
        _, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - started
        process.returncode = os.waitstatus_to_exitcode(status)
        if process.returncode != 0:
            errors.seek(0)
            raise RuntimeError(
                f"`outcomes {' '.join(command.arguments)}` exited {process.returncode}:\n"
                f"{errors.read().decode(errors='replace')[-2000:]}"
            )
    return seconds, usage.ru_utime + usage.ru_stime


def build_demo(folder: Path, env: dict[str, str]) -> Path:
    """A fresh demo database (the same one ``make demo`` builds)."""
    database = folder / "demo.duckdb"
    subprocess.run(
        [outcomes_script(), "demo", "--db", str(database), "--out", str(folder / "files")],
        env=env,
        cwd=folder,
        check=True,
        capture_output=True,
    )
    return database


def measure(database: Path, repeats: int, tree: Path | None, workdir: Path) -> list[Command]:
    """Every command ``repeats`` times, interleaved; one unmeasured warm-up round first."""
    env = {**os.environ, "OUTCOMES_DB": str(database), "COLUMNS": "100"}
    if tree is not None:
        # The checkout on PYTHONPATH wins over the editable install (run from outside /work/main).
        env["PYTHONPATH"] = str(tree)
    timed = commands()
    for command in timed:  # warm the page cache and any on-disk caches, as a second run would
        run_once(command, env, workdir)
    for _ in range(repeats):
        for command in timed:
            seconds, cpu_seconds = run_once(command, env, workdir)
            command.seconds.append(seconds)
            command.cpu_seconds.append(cpu_seconds)
    return timed


def report(timed: list[Command], load_before: float, load_after: float) -> bool:
    """Print the table; True when every target is met."""
    floor = statistics.median(timed[0].seconds)
    print(
        f"\n{'command':<24} {'median':>7} {'min':>7} {'max':>7} {'- floor':>8} "
        f"{'cpu':>7} {'target':>7}  result"
    )
    all_met = True
    for command in timed:
        median = statistics.median(command.seconds)
        if command.target is None:
            verdict, target = "", ""
        else:
            met = median < command.target
            all_met &= met
            verdict, target = ("met" if met else "MISSED"), f"{command.target:.2f}"
        print(
            f"{command.label:<24} {median:7.3f} {min(command.seconds):7.3f} "
            f"{max(command.seconds):7.3f} {median - floor:8.3f} "
            f"{statistics.median(command.cpu_seconds):7.3f} {target:>7}  {verdict}"
        )
    print(
        f"\n{len(timed[0].seconds)} runs each (medians, wall seconds); load average "
        f"{load_before:.2f} before, {load_after:.2f} after; {os.cpu_count()} cores"
    )
    print(
        f"Targets: commands < {COMMAND_TARGET_SECONDS} s, --help < {HELP_TARGET_SECONDS} s: ",
        end="",
    )
    print("all met" if all_met else "MISSED")
    return all_met


def main(argv: list[str] | None = None) -> int:
    sys.stdout.reconfigure(line_buffering=True)
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--db", type=Path, help="a demo database (default: build one in a temp dir)"
    )
    parser.add_argument("--repeats", type=int, default=5, help="timed runs per command (median)")
    parser.add_argument(
        "--tree", type=Path, help="time the code of this checkout (put on PYTHONPATH) instead"
    )
    parser.add_argument("--json", type=Path, help="also write every run's seconds here")
    parser.add_argument("--check", action="store_true", help="exit 1 if a target is missed")
    args = parser.parse_args(argv)

    folder = Path(tempfile.mkdtemp(prefix="outcomes-commands-"))
    try:
        env = {**os.environ}
        if args.tree is not None:
            env["PYTHONPATH"] = str(args.tree.resolve())
        database = args.db.resolve() if args.db else build_demo(folder, env)
        load_before = os.getloadavg()[0]
        timed = measure(database, args.repeats, args.tree and args.tree.resolve(), folder)
        load_after = os.getloadavg()[0]
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    all_met = report(timed, load_before, load_after)
    if args.json:
        args.json.write_text(
            json.dumps(
                {
                    "load_average": [load_before, load_after],
                    "runs": {command.label: command.seconds for command in timed},
                    "cpu": {command.label: command.cpu_seconds for command in timed},
                },
                indent=2,
            )
        )
    return 0 if all_met or not args.check else 1


if __name__ == "__main__":
    sys.exit(main())
