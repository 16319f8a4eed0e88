"""In-process benchmark: framework cost per message and per connection, no network.

Run with ``hatch run bench:inproc`` (``--help`` for options). Every app is an
ASGI callable awaited directly with pre-built events; apps are interleaved over
several repetitions and the median is reported. See docs/benchmarks.md.
"""

import argparse
import asyncio
import cProfile
import gc
import importlib
import io
import pstats
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import harness
import msgspec
from apps import common
from asgi_driver import (
    CONNECT,
    DISCONNECT,
    Broken,
    Recorder,
    scripted_receive,
    stream_receive,
    text_frames,
    websocket_scope,
)

RUN_TIMEOUT = 60.0  # seconds for one timed run; a hung app fails instead of hanging the run

# Runs are timed in CPU time of this process: on a shared machine, time spent
# descheduled while other work runs does not count. Nothing here uses threads.
clock = time.process_time


@dataclass
class Case:
    key: str
    label: str
    kind: str  # "json", "text", "stream" or "setup"
    module: str
    path: str
    teardowns: bool = False  # the route uses dep_c, whose teardown is counted
    peers: tuple[str, ...] = ()  # the Starlette and Litestar cases doing the same work
    app: Any = None
    size: int = 0  # messages (or connections) per timed run, set by calibration
    costs: list[float] = field(default_factory=list)  # seconds per message, one per rep
    error: str | None = None


RAW, STAR, LITE, WSK = "apps.raw", "apps.starlette_apps", "apps.litestar_apps", "apps.wskit_apps"
# Peers of the ws-kit rows (the Starlette and Litestar cases doing the same work).
JSON_LOOP = ("starlette-json", "litestar-lowlevel")
TEXT = ("starlette-text", "litestar-text")
SETUP = ("starlette-setup", "litestar-setup")
SETUP_THREAD = ("starlette-setup-thread", "litestar-setup-thread")

CASES = [
    Case("raw-json", "raw ASGI + msgspec (floor)", "json", RAW, "/json"),
    Case("starlette-json", "starlette receive_json/send_json", "json", STAR, "/json"),
    Case("litestar-lowlevel", "litestar @websocket loop", "json", LITE, "/lowlevel"),
    Case("litestar-dict", "litestar listener dict", "json", LITE, "/listener-dict"),
    Case("litestar-struct", "litestar listener Struct", "json", LITE, "/listener-struct"),
    Case("litestar-dto", "litestar listener MsgspecDTO", "json", LITE, "/listener-dto"),
    Case("wskit-lowlevel", "ws-kit @websocket loop", "json", WSK, "/lowlevel", peers=JSON_LOOP),
    Case(
        "wskit-lowlevel-iter",
        "ws-kit @websocket iter_json",
        "json",
        WSK,
        "/lowlevel-iter",
        peers=JSON_LOOP,
    ),
    Case(
        "wskit-dict",
        "ws-kit listener dict",
        "json",
        WSK,
        "/listener-dict",
        peers=("litestar-dict",),
    ),
    Case(
        "wskit-struct",
        "ws-kit listener Struct (validated)",
        "json",
        WSK,
        "/listener-struct",
        peers=("litestar-struct",),
    ),
    Case(
        "wskit-dto",
        "ws-kit listener DTO(dataclass)",
        "json",
        WSK,
        "/listener-dto",
        peers=("litestar-dto",),
    ),
    Case("raw-text", "raw ASGI text echo (floor)", "text", RAW, "/text"),
    Case("starlette-text", "starlette receive_text/send_text", "text", STAR, "/text"),
    Case("litestar-text", "litestar listener str", "text", LITE, "/text"),
    Case("wskit-text", "ws-kit listener str", "text", WSK, "/text", peers=TEXT),
    Case("raw-stream", "raw ASGI send loop, async gen (floor)", "stream", RAW, "/stream"),
    Case("raw-stream-list", "raw ASGI send loop over a list", "stream", RAW, "/stream-list"),
    Case("litestar-stream", "litestar websocket_stream", "stream", LITE, "/stream"),
    Case(
        "wskit-stream",
        "ws-kit websocket_stream",
        "stream",
        WSK,
        "/stream",
        peers=("litestar-stream",),
    ),
    Case("raw-setup", "raw ASGI, 3 deps by hand (floor)", "setup", RAW, "/setup", True),
    Case("starlette-setup-nodeps", "starlette, no deps", "setup", STAR, "/setup-nodeps"),
    Case("starlette-setup", "starlette, 3 deps by hand", "setup", STAR, "/setup", True),
    Case(
        "starlette-setup-thread",
        "starlette, 3 deps by hand, sync one in a thread",
        "setup",
        STAR,
        "/setup-thread",
        True,
    ),
    Case("litestar-setup-nodeps", "litestar @websocket, no deps", "setup", LITE, "/setup-nodeps"),
    Case("litestar-setup", "litestar @websocket, 3 deps", "setup", LITE, "/setup", True),
    Case(
        "litestar-setup-thread",
        "litestar @websocket, 3 deps, sync one in a thread",
        "setup",
        LITE,
        "/setup-thread",
        True,
    ),
    Case(
        "litestar-setup-listener",
        "litestar listener, 3 deps",
        "setup",
        LITE,
        "/setup-listener",
        True,
    ),
    Case(
        "wskit-setup-nodeps",
        "ws-kit @websocket, no deps",
        "setup",
        WSK,
        "/setup-nodeps",
        peers=("starlette-setup-nodeps", "litestar-setup-nodeps"),
    ),
    Case("wskit-setup", "ws-kit @websocket, 3 deps", "setup", WSK, "/setup", True, SETUP),
    Case(
        "wskit-setup-thread",
        "ws-kit @websocket, 3 deps, sync one in a thread",
        "setup",
        WSK,
        "/setup-thread",
        True,
        SETUP_THREAD,
    ),
    Case(
        "wskit-setup-listener",
        "ws-kit listener, 3 deps",
        "setup",
        WSK,
        "/setup-listener",
        True,
        ("starlette-setup", "litestar-setup-listener"),
    ),
]

FLOORS = {"json": "raw-json", "text": "raw-text", "stream": "raw-stream", "setup": "raw-setup"}
KIND_TITLES = {"json": "JSON echo", "text": "text echo", "stream": "stream (server push)"}

MAX_MESSAGES = 200_000
MAX_CONNECTIONS = 20_000
TEXTS: list[str] = []
FRAMES: list[dict[str, Any]] = []
ITEMS: list[dict[str, object]] = []


def prepare_payloads(count: int) -> None:
    TEXTS[:] = [common.message_text(i) for i in range(count)]
    FRAMES[:] = text_frames(TEXTS)
    ITEMS[:] = [common.message(i) for i in range(count)]


# -- one timed run ----------------------------------------------------------------------


def _check_messages(case: Case, rec: Recorder, n: int) -> None:
    if not rec.accepted:
        raise Broken("never accepted the connection")
    if rec.count != n:
        raise Broken(f"sent {rec.count} frames, expected {n}")
    text = rec.last.get("text") if rec.last else None
    if text is None:
        raise Broken("last frame was not on the text channel")
    if case.kind == "text":
        if text != TEXTS[n - 1]:
            raise Broken(f"last payload {text[:60]!r} != {TEXTS[n - 1][:60]!r}")
        return
    expected = ITEMS[n - 1]
    got = msgspec.json.decode(text)
    if got != expected:
        raise Broken(f"last payload {got!r} != {expected!r}")
    if case.kind == "stream" and rec.close_code != 1000:
        raise Broken(f"stream closed with {rec.close_code}, expected 1000")


async def run_messages(case: Case, n: int) -> float:
    """Seconds per message for one connection carrying ``n`` messages."""
    scope = websocket_scope(case.path)
    rec = Recorder()
    if case.kind == "stream":
        common.STREAM.items = ITEMS[:n]
        receive = stream_receive(rec, RUN_TIMEOUT)
    else:
        receive = scripted_receive([CONNECT, *FRAMES[:n], DISCONNECT])
    gc.collect()
    start = clock()
    await asyncio.wait_for(case.app(scope, receive, rec), RUN_TIMEOUT)
    elapsed = clock() - start
    _check_messages(case, rec, n)
    return elapsed / n


async def _connections(case: Case, k: int) -> None:
    scope = websocket_scope(case.path)
    events = [CONNECT, DISCONNECT]
    app = case.app
    for _ in range(k):
        rec = Recorder()
        await app({**scope, "state": {}}, scripted_receive(events), rec)
        if not rec.accepted:
            raise Broken(f"not accepted (close code {rec.close_code})")


async def run_setup(case: Case, k: int) -> float:
    """Seconds per connection (route, dependencies, accept, close, teardown)."""
    before = common.TEARDOWNS.count
    gc.collect()
    start = clock()
    await asyncio.wait_for(_connections(case, k), RUN_TIMEOUT)
    elapsed = clock() - start
    torn_down = common.TEARDOWNS.count - before
    if case.teardowns and torn_down != k:
        raise Broken(f"{torn_down} dependency teardowns for {k} connections")
    return elapsed / k


def run_once(case: Case, size: int) -> Any:
    return run_setup(case, size) if case.kind == "setup" else run_messages(case, size)


async def driver_cost(n: int) -> float:
    """Cost of the scripted receive + counting send alone, per message."""
    receive = scripted_receive([CONNECT, *FRAMES[:n], DISCONNECT])
    rec = Recorder()
    start = clock()
    await receive()
    for _ in range(n):
        message = await receive()
        await rec({"type": "websocket.send", "text": message["text"]})
    return (clock() - start) / n


# -- orchestration ----------------------------------------------------------------------


def load_apps(cases: list[Case]) -> list[str]:
    notes = []
    modules: dict[str, Any] = {}
    for case in cases:
        if case.module not in modules:
            try:
                modules[case.module] = importlib.import_module(case.module)
            except Exception as exc:  # a framework not installed or not importable yet
                modules[case.module] = exc
                notes.append(f"skipped {case.module}: {type(exc).__name__}: {exc}")
        loaded = modules[case.module]
        if isinstance(loaded, Exception):
            case.error = f"import failed: {type(loaded).__name__}"
        else:
            case.app = loaded.app
    return notes


async def calibrate(cases: list[Case], target: float) -> None:
    for case in cases:
        if case.error:
            continue
        probe = 200 if case.kind == "setup" else 2_000
        limit = MAX_CONNECTIONS if case.kind == "setup" else MAX_MESSAGES
        try:
            await run_once(case, probe)  # warm-up and correctness check
            cost = await run_once(case, probe)
        except Exception as exc:
            case.error = f"{type(exc).__name__}: {exc}"[:300]
            continue
        case.size = int(min(limit, max(probe, target / cost)))


async def measure(cases: list[Case], reps: int) -> None:
    live = [c for c in cases if not c.error]
    for rep in range(reps):
        shift = rep % len(live) if live else 0
        for case in live[shift:] + live[:shift]:  # rotate the order each repetition
            if case.error:
                continue
            try:
                case.costs.append(await run_once(case, case.size))
            except Exception as exc:
                case.error = f"{type(exc).__name__}: {exc}"[:300]


def cost_of(cases: dict[str, Case], key: str) -> float | None:
    case = cases.get(key)
    if case is None or case.error or not case.costs:
        return None
    return harness.median(case.costs)


def message_table(cases: list[Case], by_key: dict[str, Case]) -> harness.Table:
    table = harness.Table(
        "Per message (one connection, N frames; ratio = floor cost / app cost)",
        ["kind", "app", "msgs/s", "µs/msg", "ratio", "±", "N"],
    )
    for kind in ("json", "text", "stream"):
        floor = cost_of(by_key, FLOORS[kind])
        for case in (c for c in cases if c.kind == kind):
            cost = cost_of(by_key, case.key)
            if cost is None:
                table.add(kind, case.label, "-", "-", "-", "-", "-")
                continue
            ratio = harness.fmt_ratio(floor / cost) if floor else "n/a"
            table.add(
                kind,
                case.label,
                harness.fmt_rate(1 / cost),
                harness.fmt_us(cost),
                ratio,
                f"±{harness.spread(case.costs):.0%}",
                f"{case.size:,}",
            )
    return table


def setup_table(cases: list[Case], by_key: dict[str, Case]) -> harness.Table:
    table = harness.Table(
        "Per connection (route + dependencies + accept + close + teardown, empty handler)",
        ["app", "conns/s", "µs/conn", "ratio", "±", "K"],
    )
    floor = cost_of(by_key, FLOORS["setup"])
    for case in (c for c in cases if c.kind == "setup"):
        cost = cost_of(by_key, case.key)
        if cost is None:
            table.add(case.label, "-", "-", "-", "-", "-")
            continue
        table.add(
            case.label,
            harness.fmt_rate(1 / cost),
            harness.fmt_us(cost),
            harness.fmt_ratio(floor / cost) if floor else "n/a",
            f"±{harness.spread(case.costs):.0%}",
            f"{case.size:,}",
        )
    return table


def targets(cost: Callable[[str], float | None]) -> harness.Targets:
    """Check the goals (SPEC §4, issue 18) against ``cost(key)``: a cost per message or
    connection of any unit (seconds, instructions), ``None`` when not measured."""
    result = harness.Targets()

    def quotient(numerator: str, denominator: str) -> float | None:
        top, bottom = cost(numerator), cost(denominator)
        return top / bottom if top and bottom else None

    for label, key, kind, goal in (
        ("typed listener (Struct) / JSON floor", "wskit-struct", "json", 0.60),
        ("low-level handler / JSON floor", "wskit-lowlevel", "json", 0.70),
        ("text listener / text floor", "wskit-text", "text", 0.50),
        ("stream / raw sending loop", "wskit-stream", "stream", 0.70),
    ):
        value = quotient(FLOORS[kind], key)
        result.check(label, value, f">= {goal:.2f}", None if value is None else value >= goal)
    for label, key, peer, goal in (
        ("DTO listener cost / typed listener cost", "wskit-dto", "wskit-struct", 1.30),
        (
            "set-up, no deps: ws-kit cost / starlette cost",
            "wskit-setup-nodeps",
            "starlette-setup-nodeps",
            1.00,
        ),
        (
            "set-up, 3 deps: ws-kit cost / starlette (by hand) cost",
            "wskit-setup",
            "starlette-setup",
            2.00,
        ),
        (
            "set-up, sync dep in a thread: ws-kit cost / litestar cost",
            "wskit-setup-thread",
            "litestar-setup-thread",
            0.50,
        ),
    ):
        value = quotient(key, peer)
        result.check(label, value, f"<= {goal:.2f}", None if value is None else value <= goal)
    return result


def profile(cases: list[Case], keys: list[str], n: int, top: int) -> None:
    """cProfile one connection of ``n`` messages per case; print the heaviest functions."""
    for key in keys:
        case = next((c for c in cases if c.key == key), None)
        if case is None or case.error:
            print(f"cannot profile {key}: {case.error if case else 'unknown case'}")
            continue
        size = min(n, 2_000) if case.kind == "setup" else n
        asyncio.run(run_once(case, 500))
        profiler = cProfile.Profile()
        profiler.enable()
        asyncio.run(run_once(case, size))
        profiler.disable()
        out = io.StringIO()
        stats = pstats.Stats(profiler, stream=out)
        stats.sort_stats("tottime").print_stats(top)
        unit = "connection" if case.kind == "setup" else "message"
        print(f"== profile of {case.label} ({key}): {size:,} per run, divide by that per {unit}")
        print(out.getvalue())


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--reps", type=int, default=7, help="interleaved repetitions (>= 5)")
    parser.add_argument("--target", type=float, default=0.12, help="seconds per timed run")
    parser.add_argument("--only", default="", help="comma-separated case keys (floors always run)")
    parser.add_argument("--list", action="store_true", help="list the case keys and exit")
    parser.add_argument("--no-docs", action="store_true", help="do not rewrite docs/benchmarks.md")
    parser.add_argument("--profile", default="", help="comma-separated case keys to profile")
    parser.add_argument("--profile-n", type=int, default=50_000, help="messages when profiling")
    parser.add_argument("--profile-top", type=int, default=30, help="functions shown")
    return parser.parse_args(argv)


def main(argv: list[str]) -> int:
    args = parse_args(argv)
    if args.list:
        for case in CASES:
            print(f"{case.key:26} {case.kind:7} {case.label}")
        return 0
    cases = CASES
    if args.only:
        wanted = set(args.only.split(",")) | set(FLOORS.values())
        cases = [c for c in CASES if c.key in wanted]
    started = time.perf_counter()
    env = harness.print_environment()
    prepare_payloads(MAX_MESSAGES)
    notes = load_apps(cases)
    for note in notes:
        print(note)

    if args.profile:
        profile(cases, args.profile.split(","), args.profile_n, args.profile_top)
        return 0

    async def run() -> float:
        await calibrate(cases, args.target)
        await measure(cases, max(1, args.reps))
        return await driver_cost(100_000)

    driver = asyncio.run(run())
    by_key = {c.key: c for c in cases}
    tables = [message_table(cases, by_key), setup_table(cases, by_key)]
    result = targets(lambda key: cost_of(by_key, key))
    driver_line = (
        f"driver alone (scripted receive + counting send): {harness.fmt_us(driver)} µs/msg, "
        "included in every row"
    )
    failures = [f"{c.key}: {c.error}" for c in cases if c.error]
    for table in tables:
        print(table.text())
        print()
    print(driver_line)
    for line in failures:
        print("FAILED " + line)
    print()
    print(result.text())
    elapsed = time.perf_counter() - started
    print(f"\n{args.reps} repetitions, {elapsed:.0f} s in all")

    if not args.no_docs:
        body: list[str] = []
        for table in tables:
            body += [table.markdown(), ""]
        body += [driver_line + ".", ""]
        body += [f"- FAILED {line}" for line in failures]
        body += ["", result.markdown(), ""]
        harness.write_docs_report(
            "inproc",
            "In-process: framework cost without a network",
            [*env, f"{args.reps} interleaved repetitions, medians; run time {elapsed:.0f} s"],
            body,
        )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
