"""However a `websocket_stream` ends, its generator is closed and the client sees the close."""

import logging
from collections.abc import AsyncGenerator
from typing import Any

import anyio
import pytest

from ws_core import App, CloseCode, WebSocket, WebSocketDisconnect, WebSocketMode
from ws_core.testing import AsyncTestClient
from ws_di import Provide
from ws_stream import websocket_stream

pytestmark = pytest.mark.anyio


def error_records(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [record for record in caplog.records if record.levelno >= logging.ERROR]


async def test_exhausted_generator_closes_with_1000_after_its_finally() -> None:
    events: list[str] = []

    @websocket_stream("/")
    async def numbers() -> AsyncGenerator[str, None]:
        try:
            yield "one"
            yield "two"
        finally:
            events.append("finally")

    async with AsyncTestClient(App([numbers])) as client, client.websocket_connect("/") as ws:
        assert await ws.receive_text() == "one"
        assert await ws.receive_text() == "two"
        with pytest.raises(WebSocketDisconnect) as closed:
            await ws.receive_text()
        assert events == ["finally"]
    assert closed.value.code == CloseCode.NORMAL_CLOSURE


async def test_client_disconnect_stops_a_generator_waiting_in_its_body(
    caplog: pytest.LogCaptureFixture,
) -> None:
    events: list[str] = []

    @websocket_stream("/")
    async def idle() -> AsyncGenerator[str, None]:
        try:
            yield "ready"
            await anyio.sleep_forever()
        finally:
            events.append("finally")

    async with AsyncTestClient(App([idle])) as client:
        async with client.websocket_connect("/") as ws:
            assert await ws.receive_text() == "ready"
            await ws.close()
        # Leaving the block waited for the application to finish.
        assert events == ["finally"]
    assert error_records(caplog) == []


async def test_disconnect_during_a_send_in_flight_cancels_it_and_closes_the_generator() -> None:
    events: list[str] = []
    send_started = anyio.Event()
    never = anyio.Event()

    class StuckSendSocket(WebSocket):
        async def send_data(self, data: str | bytes, mode: WebSocketMode = "text") -> None:
            send_started.set()
            await never.wait()
            await super().send_data(data, mode)

    async def resource() -> AsyncGenerator[None, None]:
        yield
        events.append("dependency torn down")

    @websocket_stream(
        "/", websocket_class=StuckSendSocket, dependencies={"resource": Provide(resource)}
    )
    async def stream(resource: None) -> AsyncGenerator[str, None]:
        try:
            yield "stuck"
            events.append("resumed after the send")
        except GeneratorExit:
            events.append("GeneratorExit")
            raise
        finally:
            events.append("finally")

    async with AsyncTestClient(App([stream])) as client, client.websocket_connect("/") as ws:
        await send_started.wait()
        await ws.close()
    assert events == ["GeneratorExit", "finally", "dependency torn down"]


async def test_generator_exception_closes_1011_after_its_finally_and_is_logged_once(
    caplog: pytest.LogCaptureFixture,
) -> None:
    events: list[str] = []

    @websocket_stream("/")
    async def failing() -> AsyncGenerator[str, None]:
        try:
            yield "first"
            raise RuntimeError("boom")
        finally:
            events.append("finally")

    async with AsyncTestClient(App([failing])) as client, client.websocket_connect("/") as ws:
        assert await ws.receive_text() == "first"
        with pytest.raises(WebSocketDisconnect) as closed:
            await ws.receive_text()
        assert events == ["finally"]
    assert closed.value.code == CloseCode.INTERNAL_ERROR
    errors = error_records(caplog)
    assert len(errors) == 1
    assert errors[0].name == "ws_stream"
    assert errors[0].exc_info is not None
    assert isinstance(errors[0].exc_info[1], RuntimeError)


async def test_value_the_encoder_cannot_serialize_closes_1011_and_closes_the_generator() -> None:
    events: list[str] = []

    @websocket_stream("/")
    async def unserializable() -> AsyncGenerator[Any, None]:
        try:
            yield {"fine": True}
            yield object()
        finally:
            events.append("finally")

    async with (
        AsyncTestClient(App([unserializable])) as client,
        client.websocket_connect("/") as ws,
    ):
        assert await ws.receive_json() == {"fine": True}
        with pytest.raises(WebSocketDisconnect) as closed:
            await ws.receive_text()
    assert closed.value.code == CloseCode.INTERNAL_ERROR
    assert events == ["finally"]


async def test_server_shutdown_closes_1001_and_closes_the_generator() -> None:
    events: list[str] = []

    @websocket_stream("/")
    async def ticking() -> AsyncGenerator[str, None]:
        try:
            yield "tick"
            await anyio.sleep_forever()
        finally:
            events.append("finally")

    client = AsyncTestClient(App([ticking]))
    await client.__aenter__()
    async with client.websocket_connect("/") as ws:
        assert await ws.receive_text() == "tick"
        await client.__aexit__(None, None, None)  # lifespan shutdown with the connection open
        with pytest.raises(WebSocketDisconnect) as closed:
            await ws.receive_text()
    assert closed.value.code == CloseCode.GOING_AWAY
    assert events == ["finally"]


@pytest.mark.parametrize("frame", ["text", "binary"])
async def test_client_data_closes_1003_and_closes_the_generator(frame: str) -> None:
    events: list[str] = []

    @websocket_stream("/")
    async def stream() -> AsyncGenerator[str, None]:
        try:
            yield "ready"
            await anyio.sleep_forever()
        finally:
            events.append("finally")

    async with AsyncTestClient(App([stream])) as client, client.websocket_connect("/") as ws:
        assert await ws.receive_text() == "ready"
        if frame == "text":
            await ws.send_text("hello")
        else:
            await ws.send_bytes(b"hello")
        with pytest.raises(WebSocketDisconnect) as closed:
            await ws.receive_text()
    assert closed.value.code == CloseCode.UNSUPPORTED_DATA
    assert events == ["finally"]


@pytest.mark.parametrize("frame", ["text", "binary"])
async def test_allow_data_discard_drops_client_data_and_keeps_streaming(frame: str) -> None:
    received: list[str | bytes] = []
    data_read = anyio.Event()
    go_on = anyio.Event()

    class RecordingSocket(WebSocket):
        async def receive_message(self) -> str | bytes:
            message = await super().receive_message()
            received.append(message)
            data_read.set()
            return message

    @websocket_stream("/", allow_data_discard=True, websocket_class=RecordingSocket)
    async def stream() -> AsyncGenerator[str, None]:
        yield "first"
        await go_on.wait()
        yield "second"

    async with AsyncTestClient(App([stream])) as client, client.websocket_connect("/") as ws:
        assert await ws.receive_text() == "first"
        if frame == "text":
            await ws.send_text("dropped")
        else:
            await ws.send_bytes(b"dropped")
        await data_read.wait()
        go_on.set()
        assert await ws.receive_text() == "second"
        with pytest.raises(WebSocketDisconnect) as closed:
            await ws.receive_text()
    assert closed.value.code == CloseCode.NORMAL_CLOSURE
    assert received == ["dropped" if frame == "text" else b"dropped"]


async def test_a_slow_client_holds_the_generator_back() -> None:
    produced: list[int] = []
    send_started = anyio.Event()
    release = anyio.Event()

    class SlowSocket(WebSocket):
        async def send_data(self, data: str | bytes, mode: WebSocketMode = "text") -> None:
            send_started.set()
            await release.wait()
            await super().send_data(data, mode)

    @websocket_stream("/", websocket_class=SlowSocket)
    async def counting() -> AsyncGenerator[str, None]:
        for number in range(3):
            produced.append(number)
            yield str(number)

    async with AsyncTestClient(App([counting])) as client, client.websocket_connect("/") as ws:
        await send_started.wait()
        await anyio.wait_all_tasks_blocked()
        assert produced == [0]
        release.set()
        assert [await ws.receive_text() for _ in range(3)] == ["0", "1", "2"]
    assert produced == [0, 1, 2]
