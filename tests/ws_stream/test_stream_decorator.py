"""`websocket_stream`: configuration, serialization and dependency injection."""

import dataclasses
from collections.abc import AsyncGenerator, AsyncIterable, AsyncIterator
from typing import Any

import anyio
import msgspec
import pytest

from ws_codec import DTO, DTOConfig
from ws_core import (
    App,
    CloseCode,
    ConfigurationError,
    WebSocket,
    WebSocketDisconnect,
    WebSocketException,
)
from ws_core.testing import AsyncTestClient, WebSocketRejected
from ws_di import Provide
from ws_stream import StreamHandler, websocket_stream


class Point(msgspec.Struct):
    x: int
    y: int


@dataclasses.dataclass
class Pair:
    left: str
    right: str


# -- configuration ------------------------------------------------------------


async def _coroutine() -> str:
    return "not a stream"


def _sync_generator() -> Any:
    yield "not async"


def _plain() -> str:
    return "not a stream"


@pytest.mark.parametrize("fn", [_coroutine, _sync_generator, _plain])
def test_decorating_anything_but_an_async_generator_function_fails_naming_it(fn: Any) -> None:
    with pytest.raises(ConfigurationError, match=fn.__name__):
        websocket_stream("/")(fn)


def test_unknown_mode_or_protocol_fails_at_decoration() -> None:
    with pytest.raises(ConfigurationError, match="mode"):
        websocket_stream("/", mode="txt")  # type: ignore[arg-type]
    with pytest.raises(ConfigurationError, match="protocol"):
        websocket_stream("/", protocol="xml")  # type: ignore[arg-type]


def test_msgpack_in_text_mode_fails_when_the_app_is_built() -> None:
    @websocket_stream("/", protocol="msgpack")
    async def stream() -> AsyncGenerator[int, None]:
        yield 1

    with pytest.raises(ConfigurationError, match="stream"):
        App([stream])


def test_a_return_annotation_that_is_not_an_async_iterator_fails_when_the_app_is_built() -> None:
    @websocket_stream("/numbers")  # type: ignore[arg-type]  # the mistake under test
    async def numbers() -> int:  # type: ignore[misc]
        yield 1

    with pytest.raises(ConfigurationError, match=r"numbers.*/numbers"):
        App([numbers])


def test_decorator_returns_a_route_handler_keeping_the_function() -> None:
    async def ticks() -> AsyncGenerator[int, None]:
        yield 1

    handler = websocket_stream(["/a", "/b"], name="ticks")(ticks)
    assert isinstance(handler, StreamHandler)
    assert handler.fn is ticks
    assert handler.paths == ("/a", "/b")
    assert handler.name == "ticks"
    assert handler.logger.name == "ws_stream"


# -- serialization ------------------------------------------------------------

TRANSPORTS = [("text", "json"), ("binary", "json"), ("binary", "msgpack")]


async def _receive(ws: Any, mode: str, protocol: str) -> Any:
    if protocol == "msgpack":
        return await ws.receive_msgpack()
    return await ws.receive_json(mode=mode)


@pytest.mark.anyio
@pytest.mark.parametrize(("mode", "protocol"), TRANSPORTS)
async def test_yielded_values_are_encoded_by_the_yield_annotation(mode: Any, protocol: Any) -> None:
    @websocket_stream("/struct", mode=mode, protocol=protocol)
    async def structs() -> AsyncGenerator[Point, None]:
        yield Point(x=1, y=2)

    @websocket_stream("/dataclass", mode=mode, protocol=protocol)
    async def dataclasses_() -> AsyncIterator[Pair]:
        yield Pair(left="l", right="r")

    @websocket_stream("/dict", mode=mode, protocol=protocol)
    async def dicts() -> AsyncIterable[dict[str, list[int]]]:
        yield {"numbers": [1, 2]}

    @websocket_stream("/any", mode=mode, protocol=protocol)
    async def anything():  # type: ignore[no-untyped-def]
        yield Point(x=3, y=4)
        yield Pair(left="a", right="b")
        yield {"k": None}

    expected: dict[str, list[dict[str, Any]]] = {
        "/struct": [{"x": 1, "y": 2}],
        "/dataclass": [{"left": "l", "right": "r"}],
        "/dict": [{"numbers": [1, 2]}],
        "/any": [{"x": 3, "y": 4}, {"left": "a", "right": "b"}, {"k": None}],
    }
    app = App([structs, dataclasses_, dicts, anything])
    async with AsyncTestClient(app) as client:
        for path, values in expected.items():
            async with client.websocket_connect(path) as ws:
                assert [await _receive(ws, mode, protocol) for _ in values] == values
                with pytest.raises(WebSocketDisconnect) as closed:
                    await _receive(ws, mode, protocol)
                assert closed.value.code == CloseCode.NORMAL_CLOSURE


@pytest.mark.anyio
@pytest.mark.parametrize(("mode", "protocol"), TRANSPORTS)
async def test_str_and_bytes_are_sent_as_they_are_in_the_stream_mode(
    mode: Any, protocol: Any
) -> None:
    @websocket_stream("/", mode=mode, protocol=protocol)
    async def raw() -> AsyncGenerator[str | bytes, None]:
        yield "plain text"
        yield b"raw bytes"

    async with AsyncTestClient(App([raw])) as client, client.websocket_connect("/") as ws:
        if mode == "text":
            assert await ws.receive_text() == "plain text"
            assert await ws.receive_text() == "raw bytes"
        else:
            assert await ws.receive_bytes() == b"plain text"
            assert await ws.receive_bytes() == b"raw bytes"


@pytest.mark.anyio
async def test_a_str_yield_annotation_sends_strings_unquoted() -> None:
    @websocket_stream("/")
    async def words() -> AsyncGenerator[str, None]:
        yield "hello"

    async with AsyncTestClient(App([words])) as client, client.websocket_connect("/") as ws:
        assert await ws.receive_text() == "hello"


# -- dependency injection -----------------------------------------------------


@pytest.mark.anyio
@pytest.mark.parametrize("ending", ["exhausted", "client disconnect", "generator error"])
async def test_dependencies_are_torn_down_after_the_generator_finally(ending: str) -> None:
    events: list[str] = []

    async def resource() -> AsyncGenerator[str, None]:
        events.append("dependency set up")
        try:
            yield "resource"
        finally:
            events.append("dependency torn down")

    @websocket_stream("/", dependencies={"resource": Provide(resource)})
    async def stream(resource: str) -> AsyncGenerator[str, None]:
        try:
            yield resource
            if ending == "generator error":
                raise RuntimeError("boom")
            if ending == "client disconnect":
                await anyio.sleep_forever()
        finally:
            events.append("generator finally")

    async with AsyncTestClient(App([stream])) as client, client.websocket_connect("/") as ws:
        assert await ws.receive_text() == "resource"
        if ending == "client disconnect":
            await ws.close()
        else:
            with pytest.raises(WebSocketDisconnect):
                await ws.receive_text()
    assert events == ["dependency set up", "generator finally", "dependency torn down"]


@pytest.mark.anyio
async def test_generator_receives_socket_path_and_query_parameters() -> None:
    @websocket_stream("/rooms/{room:str}")
    async def room_feed(
        socket: WebSocket, room: str, limit: int
    ) -> AsyncGenerator[dict[str, Any], None]:
        for index in range(limit):
            yield {"room": room, "index": index, "client": socket.client}

    async with (
        AsyncTestClient(App([room_feed])) as client,
        client.websocket_connect("/rooms/lobby?limit=2") as ws,
    ):
        first = await ws.receive_json()
        second = await ws.receive_json()
    assert first == {"room": "lobby", "index": 0, "client": ["testclient", 50000]}
    assert second["index"] == 1


@dataclasses.dataclass
class User:
    user_name: str
    password: str


class UserOut(DTO[User]):
    config = DTOConfig(exclude={"password"}, rename_strategy="camel")


@pytest.mark.anyio
async def test_return_dto_shapes_the_yielded_models() -> None:
    @websocket_stream("/", return_dto=UserOut)
    async def users() -> AsyncGenerator[User, None]:
        yield User(user_name="ada", password="secret")

    async with AsyncTestClient(App([users])) as client, client.websocket_connect("/") as ws:
        assert await ws.receive_json() == {"userName": "ada"}


# -- layers -------------------------------------------------------------------


@pytest.mark.anyio
async def test_a_failing_guard_rejects_the_handshake_before_the_generator_starts() -> None:
    started: list[str] = []

    def deny(socket: WebSocket) -> bool:
        return False

    @websocket_stream("/", guards=[deny])
    async def guarded() -> AsyncGenerator[str, None]:
        started.append("started")
        yield "secret"

    async with AsyncTestClient(App([guarded])) as client:
        with pytest.raises(WebSocketRejected) as rejected:
            async with client.websocket_connect("/"):
                pass
    assert rejected.value.status_code == 403
    assert started == []


class Overheated(Exception):
    pass


@pytest.mark.anyio
async def test_an_exception_from_the_generator_reaches_the_layered_exception_handler() -> None:
    events: list[str] = []

    async def on_overheated(socket: WebSocket, exc: Overheated) -> None:
        events.append(f"handled {exc}")
        await socket.close(4001, "overheated")

    @websocket_stream("/", exception_handlers={Overheated: on_overheated})
    async def sensor() -> AsyncGenerator[str, None]:
        try:
            yield "warm"
            raise Overheated("too hot")
        finally:
            events.append("finally")

    async with AsyncTestClient(App([sensor])) as client, client.websocket_connect("/") as ws:
        assert await ws.receive_text() == "warm"
        with pytest.raises(WebSocketDisconnect) as closed:
            await ws.receive_text()
    assert (closed.value.code, closed.value.reason) == (4001, "overheated")
    assert events == ["finally", "handled too hot"]


@pytest.mark.anyio
async def test_websocket_exception_from_the_generator_closes_with_its_code() -> None:
    @websocket_stream("/")
    async def quota() -> AsyncGenerator[str, None]:
        yield "one"
        raise WebSocketException(4029, "quota exhausted")

    async with AsyncTestClient(App([quota])) as client, client.websocket_connect("/") as ws:
        assert await ws.receive_text() == "one"
        with pytest.raises(WebSocketDisconnect) as closed:
            await ws.receive_text()
    assert (closed.value.code, closed.value.reason) == (4029, "quota exhausted")
