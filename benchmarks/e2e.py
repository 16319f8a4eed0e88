"""End-to-end benchmark: each app in its own uvicorn worker, driven over loopback.

Run with ``hatch run bench:e2e`` (``--help`` for options). Load comes from
``loadclient.py`` processes (the ``websockets`` client): ping-pong JSON with 1
and 50 connections, apps interleaved over several rounds, medians reported.
The server's CPU time per round trip (``/proc/<pid>/stat``) is the figure that
survives a busy machine best. See docs/benchmarks.md.
"""

import argparse
import os
import select
import subprocess
import sys
import time
from dataclasses import dataclass, field

import harness
import msgspec
from servers import UvicornServer, cpu_seconds

CLIENT = str(harness.BENCH_DIR / "loadclient.py")
TIME_BUDGET = 270.0  # seconds: no new round starts after this, so the run stays under 5 min


@dataclass
class Target:
    key: str
    label: str
    app: str  # uvicorn "module:attribute"
    path: str
    server: UvicornServer | None = None
    error: str | None = None


TARGETS = [
    Target("raw", "raw ASGI + msgspec (floor)", "apps.raw:app", "/json"),
    Target("starlette", "starlette receive_json/send_json", "apps.starlette_apps:app", "/json"),
    Target("litestar", "litestar listener dict", "apps.litestar_apps:app", "/listener-dict"),
    Target("wskit-struct", "ws-kit listener Struct", "apps.wskit_apps:app", "/listener-struct"),
    Target("wskit-lowlevel", "ws-kit @websocket loop", "apps.wskit_apps:app", "/lowlevel"),
]


@dataclass
class Sample:
    rate: float
    p50: float
    p99: float
    server_cpu: float  # seconds per round trip
    client_cpu: float  # seconds per round trip, all client processes
    server_load: float  # fraction of one core
    client_load: float  # fraction of one core per client process


@dataclass
class Series:
    samples: list[Sample] = field(default_factory=list)
    error: str | None = None

    def med(self, attr: str) -> float:
        return harness.median([getattr(s, attr) for s in self.samples])


class ClientError(RuntimeError):
    pass


def read_event(proc: subprocess.Popen[bytes], timeout: float) -> dict[str, object]:
    assert proc.stdout is not None
    ready, _, _ = select.select([proc.stdout], [], [], timeout)
    if not ready:
        raise ClientError(f"no answer from the load client within {timeout:.0f} s")
    line = proc.stdout.readline()
    if not line:
        err = proc.stderr.read().decode(errors="replace")[-800:] if proc.stderr else ""
        raise ClientError(f"load client exited: {err.strip()}")
    return msgspec.json.decode(line)


def tell(procs: list[subprocess.Popen[bytes]], command: str) -> None:
    for proc in procs:
        if proc.poll() is None and proc.stdin is not None:
            proc.stdin.write(command.encode() + b"\n")
            proc.stdin.flush()


def placement(pin: bool) -> tuple[set[int] | None, set[int] | None]:
    """CPUs for the servers and for the clients: one core each side when there are two."""
    cores = sorted(os.sched_getaffinity(0))
    if not pin or len(cores) < 2:
        return None, None
    return {cores[0]}, set(cores[1:])


def measure(
    server: UvicornServer,
    path: str,
    conns: int,
    clients: int,
    duration: float,
    cpus: set[int] | None,
) -> Sample:
    """One window of ping-pong load from ``clients`` processes sharing ``conns`` connections."""
    shares = [conns // clients + (1 if i < conns % clients else 0) for i in range(clients)]
    pin = ["--cpus", ",".join(map(str, sorted(cpus)))] if cpus else []
    procs = [
        subprocess.Popen(
            [
                sys.executable,
                CLIENT,
                "--url",
                server.url(path),
                "--connections",
                str(share),
                "--duration",
                str(duration),
                *pin,
            ],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        for share in shares
    ]
    try:
        for proc in procs:
            read_event(proc, 60)  # ready: connected and warmed up
        cpu0, t0 = cpu_seconds(server.pid), time.perf_counter()
        tell(procs, "go")
        results = [read_event(proc, duration + 60) for proc in procs]
        cpu1, wall = cpu_seconds(server.pid), time.perf_counter() - t0
        tell(procs, "close")
        for proc in procs:
            proc.wait(30)
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.kill()
                proc.wait(5)
    trips = sum(int(r["round_trips"]) for r in results)
    if trips == 0:
        raise ClientError("no round trip completed")
    elapsed = max(float(r["elapsed"]) for r in results)
    latencies = sorted(x for r in results for x in r["latencies_us"])  # type: ignore[union-attr]
    client_cpu = sum(float(r["cpu"]) for r in results)
    return Sample(
        rate=trips / elapsed,
        p50=harness.percentile(latencies, 50) / 1000,
        p99=harness.percentile(latencies, 99) / 1000,
        server_cpu=(cpu1 - cpu0) / trips,
        client_cpu=client_cpu / trips,
        server_load=(cpu1 - cpu0) / wall,
        client_load=client_cpu / elapsed / clients,
    )


def start_servers(targets: list[Target], ws: str, cpus: set[int] | None) -> None:
    for target in targets:
        target.server = UvicornServer(target.key, target.app, ws=ws, cpus=cpus)
        target.server.start()
    for target in targets:
        assert target.server is not None
        if not target.server.wait_ready():
            lines = target.server.log_tail().strip().splitlines()
            target.error = "server did not start: " + (lines[-1] if lines else "no output")
            target.server.stop()


def result_table(
    targets: list[Target], results: dict[tuple[str, int], Series], levels: list[int]
) -> harness.Table:
    table = harness.Table(
        "Through uvicorn over loopback, ping-pong JSON (ratio = raw CPU/rt ÷ app CPU/rt)",
        [
            "app",
            "C",
            "rt/s",
            "p50 ms",
            "p99 ms",
            "server µs CPU/rt",
            "ratio",
            "±",
            "server CPU",
            "client µs CPU/rt",
        ],
    )
    for conns in levels:
        raw = results.get(("raw", conns))
        raw_cpu = raw.med("server_cpu") if raw and raw.samples else None
        for target in targets:
            series = results.get((target.key, conns))
            if target.error or series is None or not series.samples:
                table.add(target.label, conns, "-", "-", "-", "-", "-", "-", "-", "-")
                continue
            cpu = series.med("server_cpu")
            table.add(
                target.label,
                conns,
                harness.fmt_rate(series.med("rate")),
                f"{series.med('p50'):.3f}",
                f"{series.med('p99'):.3f}",
                f"{cpu * 1e6:.1f}",
                harness.fmt_ratio(raw_cpu / cpu) if raw_cpu else "n/a",
                f"±{harness.spread([s.server_cpu for s in series.samples]):.0%}",
                f"{series.med('server_load'):.0%}",
                f"{series.med('client_cpu') * 1e6:.1f}",
            )
    return table


def bottleneck_lines(
    targets: list[Target],
    results: dict[tuple[str, int], Series],
    levels: list[int],
    pinned: bool,
) -> list[str]:
    """Evidence that the load client was not what limited the measurements."""
    lines = []
    if pinned:
        lines.append(
            "Servers and clients run on separate CPUs (pinned), so the client never takes "
            "CPU time from the server it measures."
        )
    for conns in levels:
        raw = results.get(("raw", conns))
        if not raw or not raw.samples:
            continue
        line = (
            f"C={conns}: the client spends {raw.med('client_cpu') * 1e6:.1f} µs CPU per round "
            f"trip, the raw server {raw.med('server_cpu') * 1e6:.1f} µs; busy: client "
            f"{raw.med('client_load'):.0%} of its CPU, raw server {raw.med('server_load'):.0%}"
        )
        others = [
            results[(t.key, conns)]
            for t in targets
            if t.key != "raw" and (t.key, conns) in results and results[(t.key, conns)].samples
        ]
        if others:
            loads = [series.med("server_load") for series in others]
            line += f", framework servers {min(loads):.0%}-{max(loads):.0%}"
            if min(loads) >= 0.9:
                line += " (saturated: the server, not the client, set their rate)"
        lines.append(line + ".")
    one, two = results.get(("raw", 50)), results.get(("raw-2clients", 50))
    if one and two and one.samples and two.samples:
        gain = two.med("rate") / one.med("rate")
        verdict = (
            "no gain, so one client process was not held back by its own event loop"
            if gain < 1.10
            else "the rate rises, so at C=50 the raw app's rate is partly client-bound "
            "(its CPU per round trip is still its own)"
        )
        lines.append(
            f"C=50, raw app: {harness.fmt_rate(one.med('rate'))} rt/s with one client process, "
            f"{harness.fmt_rate(two.med('rate'))} rt/s with two on the same client CPU(s) "
            f"(x{gain:.2f}): {verdict}."
        )
    lines.append(
        "CPU per round trip is the server process's own utime+stime over the window; it "
        "moves a little with how saturated the server is (fewer wake-ups per message when busy)."
    )
    return lines


def targets_block(results: dict[tuple[str, int], Series]) -> harness.Targets:
    block = harness.Targets()
    raw, typed = results.get(("raw", 50)), results.get(("wskit-struct", 50))
    value = None
    if raw and typed and raw.samples and typed.samples:
        value = raw.med("server_cpu") / typed.med("server_cpu")
    block.check(
        "C=50 typed listener server CPU/rt ratio to raw",
        value,
        ">= 0.92",
        None if value is None else value >= 0.92,
    )
    return block


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=5, help="interleaved rounds")
    parser.add_argument("--duration", type=float, default=2.0, help="seconds per window")
    parser.add_argument("--connections", default="1,50", help="comma-separated C levels")
    parser.add_argument("--ws", default="auto", help="uvicorn --ws implementation")
    parser.add_argument("--only", default="", help="comma-separated target keys (raw always)")
    parser.add_argument("--no-docs", action="store_true", help="do not rewrite docs/benchmarks.md")
    parser.add_argument(
        "--no-pin", action="store_true", help="do not pin servers and clients to separate CPUs"
    )
    return parser.parse_args(argv)


def main(argv: list[str]) -> int:
    args = parse_args(argv)
    started = time.perf_counter()
    env = harness.print_environment()
    levels = [int(c) for c in args.connections.split(",")]
    targets = TARGETS
    if args.only:
        wanted = set(args.only.split(",")) | {"raw"}
        targets = [t for t in TARGETS if t.key in wanted]
    results: dict[tuple[str, int], Series] = {}
    rounds_done = 0
    server_cpus, client_cpus = placement(not args.no_pin)
    try:
        start_servers(targets, args.ws, server_cpus)
        for target in targets:
            if target.error:
                print(f"skipped {target.key}: {target.error}")
        live = [t for t in targets if not t.error]
        raw = next((t for t in live if t.key == "raw"), None)
        for round_no in range(args.rounds):
            if round_no and time.perf_counter() - started > TIME_BUDGET:
                print(f"time budget reached: {round_no} rounds instead of {args.rounds}")
                break
            shift = round_no % len(live) if live else 0
            plan = [(t, c, 1) for c in levels for t in live[shift:] + live[:shift]]
            if raw is not None and 50 in levels:
                plan.append((raw, 50, 2))
            for target, conns, clients in plan:
                key = (target.key if clients == 1 else f"{target.key}-2clients", conns)
                series = results.setdefault(key, Series())
                if series.error:
                    continue
                assert target.server is not None
                try:
                    series.samples.append(
                        measure(
                            target.server, target.path, conns, clients, args.duration, client_cpus
                        )
                    )
                except (ClientError, OSError, subprocess.SubprocessError) as exc:
                    series.error = f"{type(exc).__name__}: {exc}"[:200]
                    print(f"{key}: {series.error}")
            rounds_done = round_no + 1
            print(f"round {rounds_done}/{args.rounds} done ({time.perf_counter() - started:.0f} s)")
    finally:
        for target in targets:
            if target.server is not None:
                target.server.stop()

    table = result_table(targets, results, levels)
    failures = [f"{t.key}: {t.error}" for t in targets if t.error]
    failures += [f"{k[0]} C={k[1]}: {v.error}" for k, v in results.items() if v.error]
    evidence = bottleneck_lines(targets, results, levels, bool(server_cpus))
    block = targets_block(results)
    ws_impl = "websockets-sansio (uvicorn auto)" if args.ws == "auto" else args.ws
    setting = (
        f"uvicorn, 1 worker per app, --ws {ws_impl}, log level warning; load client: "
        f"websockets {harness.versions()['websockets']} asyncio client on uvloop, "
        f"no compression, {args.duration:g} s windows, {rounds_done} interleaved rounds, medians"
    )
    if server_cpus and client_cpus:
        setting += (
            f"; servers pinned to CPU {','.join(map(str, sorted(server_cpus)))}, "
            f"clients to CPU {','.join(map(str, sorted(client_cpus)))}"
        )
    print()
    print(setting)
    print(table.text())
    for line in failures:
        print("FAILED " + line)
    print()
    print("Is the client the bottleneck?")
    for line in evidence:
        print("  " + line)
    print()
    print(block.text())
    elapsed = time.perf_counter() - started
    load = os.getloadavg()
    print(f"\n{elapsed:.0f} s in all; load average at the end {load[0]:.2f} {load[1]:.2f}")

    if not args.no_docs:
        harness.write_docs_report(
            "e2e",
            "End to end: uvicorn over loopback",
            [
                *env,
                f"{setting}; run time {elapsed:.0f} s, load average at the end {load[0]:.2f}",
            ],
            [
                table.markdown(),
                "",
                *(f"- FAILED {line}" for line in failures),
                "",
                "**Is the client the bottleneck?**",
                "",
                *(f"- {line}" for line in evidence),
                "",
                block.markdown(),
                "",
            ],
        )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
