"""Dependency teardown runs to its end whatever cancels the connection, and whenever."""

from __future__ import annotations

from collections.abc import AsyncIterator

import anyio
import pytest
from core_support import CONNECT, ScriptedPeer, websocket_scope

from ws_core import App, WebSocket, WebSocketDisconnect, websocket
from ws_core.testing import AsyncTestClient

pytestmark = pytest.mark.anyio


def app_with_slow_teardown(log: list[str], tearing_down: anyio.Event, release: anyio.Event) -> App:
    async def resource() -> AsyncIterator[str]:
        try:
            yield "r"
        finally:
            tearing_down.set()
            await release.wait()  # raises a cancellation that reaches it
            log.append("teardown complete")

    @websocket("/", dependencies={"resource": resource})
    async def handler(socket: WebSocket, resource: str, wait: bool = False) -> None:
        await socket.accept()
        if wait:
            await anyio.sleep_forever()

    return App([handler])


async def serve_then_cancel(
    app: App, scope: dict[str, object], tearing_down: anyio.Event, release: anyio.Event
) -> ScriptedPeer:
    """Serve one connection; cancel its task as a server would, when ``scope`` says so."""
    peer = ScriptedPeer(CONNECT)
    connection = anyio.CancelScope()

    async def serve() -> None:
        with connection:
            await app(scope, peer.receive, peer.send)

    with anyio.fail_after(5):
        async with anyio.create_task_group() as group:
            group.start_soon(serve)
            await anyio.wait_all_tasks_blocked()
            if not tearing_down.is_set():  # the handler waits: cancel it
                connection.cancel()
            await tearing_down.wait()
            connection.cancel()  # (again) while the teardown waits
            await anyio.wait_all_tasks_blocked()
            release.set()
    return peer


async def test_the_teardown_outlives_the_servers_cancellation_of_the_connection() -> None:
    log: list[str] = []
    tearing_down, release = anyio.Event(), anyio.Event()
    app = app_with_slow_teardown(log, tearing_down, release)

    scope = websocket_scope(query_string=b"wait=1")
    peer = await serve_then_cancel(app, scope, tearing_down, release)
    assert log == ["teardown complete"]
    assert peer.sent[-1] == {"type": "websocket.close", "code": 1001, "reason": ""}


async def test_a_cancellation_arriving_during_the_teardown_does_not_cut_it_short() -> None:
    log: list[str] = []
    tearing_down, release = anyio.Event(), anyio.Event()
    app = app_with_slow_teardown(log, tearing_down, release)

    peer = await serve_then_cancel(app, websocket_scope(), tearing_down, release)
    assert log == ["teardown complete"]
    assert peer.sent[-1]["code"] == 1000  # the handler returned: closed normally first


async def test_a_shutdown_during_a_teardown_waits_for_it_without_cancelling_it() -> None:
    log: list[str] = []
    tearing_down, release = anyio.Event(), anyio.Event()
    app = app_with_slow_teardown(log, tearing_down, release)

    async def release_later() -> None:
        await anyio.sleep(0.05)
        log.append("released")
        release.set()

    with anyio.fail_after(5):
        async with anyio.create_task_group() as group:
            async with AsyncTestClient(app) as client:
                connection = client.websocket_connect("/")
                session = await connection.__aenter__()
                with pytest.raises(WebSocketDisconnect):
                    await session.receive_text()
                await tearing_down.wait()
                group.start_soon(release_later)
            # Leaving the client ran the lifespan shutdown during the teardown.
            log.append("shut down")
            await connection.__aexit__(None, None, None)
    assert log == ["released", "teardown complete", "shut down"]
