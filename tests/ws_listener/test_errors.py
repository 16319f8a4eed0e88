"""SPEC §3 rows for listeners: decode failures, handler errors, close codes."""

import logging
from typing import Any

import msgspec
import pytest

from ws_codec import DecodeError
from ws_core import App, WebSocket, WebSocketDisconnect, WebSocketException
from ws_core.testing import AsyncTestClient
from ws_listener import websocket_listener

pytestmark = pytest.mark.anyio


class Order(msgspec.Struct):
    item: str
    qty: int


def listener_records(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [record for record in caplog.records if record.name == "ws_listener"]


async def closed_after_one_reply(
    listener: Any, path: str, message: str, reply: str, closing_message: str
) -> WebSocketDisconnect:
    """Send ``message`` (answered by ``reply``), then ``closing_message``; return the close."""
    async with AsyncTestClient(App([listener])) as client, client.websocket_connect(path) as ws:
        await ws.send_text(message)
        assert await ws.receive_text() == reply
        await ws.send_text(closing_message)
        with pytest.raises(WebSocketDisconnect) as info:
            await ws.receive_text()
    return info.value


async def test_layered_decode_error_handler_replies_and_keeps_the_connection() -> None:
    async def on_decode_error(socket: WebSocket, exc: DecodeError) -> None:
        await socket.send_text(f"bad: {exc.short()}")

    @websocket_listener("/orders", exception_handlers={DecodeError: on_decode_error})
    async def orders(data: Order) -> str:
        return f"{data.qty} x {data.item}"

    async with AsyncTestClient(App([orders])) as client, client.websocket_connect("/orders") as ws:
        await ws.send_text('{"item": "tea", "qty": "two"}')
        reply = await ws.receive_text()
        assert reply.startswith("bad: ")
        assert "$.qty" in reply
        await ws.send_text('{"item": "tea", "qty": 2}')
        assert await ws.receive_text() == "2 x tea"


async def test_decode_error_handler_at_app_layer_applies_too() -> None:
    def on_decode_error(socket: WebSocket, exc: DecodeError) -> None:
        raise WebSocketException(4400, "try again")

    @websocket_listener("/orders")
    async def orders(data: Order) -> str:
        return data.item

    app = App([orders], exception_handlers={DecodeError: on_decode_error})
    async with AsyncTestClient(app) as client, client.websocket_connect("/orders") as ws:
        await ws.send_text("[]")
        with pytest.raises(WebSocketDisconnect) as info:
            await ws.receive_text()
    assert (info.value.code, info.value.reason) == (4400, "try again")


async def test_handler_exception_closes_1011_and_is_logged_once(
    caplog: pytest.LogCaptureFixture,
) -> None:
    disconnected: list[str] = []

    @websocket_listener("/boom", on_disconnect=lambda: disconnected.append("gone"))
    async def boom(data: str) -> str:
        raise RuntimeError("secret detail")

    async with AsyncTestClient(App([boom])) as client, client.websocket_connect("/boom") as ws:
        await ws.send_text("x")
        with pytest.raises(WebSocketDisconnect) as info:
            await ws.receive_text()
    assert info.value.code == 1011
    assert info.value.reason == "Internal Server Error"
    errors = [record for record in listener_records(caplog) if record.levelno >= logging.ERROR]
    assert len(errors) == 1
    assert errors[0].exc_info is not None
    assert isinstance(errors[0].exc_info[1], RuntimeError)
    assert disconnected == ["gone"]


async def test_layered_handler_for_listener_error_keeps_serving() -> None:
    async def on_value_error(socket: WebSocket, exc: ValueError) -> None:
        await socket.send_text(f"error: {exc}")

    @websocket_listener("/div", exception_handlers={ValueError: on_value_error})
    def div(data: list[int]) -> float:
        if data[1] == 0:
            raise ValueError("division by zero")
        return data[0] / data[1]

    async with AsyncTestClient(App([div])) as client, client.websocket_connect("/div") as ws:
        await ws.send_text("[1, 0]")
        assert await ws.receive_text() == "error: division by zero"
        await ws.send_text("[3, 2]")
        assert await ws.receive_text() == "1.5"


async def test_layered_handler_that_closes_ends_the_connection() -> None:
    calls: list[str] = []

    async def on_key_error(socket: WebSocket, exc: KeyError) -> None:
        await socket.close(4004, "unknown key")

    @websocket_listener("/lookup", exception_handlers={KeyError: on_key_error})
    async def lookup(data: str) -> str:
        calls.append(data)
        return {"a": "1"}[data]

    closed = await closed_after_one_reply(lookup, "/lookup", "a", "1", "b")
    assert (closed.code, closed.reason) == (4004, "unknown key")
    assert calls == ["a", "b"]


async def test_websocket_exception_closes_with_its_code_and_reason(
    caplog: pytest.LogCaptureFixture,
) -> None:
    @websocket_listener("/auth")
    async def auth(data: str) -> str:
        if data != "letmein":
            raise WebSocketException(4001, "bad password")
        return "welcome"

    closed = await closed_after_one_reply(auth, "/auth", "letmein", "welcome", "guess")
    assert (closed.code, closed.reason) == (4001, "bad password")
    assert [r for r in listener_records(caplog) if r.levelno >= logging.ERROR] == []


async def test_value_that_cannot_be_encoded_is_a_server_error(
    caplog: pytest.LogCaptureFixture,
) -> None:
    @websocket_listener("/unencodable")
    async def unencodable(data: str) -> Any:
        return {"socket": object()}

    async with (
        AsyncTestClient(App([unencodable])) as client,
        client.websocket_connect("/unencodable") as ws,
    ):
        await ws.send_text("x")
        with pytest.raises(WebSocketDisconnect) as info:
            await ws.receive_text()
    assert info.value.code == 1011
    assert len([r for r in listener_records(caplog) if r.levelno >= logging.ERROR]) == 1


async def test_listener_stopping_the_loop_leaves_core_to_close_1000() -> None:
    disconnected: list[str] = []

    @websocket_listener("/stop", on_disconnect=lambda: disconnected.append("gone"))
    async def stop(data: str) -> str:
        if data == "stop":
            raise WebSocketException(1000)
        return data

    closed = await closed_after_one_reply(stop, "/stop", "one", "one", "stop")
    assert closed.code == 1000
    assert disconnected == ["gone"]


async def test_listener_closing_the_socket_ends_quietly(caplog: pytest.LogCaptureFixture) -> None:
    @websocket_listener("/bye")
    async def bye(data: str, socket: WebSocket) -> str:
        if data == "goodbye":
            await socket.close(4000, "see you")
        return data

    closed = await closed_after_one_reply(bye, "/bye", "hello", "hello", "goodbye")
    assert (closed.code, closed.reason) == (4000, "see you")
    assert [r for r in listener_records(caplog) if r.levelno >= logging.WARNING] == []


async def test_peer_disconnect_logs_nothing_and_runs_cleanup(
    caplog: pytest.LogCaptureFixture,
) -> None:
    events: list[str] = []

    async def resource() -> Any:
        events.append("setup")
        yield "resource"
        events.append("teardown")

    @websocket_listener(
        "/peer",
        dependencies={"resource": resource},
        on_disconnect=lambda: events.append("on_disconnect"),
    )
    async def peer(data: str, resource: str) -> str:
        return f"{data}:{resource}"

    caplog.set_level(logging.DEBUG)
    async with AsyncTestClient(App([peer])) as client, client.websocket_connect("/peer") as ws:
        await ws.send_text("a")
        assert await ws.receive_text() == "a:resource"
        await ws.close(1001)
    assert events == ["setup", "on_disconnect", "teardown"]
    assert [r for r in caplog.records if r.levelno >= logging.WARNING] == []
