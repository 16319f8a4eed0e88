"""The test clients: scope, timeouts, rejections, failures, the sync wrapper."""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any

import anyio
import msgspec
import pytest
from core_support import raw_app

from ws_core import App, WebSocket, WebSocketDisconnect, websocket
from ws_core.testing import (
    AsyncTestClient,
    AsyncWebSocketTestSession,
    TestClient,
    WebSocketRejected,
    WebSocketTestSession,
    create_async_test_client,
    create_test_client,
)


@websocket("/echo")
async def echo(socket: WebSocket) -> None:
    await socket.accept()
    async for message in socket.iter_data("text"):
        await socket.send_text(str(message))


@websocket("/silent")
async def silent(socket: WebSocket) -> None:
    await socket.accept()
    await socket.receive_text()


@pytest.mark.anyio
async def test_the_scope_the_client_builds() -> None:
    scopes: list[dict[str, Any]] = []

    async def handler(socket: WebSocket) -> None:
        scopes.append(dict(socket.scope))
        await socket.accept()

    client = AsyncTestClient(raw_app(handler), base_url="wss://example.org:8443")
    async with (
        client,
        client.websocket_connect("/a%20b?x=1&x=2", ["v1", "v2"], [("X-Y", "z"), ("x-y", "w")]),
    ):
        pass
    [scope] = scopes
    assert scope["type"] == "websocket"
    assert scope["asgi"]["version"] == "3.0"
    assert (scope["scheme"], scope["server"], scope["client"]) == (
        "wss",
        ("example.org", 8443),
        ("testclient", 50000),
    )
    assert (scope["path"], scope["raw_path"], scope["query_string"]) == (
        "/a b",
        b"/a%20b",
        b"x=1&x=2",
    )
    assert scope["root_path"] == ""
    assert (b"host", b"example.org:8443") in scope["headers"]
    assert [value for name, value in scope["headers"] if name == b"x-y"] == [b"z", b"w"]
    assert scope["subprotocols"] == ["v1", "v2"]
    assert "websocket.http.response" in scope["extensions"]


@pytest.mark.anyio
async def test_every_frame_kind_round_trips() -> None:
    async def handler(socket: WebSocket) -> None:
        await socket.accept()
        await socket.send_text(await socket.receive_text())
        await socket.send_bytes(await socket.receive_bytes())
        await socket.send_json(await socket.receive_json(mode="binary"), mode="binary")
        await socket.send_msgpack(await socket.receive_msgpack())

    async with AsyncTestClient(raw_app(handler)) as client, client.websocket_connect("/") as ws:
        await ws.send_text("t")
        assert await ws.receive_text() == "t"
        await ws.send_bytes(b"b")
        assert await ws.receive_bytes() == b"b"
        await ws.send_json({"j": [1]}, mode="binary")
        assert await ws.receive_json(mode="binary") == {"j": [1]}
        await ws.send_msgpack({"m": True})
        assert await ws.receive_msgpack() == {"m": True}
        with pytest.raises(WebSocketDisconnect) as caught:  # the raw app returned without closing
            await ws.receive()
        assert caught.value.code == 1006


@pytest.mark.anyio
async def test_receiving_the_wrong_frame_kind_fails_the_test() -> None:
    async def handler(socket: WebSocket) -> None:
        await socket.accept()
        await socket.send_bytes(b"binary")

    async with AsyncTestClient(raw_app(handler)) as client, client.websocket_connect("/") as ws:
        with pytest.raises(AssertionError, match="expected a text frame, got a binary frame"):
            await ws.receive_text()


@pytest.mark.anyio
async def test_a_receive_times_out_instead_of_hanging() -> None:
    async with (
        AsyncTestClient(App([silent]), timeout=0.2) as client,
        client.websocket_connect("/silent") as session,
    ):
        with pytest.raises(TimeoutError):
            await session.receive_text()


@pytest.mark.anyio
async def test_the_timeout_can_be_set_per_call() -> None:
    async with AsyncTestClient(App([silent])) as client, client.websocket_connect("/silent") as ws:
        with pytest.raises(TimeoutError):
            await ws.receive_json(timeout=0.1)


@pytest.mark.anyio
async def test_the_timeout_can_be_set_per_session() -> None:
    async with (
        AsyncTestClient(App([silent]), timeout=30) as client,
        client.websocket_connect("/silent", timeout=0.1) as ws,
    ):
        with pytest.raises(TimeoutError):
            await ws.receive_text()


def test_the_sync_client_takes_a_session_timeout() -> None:
    with (
        create_test_client(silent) as client,
        client.websocket_connect("/silent", timeout=0.1) as ws,
        pytest.raises(TimeoutError),
    ):
        ws.receive_text()


@pytest.mark.anyio
async def test_create_async_test_client_builds_an_app() -> None:
    client = create_async_test_client(echo, state={"k": "v"})
    assert isinstance(client.app, App)
    async with client, client.websocket_connect("/echo") as ws:
        await ws.send_text("x")
        assert await ws.receive_text() == "x"


@pytest.mark.parametrize(
    "name",
    [
        name
        for name, value in vars(AsyncWebSocketTestSession).items()
        if not name.startswith("_")
        and callable(value)
        and name not in {"connect", "finish", "abandon"}
    ],
)
def test_the_sync_session_has_every_client_method_with_its_documentation(name: str) -> None:
    assert (
        getattr(WebSocketTestSession, name).__doc__
        == getattr(AsyncWebSocketTestSession, name).__doc__
    )


@pytest.mark.anyio
async def test_a_handshake_that_never_comes_times_out() -> None:
    async def never_accepts(socket: WebSocket) -> None:
        await anyio.sleep_forever()

    async with AsyncTestClient(raw_app(never_accepts), timeout=0.2) as client:
        with pytest.raises(TimeoutError):
            async with client.websocket_connect("/"):
                pass


@pytest.mark.anyio
async def test_an_application_that_never_finishes_fails_the_session_exit() -> None:
    async def ignores_disconnect(socket: WebSocket) -> None:
        await socket.accept()
        with anyio.CancelScope(shield=True):
            await anyio.sleep(0.5)

    async with AsyncTestClient(raw_app(ignores_disconnect), timeout=0.1) as client:
        with pytest.raises(TimeoutError, match="did not finish"):
            async with client.websocket_connect("/"):
                pass


@pytest.mark.anyio
async def test_an_exception_escaping_the_application_is_reraised() -> None:
    async def broken(socket: WebSocket) -> None:
        await socket.accept()
        raise ArithmeticError("escaped")

    async with AsyncTestClient(raw_app(broken)) as client:
        with pytest.raises(ArithmeticError, match="escaped"):
            async with client.websocket_connect("/") as session:
                await session.receive_text()


@pytest.mark.anyio
async def test_rejections_carry_status_headers_and_body() -> None:
    async def denies(socket: WebSocket) -> None:
        await socket.reject(418, b'{"tea": true}', {"content-type": "application/json"})

    async def closes(socket: WebSocket) -> None:
        await socket.close()

    async with AsyncTestClient(raw_app(denies)) as client:
        with pytest.raises(WebSocketRejected) as caught:
            async with client.websocket_connect("/"):
                pass
    assert caught.value.status_code == 418
    assert caught.value.headers == [("content-type", "application/json")]
    assert caught.value.json() == {"tea": True}
    assert "418" in str(caught.value)

    async with AsyncTestClient(raw_app(closes)) as client:
        with pytest.raises(WebSocketRejected) as caught:
            async with client.websocket_connect("/"):
                pass
    assert (caught.value.status_code, caught.value.body) == (403, b"")


@pytest.mark.anyio
async def test_sends_that_break_the_asgi_protocol_fail_the_session() -> None:
    async def sends_twice_closed(socket: WebSocket) -> None:
        await socket.accept()
        await socket._send({"type": "websocket.close", "code": 1000})
        await socket._send({"type": "websocket.send", "text": "after close"})

    async with AsyncTestClient(raw_app(sends_twice_closed)) as client:
        with pytest.raises(RuntimeError, match=r"'websocket.send' sent after 'websocket.close'"):
            async with client.websocket_connect("/"):
                pass


@pytest.mark.anyio
async def test_without_the_denial_extension_a_denial_is_a_protocol_error() -> None:
    async def denies(socket: WebSocket) -> None:
        await socket._send({"type": "websocket.http.response.start", "status": 401})

    async with AsyncTestClient(raw_app(denies), extensions=()) as client:
        with pytest.raises(RuntimeError, match=r"without the 'websocket.http.response' extension"):
            async with client.websocket_connect("/"):
                pass


@pytest.mark.anyio
async def test_connecting_requires_entering_the_client() -> None:
    client = AsyncTestClient(App([echo]))
    with pytest.raises(RuntimeError, match="enter the client first"):
        async with client.websocket_connect("/echo"):
            pass


# -- the sync client ---------------------------------------------------------------------


@pytest.mark.parametrize("backend", ["asyncio", "trio"])
def test_sync_test_client_from_a_plain_function(backend: Any) -> None:
    with TestClient(App([echo, silent]), timeout=0.2, backend=backend) as client:
        with client.websocket_connect("/echo", subprotocols=["x"]) as ws:
            ws.send_text("hello")
            assert ws.receive_text() == "hello"
            ws.send_json({"n": 1})
            assert msgspec.json.decode(ws.receive_text()) == {"n": 1}
            assert ws.accepted_subprotocol is None
            assert ws.response_headers == []
        with client.websocket_connect("/silent") as ws, pytest.raises(TimeoutError):
            ws.receive_text()
        with pytest.raises(WebSocketRejected) as caught, client.websocket_connect("/missing"):
            pass
        assert caught.value.status_code == 404


def test_sync_session_methods() -> None:
    @websocket("/")
    async def mirror(socket: WebSocket) -> None:
        await socket.accept()
        await socket.send_bytes(await socket.receive_bytes())
        await socket.send_msgpack(await socket.receive_msgpack())
        await socket.send_json(await socket.receive_json())
        await socket.send_text(await socket.receive_text())
        await socket.receive_text()

    with create_test_client(mirror) as client, client.websocket_connect("/") as ws:
        ws.send_bytes(b"raw")
        assert ws.receive_bytes() == b"raw"
        ws.send_msgpack([1, 2])
        assert ws.receive_msgpack() == [1, 2]
        ws.send_json({"a": 1})
        assert ws.receive_json() == {"a": 1}
        ws.send({"type": "websocket.receive", "text": "raw event"})
        assert ws.receive() == {"type": "websocket.send", "text": "raw event"}
        ws.close(4000)
        with pytest.raises(WebSocketDisconnect):
            ws.receive_text(timeout=1)


def test_create_test_client_builds_an_app_from_one_handler_or_several() -> None:
    with create_test_client([echo], state={"k": "v"}) as client:
        assert isinstance(client.app, App)
        assert client.app.state.k == "v"
        with client.websocket_connect("/echo") as ws:
            ws.send_text("x")
            assert ws.receive_text() == "x"


def test_the_sync_client_runs_the_lifespan() -> None:
    log: list[str] = []
    app = App(
        [echo], on_startup=[lambda: log.append("up")], on_shutdown=[lambda: log.append("down")]
    )
    with TestClient(app):
        assert log == ["up"]
    assert log == ["up", "down"]


# -- the guide's low-level example: a reader and a writer in an asyncio.TaskGroup ---------------


@pytest.mark.anyio
@pytest.mark.parametrize("anyio_backend", ["asyncio"])
async def test_guide_example_streaming_while_receiving(caplog: pytest.LogCaptureFixture) -> None:
    received: list[Any] = []

    @websocket("/")
    async def handler(socket: WebSocket) -> None:
        await socket.accept()

        async def handle_stream() -> None:
            while True:
                await socket.send_json({"time": time.time(), "seen": len(received)})
                await asyncio.sleep(0.01)

        async def handle_receive() -> None:
            async for event in socket.iter_json():
                received.append(event)

        async with asyncio.TaskGroup() as tg:
            tg.create_task(handle_stream())
            tg.create_task(handle_receive())

    async with AsyncTestClient(App([handler])) as client, client.websocket_connect("/") as ws:
        await ws.send_json({"n": 1})
        await ws.send_json({"n": 2})
        while (await ws.receive_json())["seen"] < 2:
            pass
    assert received == [{"n": 1}, {"n": 2}]
    # The writer fails on its next send once the reader saw the disconnect; a
    # task group holding only disconnects ends the connection quietly.
    assert [r for r in caplog.records if r.levelno >= logging.ERROR] == []
