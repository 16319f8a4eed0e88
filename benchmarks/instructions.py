"""Instructions per message and per connection under callgrind: figures that do not drift.

Run with ``hatch run bench:instructions`` (``--help`` for options; needs
``valgrind``). Each case of ``bench:inproc`` runs in its own
``valgrind --tool=callgrind`` process, which runs it twice, for two lengths
(messages or connections). The child calls ``os.getppid()`` between the runs,
and ``--dump-before=getppid`` makes callgrind write the instructions counted
since the previous call, so each run is counted alone; the difference of the
two runs divided by the difference of their lengths leaves out everything paid
once (interpreter, imports, building the app, the event loop, a run's own
set-up). Instruction counts do not move with the machine's load, so a change of
a few percent is visible where wall-clock figures drift by tens of percent.

ws-core's send funnel gives the event loop a turn once 0.5 ms of wall-clock
time passed (``ws_core.connection._TURN_INTERVAL``). Under callgrind
everything runs tens of times slower, so that turn would come far more often
per message than in a native run and inflate the count. Each child therefore
times a fixed workload in CPU time, divides by the same workload's native CPU
time (measured by the parent), and in its own process scales the interval by
that slowdown and reads it on the CPU-time clock: turns per message stay as in
a native run on an idle machine. The library itself is not changed.
"""

import argparse
import asyncio
import concurrent.futures
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import harness
import inproc

SCRIPT = Path(__file__).resolve()
DEFAULT_MESSAGES = (1_000, 4_000)
DEFAULT_CONNECTIONS = (200, 800)
WARM_UP = 200
_TOTALS = re.compile(r"^totals: (\d+)$", re.MULTILINE)


def slowdown_workload() -> float:
    """Seconds of CPU time for a fixed mix of interpreter work (dicts, calls, JSON)."""
    import msgspec

    encode, decode = msgspec.json.encode, msgspec.json.decode
    start = time.process_time()
    for i in range(3_000):
        item = {"seq": i, "text": "hello", "values": [i, i + 1]}
        decode(encode(item))
        sorted(item.items(), key=repr)
    return time.process_time() - start


# -- the child: one case under callgrind ----------------------------------------------


def child(key: str, sizes: tuple[int, int], native_seconds: float) -> dict[str, Any]:
    """Run case ``key`` for each of ``sizes``, a ``getppid`` marker before and after each."""
    case = next(c for c in inproc.CASES if c.key == key)
    inproc.RUN_TIMEOUT = 3_600.0  # callgrind is slow; a hung app still ends the run
    inproc.prepare_payloads(max(sizes))
    notes = inproc.load_apps([case])
    if case.error:
        return {"error": "; ".join(notes) or case.error}
    slowdown_workload()  # translates the workload's code: valgrind's first pass is slower
    slowdown = slowdown_workload() / native_seconds
    connection = sys.modules.get("ws_core.connection")
    if connection is not None:  # a ws-kit case: see the module docstring
        # CPU time rather than wall-clock time: being descheduled under valgrind
        # on a busy machine must not bring the turns any sooner either.
        connection._clock = time.process_time
        connection._TURN_INTERVAL *= slowdown

    async def run() -> None:
        await inproc.run_once(case, WARM_UP)
        os.getppid()
        for size in sizes:
            await inproc.run_once(case, size)
            os.getppid()

    asyncio.run(run())
    return {"slowdown": slowdown}


# -- the parent: every case, side by side ---------------------------------------------


def measure_case(
    case: inproc.Case, sizes: tuple[int, int], native_seconds: float, work: Path
) -> float | None:
    """Run ``case`` under callgrind; set its cost (instructions per unit) or its error.

    Returns the slowdown the child measured, ``None`` when it failed.
    """
    out = work / f"{case.key}.callgrind"
    command = [
        "valgrind",
        "--tool=callgrind",
        "--dump-before=getppid",
        f"--callgrind-out-file={out}",
        sys.executable,
        str(SCRIPT),
        "--child",
        case.key,
        "--sizes",
        ",".join(map(str, sizes)),
        "--native-seconds",
        repr(native_seconds),
    ]
    env = {**os.environ, "PYTHONHASHSEED": "0"}
    done = subprocess.run(command, capture_output=True, text=True, env=env, check=False)
    lines = done.stdout.strip().splitlines()
    report = json.loads(lines[-1]) if done.returncode == 0 and lines else None
    if report is None or "error" in report:
        tail = report["error"] if report else done.stderr.strip().splitlines()[-3:]
        case.error = f"child failed: {tail}"[:300]
        return None
    # Part 1 is start-up and warm-up; parts 2 and 3 the two runs.
    parts = [out.with_name(f"{out.name}.{i}") for i in (1, 2, 3)]
    if not all(part.exists() for part in parts) or out.with_name(f"{out.name}.4").exists():
        case.error = "unexpected callgrind dumps (did something else call getppid?)"
        return None
    first, second = (_instructions(part) for part in parts[1:])
    case.costs = [(second - first) / (sizes[1] - sizes[0])]
    case.size = sizes[1]
    slowdown: float = report["slowdown"]
    return slowdown


def _instructions(dump: Path) -> int:
    found = _TOTALS.search(dump.read_text())
    if found is None:
        raise inproc.Broken(f"no totals line in {dump}")
    return int(found[1])


def measure_all(
    cases: list[inproc.Case], messages: tuple[int, int], connections: tuple[int, int], jobs: int
) -> list[float]:
    """Count every case, ``jobs`` callgrind processes at a time; return their slowdowns."""
    native = native_reference()
    with (
        tempfile.TemporaryDirectory(prefix="ws-kit-callgrind-") as work,
        concurrent.futures.ThreadPoolExecutor(max(1, jobs)) as pool,
    ):
        futures = [
            pool.submit(
                measure_case,
                case,
                connections if case.kind == "setup" else messages,
                native,
                Path(work),
            )
            for case in cases
        ]
        found = [future.result() for future in futures]
    return [slowdown for slowdown in found if slowdown is not None]


def native_reference() -> float:
    """The workload's native time: the fastest of a few runs (the least disturbed)."""
    slowdown_workload()
    return min(slowdown_workload() for _ in range(7))


def cost(by_key: dict[str, inproc.Case], key: str | None) -> float | None:
    case = by_key.get(key) if key else None
    if case is None or case.error or not case.costs:
        return None
    return case.costs[0]


def peer(case: inproc.Case, framework: str) -> str | None:
    return next((key for key in case.peers if key.startswith(framework)), None)


def table(cases: list[inproc.Case], by_key: dict[str, inproc.Case], setup: bool) -> harness.Table:
    unit = "conn" if setup else "msg"
    title = (
        "Instructions per connection (route + dependencies + accept + close + teardown; "
        "x = cost / cost of the floor or the peer, lower is better)"
        if setup
        else "Instructions per message (one connection, N frames; "
        "x = cost / cost of the floor or the peer, lower is better)"
    )
    result = harness.Table(
        title, ["kind", "app", f"instr/{unit}", "x floor", "x starlette", "x litestar"]
    )
    for case in cases:
        if (case.kind == "setup") != setup:
            continue
        own = cost(by_key, case.key)
        if own is None:
            result.add(case.kind, case.label, "-", "-", "-", "-")
            continue
        cells = []
        for other in (inproc.FLOORS[case.kind], peer(case, "starlette"), peer(case, "litestar")):
            base = cost(by_key, other)
            cells.append(f"{own / base:.2f}" if base else "-")
        result.add(case.kind, case.label, f"{own:,.0f}", *cells)
    return result


def targets(by_key: dict[str, inproc.Case]) -> harness.Targets:
    result = inproc.targets(lambda key: cost(by_key, key))
    value = cost(by_key, "wskit-setup")
    result.check(
        "set-up, 3 deps: ws-kit instructions per connection",
        value,
        "<= 100,000",
        None if value is None else value <= 100_000,
        fmt=",.0f",
    )
    return result


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", default="", help="comma-separated case keys (floors always run)")
    parser.add_argument("--list", action="store_true", help="list the case keys and exit")
    parser.add_argument("--no-docs", action="store_true", help="do not rewrite docs/benchmarks.md")
    parser.add_argument("--jobs", type=int, default=2, help="callgrind processes at once")
    parser.add_argument(
        "--messages", default=",".join(map(str, DEFAULT_MESSAGES)), help="the two run lengths"
    )
    parser.add_argument(
        "--connections",
        default=",".join(map(str, DEFAULT_CONNECTIONS)),
        help="the two run lengths of the set-up cases",
    )
    parser.add_argument("--child", default="", help=argparse.SUPPRESS)
    parser.add_argument("--sizes", default="", help=argparse.SUPPRESS)
    parser.add_argument("--native-seconds", type=float, default=0.0, help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def _lengths(text: str) -> tuple[int, int]:
    first, second = (int(part) for part in text.split(","))
    if not 0 < first < second:
        raise SystemExit(f"run lengths must be two increasing positive numbers, got {text!r}")
    return first, second


def main(argv: list[str]) -> int:
    args = parse_args(argv)
    if args.child:
        print(json.dumps(child(args.child, _lengths(args.sizes), args.native_seconds)))
        return 0
    if args.list:
        for case in inproc.CASES:
            print(f"{case.key:26} {case.kind:7} {case.label}")
        return 0
    if shutil.which("valgrind") is None:
        print("valgrind is not installed: nothing to count with", file=sys.stderr)
        return 1
    cases = inproc.CASES
    if args.only:
        wanted = set(args.only.split(",")) | set(inproc.FLOORS.values())
        cases = [c for c in inproc.CASES if c.key in wanted]
    started = time.perf_counter()
    env = harness.print_environment()
    messages, connections = _lengths(args.messages), _lengths(args.connections)
    slowdowns = measure_all(cases, messages, connections, args.jobs)
    by_key = {c.key: c for c in cases}
    tables = [table(cases, by_key, setup=False), table(cases, by_key, setup=True)]
    result = targets(by_key)
    elapsed = time.perf_counter() - started
    settings = (
        f"valgrind --tool=callgrind, one process per case; runs of {messages[0]:,} and "
        f"{messages[1]:,} messages ({connections[0]:,} and {connections[1]:,} connections), "
        "instructions of the longer minus the shorter divided by the difference; "
        f"run time {elapsed:.0f} s"
    )
    turn_line = (
        "ws-core's send funnel gives the event loop a turn every 0.5 ms of wall-clock time; "
        "under callgrind each case ran "
        + (
            f"{min(slowdowns):.0f}-{max(slowdowns):.0f}x (median "
            f"{statistics.median(slowdowns):.0f}x)"
            if slowdowns
            else "an unmeasured factor"
        )
        + " slower than natively (CPU time), so each process scaled that interval by its own "
        "slowdown and read it on the CPU-time clock: turns per message stay as in a native run"
    )
    failures = [f"{c.key}: {c.error}" for c in cases if c.error]
    for shown in tables:
        print(shown.text())
        print()
    print(turn_line)
    for line in failures:
        print("FAILED " + line)
    print()
    print(result.text())
    print(f"\n{settings}")
    if not args.no_docs:
        body: list[str] = []
        for shown in tables:
            body += [shown.markdown(), ""]
        body += [turn_line + ".", ""]
        body += [f"- FAILED {line}" for line in failures]
        body += ["", result.markdown(), ""]
        harness.write_docs_report(
            "instructions",
            "Instructions: framework cost that does not drift with the machine's load",
            [*env, settings],
            body,
        )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
