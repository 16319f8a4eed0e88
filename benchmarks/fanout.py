"""Fan-out benchmark: one publisher, N subscribed sockets, every delivery counted.

Run with ``hatch run bench:fanout`` (``--help`` for options). Each row is an
ASGI app whose ``/sub`` route subscribes the connection to one channel (see
``apps/fanout_apps.py``); the driver opens N connections in-process, publishes
a fixed number of events of 100 B or 4 KiB, and counts every frame each
socket receives. Each measurement runs in a fresh child process (so its peak
RSS is its own), rows interleaved over repetitions; medians are reported
with their spread, and ratios against the floor of the same run.

The publisher sends bursts of ``--window`` events and starts the next burst
once every socket has the previous one (``--pacing burst``, the default), so
no row's backlog overflows and every row is handed the same batches whatever
the number of hops inside it; ``--pacing sliding`` keeps at most that many
events in flight instead (a row with more hops between publish and delivery
then gets smaller batches). Latencies count from the publish call, so they
include an event's wait behind the earlier ones of its burst. With ``--redis`` (the
default when ``redis-server`` is found) the script starts a server on a free
port and adds the Redis rows: the publisher then runs in another process,
started by the subscribers' process and fed credits through a pipe.
"""

import argparse
import asyncio
import contextlib
import gc
import json
import os
import resource
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import harness
import msgspec
from asgi_driver import CONNECT, DISCONNECT, websocket_scope
from servers import free_port, stop_process

SCRIPT = Path(__file__).resolve()
STALL = 10.0  # seconds without a delivery before a run gives up (and says so)
SAMPLED = 32  # sockets whose delivery times are recorded (evenly spread)
PAGE = os.sysconf("SC_PAGE_SIZE")
_encode = msgspec.json.Encoder().encode


@dataclass(frozen=True)
class Config:
    row: str  # key in apps.fanout_apps.ROWS
    variant: str  # "memory", "pubsub" or "stream"
    label: str
    floor: bool = False

    @property
    def redis(self) -> bool:
        return self.variant != "memory"


MEMORY_ROWS = [
    Config("floor", "memory", "raw ASGI, a queue + task per socket (floor)", floor=True),
    Config("wskit", "memory", "ws-kit ChannelsPlugin, memory"),
    Config("litestar", "memory", "litestar ChannelsPlugin, memory"),
    Config("broadcaster", "memory", "broadcaster memory + starlette"),
]
REDIS_ROWS = [
    Config("floor", "pubsub", "raw ASGI + one redis-py subscriber (floor)", floor=True),
    Config("wskit", "pubsub", "ws-kit RedisChannelsPubSubBackend"),
    Config("wskit", "stream", "ws-kit RedisChannelsStreamBackend"),
    Config("litestar", "pubsub", "litestar RedisChannelsPubSubBackend"),
    Config("litestar", "stream", "litestar RedisChannelsStreamBackend"),
    Config("broadcaster", "pubsub", "broadcaster redis + starlette"),
]


READING = [
    "Each row serves N sockets subscribed to one channel (`benchmarks/apps/fanout_apps.py`); "
    "one publisher sends a fixed number of events (a dict, JSON of 100 B or 4 KiB) in bursts "
    "(`--window`), the next burst once every socket has the previous one. The floor encodes "
    "once and puts the one `str` into a bounded queue per socket, each drained by its own task.",
    "`delivered/s` is wall-clock (it moves with the machine's load); `µs CPU/delivery` is the "
    "CPU time of the process holding the sockets per delivered frame (on Redis, not the "
    "publisher's process), and `ratio` is the floor's / the row's, both from the same run.",
    "`p50`/`p99`: from the publish call to the socket's `send`, over up to 32 sampled sockets "
    "per run (an event waits behind the earlier ones of its burst); `p99 x floor` compares "
    "with the floor of the same table.",
    "`KiB/sub`: the process's peak RSS minus its RSS before the connections, over N. "
    "`objects/event`: how many distinct `str` objects the sockets were handed for the last "
    "event (1: one shared object). `delivered`: every frame counted; a row that lost "
    "events shows delivered/expected and LOST.",
    "ws-kit and Litestar: `ChannelsPlugin` with `run_in_background(socket.send_data)`, "
    "backlogs of 1,000 (`backoff`), memory backends without history; on Redis both publish "
    "with `wait_published`, stream backends keep 100 events. broadcaster: one forwarding "
    "task per socket (its queues are unbounded). The Redis floor reads the channel with one "
    "redis-py subscriber per process.",
]


def item(seq: int, size: int) -> dict[str, Any]:
    """An event whose JSON is ``size`` bytes (at least its sequence number and an empty body)."""
    bare = len(_encode({"seq": seq, "body": ""}))
    return {"seq": seq, "body": "x" * max(0, size - bare)}


def rss_bytes() -> int:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * PAGE


# -- the child: one measurement -----------------------------------------------------------


class Hub:
    """What the sockets share: the delivery count, and a waiter for a count to reach."""

    __slots__ = ("closing", "delivered", "waiter", "wake_at")

    def __init__(self) -> None:
        self.delivered = 0
        self.wake_at = float("inf")
        self.waiter: asyncio.Future[None] | None = None
        self.closing = asyncio.Event()

    def wake(self) -> None:
        self.wake_at = float("inf")
        if self.waiter is not None and not self.waiter.done():
            self.waiter.set_result(None)

    async def until(self, count: int, stall: float) -> bool:
        """Wait until ``count`` deliveries; False if none came for ``stall`` seconds."""
        while self.delivered < count:
            before = self.delivered
            self.waiter = asyncio.get_running_loop().create_future()
            self.wake_at = count
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.waiter, stall)
            if self.delivered == before:
                return False
        return True


class Sink:
    """One client socket: scripted ``receive`` (connect, wait for the end), counting ``send``."""

    __slots__ = ("accepted", "connected", "count", "hub", "last", "times")

    def __init__(self, hub: Hub) -> None:
        self.hub = hub
        self.count = 0
        self.last: Any = None
        self.times: list[float] | None = None
        self.accepted = False
        self.connected = False

    async def receive(self) -> dict[str, Any]:
        if not self.connected:
            self.connected = True
            return CONNECT
        await self.hub.closing.wait()
        return DISCONNECT

    async def __call__(self, message: dict[str, Any]) -> None:
        if message["type"] == "websocket.send":
            self.count += 1
            self.last = message.get("text")
            times = self.times
            if times is not None:
                times.append(time.perf_counter())
            hub = self.hub
            hub.delivered += 1
            if hub.delivered >= hub.wake_at:
                hub.wake()
        elif message["type"] == "websocket.accept":
            self.accepted = True


class LocalPublisher:
    """Publishes in this process, through the row."""

    def __init__(self, row: Any, items: list[dict[str, Any]]) -> None:
        self.row, self.items = row, items
        self.times = [0.0] * len(items)
        self.sent = 0
        self.probes = 0

    async def start(self) -> None:
        pass

    async def probe(self) -> None:
        self.probes += 1
        await self.row.publish({"probe": self.probes})

    async def allow(self, count: int) -> None:
        items, times, publish = self.items, self.times, self.row.publish
        for i in range(self.sent, count):
            times[i] = time.perf_counter()
            await publish(items[i])
        self.sent = max(self.sent, count)

    async def finish(self) -> list[float]:
        return self.times


class RemotePublisher:
    """Publishes from a child process (``--publisher``), fed credits through its stdin."""

    def __init__(self, spec: dict[str, Any]) -> None:
        self.spec = spec
        self.proc: asyncio.subprocess.Process | None = None

    async def _line(self) -> str:
        assert self.proc is not None
        assert self.proc.stdout is not None
        line = await asyncio.wait_for(self.proc.stdout.readline(), 60)
        if not line:
            raise RuntimeError("the publisher process ended early")
        return line.decode().strip()

    async def start(self) -> None:
        self.proc = await asyncio.create_subprocess_exec(
            sys.executable,
            str(SCRIPT),
            "--publisher",
            json.dumps(self.spec),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
        )
        if await self._line() != "ready":
            raise RuntimeError("the publisher process did not start")

    def _write(self, line: str) -> None:
        assert self.proc is not None
        assert self.proc.stdin is not None
        self.proc.stdin.write(line.encode() + b"\n")

    async def probe(self) -> None:
        self._write("probe")

    async def allow(self, count: int) -> None:
        self._write(f"allow {count}")

    async def finish(self) -> list[float]:
        self._write("end")
        times = json.loads(await self._line())
        assert self.proc is not None
        await asyncio.wait_for(self.proc.wait(), 30)
        return times


async def measure(spec: dict[str, Any]) -> dict[str, Any]:
    """Connect ``n`` sockets to the row's app, publish ``events`` items, count what arrives."""
    from apps.fanout_apps import ROWS

    n, events, window, size = spec["n"], spec["events"], spec["window"], spec["size"]
    row = ROWS[spec["row"]](spec["url"], spec["variant"], "subscriber")
    await row.start()
    items = [item(i, size) for i in range(events)]
    publisher: Any
    publisher = LocalPublisher(row, items) if spec["url"] is None else RemotePublisher(spec)
    await publisher.start()
    hub = Hub()
    sinks = [Sink(hub) for _ in range(n)]
    step = max(1, n // SAMPLED)
    sampled = sinks[::step]
    gc.collect()
    rss_before = rss_bytes()
    scope = websocket_scope("/sub")
    tasks = [asyncio.create_task(row.app({**scope, "state": {}}, s.receive, s)) for s in sinks]
    result: dict[str, Any] = {"expected": n * events}
    try:
        # Probe until every socket has received an event (each subscription is
        # then live), wait for the probes to drain, then start counting.
        deadline = time.monotonic() + 120
        while not all(s.count for s in sinks):
            if time.monotonic() > deadline:
                raise RuntimeError(
                    f"only {sum(1 for s in sinks if s.count)} of {n} sockets got a probe"
                )
            await publisher.probe()
            await asyncio.sleep(0.02 + n / 100_000)
        quiet = -1
        while quiet != hub.delivered:
            quiet = hub.delivered
            await asyncio.sleep(0.2)
        for s in sinks:
            s.count = 0
        for s in sampled:
            s.times = []
        hub.delivered = 0
        expected = n * events
        gc.collect()
        cpu0, wall0 = time.process_time(), time.perf_counter()
        allowed = 0
        sliding = spec["pacing"] == "sliding"
        while hub.delivered < expected:
            full = hub.delivered // n
            if sliding or full >= allowed:
                target = min(events, full + window)
                if target > allowed:
                    await publisher.allow(target)
                    allowed = target
            wanted = (full + 1) * n if sliding else allowed * n
            if not await hub.until(min(expected, wanted), STALL):
                break
        cpu, wall = time.process_time() - cpu0, time.perf_counter() - wall0
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
        published = await publisher.finish()
        latencies = sorted(
            s.times[k] - published[k] for s in sampled for k in range(len(s.times or ()))
        )
        last = _encode(items[-1]).decode()
        result.update(
            delivered=hub.delivered,
            cpu=cpu,
            wall=wall,
            p50=harness.percentile(latencies, 50),
            p99=harness.percentile(latencies, 99),
            rss_per_sub=max(0, peak - rss_before) / n,
            shared=len({id(s.last) for s in sinks if s.last == last}),
            wrong=sum(1 for s in sinks if s.last != last),
        )
    finally:
        hub.closing.set()
        done, pending = await asyncio.wait(tasks, timeout=30)
        for task in pending:
            task.cancel()
        await row.stop()
    errors = [repr(t.exception()) for t in done if not t.cancelled() and t.exception()]
    if errors:
        result["error"] = f"{len(errors)} app tasks failed: {errors[0]}"[:300]
    if pending:
        result["error"] = f"{len(pending)} app tasks did not end after disconnect"
    return result


async def publish_remote(spec: dict[str, Any]) -> None:
    """The ``--publisher`` process: publish on the credits read from stdin, then print times."""
    from apps.fanout_apps import ROWS

    row = ROWS[spec["row"]](spec["url"], spec["variant"], "publisher")
    await row.start()
    items = [item(i, spec["size"]) for i in range(spec["events"])]
    local = LocalPublisher(row, items)
    loop = asyncio.get_running_loop()
    reader = asyncio.StreamReader()
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)
    print("ready", flush=True)
    try:
        while line := (await reader.readline()).decode().split():
            if line[0] == "probe":
                await local.probe()
            elif line[0] == "allow":
                await local.allow(int(line[1]))
            else:
                break
    finally:
        await row.stop()
    print(json.dumps(local.times), flush=True)


# -- the parent: orchestration ------------------------------------------------------------


@dataclass
class Cell:
    config: Config
    n: int
    size: int
    events: int
    runs: list[dict[str, Any]] = field(default_factory=list)
    error: str | None = None

    def values(self, name: str) -> list[float]:
        return [r[name] for r in self.runs if name in r]


def run_child(spec: dict[str, Any], timeout: float) -> dict[str, Any]:
    try:
        out = subprocess.run(
            [sys.executable, str(SCRIPT), "--child", json.dumps(spec)],
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return {"error": f"timed out after {timeout:.0f} s"}
    for line in out.stdout.splitlines():
        if line.startswith("RESULT "):
            return json.loads(line.removeprefix("RESULT "))
    tail = (out.stderr or out.stdout).strip().splitlines()[-3:]
    return {"error": f"exit {out.returncode}: {' | '.join(tail)}"[:400]}


def events_for(n: int, budget: int, minimum: int, maximum: int) -> int:
    return max(minimum, min(maximum, budget // n))


class RedisServer:
    """A redis-server of our own on a free loopback port, stopped by its PID."""

    def __init__(self, binary: str) -> None:
        self.binary = binary
        self.workdir = tempfile.TemporaryDirectory(prefix="fanout-redis-")
        self.port = free_port()
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        argv = [self.binary, "--port", str(self.port), "--bind", "127.0.0.1"]
        argv += ["--dir", self.workdir.name, "--save", "", "--appendonly", "no"]
        self.proc = subprocess.Popen(
            argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, start_new_session=True
        )
        deadline = time.monotonic() + 20
        while not self.command(b"PING").startswith(b"+PONG"):
            if self.proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("redis-server did not start")
            time.sleep(0.05)

    def command(self, *args: bytes) -> bytes:
        """Send one command (RESP) and return the start of the reply (b"" if unreachable)."""
        request = b"*%d\r\n" % len(args) + b"".join(b"$%d\r\n%s\r\n" % (len(a), a) for a in args)
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=2) as sock:
                sock.sendall(request)
                return sock.recv(64)
        except OSError:
            return b""

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            stop_process(self.proc)
        self.workdir.cleanup()


def fmt_latency(seconds: float) -> str:
    if seconds != seconds:  # nan: nothing measured
        return "-"
    return f"{seconds * 1e3:.2f} ms" if seconds >= 1e-3 else f"{seconds * 1e6:.0f} µs"


def table_for(cells: list[Cell], n: int, size: int, title: str) -> harness.Table:
    table = harness.Table(
        title,
        [
            "app",
            "delivered/s",
            "µs CPU/delivery",
            "ratio",
            "±",
            "p50",
            "p99",
            "p99 x floor",
            "KiB/sub",
            "objects/event",
            "delivered",
        ],
    )
    mine = [c for c in cells if c.n == n and c.size == size]
    floor = next((c for c in mine if c.config.floor), None)
    floor_cost = cost_of(floor)
    floor_p99 = harness.median(floor.values("p99")) if floor and floor.values("p99") else None
    for cell in mine:
        cost = cost_of(cell)
        if cost is None:
            table.add(cell.config.label, *["-"] * 9, f"FAILED: {cell.error}")
            continue
        delivered = sum(cell.values("delivered"))
        expected = sum(cell.values("expected"))
        p99 = harness.median(cell.values("p99"))
        rate = harness.median([r["delivered"] / r["wall"] for r in cell.runs if "wall" in r])
        table.add(
            cell.config.label,
            harness.fmt_rate(rate),
            f"{cost * 1e6:.2f}",
            harness.fmt_ratio(floor_cost / cost) if floor_cost else "n/a",
            f"±{harness.spread(per_delivery(cell)):.0%}",
            fmt_latency(harness.median(cell.values("p50"))),
            fmt_latency(p99),
            f"{p99 / floor_p99:.1f}" if floor_p99 else "n/a",
            f"{harness.median(cell.values('rss_per_sub')) / 1024:.1f}",
            f"{max(cell.values('shared'))}",
            "all" if delivered == expected else f"{delivered:,}/{expected:,} LOST",
        )
    return table


def per_delivery(cell: Cell | None) -> list[float]:
    if cell is None:
        return []
    return [r["cpu"] / r["delivered"] for r in cell.runs if r.get("delivered")]


def cost_of(cell: Cell | None) -> float | None:
    costs = per_delivery(cell)
    return harness.median(costs) if costs else None


def find(cells: list[Cell], row: str, variant: str, n: int, size: int) -> Cell | None:
    for cell in cells:
        c = cell.config
        if (c.row, c.variant, cell.n, cell.size) == (row, variant, n, size):
            return cell
    return None


def targets(cells: list[Cell], sizes: list[int]) -> harness.Targets:
    """The goals of issue 18, for N = 1,000 (and 10,000 for memory), each size."""
    result = harness.Targets()

    def quotient(a: Cell | None, b: Cell | None) -> float | None:
        top, bottom = cost_of(b), cost_of(a)  # rates: cost of b / cost of a
        return top / bottom if top and bottom else None

    def all_delivered(cell: Cell | None) -> bool:
        return bool(cell and cell.runs) and sum(cell.values("delivered")) == sum(
            cell.values("expected")
        )

    for size in sizes:
        floor = find(cells, "floor", "memory", 1000, size)
        wskit = find(cells, "wskit", "memory", 1000, size)
        lite = find(cells, "litestar", "memory", 1000, size)
        tag = f"N=1,000, {size} B"
        value = quotient(wskit, floor)
        result.check(f"memory {tag}: ws-kit / floor", value, ">= 0.85", _ge(value, 0.85))
        value = quotient(wskit, lite)
        result.check(f"memory {tag}: ws-kit / litestar", value, ">= 1.50", _ge(value, 1.5))
        shared = max(wskit.values("shared")) if wskit and wskit.runs else None
        result.check(
            f"memory {tag}: ws-kit str objects per event",
            shared,
            "== 1",
            None if shared is None else shared == 1,
            "d",
        )
        if wskit and floor and wskit.values("p99") and floor.values("p99"):
            value = harness.median(wskit.values("p99")) / harness.median(floor.values("p99"))
        else:
            value = None
        result.check(f"memory {tag}: ws-kit p99 / floor p99", value, "<= 2.0", _le(value, 2.0))
        for variant in ("pubsub", "stream"):
            rfloor = find(cells, "floor", "pubsub", 1000, size)
            cell = find(cells, "wskit", variant, 1000, size)
            if cell is None:
                continue
            value = quotient(cell, rfloor)
            ok = _ge(value, 0.85)
            result.check(
                f"redis {variant} {tag}: ws-kit / floor, every event delivered",
                value,
                ">= 0.85, all delivered",
                None if ok is None else ok and all_delivered(cell),
            )
        wskit = find(cells, "wskit", "memory", 10_000, size)
        lite = find(cells, "litestar", "memory", 10_000, size)
        if wskit and lite and wskit.runs and lite.runs:
            mine = harness.median(wskit.values("rss_per_sub"))
            theirs = harness.median(lite.values("rss_per_sub"))
            value = mine / theirs if theirs else None
        else:
            value = None
        result.check(
            f"memory N=10,000, {size} B: ws-kit / litestar peak RSS per subscriber",
            value,
            "<= 1.00",
            _le(value, 1.0),
        )
    return result


def _ge(value: float | None, goal: float) -> bool | None:
    return None if value is None else value >= goal


def _le(value: float | None, goal: float) -> bool | None:
    return None if value is None else value <= goal


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", default="10,1000,10000", help="subscriber counts, comma-separated")
    parser.add_argument(
        "--redis-n", default="1000", help="subscriber counts of the Redis rows, comma-separated"
    )
    parser.add_argument("--sizes", default="100,4096", help="event sizes in bytes")
    parser.add_argument("--reps", type=int, default=5, help="interleaved repetitions")
    parser.add_argument(
        "--deliveries", type=int, default=100_000, help="deliveries per run (events = this / N)"
    )
    parser.add_argument("--window", type=int, default=16, help="events per burst (in flight)")
    parser.add_argument(
        "--pacing",
        choices=("burst", "sliding"),
        default="burst",
        help="publish bursts of --window events, or keep --window in flight",
    )
    parser.add_argument("--only", default="", help="row keys to run (floor, wskit, ...)")
    parser.add_argument(
        "--redis",
        choices=("auto", "yes", "no"),
        default="auto",
        help="Redis rows: if redis-server is found (auto), required (yes) or not (no)",
    )
    parser.add_argument("--quick", action="store_true", help="N = 10 and 1,000, one size, 2 reps")
    parser.add_argument("--no-docs", action="store_true", help="do not rewrite docs/benchmarks.md")
    parser.add_argument("--child", default="", help=argparse.SUPPRESS)
    parser.add_argument("--publisher", default="", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.quick:
        args.n, args.sizes, args.reps = "10,1000", "100", 2
    return args


def main(argv: list[str]) -> int:
    args = parse_args(argv)
    if args.child:
        print("RESULT " + json.dumps(asyncio.run(measure(json.loads(args.child)))), flush=True)
        return 0
    if args.publisher:
        asyncio.run(publish_remote(json.loads(args.publisher)))
        return 0
    ns = [int(x) for x in args.n.split(",")]
    sizes = [int(x) for x in args.sizes.split(",")]
    wanted = set(args.only.split(",")) | {"floor"} if args.only else None
    started = time.perf_counter()
    env = harness.print_environment()
    configs = list(MEMORY_ROWS)
    server: RedisServer | None = None
    binary = shutil.which("redis-server")
    notes: list[str] = []
    if args.redis != "no":
        if binary:
            server = RedisServer(binary)
            server.start()
            configs += REDIS_ROWS
        elif args.redis == "yes":
            print("redis-server not found", file=sys.stderr)
            return 1
        else:
            notes.append("redis-server not found: the Redis rows were not run")
    if wanted:
        configs = [c for c in configs if c.row in wanted]
    redis_ns = {int(x) for x in args.redis_n.split(",")}
    cells = [
        Cell(c, n, size, events_for(n, args.deliveries, 20, 5_000))
        for n in ns
        for size in sizes
        for c in configs
        if not c.redis or n in redis_ns
    ]
    try:
        for rep in range(args.reps):
            shift = rep % len(configs)
            for n in ns:
                for size in sizes:
                    group = [c for c in cells if c.n == n and c.size == size]
                    for cell in group[shift:] + group[:shift]:
                        if cell.error and not cell.runs:
                            continue
                        if server is not None and cell.config.redis:
                            server.command(b"FLUSHALL")
                        spec = {
                            "row": cell.config.row,
                            "variant": cell.config.variant,
                            "url": server.url if cell.config.redis and server else None,
                            "n": n,
                            "size": size,
                            "events": cell.events,
                            "window": args.window,
                            "pacing": args.pacing,
                        }
                        result = run_child(spec, timeout=180)
                        print(
                            f"  rep {rep + 1} N={n} {size} B {cell.config.label}: "
                            + (
                                result["error"]
                                if "error" in result and "cpu" not in result
                                else f"{result.get('delivered')}/{result.get('expected')} "
                                f"in {result.get('wall', 0):.2f} s"
                            ),
                            flush=True,
                        )
                        if "cpu" in result:
                            cell.runs.append(result)
                        if "error" in result:
                            cell.error = result["error"]
    finally:
        if server is not None:
            server.stop()

    tables = []
    for redis in (False, True):
        for n in ns:
            for size in sizes:
                group = [c for c in cells if c.config.redis == redis and c.n == n]
                if not any(c.size == size for c in group):
                    continue
                events = group[0].events
                where = "Redis, publisher in another process" if redis else "in-process, memory"
                title = f"{where}: N = {n:,} sockets, {size:,} B events, {events:,} events"
                tables.append(table_for(group, n, size, title))
    result = targets(cells, sizes)
    failures = [f"{c.config.label} N={c.n} {c.size} B: {c.error}" for c in cells if c.error]
    elapsed = time.perf_counter() - started
    print()
    for table in tables:
        print(table.text())
        print()
    for line in notes + failures:
        print(line)
    print(result.text())
    print(f"\n{args.reps} repetitions, {elapsed:.0f} s in all")

    if not args.no_docs:
        body = [*(f"- {line}" for line in READING), ""]
        for table in tables:
            body += [table.markdown(), ""]
        body += [f"- {line}" for line in notes + failures]
        body += ["", result.markdown(), ""]
        harness.write_docs_report(
            "fanout",
            "Fan-out: one publisher, many subscribed sockets",
            [
                *env,
                f"{args.reps} interleaved repetitions, medians; {args.pacing} pacing, "
                f"{args.window} events per burst; "
                f"run time {elapsed:.0f} s",
            ],
            body,
        )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
