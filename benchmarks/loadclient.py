"""Load client: ping-pong JSON over C WebSocket connections, in its own process.

Usage (driven by e2e.py through stdin/stdout, one JSON object per line)::

    python loadclient.py --url ws://127.0.0.1:PORT/path --connections 50 --duration 3

0. runs on the CPUs given by ``--cpus`` (the server has the others);
1. opens the connections (no compression), warms them up, prints ``{"event": "ready"}``;
2. waits for ``go`` on stdin, runs ping-pong for ``--duration`` seconds (or
   ``--max-round-trips`` per connection), prints ``{"event": "result", ...}``
   with its own CPU time over the window;
3. waits for ``close`` on stdin (so closing is not timed), closes and exits.

Every step is bounded in time. Replies are checked against what was sent.
"""

import argparse
import asyncio
import os
import sys
import time

import msgspec
from websockets.asyncio.client import connect

sys.path.insert(0, str(__import__("pathlib").Path(__file__).resolve().parent))
from apps.common import message_text

STDIN_TIMEOUT = 120.0
PAYLOADS = [message_text(i) for i in range(64)]
EXPECTED = [msgspec.json.decode(p) for p in PAYLOADS]


def emit(obj: dict[str, object]) -> None:
    sys.stdout.write(msgspec.json.encode(obj).decode() + "\n")
    sys.stdout.flush()


async def read_command() -> str:
    loop = asyncio.get_running_loop()
    line = await asyncio.wait_for(loop.run_in_executor(None, sys.stdin.readline), STDIN_TIMEOUT)
    return line.strip()


async def ping_pong(ws, deadline: float, limit: int, latencies: list[float] | None) -> int:
    """Round trips on one connection until ``deadline`` or ``limit``; checks the last reply."""
    clock = time.perf_counter
    send, recv = ws.send, ws.recv
    count = 0
    reply = None
    index = 0
    while count < limit:
        start = clock()
        if start >= deadline:
            break
        index = count & 63
        await send(PAYLOADS[index])
        reply = await recv()
        if latencies is not None:
            latencies.append(clock() - start)
        count += 1
    if reply is not None and msgspec.json.decode(reply) != EXPECTED[index]:
        raise RuntimeError(f"wrong reply: {reply[:80]!r}")
    return count


async def main(args: argparse.Namespace) -> None:
    sockets = await asyncio.gather(
        *(
            connect(
                args.url,
                compression=None,
                ping_interval=None,
                open_timeout=20,
                close_timeout=5,
                max_size=2**20,
            )
            for _ in range(args.connections)
        )
    )
    try:
        warm_end = time.perf_counter() + args.warmup
        await asyncio.gather(*(ping_pong(ws, warm_end, 10_000, None) for ws in sockets))
        emit({"event": "ready"})
        if await read_command() != "go":
            return
        latencies: list[float] = []
        cpu0, t0 = time.process_time(), time.perf_counter()
        deadline = t0 + args.duration
        counts = await asyncio.gather(
            *(ping_pong(ws, deadline, args.max_round_trips, latencies) for ws in sockets)
        )
        elapsed, cpu = time.perf_counter() - t0, time.process_time() - cpu0
        latencies.sort()
        emit(
            {
                "event": "result",
                "round_trips": sum(counts),
                "elapsed": elapsed,
                "cpu": cpu,
                "latencies_us": [round(x * 1e6) for x in latencies],
            }
        )
        await read_command()  # "close": the parent has read the server's CPU time
    finally:
        await asyncio.gather(*(ws.close() for ws in sockets), return_exceptions=True)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--url", required=True)
    parser.add_argument("--connections", type=int, default=1)
    parser.add_argument("--duration", type=float, default=3.0)
    parser.add_argument("--warmup", type=float, default=0.5)
    parser.add_argument("--max-round-trips", type=int, default=1_000_000)
    parser.add_argument("--cpus", default="", help="comma-separated CPUs to run on")
    return parser.parse_args()


if __name__ == "__main__":
    arguments = parse_args()
    if arguments.cpus:
        os.sched_setaffinity(0, {int(c) for c in arguments.cpus.split(",")})
    try:
        import uvloop
    except ImportError:
        asyncio.run(main(arguments))
    else:
        uvloop.run(main(arguments))
