"""The class form: WebsocketListener subclasses."""

import threading
from collections.abc import AsyncIterator
from typing import Any

import pytest

from ws_core import App, ConfigurationError, Router, WebSocket, WebSocketDisconnect
from ws_core.testing import AsyncTestClient
from ws_di import Provide
from ws_listener import ListenerRouteHandler, WebsocketListener

pytestmark = pytest.mark.anyio


class Counter(WebsocketListener):
    path = "/count"
    instances: list["Counter"] = []  # noqa: RUF012 - shared on purpose, records instances

    def __init__(self) -> None:
        self.count = 0
        Counter.instances.append(self)

    async def on_accept(self, socket: WebSocket) -> None:
        await socket.send_text(f"hello #{len(Counter.instances)}")

    async def on_receive(self, data: str) -> str:
        self.count += 1
        return f"{data}:{self.count}"


async def test_a_new_instance_serves_each_connection() -> None:
    Counter.instances.clear()
    async with (
        AsyncTestClient(App([Counter])) as client,
        client.websocket_connect("/count") as first,
    ):
        assert await first.receive_text() == "hello #1"
        await first.send_text("a")
        assert await first.receive_text() == "a:1"
        async with client.websocket_connect("/count") as second:
            assert await second.receive_text() == "hello #2"
            await second.send_text("b")
            assert await second.receive_text() == "b:1"
        await first.send_text("c")
        assert await first.receive_text() == "c:2"
    assert [instance.count for instance in Counter.instances] == [2, 1]


async def test_sync_methods_with_injected_names_and_dependencies() -> None:
    events: list[str] = []

    def user() -> str:
        return "ada"

    class Greeter(WebsocketListener):
        path = "/greet/{room:str}"
        dependencies = {"user": Provide(user)}  # noqa: RUF012 - class-level option

        def on_accept(self, room: str, user: str) -> None:
            self.thread = threading.get_ident()
            events.append(f"{user} joined {room}")

        def on_disconnect(self, user: str) -> None:
            events.append(f"{user} left")

        def on_receive(self, data: dict[str, str], user: str, room: str) -> dict[str, str]:
            return {"room": room, "from": user, **data}

    async with (
        AsyncTestClient(App([Greeter])) as client,
        client.websocket_connect("/greet/lobby") as ws,
    ):
        await ws.send_json({"text": "hi"})
        assert await ws.receive_json() == {"room": "lobby", "from": "ada", "text": "hi"}
    assert events == ["ada joined lobby", "ada left"]


async def test_lifespan_and_options_as_class_attributes() -> None:
    events: list[str] = []

    async def lifespan(socket: WebSocket) -> AsyncIterator[None]:
        events.append("enter")
        yield
        events.append("exit")

    class Binary(WebsocketListener):
        path = "/bin"
        receive_mode = "binary"
        send_mode = "binary"
        connection_lifespan = lifespan

        async def on_receive(self, data: bytes) -> bytes:
            return data[::-1]

    async with AsyncTestClient(App([Binary])) as client, client.websocket_connect("/bin") as ws:
        await ws.send_text("ignored")
        await ws.send_bytes(b"abc")
        assert await ws.receive_bytes() == b"cba"
    assert events == ["enter", "exit"]


async def test_static_and_class_methods_need_no_instance() -> None:
    class Plain(WebsocketListener):
        path = "/plain"
        prefix = ">"

        @classmethod
        def on_accept(cls, socket: WebSocket) -> None:
            assert cls.prefix == ">"

        @staticmethod
        async def on_receive(data: str) -> str:
            return f"> {data}"

    async with AsyncTestClient(App([Plain])) as client, client.websocket_connect("/plain") as ws:
        await ws.send_text("x")
        assert await ws.receive_text() == "> x"


async def test_registered_through_a_router() -> None:
    class Echo(WebsocketListener):
        path = "/echo"

        def on_receive(self, data: Any) -> Any:
            return data

    app = App([Router("/api", [Echo])])
    async with AsyncTestClient(app) as client, client.websocket_connect("/api/echo") as ws:
        await ws.send_json([1, "two"])
        assert await ws.receive_json() == [1, "two"]


def test_route_handler_is_built_once_per_class() -> None:
    class Base(WebsocketListener):
        path = "/base"

        def on_receive(self, data: str) -> str:
            return data

    class Child(Base):
        path = "/child"

    handler = Base.__route_handler__()
    assert isinstance(handler, ListenerRouteHandler)
    assert Base.__route_handler__() is handler
    assert Child.__route_handler__() is not handler
    assert Child.__route_handler__().paths == ("/child",)
    assert handler.logger.name == "ws_listener"


def test_missing_path_is_rejected_at_class_creation() -> None:
    with pytest.raises(ConfigurationError, match=r"NoPath.*path"):

        class NoPath(WebsocketListener):
            def on_receive(self, data: str) -> str:
                return data


def test_missing_on_receive_is_rejected_at_class_creation() -> None:
    with pytest.raises(ConfigurationError, match=r"NoReceive.*on_receive"):

        class NoReceive(WebsocketListener):
            path = "/"


async def test_abstract_base_is_not_validated_until_a_concrete_subclass() -> None:
    class Shouting(WebsocketListener, abstract=True):
        def on_receive(self, data: str) -> str:
            return data.upper()

    class Loud(Shouting):
        path = "/loud"

    async with AsyncTestClient(App([Loud])) as client, client.websocket_connect("/loud") as ws:
        await ws.send_text("hey")
        assert await ws.receive_text() == "HEY"


def test_class_configuration_errors_surface_when_the_app_is_built() -> None:
    class MissingData(WebsocketListener):
        path = "/missing"

        def on_receive(self, message: str) -> str:
            return message

    with pytest.raises(ConfigurationError, match=r"MissingData.*'data'"):
        App([MissingData])


async def test_on_disconnect_runs_when_on_receive_fails() -> None:
    events: list[str] = []

    class Fragile(WebsocketListener):
        path = "/fragile"

        def on_disconnect(self) -> None:
            events.append(f"disconnect after {self.received}")

        def on_receive(self, data: str) -> str:
            self.received = data
            raise RuntimeError("fragile")

    async with (
        AsyncTestClient(App([Fragile])) as client,
        client.websocket_connect("/fragile") as ws,
    ):
        await ws.send_text("x")
        with pytest.raises(WebSocketDisconnect) as info:
            await ws.receive_text()
    assert info.value.code == 1011
    assert events == ["disconnect after x"]


def test_on_receive_without_self_has_no_data_parameter() -> None:
    class NoSelf(WebsocketListener):
        path = "/no-self"

        def on_receive(data: str) -> str:  # type: ignore[misc]
            return data

    with pytest.raises(ConfigurationError, match=r"NoSelf.*'data'"):
        App([NoSelf])
