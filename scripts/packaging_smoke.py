"""Smoke checks run by ``check_packaging.py`` inside a venv holding one distribution.

``python packaging_smoke.py ws_core`` imports the package, checks that every
name in its ``__all__`` exists, and exercises its main path with nothing but the
package's declared dependencies installed.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import AsyncGenerator, Callable
from contextlib import AsyncExitStack
from typing import Any


def smoke_ws_di() -> None:
    import anyio

    from ws_di import Provide, plan_dependencies

    events: list[str] = []

    async def session() -> AsyncGenerator[str, None]:
        events.append("open")
        yield "session"
        events.append("close")

    def consumer(session: str, socket: str) -> None: ...

    plan = plan_dependencies(
        {"handler": consumer},
        providers={"session": Provide(session)},
        supplied={"socket"},
        owner="smoke",
    )

    async def run() -> None:
        async with AsyncExitStack() as stack:
            values = await plan.resolve({"socket": "s"}, stack)
            assert plan.kwargs_for("handler", values) == {"session": "session", "socket": "s"}

    anyio.run(run)
    assert events == ["open", "close"], events


def smoke_ws_codec() -> None:
    import msgspec

    from ws_codec import DecodeError, decoder_for, encoder_for

    class Point(msgspec.Struct):
        x: int
        y: int

    decode = decoder_for(Point, mode="text")
    encode = encoder_for(Point, mode="binary", protocol="msgpack")
    assert decode('{"x": 1, "y": 2}') == Point(1, 2)
    assert decoder_for(Point, mode="binary", protocol="msgpack")(encode(Point(3, 4))) == Point(3, 4)
    try:
        decode('{"x": "one", "y": 2}')
    except DecodeError as exc:
        assert "x" in exc.short()
    else:
        raise AssertionError("invalid data was accepted")


def smoke_ws_core() -> None:
    from ws_core import App, WebSocket, websocket
    from ws_core.testing import TestClient

    @websocket("/echo")
    async def echo(socket: WebSocket) -> None:
        await socket.accept()
        await socket.send_text(await socket.receive_text())

    with TestClient(App([echo])) as client, client.websocket_connect("/echo") as session:
        session.send_text("hello")
        assert session.receive_text() == "hello"
    # The AsyncAPI page's vendored component ships in the wheel (package data).
    from importlib.resources import files

    vendor = files("ws_core.asyncapi").joinpath("vendor")
    for name in ("index.js", "default.min.css", "LICENSE", "VENDORED.json"):
        assert vendor.joinpath(name).is_file(), f"ws_core/asyncapi/vendor/{name} is not installed"


def smoke_ws_listener() -> None:
    from ws_core import App
    from ws_core.testing import TestClient
    from ws_listener import websocket_listener

    @websocket_listener("/double")
    def double(data: list[int]) -> list[int]:
        return [item * 2 for item in data]

    with TestClient(App([double])) as client, client.websocket_connect("/double") as session:
        session.send_json([1, 2])
        assert session.receive_json() == [2, 4]


def smoke_ws_stream() -> None:
    from ws_core import App
    from ws_core.testing import TestClient
    from ws_stream import websocket_stream

    @websocket_stream("/count")
    async def count() -> AsyncGenerator[dict[str, int], None]:
        for number in range(3):
            yield {"n": number}

    with TestClient(App([count])) as client, client.websocket_connect("/count") as session:
        assert [session.receive_json()["n"] for _ in range(3)] == [0, 1, 2]


def smoke_ws_channels() -> None:
    from ws_channels import ChannelsPlugin
    from ws_core import App
    from ws_core.testing import TestClient

    channels = ChannelsPlugin(channels=["news"], create_ws_route_handlers=True)
    with TestClient(App([], plugins=[channels])) as client, client.websocket_connect("/news") as s:
        channels.publish({"n": 1}, "news")  # from this thread, handed over to the app's loop
        assert s.receive_json() == {"n": 1}


def smoke_ws_kit() -> None:
    from ws_kit import App, websocket_listener
    from ws_kit.testing import create_test_client

    @websocket_listener("/")
    async def handler(data: str) -> str:
        return data.upper()

    assert isinstance(App([handler]), App)
    with create_test_client([handler]) as client, client.websocket_connect("/") as session:
        session.send_text("hi")
        assert session.receive_text() == "HI"


SMOKE: dict[str, Callable[[], None]] = {
    "ws_di": smoke_ws_di,
    "ws_codec": smoke_ws_codec,
    "ws_core": smoke_ws_core,
    "ws_listener": smoke_ws_listener,
    "ws_stream": smoke_ws_stream,
    "ws_channels": smoke_ws_channels,
    "ws_kit": smoke_ws_kit,
}


def main(import_name: str) -> None:
    """Import ``import_name``, check its ``__all__``, and run its smoke check."""
    module: Any = importlib.import_module(import_name)
    missing = [name for name in module.__all__ if not hasattr(module, name)]
    assert not missing, f"{import_name}.__all__ names missing attributes: {missing}"
    SMOKE[import_name]()


if __name__ == "__main__":
    main(sys.argv[1])
