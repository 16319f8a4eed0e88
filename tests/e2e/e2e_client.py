"""Client-side helpers (the ``websockets`` library, asyncio) for the e2e tests."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, InvalidStatus
from websockets.typing import Subprotocol

GOOD_ORIGIN = "http://good.example"
RECV_TIMEOUT = 10.0
NO_CLOSE_FRAME = 1006  # what a client reports when the TCP connection ends without a close frame


@dataclass(frozen=True)
class Closed:
    """How a connection ended, as the client saw it."""

    code: int
    reason: str
    received: list[str | bytes]


def open_ws(
    url: str,
    *,
    origin: str | None = GOOD_ORIGIN,
    subprotocols: Sequence[str] | None = None,
    **kwargs: Any,
) -> connect:
    """``websockets`` connect with bounded timeouts and the app's allowed Origin."""
    return connect(
        url,
        origin=origin,  # type: ignore[arg-type]
        subprotocols=[Subprotocol(p) for p in subprotocols] if subprotocols else None,
        open_timeout=RECV_TIMEOUT,
        close_timeout=5,
        ping_interval=None,
        compression=None,
        **kwargs,
    )


async def recv(ws: ClientConnection, within: float = RECV_TIMEOUT) -> str | bytes:
    """Receive one message; fail (TimeoutError) instead of hanging."""
    return await asyncio.wait_for(ws.recv(), within)


async def wait_closed(
    ws: ClientConnection, within: float = RECV_TIMEOUT, max_messages: int = 10_000
) -> Closed:
    """Read until the server closes; return the close code/reason and what arrived before."""
    received: list[str | bytes] = []
    try:
        for _ in range(max_messages):
            received.append(await asyncio.wait_for(ws.recv(), within))
    except ConnectionClosed as exc:
        if exc.rcvd is None:
            return Closed(NO_CLOSE_FRAME, "", received)
        return Closed(exc.rcvd.code, exc.rcvd.reason, received)
    raise AssertionError(f"no close after {max_messages} messages: {received[-3:]!r}")


async def handshake_status(url: str, **kwargs: Any) -> int:
    """Connect and return the HTTP status of the rejected handshake (101 if accepted)."""
    try:
        async with open_ws(url, **kwargs) as ws:
            await ws.close()
            return 101
    except InvalidStatus as exc:
        return exc.response.status_code


async def debug_stats(base_url: str) -> dict[str, int]:
    """The kit app's counters and asyncio task count, from its ``/debug/stats`` route."""
    async with open_ws(f"{base_url}/debug/stats") as ws:
        stats: dict[str, int] = json.loads(await recv(ws))
        await wait_closed(ws)
    return stats


def balanced(stats: dict[str, int]) -> bool:
    """Every connection-scoped resource that was set up has been torn down."""
    return (
        stats["live"] == 0
        and stats["setup"] == stats["teardown"]
        and stats["stream_started"] == stats["stream_closed"]
    )


async def settled_stats(base_url: str, within: float = 15.0) -> dict[str, int]:
    """Poll ``/debug/stats`` until :func:`balanced` (bounded); return the last figures."""
    deadline = asyncio.get_running_loop().time() + within
    stats = await debug_stats(base_url)
    while not balanced(stats) and asyncio.get_running_loop().time() < deadline:
        await asyncio.sleep(0.05)
        stats = await debug_stats(base_url)
    return stats
