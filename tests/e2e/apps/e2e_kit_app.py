"""The ws-kit app every e2e server serves (``e2e_kit_app:app``).

It is written against the public API only (``from ws_kit import ...``) and runs
on asyncio and trio alike (anyio for sleeping). Connection-scoped resources are
counted: ``setup`` when a tracked dependency has been set up, ``teardown`` when
it has been torn down, ``live`` in between, and the same for stream generators
(``stream_started`` / ``stream_closed``). The counters are written to the JSON
file named by ``E2E_COUNTERS_FILE`` (when set) on every change, so a test can
read them after the server exited, and ``/debug/stats`` reports them live with
the number of asyncio tasks.
"""

import asyncio
import json
import os
from collections.abc import AsyncGenerator
from dataclasses import dataclass
from typing import Any

import anyio

from ws_kit import (
    App,
    Provide,
    WebSocket,
    WebSocketException,
    websocket,
    websocket_listener,
    websocket_stream,
)

ALLOWED_ORIGIN = "http://good.example"
SUBPROTOCOLS = ("chat.v1", "chat.v2")
# 2 + 60 * 3 = 182 UTF-8 bytes; the longest prefix that fits 123 bytes on a character
# boundary is "ab" + 40 euro signs (122 bytes).
LONG_REASON = "ab" + "\u20ac" * 60

_COUNTERS_FILE = os.environ.get("E2E_COUNTERS_FILE")
COUNTERS: dict[str, int] = {
    "setup": 0,
    "teardown": 0,
    "live": 0,
    "slow_setup_started": 0,
    "stream_started": 0,
    "stream_closed": 0,
    "handled": 0,
}


def _bump(key: str, delta: int = 1) -> None:
    COUNTERS[key] += delta
    if _COUNTERS_FILE:
        tmp = f"{_COUNTERS_FILE}.tmp"
        with open(tmp, "w") as fh:
            json.dump(COUNTERS, fh)
        os.replace(tmp, _COUNTERS_FILE)


# -- dependencies ---------------------------------------------------------------------
async def tracked() -> AsyncGenerator[int, None]:
    """A connection-scoped resource whose set-up and teardown are counted."""
    _bump("setup")
    _bump("live")
    try:
        yield COUNTERS["setup"]
    finally:
        _bump("live", -1)
        _bump("teardown")


async def slow_tracked() -> AsyncGenerator[int, None]:
    """Like :func:`tracked`, after a slow set-up (clients drop during it in the churn)."""
    _bump("slow_setup_started")
    await anyio.sleep(0.05)
    _bump("setup")
    _bump("live")
    try:
        yield COUNTERS["setup"]
    finally:
        _bump("live", -1)
        _bump("teardown")


TRACKED = {"ticket": Provide(tracked)}


# -- listeners --------------------------------------------------------------------------
@websocket_listener("/echo", dependencies=TRACKED)
async def echo(data: str, ticket: int) -> str:
    return data


@dataclass
class Order:
    item: str
    qty: int


@websocket_listener("/typed", dependencies=TRACKED)
async def typed(data: Order, ticket: int) -> dict[str, Any]:
    return {"item": data.item, "total": data.qty * 2}


@dataclass
class Seq:
    c: int
    s: int


@websocket_listener("/seq", dependencies=TRACKED)
async def seq(data: Seq, ticket: int) -> Seq:
    return data


@websocket_listener("/fail", dependencies=TRACKED)
async def fail(data: str, ticket: int) -> str:
    if data.startswith("boom"):
        raise RuntimeError(f"secret detail {data}")
    return data


@websocket_listener("/slow-echo", dependencies=TRACKED)
async def slow_echo(data: str, ticket: int) -> str:
    await anyio.sleep(0.02)
    _bump("handled")
    return data


@websocket_listener("/slow-setup", dependencies={"ticket": Provide(slow_tracked)})
async def slow_setup(data: str, ticket: int) -> str:
    return data


def token_guard(socket: WebSocket) -> bool:
    return socket.query_params.get("token") == "letmein"


@websocket_listener("/guarded", guards=[token_guard])
async def guarded(data: str) -> str:
    return f"guarded:{data}"


async def pick_subprotocol(socket: WebSocket) -> None:
    chosen = next((p for p in socket.subprotocols if p in SUBPROTOCOLS), None)
    await socket.accept(subprotocol=chosen)


@websocket_listener("/subprotocol", connection_accept_handler=pick_subprotocol)
async def subprotocol(data: str) -> str:
    return data


@websocket_listener("/items/{item_id:int}")
async def item(data: str, item_id: int) -> dict[str, Any]:
    return {"item_id": item_id, "data": data}


@websocket_listener("/long-close-exc")
async def long_close_exc(data: str) -> str:
    raise WebSocketException(4001, LONG_REASON)


# -- streams ----------------------------------------------------------------------------
@websocket_stream("/count")
async def count(n: int) -> AsyncGenerator[int, None]:
    for i in range(n):
        yield i


@websocket_stream("/ticker", dependencies=TRACKED)
async def ticker(ticket: int) -> AsyncGenerator[dict[str, int], None]:
    _bump("stream_started")
    try:
        i = 0
        while True:
            yield {"i": i, "ticket": ticket}
            i += 1
            await anyio.sleep(0.01)
    finally:
        _bump("stream_closed")


# -- low-level handlers -----------------------------------------------------------------
@websocket("/long-close")
async def long_close(socket: WebSocket) -> None:
    await socket.accept()
    await socket.close(code=4000, reason=LONG_REASON)


def _task_count() -> int:
    try:
        return len(asyncio.all_tasks())
    except RuntimeError:  # not running on asyncio (trio)
        return -1


@websocket("/debug/stats")
async def debug_stats(socket: WebSocket) -> None:
    await socket.accept()
    await socket.send_json({**COUNTERS, "tasks": _task_count()})
    await socket.close()


kit_app = App(
    [
        echo,
        typed,
        seq,
        fail,
        slow_echo,
        slow_setup,
        guarded,
        subprotocol,
        long_close_exc,
        item,
        count,
        ticker,
        long_close,
        debug_stats,
    ],
    allowed_origins=[ALLOWED_ORIGIN],
)


NO_DENIAL_PREFIX = "/no-denial"


async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
    """``kit_app``, with one twist: under ``/no-denial/...`` it hides the server's
    ``websocket.http.response`` extension (and strips the prefix), so a test can see
    what a refused handshake looks like on a server without the denial extension."""
    if scope["type"] == "websocket" and scope["path"].startswith(f"{NO_DENIAL_PREFIX}/"):
        extensions = dict(scope.get("extensions") or {})
        extensions.pop("websocket.http.response", None)
        path = scope["path"][len(NO_DENIAL_PREFIX) :]
        raw_path = scope.get("raw_path")
        if raw_path is not None:
            raw_path = raw_path[len(NO_DENIAL_PREFIX) :]
        scope = {**scope, "path": path, "raw_path": raw_path, "extensions": extensions}
    await kit_app(scope, receive, send)
