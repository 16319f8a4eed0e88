"""Configuration errors surface when the App is built, naming the handler."""

from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest

from ws_core import App, ConfigurationError, WebSocket
from ws_listener import ListenerRouteHandler, websocket_listener


async def lifespan() -> AsyncIterator[None]:
    yield


async def accept(socket: WebSocket) -> None:
    await socket.accept()


def noop() -> None:
    return None


@pytest.mark.parametrize(
    ("options", "clash"),
    [
        ({"on_accept": noop}, "on_accept"),
        ({"on_disconnect": noop}, "on_disconnect"),
        ({"connection_accept_handler": accept}, "connection_accept_handler"),
    ],
)
def test_connection_lifespan_excludes_the_hooks(options: dict[str, Any], clash: str) -> None:
    @websocket_listener("/clash", connection_lifespan=lifespan, **options)
    def clashing(data: str) -> str:
        return data

    with pytest.raises(ConfigurationError, match=rf"clashing.*/clash.*{clash}"):
        App([clashing])


def test_listener_without_data_parameter() -> None:
    @websocket_listener("/nodata")
    def no_data(message: str) -> str:
        return message

    with pytest.raises(ConfigurationError, match=r"no_data.*/nodata.*'data'"):
        App([no_data])


def test_msgpack_needs_binary_modes() -> None:
    @websocket_listener("/mp", protocol="msgpack")
    def mp(data: dict[str, int]) -> dict[str, int]:
        return data

    with pytest.raises(ConfigurationError, match=r"mp' at '/mp': MessagePack needs binary"):
        App([mp])


def test_hooks_cannot_ask_for_data() -> None:
    def on_accept(data: str) -> None:
        return None

    @websocket_listener("/hook", on_accept=on_accept)
    def hooked(data: str) -> str:
        return data

    with pytest.raises(ConfigurationError, match=r"hooked.*on_accept"):
        App([hooked])


def test_accept_handler_needs_the_socket() -> None:
    async def accept_without_socket(ws: WebSocket) -> None:
        await ws.accept()

    @websocket_listener("/accept", connection_accept_handler=accept_without_socket)
    def accepting(data: str) -> str:
        return data

    with pytest.raises(ConfigurationError, match=r"accepting.*'socket'"):
        App([accepting])


def test_sync_generator_is_not_a_connection_lifespan() -> None:
    def sync_lifespan() -> Iterator[None]:
        yield

    @websocket_listener("/sync-life", connection_lifespan=sync_lifespan)
    def living(data: str) -> str:
        return data

    with pytest.raises(ConfigurationError, match=r"living.*connection_lifespan"):
        App([living])


def test_dependency_cycle_names_the_handler() -> None:
    def first(second: int) -> int:
        return second

    def second(first: int) -> int:
        return first

    @websocket_listener("/deps", dependencies={"first": first, "second": second})
    def deps(data: str, first: int) -> str:
        return data

    with pytest.raises(ConfigurationError, match="deps"):
        App([deps])


def test_decorator_keeps_the_function_and_describes_the_handler() -> None:
    def echo(data: str) -> str:
        return data

    handler = websocket_listener(["/a", "/b"], name="echo-route")(echo)
    assert isinstance(handler, ListenerRouteHandler)
    assert handler.fn is echo
    assert handler.paths == ("/a", "/b")
    assert handler.name == "echo-route"
    assert handler.logger.name == "ws_listener"
    assert handler.fn("x") == "x"


def test_path_must_be_text() -> None:
    with pytest.raises(ConfigurationError, match="a path must be a str"):
        websocket_listener(42)  # type: ignore[arg-type]
    with pytest.raises(ConfigurationError, match="no path given"):
        websocket_listener([])
