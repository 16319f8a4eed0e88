"""10,000 connections opened and dropped at random points against one uvicorn.

Drop points: during the handshake while a slow dependency is being set up (raw
TCP, closed before the 101 arrives), right after the handshake (before the first
message), in the middle of a stream, while a listener is busy with a message,
and (a few) clean closes. Afterwards the app must be back where it started:
every dependency set up was torn down, no connection is live, no asyncio task is
left over, and the server's RSS has grown by less than RSS_BOUND_MIB after a
warm-up.
"""

from __future__ import annotations

import asyncio
import base64
import os
import random
import time
from collections import Counter
from collections.abc import Awaitable, Callable

import pytest
from e2e_client import balanced, debug_stats, open_ws, recv
from e2e_support import HOST, KIT_APP, ServerFactory, raise_nofile_limit
from websockets.exceptions import ConnectionClosed, InvalidStatus

CHURN = 10_000
WARM_UP = 1_000
CONCURRENCY = 64
RSS_BOUND_MIB = 30
SEED = 20_240_610


async def _drop_during_slow_setup(url: str, port: int, rng: random.Random) -> str:
    _reader, writer = await asyncio.open_connection(HOST, port)
    key = base64.b64encode(os.urandom(16)).decode()
    writer.write(
        (
            "GET /slow-setup HTTP/1.1\r\n"
            f"Host: {HOST}:{port}\r\n"
            "Upgrade: websocket\r\nConnection: Upgrade\r\n"
            f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n"
            "Origin: http://good.example\r\n\r\n"
        ).encode()
    )
    await writer.drain()
    await asyncio.sleep(rng.uniform(0.0, 0.06))  # the dependency sleeps 50 ms before accept
    if rng.random() < 0.5:
        writer.transport.abort()  # RST
    else:
        writer.close()  # FIN
    return "during slow set-up"


async def _drop_before_first_message(url: str, port: int, rng: random.Random) -> str:
    ws = await open_ws(f"{url}/echo")
    ws.transport.abort()
    return "before first message"


async def _drop_mid_stream(url: str, port: int, rng: random.Random) -> str:
    ws = await open_ws(f"{url}/ticker")
    for _ in range(rng.randint(0, 3)):
        await recv(ws)
    ws.transport.abort()
    return "mid-stream"


async def _drop_mid_handler(url: str, port: int, rng: random.Random) -> str:
    ws = await open_ws(f"{url}/slow-echo")
    await ws.send("work")  # the listener sleeps 20 ms before it replies
    await asyncio.sleep(rng.uniform(0.0, 0.01))
    ws.transport.abort()
    return "mid-handler"


async def _clean(url: str, port: int, rng: random.Random) -> str:
    async with open_ws(f"{url}/echo") as ws:
        await ws.send("bye")
        assert await recv(ws) == "bye"
    return "clean close"


SCENARIOS: list[tuple[Callable[[str, int, random.Random], Awaitable[str]], int]] = [
    (_drop_during_slow_setup, 25),
    (_drop_before_first_message, 25),
    (_drop_mid_stream, 20),
    (_drop_mid_handler, 20),
    (_clean, 10),
]


async def _churn(url: str, port: int, count: int, rng: random.Random) -> Counter[str]:
    funcs = [f for f, _ in SCENARIOS]
    weights = [w for _, w in SCENARIOS]
    plan = rng.choices(funcs, weights, k=count)
    seeds = [rng.random() for _ in range(count)]
    gate = asyncio.Semaphore(CONCURRENCY)
    done: Counter[str] = Counter()

    async def one(func: Callable[[str, int, random.Random], Awaitable[str]], seed: float) -> None:
        async with gate:
            try:
                done[await asyncio.wait_for(func(url, port, random.Random(seed)), 20)] += 1
            except (ConnectionClosed, InvalidStatus, OSError, TimeoutError) as exc:
                done[f"client error {type(exc).__name__}: {exc}"[:120]] += 1

    await asyncio.gather(*(one(f, s) for f, s in zip(plan, seeds, strict=True)))
    return done


async def _settle(url: str, baseline_tasks: int | None, within: float) -> dict[str, int]:
    """Poll until balanced and (if given) back to the baseline task count; bounded."""
    deadline = time.monotonic() + within
    while True:
        stats = await debug_stats(url)
        settled = balanced(stats) and (baseline_tasks is None or stats["tasks"] <= baseline_tasks)
        if settled or time.monotonic() > deadline:
            return stats
        await asyncio.sleep(0.1)


@pytest.mark.timeout(240)
def test_ten_thousand_dropped_connections_leave_nothing_behind(
    own_server_factory: ServerFactory, record_property: Callable[[str, object], None]
) -> None:
    raise_nofile_limit(4096)
    server = own_server_factory.start("uvicorn-websockets", KIT_APP)
    rng = random.Random(SEED)

    async def scenario() -> dict[str, object]:
        fresh = await debug_stats(server.url)  # tasks of an idle server (plus this probe)
        warm = await _churn(server.url, server.port, WARM_UP, rng)
        base = await _settle(server.url, fresh["tasks"], within=30)
        rss_before = server.rss_kib()
        started = time.monotonic()
        done = await _churn(server.url, server.port, CHURN, rng)
        churn_s = time.monotonic() - started
        after = await _settle(server.url, fresh["tasks"], within=30)
        return {
            "fresh": fresh,
            "warm": warm,
            "base": base,
            "rss_before": rss_before,
            "rss_after": server.rss_kib(),
            "done": done,
            "after": after,
            "churn_s": churn_s,
        }

    result = asyncio.run(scenario())
    base, after, done = result["base"], result["after"], result["done"]
    assert isinstance(base, dict)
    assert isinstance(after, dict)
    assert isinstance(done, Counter)
    fresh = result["fresh"]
    assert isinstance(fresh, dict)
    growth_kib = int(result["rss_after"]) - int(result["rss_before"])  # type: ignore[call-overload]
    record_property("e2e: churn connections dropped", sum(done.values()))
    record_property("e2e: churn drop points", dict(done))
    record_property(
        "e2e: churn server",
        f"setup {after['setup']} / teardown {after['teardown']}, live {after['live']}, "
        f"asyncio tasks idle {fresh['tasks']} -> after churn {after['tasks']}, "
        f"RSS {int(result['rss_before']) // 1024} -> {int(result['rss_after']) // 1024} MiB "  # type: ignore[call-overload]
        f"(+{growth_kib / 1024:.1f} MiB), churn took {result['churn_s']:.1f}s",
    )
    assert sum(done.values()) == CHURN
    client_errors = {k: v for k, v in done.items() if k.startswith("client error")}
    assert not client_errors, client_errors
    assert balanced(after), after
    assert after["setup"] == after["teardown"]
    assert after["setup"] > base["setup"] + CHURN // 2  # the churn really set resources up
    assert base["tasks"] <= fresh["tasks"], (fresh, base)  # the warm-up left none either
    assert after["tasks"] <= fresh["tasks"], (fresh, after)
    assert growth_kib < RSS_BOUND_MIB * 1024, f"RSS grew by {growth_kib} KiB"
    assert server.running, server.log_tail()
