"""Helpers shared by the ws_core tests: a scripted ASGI peer and a raw app wrapper."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import anyio

from ws_core import WebSocket
from ws_core.types import Message, Receive, Scope, Send


class ScriptedPeer:
    """The server side of one connection, as plain ASGI callables.

    ``receive`` hands out the scripted events, then waits forever; ``send``
    records what the application sent, or raises ``fail_with`` if set.
    """

    def __init__(self, *events: Message, fail_with: BaseException | None = None) -> None:
        self.incoming = list(events)
        self.sent: list[Message] = []
        self.fail_with = fail_with

    async def receive(self) -> Message:
        if self.incoming:
            return self.incoming.pop(0)
        await anyio.sleep_forever()
        raise AssertionError("unreachable")

    async def send(self, message: Message) -> None:
        if self.fail_with is not None:
            raise self.fail_with
        self.sent.append(message)

    def socket(self, **scope: Any) -> WebSocket:
        return WebSocket(websocket_scope(**scope), self.receive, self.send)


def websocket_scope(**overrides: Any) -> dict[str, Any]:
    scope: dict[str, Any] = {
        "type": "websocket",
        "asgi": {"version": "3.0"},
        "scheme": "ws",
        "server": ("testserver", 80),
        "client": ("127.0.0.1", 1234),
        "root_path": "",
        "path": "/",
        "query_string": b"",
        "headers": [],
        "subprotocols": [],
        "extensions": {},
    }
    scope.update(overrides)
    return scope


def raw_app(
    handler: Callable[[WebSocket], Awaitable[None]],
    websocket_class: type[WebSocket] = WebSocket,
) -> Callable[[Scope, Receive, Send], Awaitable[None]]:
    """An ASGI app serving every websocket connection with ``handler`` (no lifespan)."""

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "websocket":
            await handler(websocket_class(scope, receive, send))

    return app


CONNECT: Message = {"type": "websocket.connect"}


def text(data: str) -> Message:
    return {"type": "websocket.receive", "text": data}


def binary(data: bytes) -> Message:
    return {"type": "websocket.receive", "bytes": data}


def disconnect(code: int = 1000, reason: str = "") -> Message:
    return {"type": "websocket.disconnect", "code": code, "reason": reason}
