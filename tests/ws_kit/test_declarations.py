"""Every handler kind reports the same bad declaration the same way, at the same moment.

The low-level handler, the listener (both forms) and the stream are declared
with ws_core's kit: a bad path fails at the decorator call, a bad mode too
(the low-level handler has none), and an annotation that cannot be resolved
fails when the App is built, with one message, wherever that annotation is
needed; where it is not needed (a value a dependency provides) it is harmless.
"""

# String annotations on purpose: `Decimal` exists only for type checkers.
from __future__ import annotations

from collections.abc import AsyncGenerator, Callable
from typing import TYPE_CHECKING, Any

import pytest

from ws_core import ConfigurationError
from ws_kit import (
    App,
    WebSocket,
    WebsocketListener,
    websocket,
    websocket_listener,
    websocket_stream,
)

if TYPE_CHECKING:
    from decimal import Decimal

pytestmark = pytest.mark.anyio


def declare_class_listener(path: Any, **options: Any) -> Any:
    return type(
        "Declared",
        (WebsocketListener,),
        {"path": path, "on_receive": lambda s, data: None, **options},
    )


DECLARATIONS: dict[str, Callable[..., Any]] = {
    "websocket": lambda path, **options: websocket(path, **options),
    "websocket_listener": lambda path, **options: websocket_listener(path, **options),
    "WebsocketListener": declare_class_listener,
    "websocket_stream": lambda path, **options: websocket_stream(path, **options),
}


@pytest.mark.parametrize("kind", DECLARATIONS)
@pytest.mark.parametrize(
    ("path", "message"),
    [
        ([], "no path given"),
        (42, "a path must be a str or a sequence of str, got 42"),
        (["/ok", b"/bytes"], "a path must be a str or a sequence of str"),
    ],
)
def test_a_bad_path_fails_at_the_declaration(kind: str, path: Any, message: str) -> None:
    with pytest.raises(ConfigurationError) as raised:
        DECLARATIONS[kind](path)
    assert str(raised.value).startswith((f"{kind}: ", f"{kind} 'Declared': "))
    assert message in str(raised.value)


@pytest.mark.parametrize(
    ("kind", "option"),
    [
        ("websocket_listener", "receive_mode"),
        ("websocket_listener", "send_mode"),
        ("WebsocketListener", "receive_mode"),
        ("websocket_stream", "mode"),
    ],
)
def test_a_bad_mode_fails_at_the_declaration(kind: str, option: str) -> None:
    with pytest.raises(ConfigurationError) as raised:
        DECLARATIONS[kind]("/x", **{option: "txt"})
    assert f"{option} must be 'text' or 'binary', got 'txt'" in str(raised.value)


@pytest.mark.parametrize("kind", ["websocket_listener", "WebsocketListener", "websocket_stream"])
def test_a_bad_protocol_fails_at_the_declaration(kind: str) -> None:
    with pytest.raises(ConfigurationError, match="protocol must be 'json' or 'msgpack', got 'xml'"):
        DECLARATIONS[kind]("/x", protocol="xml")


# -- an annotation only type checkers can resolve ---------------------------------------


async def low_level(socket: WebSocket, amount: Decimal) -> None: ...


async def listener(data: Decimal) -> None: ...


async def listener_reply(data: str) -> Decimal:  # type: ignore[empty-body]
    ...


async def stream() -> AsyncGenerator[Decimal, None]:
    yield 1  # type: ignore[misc]  # never run: building the App fails


async def low_level_provided(socket: WebSocket, amount: Decimal) -> None: ...


async def listener_provided(data: str, amount: Decimal) -> None: ...


async def stream_provided(amount: Decimal) -> AsyncGenerator[str, None]:
    yield "x"


@pytest.mark.parametrize(
    ("handler", "where"),
    [
        (websocket("/a")(low_level), "parameter 'amount'"),  # a query parameter
        (websocket_listener("/a")(listener), "parameter 'data'"),
        (websocket_listener("/a")(listener_reply), "the return annotation"),
        (websocket_stream("/a")(stream), "the return annotation"),
    ],
    ids=["low-level query parameter", "listener data", "listener reply", "stream items"],
)
def test_an_unresolvable_annotation_that_is_needed_fails_when_the_app_is_built(
    handler: Any, where: str
) -> None:
    with pytest.raises(ConfigurationError) as raised:
        App([handler])
    message = str(raised.value)
    assert message.startswith(f"{type(handler).__name__} {handler.name!r} at '/a': ")
    assert "cannot resolve the annotation" in message
    assert where in message
    assert "Decimal" in message


@pytest.mark.parametrize(
    "handler",
    [
        websocket("/a")(low_level_provided),
        websocket_listener("/a")(listener_provided),
        websocket_stream("/a")(stream_provided),
    ],
    ids=["low-level", "listener", "stream"],
)
def test_an_unresolvable_annotation_nobody_needs_is_harmless(handler: Any) -> None:
    App([handler], dependencies={"amount": lambda: 1})
