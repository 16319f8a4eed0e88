"""Injection: evaluated once per connection, shared by every hook and message."""

from typing import Any

import pytest

from ws_core import App, State, WebSocket
from ws_core.testing import AsyncTestClient
from ws_di import Provide
from ws_listener import websocket_listener

pytestmark = pytest.mark.anyio


async def test_dependencies_are_resolved_once_per_connection() -> None:
    calls: list[int] = []
    seen: list[tuple[str, int]] = []

    def ticket() -> int:
        calls.append(len(calls) + 1)
        return len(calls)

    @websocket_listener(
        "/tickets",
        dependencies={"ticket": Provide(ticket)},
        on_accept=lambda ticket: seen.append(("on_accept", ticket)),
        on_disconnect=lambda ticket: seen.append(("on_disconnect", ticket)),
    )
    async def tickets(data: str, ticket: int) -> int:
        seen.append((data, ticket))
        return ticket

    async with AsyncTestClient(App([tickets])) as client:
        for _ in range(2):
            async with client.websocket_connect("/tickets") as ws:
                for text in ("a", "b", "c"):
                    await ws.send_text(text)
                    await ws.receive_text()
    assert calls == [1, 2]
    assert seen == [
        ("on_accept", 1),
        ("a", 1),
        ("b", 1),
        ("c", 1),
        ("on_disconnect", 1),
        ("on_accept", 2),
        ("a", 2),
        ("b", 2),
        ("c", 2),
        ("on_disconnect", 2),
    ]


async def test_built_in_names_path_and_query_parameters() -> None:
    @websocket_listener("/rooms/{room:int}")
    async def rooms(
        data: Any, socket: WebSocket, state: State, room: int, nick: str, limit: int = 3
    ) -> dict[str, Any]:
        return {
            "data": data,
            "room": room,
            "nick": nick,
            "limit": limit,
            "same_app_state": state is socket.app.state,
        }

    async with (
        AsyncTestClient(App([rooms])) as client,
        client.websocket_connect("/rooms/7?nick=ada&limit=5") as ws,
    ):
        await ws.send_json({"k": 1})
        assert await ws.receive_json() == {
            "data": {"k": 1},
            "room": 7,
            "nick": "ada",
            "limit": 5,
            "same_app_state": True,
        }


async def test_data_may_come_after_injected_parameters() -> None:
    @websocket_listener("/late-data")
    def late_data(socket: WebSocket, prefix: str, *, data: str) -> str:
        return f"{prefix}{data}:{type(socket).__name__}"

    async with (
        AsyncTestClient(App([late_data])) as client,
        client.websocket_connect("/late-data?prefix=%3E") as ws,
    ):
        await ws.send_text("x")
        assert await ws.receive_text() == ">x:WebSocket"


async def test_custom_websocket_class_on_the_handler_layer() -> None:
    class Shouting(WebSocket):
        async def send_data(self, data: str | bytes, mode: Any = "text") -> None:
            await super().send_data(data.upper() if isinstance(data, str) else data, mode)

    @websocket_listener("/shout", websocket_class=Shouting)
    async def shout(data: str, socket: WebSocket) -> str:
        assert isinstance(socket, Shouting)
        return data

    async with AsyncTestClient(App([shout])) as client, client.websocket_connect("/shout") as ws:
        await ws.send_text("quiet")
        assert await ws.receive_text() == "QUIET"
