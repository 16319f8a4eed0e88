"""`send_websocket_stream` inside other handlers: return value, closing, listening, cancelling."""

import asyncio
import dataclasses
from collections.abc import AsyncGenerator, Callable
from typing import Any

import anyio
import anyio.lowlevel
import msgspec
import pytest

from ws_codec import CodecConfigurationError
from ws_core import App, CloseCode, WebSocket, WebSocketDisconnect, WebSocketMode, websocket
from ws_core.testing import AsyncTestClient
from ws_stream import send_websocket_stream

pytestmark = pytest.mark.anyio


class Point(msgspec.Struct):
    x: int
    y: int


@dataclasses.dataclass
class Pair:
    left: str
    right: str


async def test_returns_true_when_exhausted_and_closes_1000() -> None:
    results: list[bool] = []

    async def letters() -> AsyncGenerator[str, None]:
        yield "a"
        yield "b"

    @websocket("/")
    async def handler(socket: WebSocket) -> None:
        await socket.accept()
        results.append(await send_websocket_stream(socket, letters()))

    async with AsyncTestClient(App([handler])) as client, client.websocket_connect("/") as ws:
        assert await ws.receive_text() == "a"
        assert await ws.receive_text() == "b"
        with pytest.raises(WebSocketDisconnect) as closed:
            await ws.receive_text()
        assert results == [True]
    assert closed.value.code == CloseCode.NORMAL_CLOSURE


async def test_close_false_leaves_the_socket_usable() -> None:
    async def letters() -> AsyncGenerator[str, None]:
        yield "a"

    @websocket("/")
    async def handler(socket: WebSocket) -> None:
        await socket.accept()
        exhausted = await send_websocket_stream(socket, letters(), close=False)
        await socket.send_json({"exhausted": exhausted})
        echo = await socket.receive_text()
        await socket.send_text(echo.upper())
        await socket.close(CloseCode.GOING_AWAY)

    async with AsyncTestClient(App([handler])) as client, client.websocket_connect("/") as ws:
        assert await ws.receive_text() == "a"
        assert await ws.receive_json() == {"exhausted": True}
        await ws.send_text("ping")
        assert await ws.receive_text() == "PING"
        with pytest.raises(WebSocketDisconnect) as closed:
            await ws.receive_text()
    assert closed.value.code == CloseCode.GOING_AWAY


async def test_returns_false_when_a_send_finds_the_client_gone() -> None:
    """Without listening, the caller's own reader notices the disconnect; the next send fails."""
    events: list[str] = []
    results: list[bool] = []

    @websocket("/")
    async def handler(socket: WebSocket) -> None:
        await socket.accept()
        reader_done = anyio.Event()

        async def stream() -> AsyncGenerator[str, None]:
            try:
                yield "first"
                await reader_done.wait()
                yield "never delivered"
                events.append("resumed after the failed send")
            finally:
                events.append("finally")

        async def read() -> None:
            async for _ in socket.iter_text():
                pass
            reader_done.set()

        async with anyio.create_task_group() as task_group:
            task_group.start_soon(read)
            results.append(await send_websocket_stream(socket, stream()))

    async with AsyncTestClient(App([handler])) as client, client.websocket_connect("/") as ws:
        assert await ws.receive_text() == "first"
        await ws.close()
    assert results == [False]
    assert events == ["finally"]


async def test_listen_for_disconnect_stops_an_idle_stream_and_returns_false() -> None:
    events: list[str] = []
    results: list[bool] = []

    async def idle() -> AsyncGenerator[str, None]:
        try:
            yield "ready"
            await anyio.sleep_forever()
        finally:
            events.append("finally")

    @websocket("/")
    async def handler(socket: WebSocket) -> None:
        await socket.accept()
        results.append(await send_websocket_stream(socket, idle(), listen_for_disconnect=True))

    async with AsyncTestClient(App([handler])) as client, client.websocket_connect("/") as ws:
        assert await ws.receive_text() == "ready"
        await ws.close()
    assert results == [False]
    assert events == ["finally"]


async def test_without_listening_client_data_reaches_the_callers_reader() -> None:
    @websocket("/")
    async def handler(socket: WebSocket) -> None:
        await socket.accept()
        heard: list[str] = []
        heard_something = anyio.Event()

        async def stream() -> AsyncGenerator[str, None]:
            yield "ready"
            await heard_something.wait()
            yield f"heard {heard[0]}"

        async def read() -> None:
            heard.append(await socket.receive_text())
            heard_something.set()

        async with anyio.create_task_group() as task_group:
            task_group.start_soon(read)
            await send_websocket_stream(socket, stream())

    async with AsyncTestClient(App([handler])) as client, client.websocket_connect("/") as ws:
        assert await ws.receive_text() == "ready"
        await ws.send_text("ping")
        assert await ws.receive_text() == "heard ping"
        with pytest.raises(WebSocketDisconnect) as closed:
            await ws.receive_text()
    assert closed.value.code == CloseCode.NORMAL_CLOSURE


@pytest.mark.parametrize("allow_data_discard", [False, True])
async def test_listening_stream_and_client_data(allow_data_discard: bool) -> None:
    results: list[bool] = []
    go_on = anyio.Event()
    data_read = anyio.Event()

    class RecordingSocket(WebSocket):
        async def receive_message(self) -> str | bytes:
            message = await super().receive_message()
            data_read.set()
            return message

    async def stream() -> AsyncGenerator[str, None]:
        yield "ready"
        await go_on.wait()
        yield "done"

    @websocket("/", websocket_class=RecordingSocket)
    async def handler(socket: WebSocket) -> None:
        await socket.accept()
        results.append(
            await send_websocket_stream(
                socket, stream(), listen_for_disconnect=True, allow_data_discard=allow_data_discard
            )
        )

    async with AsyncTestClient(App([handler])) as client, client.websocket_connect("/") as ws:
        assert await ws.receive_text() == "ready"
        await ws.send_text("unexpected")
        await data_read.wait()
        go_on.set()
        if allow_data_discard:
            assert await ws.receive_text() == "done"
        with pytest.raises(WebSocketDisconnect) as closed:
            await ws.receive_text()
    if allow_data_discard:
        assert (closed.value.code, results) == (CloseCode.NORMAL_CLOSURE, [True])
    else:
        assert (closed.value.code, results) == (CloseCode.UNSUPPORTED_DATA, [False])


@pytest.mark.parametrize(
    ("mode", "protocol"), [("text", "json"), ("binary", "json"), ("binary", "msgpack")]
)
async def test_items_are_serialized_by_their_runtime_type(mode: Any, protocol: Any) -> None:
    async def mixed() -> AsyncGenerator[Any, None]:
        yield Point(x=1, y=2)
        yield Pair(left="l", right="r")
        yield {"list": [1, 2.5, None]}
        yield "as is"
        yield b"also as is"

    @websocket("/")
    async def handler(socket: WebSocket) -> None:
        await socket.accept()
        await send_websocket_stream(socket, mixed(), mode=mode, protocol=protocol)

    async with AsyncTestClient(App([handler])) as client, client.websocket_connect("/") as ws:
        receive = ws.receive_text if mode == "text" else ws.receive_bytes
        frames = [await receive() for _ in range(5)]
    decode: Callable[[Any], Any] = (
        msgspec.msgpack.decode if protocol == "msgpack" else msgspec.json.decode
    )
    assert [decode(frame) for frame in frames[:3]] == [
        {"x": 1, "y": 2},
        {"left": "l", "right": "r"},
        {"list": [1, 2.5, None]},
    ]
    if mode == "text":
        assert frames[3:] == ["as is", "also as is"]
    else:
        assert frames[3:] == [b"as is", b"also as is"]


async def test_msgpack_in_text_mode_is_refused_before_anything_is_sent() -> None:
    errors: list[Exception] = []

    async def one() -> AsyncGenerator[int, None]:
        yield 1

    @websocket("/")
    async def handler(socket: WebSocket) -> None:
        await socket.accept()
        try:
            await send_websocket_stream(socket, one(), protocol="msgpack")
        except CodecConfigurationError as exc:
            errors.append(exc)
        await socket.send_text("still open")

    async with AsyncTestClient(App([handler])) as client, client.websocket_connect("/") as ws:
        assert await ws.receive_text() == "still open"
    assert len(errors) == 1


async def test_cancelled_while_the_generator_waits_closes_it_and_reraises() -> None:
    events: list[str] = []

    @websocket("/")
    async def handler(socket: WebSocket) -> None:
        await socket.accept()
        first_sent = anyio.Event()

        async def ticks() -> AsyncGenerator[str, None]:
            try:
                yield "tick"
                first_sent.set()
                await anyio.sleep_forever()
            finally:
                events.append("finally")

        async def run() -> None:
            try:
                await send_websocket_stream(socket, ticks())
            except anyio.get_cancelled_exc_class():
                events.append("cancellation re-raised")
                raise

        async with anyio.create_task_group() as task_group:
            task_group.start_soon(run)
            await first_sent.wait()
            task_group.cancel_scope.cancel()
        await socket.send_text("after")

    async with AsyncTestClient(App([handler])) as client, client.websocket_connect("/") as ws:
        assert await ws.receive_text() == "tick"
        assert await ws.receive_text() == "after"
    assert events == ["finally", "cancellation re-raised"]


async def test_cancelled_during_a_send_closes_the_generator_shielded() -> None:
    """The generator's `finally` may await: its aclose() is shielded from the cancellation."""
    events: list[str] = []
    send_started = anyio.Event()
    never = anyio.Event()

    class StuckSendSocket(WebSocket):
        async def send_data(self, data: str | bytes, mode: WebSocketMode = "text") -> None:
            if data == "stuck":
                send_started.set()
                await never.wait()
            await super().send_data(data, mode)

    async def stream() -> AsyncGenerator[str, None]:
        try:
            yield "stuck"
        finally:
            await anyio.lowlevel.checkpoint()
            events.append("finally finished its await")

    @websocket("/", websocket_class=StuckSendSocket)
    async def handler(socket: WebSocket) -> None:
        await socket.accept()

        async def run() -> None:
            try:
                await send_websocket_stream(socket, stream())
            except anyio.get_cancelled_exc_class():
                events.append("cancellation re-raised")
                raise

        async with anyio.create_task_group() as task_group:
            task_group.start_soon(run)
            await send_started.wait()
            task_group.cancel_scope.cancel()
        await socket.send_text("after")

    async with AsyncTestClient(App([handler])) as client, client.websocket_connect("/") as ws:
        assert await ws.receive_text() == "after"
    assert events == ["finally finished its await", "cancellation re-raised"]


@pytest.mark.parametrize("anyio_backend", ["asyncio"])
async def test_asyncio_task_cancel_closes_the_generator_and_the_task_ends_cancelled() -> None:
    events: list[str] = []
    tasks: list[asyncio.Task[bool]] = []

    @websocket("/")
    async def handler(socket: WebSocket) -> None:
        await socket.accept()
        first_sent = asyncio.Event()

        async def ticks() -> AsyncGenerator[str, None]:
            try:
                yield "tick"
                first_sent.set()
                await asyncio.Event().wait()
            finally:
                events.append("finally")

        task = asyncio.create_task(send_websocket_stream(socket=socket, stream=ticks()))
        tasks.append(task)
        await first_sent.wait()
        task.cancel()
        try:
            await task
        except asyncio.CancelledError:
            events.append("await task raised CancelledError")
        await socket.send_text("after")

    async with AsyncTestClient(App([handler])) as client, client.websocket_connect("/") as ws:
        assert await ws.receive_text() == "tick"
        assert await ws.receive_text() == "after"
    assert events == ["finally", "await task raised CancelledError"]
    assert tasks[0].cancelled()
