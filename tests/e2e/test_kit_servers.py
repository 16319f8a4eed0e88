"""The ws-kit test app (apps/e2e_kit_app.py) over real sockets, on every server.

Each test runs once per server kind (``kit_server`` is parametrized); the
servers are shared per pytest worker, so every test leaves no connection open.
After each exchange the app's own counters must balance: every dependency that
was set up has been torn down, every stream generator closed.
"""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import Coroutine
from typing import Any, TypeVar

from e2e_client import (
    balanced,
    handshake_status,
    open_ws,
    recv,
    settled_stats,
    wait_closed,
)
from e2e_support import ServerProcess, wait_for

LONG_REASON = "ab" + "\u20ac" * 60  # as in the app: 182 UTF-8 bytes
TRUNCATED_REASON = "ab" + "\u20ac" * 40  # 122 bytes: the next euro sign would make 125

# HTTP status a client gets for a handshake the app refuses, per server. All five
# servers offer the ASGI "websocket.http.response" (denial response) extension: uvicorn
# with either protocol implementation, hypercorn on both workers, granian. So the app's
# own status arrives everywhere. The app's "/no-denial/..." prefix hides the extension
# from ws-kit, as on a server without it: then the only way to refuse is a
# websocket.close before accept, which every server answers with 403.
WITH_DENIAL = {"unknown path": 404, "guard": 403, "origin": 403, "bad param": 400}
WITHOUT_DENIAL = {"unknown path": 403, "guard": 403, "origin": 403, "bad param": 403}
DENIAL_STATUS = {
    "uvicorn-websockets": (WITH_DENIAL, WITHOUT_DENIAL),
    "uvicorn-wsproto": (WITH_DENIAL, WITHOUT_DENIAL),
    "hypercorn-asyncio": (WITH_DENIAL, WITHOUT_DENIAL),
    "hypercorn-trio": (WITH_DENIAL, WITHOUT_DENIAL),
    "granian": (WITH_DENIAL, WITHOUT_DENIAL),
}


T = TypeVar("T")


def run(coro: Coroutine[Any, Any, T]) -> T:
    return asyncio.run(coro)


def assert_balanced(server: ServerProcess) -> None:
    stats = run(settled_stats(server.url))
    assert balanced(stats), f"{server.kind.id}: leftover resources {stats}"


def test_echo_listener(kit_server: ServerProcess) -> None:
    async def scenario() -> None:
        async with open_ws(f"{kit_server.url}/echo") as ws:
            for text in ("hello", "", "h\u00e9llo \u2603 \U0001f600", "x" * 70_000):
                await ws.send(text)
                assert await recv(ws) == text
            # A binary frame on a text listener is ignored (not turned into a string) ...
            await ws.send(b"\x00binary")
            await ws.send("after")
            # ... so the next reply is the one to "after".
            assert await recv(ws) == "after"
            await ws.close()
        assert ws.close_code == 1000

    run(scenario())
    assert_balanced(kit_server)


def test_typed_listener_closes_1007_naming_the_field(kit_server: ServerProcess) -> None:
    async def scenario() -> tuple[int, str, list[str | bytes]]:
        async with open_ws(f"{kit_server.url}/typed") as ws:
            await ws.send(json.dumps({"item": "apple", "qty": 3}))
            assert json.loads(await recv(ws)) == {"item": "apple", "total": 6}
            await ws.send(json.dumps({"item": "pear", "qty": "many"}))
            closed = await wait_closed(ws)
        return closed.code, closed.reason, closed.received

    code, reason, received = run(scenario())
    assert received == []
    assert code == 1007
    assert "qty" in reason
    assert len(reason.encode()) <= 123

    async def not_json() -> tuple[int, str]:
        async with open_ws(f"{kit_server.url}/typed") as ws:
            await ws.send("{not json")
            closed = await wait_closed(ws)
        return closed.code, closed.reason

    code, reason = run(not_json())
    assert code == 1007
    assert reason
    assert_balanced(kit_server)


def test_stream_sends_n_items_then_closes_1000(kit_server: ServerProcess) -> None:
    async def scenario() -> tuple[int, list[str | bytes]]:
        async with open_ws(f"{kit_server.url}/count?n=7") as ws:
            closed = await wait_closed(ws)
        return closed.code, closed.received

    code, received = run(scenario())
    assert [json.loads(m) for m in received] == list(range(7))
    assert code == 1000


def test_infinite_stream_runs_until_the_client_leaves(kit_server: ServerProcess) -> None:
    async def scenario() -> list[int]:
        async with open_ws(f"{kit_server.url}/ticker") as ws:
            return [json.loads(await recv(ws))["i"] for _ in range(5)]

    assert run(scenario()) == [0, 1, 2, 3, 4]
    assert_balanced(kit_server)  # the generator was closed and the dependency torn down


def test_failing_handler_closes_1011_without_details(kit_server: ServerProcess) -> None:
    marker = f"boom-{uuid.uuid4().hex}"

    async def scenario() -> tuple[int, str]:
        async with open_ws(f"{kit_server.url}/fail") as ws:
            await ws.send("fine")
            assert await recv(ws) == "fine"
            await ws.send(marker)
            closed = await wait_closed(ws)
        return closed.code, closed.reason

    code, reason = run(scenario())
    assert (code, reason) == (1011, "Internal Server Error")
    assert "secret" not in reason
    assert_balanced(kit_server)
    # The traceback is logged by the app, exactly once, and not re-raised to the server
    # (which would log it a second time). assert_balanced() above made another round
    # trip, so anything the server had to say about the failure has been said.
    assert wait_for(lambda: marker in kit_server.log_text(), 10), kit_server.log_tail()
    log = kit_server.log_text()
    assert log.count(f"RuntimeError: secret detail {marker}") == 1, log[-3000:]


def test_refused_handshakes_get_the_status_of_each_server(kit_server: ServerProcess) -> None:
    with_denial, without_denial = DENIAL_STATUS[kit_server.kind.id]

    async def statuses(url: str) -> dict[str, int]:
        return {
            "unknown path": await handshake_status(f"{url}/no/such/path"),
            "guard": await handshake_status(f"{url}/guarded?token=wrong"),
            "origin": await handshake_status(f"{url}/echo", origin="http://evil.example"),
            "bad param": await handshake_status(f"{url}/items/abc"),
        }

    url = kit_server.url
    assert run(statuses(url)) == with_denial
    assert run(statuses(f"{url}/no-denial")) == without_denial

    async def allowed() -> None:
        async with open_ws(f"{url}/guarded?token=letmein") as ws:
            await ws.send("hi")
            assert await recv(ws) == "guarded:hi"
        async with open_ws(f"{url}/items/42") as ws:
            await ws.send("hi")
            assert json.loads(await recv(ws)) == {"item_id": 42, "data": "hi"}

    run(allowed())

    async def allowed_without_denial() -> None:
        async with open_ws(f"{url}/no-denial/guarded?token=letmein") as ws:
            await ws.send("hi")
            assert await recv(ws) == "guarded:hi"

    run(allowed_without_denial())
    assert_balanced(kit_server)  # the refused origin never set up /echo's dependency


def test_subprotocol_chosen_by_the_server_arrives(kit_server: ServerProcess) -> None:
    async def scenario() -> tuple[str | None, str | None]:
        async with open_ws(
            f"{kit_server.url}/subprotocol", subprotocols=["chat.v3", "chat.v2", "chat.v1"]
        ) as ws:
            chosen = ws.subprotocol
            await ws.send("x")
            assert await recv(ws) == "x"
        async with open_ws(f"{kit_server.url}/subprotocol") as ws:
            none_chosen = ws.subprotocol
        return chosen, none_chosen

    assert run(scenario()) == ("chat.v2", None)


def test_long_close_reason_is_truncated_on_a_utf8_boundary(kit_server: ServerProcess) -> None:
    async def scenario() -> list[tuple[int, str]]:
        async with open_ws(f"{kit_server.url}/long-close") as ws:
            by_close = await wait_closed(ws)
        async with open_ws(f"{kit_server.url}/long-close-exc") as ws:
            await ws.send("go")
            by_exception = await wait_closed(ws)
        return [(by_close.code, by_close.reason), (by_exception.code, by_exception.reason)]

    (code1, reason1), (code2, reason2) = run(scenario())
    assert code1 == 4000
    assert code2 == 4001
    for reason in (reason1, reason2):
        assert len(reason.encode()) <= 123
        assert reason == TRUNCATED_REASON
