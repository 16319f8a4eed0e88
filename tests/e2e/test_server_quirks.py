"""Server behaviours seen in the e2e runs, replayed in-process so they are deterministic.

granian (2.8) on SIGTERM drops the TCP connections of open WebSockets and, in
about half of the runs, sends ``lifespan.shutdown`` *before* it delivered
``websocket.disconnect`` to the connections' tasks; a ``websocket.close`` the
app then sends on such a connection never completes (the awaitable never
resolves), and granian exits as soon as the lifespan shutdown is complete.
test_kit_shutdown.py[granian] fails intermittently because of it. Here the same
sequence is driven by a fake server: whatever the server does with a send, the
app must finish its lifespan shutdown in bounded time with every dependency
torn down (SPEC §3: server shutdown -> cleanup runs for each connection).
"""

from __future__ import annotations

from collections.abc import AsyncGenerator
from typing import Any

import anyio
import pytest

from ws_core import Message
from ws_kit import App, Provide, websocket_listener

# The app's wait for open connections at shutdown. It must outlast the 1 s bound
# on a cancelled connection's 1001 close (which never completes here) with room to
# spare on a busy machine; equal to it, the two deadlines raced.
SHUTDOWN_TIMEOUT = 3.0


def build_app(events: list[str]) -> App:
    async def resource() -> AsyncGenerator[int, None]:
        events.append("setup")
        try:
            yield 1
        finally:
            events.append("teardown")

    @websocket_listener("/echo", dependencies={"resource": Provide(resource)})
    async def echo(data: str, resource: int) -> str:
        return data

    app = App([echo])
    app.shutdown_timeout = SHUTDOWN_TIMEOUT
    return app


def websocket_scope(path: str) -> dict[str, Any]:
    return {
        "type": "websocket",
        "asgi": {"version": "3.0", "spec_version": "2.4"},
        "scheme": "ws",
        "path": path,
        "raw_path": path.encode(),
        "root_path": "",
        "query_string": b"",
        "headers": [(b"host", b"127.0.0.1")],
        "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 8000),
        "subprotocols": [],
        "extensions": {"websocket.http.response": {}},
        "state": {},
    }


@pytest.mark.parametrize("backend", ["asyncio", "trio"])
def test_teardown_runs_when_a_dropped_connections_close_never_completes(backend: str) -> None:
    events: list[str] = []
    app = build_app(events)
    outcome: dict[str, Any] = {}

    async def main() -> None:
        release = anyio.Event()  # lets the fake server's stuck send go at the very end
        lifespan_in, lifespan_receive = anyio.create_memory_object_stream[Message](8)
        lifespan_send, lifespan_out = anyio.create_memory_object_stream[Message](8)
        ws_in, ws_receive = anyio.create_memory_object_stream[Message](8)
        accepted = anyio.Event()
        peer_gone = False

        async def server_send(message: Message) -> None:
            if peer_gone:
                await release.wait()  # granian: never resolves on a dropped connection
                raise OSError("connection lost")
            if message["type"] == "websocket.accept":
                accepted.set()

        try:
            async with anyio.create_task_group() as tg:
                lifespan_scope = {"type": "lifespan", "asgi": {"version": "3.0"}, "state": {}}
                tg.start_soon(app, lifespan_scope, lifespan_receive.receive, lifespan_send.send)
                await lifespan_in.send({"type": "lifespan.startup"})
                with anyio.fail_after(10):
                    assert (await lifespan_out.receive())["type"] == "lifespan.startup.complete"

                tg.start_soon(app, websocket_scope("/echo"), ws_receive.receive, server_send)
                await ws_in.send({"type": "websocket.connect"})
                with anyio.fail_after(10):
                    await accepted.wait()
                assert events == ["setup"]

                # SIGTERM: the server drops the TCP connection (no disconnect event yet)
                # and runs the lifespan shutdown.
                peer_gone = True
                await lifespan_in.send({"type": "lifespan.shutdown"})
                with anyio.move_on_after(SHUTDOWN_TIMEOUT + 10):
                    outcome["lifespan"] = (await lifespan_out.receive())["type"]
                # The server exits right after the lifespan shutdown: what has run by now
                # is all that will ever run.
                outcome["events"] = list(events)
                release.set()
                tg.cancel_scope.cancel()
        finally:
            release.set()
            for stream in (lifespan_in, lifespan_receive, lifespan_send, lifespan_out):
                stream.close()
            ws_in.close()
            ws_receive.close()

    anyio.run(main, backend=backend)
    assert outcome.get("lifespan") == "lifespan.shutdown.complete", outcome
    assert outcome["events"] == ["setup", "teardown"], (
        "the dependency was not torn down before the lifespan shutdown completed: "
        f"{outcome['events']}"
    )
