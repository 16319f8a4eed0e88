"""Layered options: closest wins, dictionaries merge, guards accumulate; injected names."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from ws_core import (
    App,
    ConfigurationError,
    LayerOptions,
    Router,
    State,
    WebSocket,
    WebSocketMode,
    websocket,
)
from ws_core.testing import AsyncTestClient, WebSocketRejected

pytestmark = pytest.mark.anyio


async def first_message(app: App, path: str = "/", **connect: Any) -> Any:
    async with AsyncTestClient(app) as client, client.websocket_connect(path, **connect) as session:
        return await session.receive_json()


async def test_dependencies_merge_with_the_closest_layer_winning_per_key() -> None:
    @websocket("/h", dependencies={"b": lambda: "handler-b", "c": lambda: "handler-c"})
    async def handler(socket: WebSocket, a: str, b: str, c: str) -> None:
        await socket.accept()
        await socket.send_json([a, b, c])

    app = App(
        [Router("/r", [handler], dependencies={"a": lambda: "router-a", "b": lambda: "router-b"})],
        dependencies={"a": lambda: "app-a"},
    )
    assert await first_message(app, "/r/h") == ["router-a", "handler-b", "handler-c"]


async def test_dependencies_see_supplied_names_and_each_other() -> None:
    def greeting(state: State, room: str, lang: str = "en") -> str:
        return f"{state.prefix}:{room}:{lang}"

    @websocket("/rooms/{room}", dependencies={"greeting": greeting})
    async def handler(socket: WebSocket, greeting: str) -> None:
        await socket.accept()
        await socket.send_json(greeting)

    app = App([handler], state={"prefix": "hi"})
    assert await first_message(app, "/rooms/r1") == "hi:r1:en"
    assert await first_message(app, "/rooms/r1?lang=fr") == "hi:r1:fr"


async def test_guards_accumulate_from_the_app_inwards() -> None:
    order: list[str] = []

    def guard(name: str) -> Any:
        def check(socket: WebSocket) -> None:
            order.append(name)

        return check

    @websocket("/h", guards=[guard("handler")])
    async def handler(socket: WebSocket) -> None:
        await socket.accept()
        await socket.send_json(order)

    app = App(
        [
            Router(
                "/outer",
                [Router("/inner", [handler], guards=[guard("inner")])],
                guards=[guard("outer")],
            )
        ],
        guards=[guard("app")],
    )
    assert await first_message(app, "/outer/inner/h") == ["app", "outer", "inner", "handler"]


async def test_a_failing_outer_guard_stops_the_inner_ones() -> None:
    order: list[str] = []

    async def deny(socket: WebSocket) -> bool:
        order.append("app")
        return False

    def inner(socket: WebSocket) -> bool:
        order.append("handler")
        return True

    @websocket("/", guards=[inner])
    async def handler(socket: WebSocket) -> None:
        await socket.accept()

    async with AsyncTestClient(App([handler], guards=[deny])) as client:
        with pytest.raises(WebSocketRejected):
            async with client.websocket_connect("/"):
                pass
    assert order == ["app"]


class Upper(WebSocket):
    async def receive_data(self, mode: WebSocketMode) -> str | bytes:
        data = await super().receive_data(mode)
        return data.upper()


class Reversed(WebSocket):
    async def receive_data(self, mode: WebSocketMode) -> str | bytes:
        data = await super().receive_data(mode)
        return data[::-1]


def class_reporter(path: str, websocket_class: type[WebSocket] | None = None) -> Any:
    @websocket(path, websocket_class=websocket_class)
    async def handler(socket: WebSocket) -> None:
        await socket.accept()
        await socket.send_json([type(socket).__name__, await socket.receive_text()])

    return handler


async def test_websocket_class_closest_layer_wins() -> None:
    app = App(
        [
            class_reporter("/app"),
            class_reporter("/handler", Reversed),
            Router("/router", [class_reporter("/")], websocket_class=WebSocket),
        ],
        websocket_class=Upper,
    )
    async with AsyncTestClient(app) as client:
        for path, expected in [
            ("/app", ["Upper", "ABC"]),
            ("/handler", ["Reversed", "cba"]),
            ("/router", ["WebSocket", "abc"]),
        ]:
            async with client.websocket_connect(path) as session:
                await session.send_text("abc")
                assert await session.receive_json() == expected


async def test_exception_handlers_merge_closest_wins_and_mro_lookup() -> None:
    def tag(name: str) -> Any:
        async def handle(socket: WebSocket, exc: Exception) -> None:
            await socket.send_json([name, type(exc).__name__])

        return handle

    def raising(path: str, exc: Exception, **options: Any) -> Any:
        @websocket(path, **options)
        async def handler(socket: WebSocket) -> None:
            await socket.accept()
            raise exc

        return handler

    app = App(
        [
            raising("/value", ValueError(), exception_handlers={ValueError: tag("handler")}),
            raising("/unicode", UnicodeError()),  # a ValueError subclass: MRO finds the app's
            Router(
                "/r",
                [raising("/key", KeyError()), raising("/index", IndexError())],
                exception_handlers={KeyError: tag("router"), LookupError: tag("router-lookup")},
            ),
            raising("/key", KeyError()),
        ],
        exception_handlers={
            ValueError: tag("app"),
            KeyError: tag("app"),
            Exception: tag("app-any"),
        },
    )
    assert await first_message(app, "/value") == ["handler", "ValueError"]
    assert await first_message(app, "/unicode") == ["app", "UnicodeError"]
    assert await first_message(app, "/r/key") == ["router", "KeyError"]
    assert await first_message(app, "/r/index") == ["router-lookup", "IndexError"]
    assert await first_message(app, "/key") == ["app", "KeyError"]


def test_find_exception_handler_walks_the_mro_and_caches() -> None:
    def handle(socket: WebSocket, exc: Exception) -> None: ...

    @websocket("/")
    async def handler(socket: WebSocket) -> None: ...

    app = App([handler], exception_handlers={LookupError: handle})
    [route] = app.routes
    assert route.find_exception_handler(KeyError()) is handle
    assert route.find_exception_handler(KeyError("again")) is handle
    assert route.find_exception_handler(ValueError()) is None


async def test_injected_names() -> None:
    @websocket("/rooms/{room}")
    async def handler(
        socket: WebSocket,
        state: State,
        scope: dict[str, Any],
        headers: Any,
        query: Any,
        cookies: dict[str, str],
        room: str,
        page: int,
    ) -> None:
        await socket.accept()
        await socket.send_json(
            {
                "state": state.name,
                "app": scope["app"] is socket.app,
                "header": headers["x-h"],
                "query": query.getall("page"),
                "cookies": cookies,
                "room": room,
                "page": page,
            }
        )

    app = App([handler], state=State({"name": "app-state"}))
    message = await first_message(app, "/rooms/r2?page=3", headers={"X-H": "v", "cookie": "a=1"})
    assert message == {
        "state": "app-state",
        "app": True,
        "header": "v",
        "query": ["3"],
        "cookies": {"a": "1"},
        "room": "r2",
        "page": 3,
    }


async def test_generator_dependencies_are_evaluated_once_per_connection() -> None:
    count = State()

    def client_count(state: State) -> Iterator[int]:
        state.count = state.get("count", 0) + 1
        yield state.count
        state.count -= 1

    @websocket("/", dependencies={"client_count": client_count})
    async def handler(socket: WebSocket, client_count: int) -> None:
        await socket.accept()
        await socket.send_json(client_count)
        await socket.receive_text()

    app = App([handler], state=count)
    async with (
        AsyncTestClient(app) as client,
        client.websocket_connect("/") as one,
        client.websocket_connect("/") as two,
    ):
        assert [await one.receive_json(), await two.receive_json()] == [1, 2]
    assert count.count == 0


@pytest.mark.parametrize(
    ("options", "problem"),
    [
        ({"websocket_class": dict}, "websocket_class must be a subclass of WebSocket"),
        ({"guards": ["not callable"]}, "guards must be callables"),
        ({"exception_handlers": {"KeyError": print}}, "keys must be exception classes"),
        ({"exception_handlers": {KeyError: "nope"}}, "is not callable"),
    ],
)
def test_invalid_layer_options(options: dict[str, Any], problem: str) -> None:
    with pytest.raises(ConfigurationError, match=problem):
        LayerOptions(**options)
    with pytest.raises(ConfigurationError, match=problem):
        App(**options)
    with pytest.raises(ConfigurationError, match=problem):
        Router("/", [], **options)
