"""1,000 concurrent connections x 100 sequence-numbered messages through uvicorn.

One asyncio client (uvloop when available) opens every connection first, so all
of them are open at the same time (the app's own count of live connections
proves it), then every connection sends its 100 messages while a reader task
on the same connection checks each reply: nothing lost, nothing reordered,
nothing closed unexpectedly.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections import Counter
from collections.abc import Callable
from typing import Any

import pytest
from e2e_client import debug_stats, open_ws, recv, settled_stats
from e2e_support import KIT_APP, ServerFactory, raise_nofile_limit
from websockets.asyncio.client import ClientConnection
from websockets.exceptions import ConnectionClosed

CONNECTIONS = 1_000
MESSAGES = 100
HANDSHAKE_CONCURRENCY = 100


def _loop_factory() -> Callable[[], asyncio.AbstractEventLoop] | None:
    try:
        import uvloop
    except ImportError:
        return None
    return uvloop.new_event_loop


async def _exchange(conn_id: int, ws: ClientConnection, problems: Counter[str]) -> int:
    """Send MESSAGES numbered messages and check the replies; return how many matched."""

    async def writer() -> None:
        for seq in range(MESSAGES):
            await ws.send(json.dumps({"c": conn_id, "s": seq}))

    matched = 0

    async def reader() -> None:
        nonlocal matched
        for expected in range(MESSAGES):
            reply = json.loads(await recv(ws, within=60))
            if reply != {"c": conn_id, "s": expected}:
                problems["reordered or foreign"] += 1
                return
            matched += 1

    try:
        await asyncio.gather(writer(), reader())
    except ConnectionClosed as exc:
        problems[f"closed {exc.rcvd.code if exc.rcvd else 1006}"] += 1
    except TimeoutError:
        problems["timeout"] += 1
    return matched


async def _load(url: str) -> dict[str, Any]:
    gate = asyncio.Semaphore(HANDSHAKE_CONCURRENCY)
    problems: Counter[str] = Counter()

    async def opened() -> ClientConnection:
        async with gate:
            return await open_ws(f"{url}/seq", max_queue=MESSAGES + 1)

    started = time.monotonic()
    conns = await asyncio.gather(*(opened() for _ in range(CONNECTIONS)))
    try:
        stats = await debug_stats(url)
        live_at_peak = stats["live"]
        opened_at = time.monotonic()
        matched = await asyncio.gather(*(_exchange(i, ws, problems) for i, ws in enumerate(conns)))
        exchanged_at = time.monotonic()
    finally:
        await asyncio.gather(*(ws.close() for ws in conns), return_exceptions=True)
    close_codes = Counter(ws.close_code for ws in conns)
    return {
        "live_at_peak": live_at_peak,
        "matched": sum(matched),
        "problems": problems,
        "close_codes": close_codes,
        "open_s": opened_at - started,
        "exchange_s": exchanged_at - opened_at,
        "after": await settled_stats(url, within=30),
    }


@pytest.mark.timeout(240)
def test_thousand_connections_hundred_messages_each(
    own_server_factory: ServerFactory, record_property: Callable[[str, object], None]
) -> None:
    raise_nofile_limit(4 * CONNECTIONS + 1024)
    server = own_server_factory.start("uvicorn-websockets", KIT_APP)

    with asyncio.Runner(loop_factory=_loop_factory()) as runner:
        result = runner.run(_load(server.url))

    total = CONNECTIONS * MESSAGES
    record_property("e2e: load connections (concurrent, open at once)", result["live_at_peak"])
    record_property("e2e: load messages echoed in order", result["matched"])
    record_property(
        "e2e: load timing (info only)",
        f"open {result['open_s']:.1f}s, exchange {result['exchange_s']:.1f}s "
        f"({total / max(result['exchange_s'], 1e-9):.0f} msg/s round trips)",
    )
    assert result["problems"] == Counter(), result["problems"]
    assert result["live_at_peak"] == CONNECTIONS, "not every connection was open at once"
    assert result["matched"] == total
    assert result["close_codes"] == Counter({1000: CONNECTIONS}), result["close_codes"]
    after = result["after"]
    assert after["live"] == 0, after
    assert after["setup"] == after["teardown"] == CONNECTIONS, after
