"""What a Litestar app ported as written relies on: lifespans with task groups, broadcasts,
DTO-shaped replies, message-size limits, and one handler for every invalid message."""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import AsyncIterator
from typing import Any

import anyio
import msgspec
import pytest

from ws_codec import DTO, DTOConfig, encoder_for
from ws_core import App, ConfigurationError, WebSocket, WebSocketDisconnect, websocket
from ws_core.testing import AsyncTestClient
from ws_listener import websocket_listener

pytestmark = pytest.mark.anyio


# -- a connection_lifespan may hold a task group across its yield -----------------------


async def test_a_lifespan_runs_a_background_task_in_a_task_group() -> None:
    stopped = anyio.Event()

    async def lifespan(socket: WebSocket) -> AsyncIterator[None]:
        async def ticker() -> None:
            try:
                for tick in range(3):
                    await socket.send_text(f"tick {tick}")
                await anyio.sleep_forever()
            finally:
                stopped.set()

        async with anyio.create_task_group() as group:
            group.start_soon(ticker)
            yield
            group.cancel_scope.cancel()

    @websocket_listener("/ticks", connection_lifespan=lifespan)
    async def echo(data: str) -> str:
        return f"echo {data}"

    async with AsyncTestClient(App([echo])) as client:
        async with client.websocket_connect("/ticks") as ws:
            received = {await ws.receive_text() for _ in range(3)}
            assert received == {"tick 0", "tick 1", "tick 2"}
            await ws.send_text("hi")
            assert await ws.receive_text() == "echo hi"
        with anyio.fail_after(5):
            await stopped.wait()


async def test_a_lifespan_task_group_is_left_cleanly_at_server_shutdown() -> None:
    exited: list[str] = []

    async def lifespan(socket: WebSocket) -> AsyncIterator[None]:
        async with anyio.create_task_group() as group:
            group.start_soon(anyio.sleep_forever)
            try:
                yield
            finally:
                exited.append("lifespan exit")
                group.cancel_scope.cancel()

    @websocket_listener("/held", connection_lifespan=lifespan)
    async def echo(data: str) -> str:
        return data

    async with AsyncTestClient(App([echo])) as client:
        connection = client.websocket_connect("/held")
        ws = await connection.__aenter__()
        await ws.send_text("x")
        assert await ws.receive_text() == "x"
    # Leaving the client ran the lifespan shutdown while the connection was open.
    with pytest.raises(WebSocketDisconnect) as closed:
        await ws.receive_text()
    await connection.__aexit__(None, None, None)
    assert closed.value.code == 1001
    assert exited == ["lifespan exit"]


# -- a disconnect raised by another member's socket is the sender's error ------------


async def test_a_broadcast_to_a_member_who_left_does_not_end_the_sender(
    caplog: pytest.LogCaptureFixture,
) -> None:
    members: list[WebSocket] = []

    @websocket_listener("/room", on_accept=lambda socket: members.append(socket))
    async def broadcast(data: str, socket: WebSocket) -> None:
        for member in members:
            await member.send_text(data)

    async with AsyncTestClient(App([broadcast])) as client:
        async with client.websocket_connect("/room"):
            pass  # this member left
        async with client.websocket_connect("/room") as sender:
            await sender.send_text("hello")
            with pytest.raises(WebSocketDisconnect) as closed:
                await sender.receive_text()
    assert closed.value.code == 1011  # never a silent 1000
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert len(errors) == 1
    assert errors[0].name == "ws_listener"


async def test_exception_handlers_see_a_foreign_disconnect_and_may_go_on() -> None:
    members: list[WebSocket] = []
    seen: list[int] = []

    async def member_left(socket: WebSocket, exc: WebSocketDisconnect) -> None:
        seen.append(exc.code)
        await socket.send_text("someone left")

    @websocket_listener(
        "/room",
        on_accept=lambda socket: members.append(socket),
        exception_handlers={WebSocketDisconnect: member_left},
    )
    async def broadcast(data: str) -> None:
        for member in members:
            await member.send_text(data)

    async with AsyncTestClient(App([broadcast])) as client:
        async with client.websocket_connect("/room"):
            pass
        async with client.websocket_connect("/room") as sender:
            await sender.send_text("hello")
            assert await sender.receive_text() == "someone left"
            members.pop(0)
            await sender.send_text("again")
            assert await sender.receive_text() == "again"
    assert seen == [1000]


# -- return_dto follows dto when the return annotation holds its model ---------------


@dataclasses.dataclass
class User:
    name: str
    password: str = ""


class UserDTO(DTO[User]):
    config = DTOConfig(exclude={"password"})


async def reply_of(handler: Any, sent: dict[str, Any]) -> Any:
    async with AsyncTestClient(App([handler])) as client, client.websocket_connect("/u") as ws:
        await ws.send_json(sent)
        return await ws.receive_json()


async def test_dto_alone_shapes_the_replies_too() -> None:
    @websocket_listener("/u", dto=UserDTO)
    async def handler(data: User) -> User:
        return User(data.name, password="hunter2")

    assert await reply_of(handler, {"name": "ada"}) == {"name": "ada"}


async def test_dto_shapes_replies_of_a_container_annotation() -> None:
    @websocket_listener("/u", dto=UserDTO)
    async def handler(data: User) -> list[User]:
        return [User(data.name, password="x"), User("bob", password="y")]

    assert await reply_of(handler, {"name": "ada"}) == [{"name": "ada"}, {"name": "bob"}]


async def test_return_dto_none_opts_out() -> None:
    @websocket_listener("/u", dto=UserDTO, return_dto=None)
    async def handler(data: User) -> User:
        return User(data.name, password="shown on purpose")

    assert await reply_of(handler, {"name": "ada"}) == {
        "name": "ada",
        "password": "shown on purpose",
    }


async def test_a_reply_annotation_without_the_model_is_not_shaped() -> None:
    @websocket_listener("/u", dto=UserDTO)
    async def handler(data: User) -> dict[str, str]:
        return {"name": data.name, "note": "not a User"}

    assert await reply_of(handler, {"name": "ada"}) == {"name": "ada", "note": "not a User"}


async def test_an_exception_handler_can_reply_with_a_shaped_model() -> None:
    # socket.send_json(model) encodes every field; encoder= applies the DTO.
    async def not_found(socket: WebSocket, exc: LookupError) -> None:
        fallback = User("guest", password="never on the wire")
        await socket.send_json(fallback, encoder=encoder_for(User, dto=UserDTO))

    @websocket_listener("/u", dto=UserDTO, exception_handlers={LookupError: not_found})
    async def handler(data: User) -> User:
        raise LookupError(data.name)

    assert await reply_of(handler, {"name": "ada"}) == {"name": "guest"}


# -- max_message_size ------------------------------------------------------------------


async def test_a_text_message_over_max_message_size_closes_with_1009() -> None:
    received: list[str] = []

    @websocket_listener("/small", max_message_size=10)
    async def small(data: str) -> None:
        received.append(data)

    async with AsyncTestClient(App([small])) as client, client.websocket_connect("/small") as ws:
        await ws.send_text("é" * 5)  # 10 bytes of UTF-8: fits
        await ws.send_text("é" * 6)  # 12 bytes, though 6 characters
        with pytest.raises(WebSocketDisconnect) as closed:
            await ws.receive_text()
    assert (closed.value.code, closed.value.reason) == (1009, "message too big")
    assert received == ["é" * 5]  # the other one never reached the listener


async def test_a_binary_message_over_max_message_size_closes_with_1009() -> None:
    received: list[bytes] = []

    @websocket_listener("/small", receive_mode="binary", max_message_size=10)
    async def small(data: bytes) -> None:
        received.append(data)

    async with AsyncTestClient(App([small])) as client, client.websocket_connect("/small") as ws:
        await ws.send_bytes(b"x" * 10)
        await ws.send_bytes(b"x" * 11)
        with pytest.raises(WebSocketDisconnect) as closed:
            await ws.receive_text()
    assert closed.value.code == 1009
    assert received == [b"x" * 10]


@pytest.mark.parametrize("size", [0, -1, 1.5, True])
def test_max_message_size_must_be_a_positive_int(size: Any) -> None:
    with pytest.raises(ConfigurationError, match="max_message_size must be a positive int"):
        websocket_listener("/x", max_message_size=size)


# -- one exception handler for every invalid message ----------------------------------


async def test_one_handler_sees_listener_and_low_level_decode_errors() -> None:
    seen: list[str] = []

    async def invalid(socket: WebSocket, exc: msgspec.DecodeError) -> None:
        seen.append(str(exc))
        await socket.send_text("invalid")

    @websocket_listener("/typed")
    async def typed(data: dict[str, int]) -> None: ...

    @websocket("/raw")
    async def raw(socket: WebSocket) -> None:
        await socket.accept()
        await socket.receive_json()

    app = App([typed, raw], exception_handlers={msgspec.DecodeError: invalid})
    async with AsyncTestClient(app) as client:
        for path in ("/typed", "/raw"):
            async with client.websocket_connect(path) as ws:
                await ws.send_text('{"a": "x"}' if path == "/typed" else "{oops")
                assert await ws.receive_text() == "invalid"
    assert seen[0].startswith("$")  # a ws_codec DecodeError: its path, then the problem
    assert "expected int" in seen[0]
    assert seen[1] == "$: malformed JSON"


async def test_a_malformed_frame_in_a_low_level_handler_closes_1007_quietly(
    caplog: pytest.LogCaptureFixture,
) -> None:
    @websocket("/raw")
    async def raw(socket: WebSocket) -> None:
        await socket.accept()
        async for _ in socket.iter_json():
            pass

    async with AsyncTestClient(App([raw])) as client, client.websocket_connect("/raw") as ws:
        await ws.send_text("[1]")
        await ws.send_text("{oops")
        with pytest.raises(WebSocketDisconnect) as closed:
            await ws.receive_text()
    assert (closed.value.code, closed.value.reason) == (1007, "$: malformed JSON")
    assert [r for r in caplog.records if r.levelno >= logging.WARNING] == []
