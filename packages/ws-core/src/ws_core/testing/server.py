"""The server end of one in-process WebSocket connection, as an application sees it.

:class:`ServerSide` hands the application real ASGI ``receive``/``send``
callables over two anyio memory streams, and enforces what a server enforces:
the order of the events an application may send, the denial-response
extension, and that a send after the client left fails (``OSError``, as
uvicorn's ``ClientDisconnected`` is).
"""

from __future__ import annotations

import math
from typing import Any

import anyio
from anyio.streams.memory import MemoryObjectReceiveStream, MemoryObjectSendStream

from ws_core.close_codes import CloseCode
from ws_core.types import ASGIApp, Message

__all__ = ["DENIAL", "ServerSide", "message_stream"]

DENIAL = "websocket.http.response"
"""The ASGI denial-response extension: rejecting a handshake with a status of one's own."""

# What an application may send next, by the last event it sent (as a server enforces it).
_ALLOWED_SENDS: dict[str, frozenset[str]] = {
    "start": frozenset({"websocket.accept", "websocket.close", "websocket.http.response.start"}),
    "websocket.accept": frozenset({"websocket.send", "websocket.close"}),
    "websocket.http.response.start": frozenset({"websocket.http.response.body"}),
    "websocket.http.response.body": frozenset(),
    "websocket.close": frozenset(),
}


def message_stream() -> tuple[MemoryObjectSendStream[Message], MemoryObjectReceiveStream[Message]]:
    """An unbounded in-memory channel of ASGI events."""
    return anyio.create_memory_object_stream[Message](math.inf)


class ServerSide:
    """Runs one application connection and carries its events both ways.

    Attributes:
        scope: The ``websocket`` scope the application is called with.
        phase: The last event the application sent that changes what it may
            send next (``"start"`` before any).
        closed_by_client: Whether the client disconnected.
        done: Set once the application returned or raised.
        error: What the application raised, until taken by :meth:`take_error`.
        cancel_scope: Cancels the application.
    """

    def __init__(self, app: ASGIApp, scope: dict[str, Any]) -> None:
        self._app = app
        self.scope = scope
        self._to_app_send, self._to_app_receive = message_stream()
        self._from_app_send, self.from_app = message_stream()
        self.phase = "start"
        self.closed_by_client = False
        self.done = anyio.Event()
        self.error: Exception | None = None
        self.cancel_scope = anyio.CancelScope()

    async def run(self) -> None:
        """Call the application; keep what it raises in :attr:`error`."""
        try:
            with self.cancel_scope:
                await self._app(self.scope, self._receive, self._send)
        except Exception as exc:
            self.error = exc
        finally:
            self._from_app_send.close()
            self.done.set()

    def take_error(self) -> Exception | None:
        """Return what the application raised (once), or ``None``."""
        error, self.error = self.error, None
        return error

    def deliver(self, message: Message) -> None:
        """Hand an event to the application's ``receive``."""
        if message["type"] == "websocket.disconnect":
            self.closed_by_client = True
        self._to_app_send.send_nowait(message)

    def close(self) -> None:
        """Release the streams."""
        for stream in (self._to_app_send, self._to_app_receive, self._from_app_send, self.from_app):
            stream.close()

    async def _receive(self) -> Message:
        try:
            return await self._to_app_receive.receive()
        except (anyio.EndOfStream, anyio.ClosedResourceError):
            # The session is over; an application still reading learns the client is gone.
            return {
                "type": "websocket.disconnect",
                "code": CloseCode.ABNORMAL_CLOSURE,
                "reason": "",
            }

    async def _send(self, message: Message) -> None:
        kind = message["type"]
        if self.closed_by_client:
            # What servers do once the client is gone (uvicorn: ClientDisconnected).
            raise OSError("the test client has disconnected")
        allowed = _ALLOWED_SENDS[self.phase]
        if kind not in allowed:
            raise RuntimeError(
                f"ASGI protocol violation: {kind!r} sent after {self.phase!r} "
                f"(expected one of {', '.join(sorted(allowed)) or 'nothing'})"
            )
        if kind == "websocket.http.response.start" and DENIAL not in self.scope["extensions"]:
            raise RuntimeError(
                f"ASGI protocol violation: {kind!r} without the {DENIAL!r} extension"
            )
        if kind == "websocket.close" and self.phase == "websocket.accept":
            # Complete the closing handshake as a server does: the app sees a disconnect.
            self._to_app_send.send_nowait(
                {"type": "websocket.disconnect", "code": message.get("code", 1000), "reason": ""}
            )
        if kind != "websocket.send" and not (
            kind == "websocket.http.response.body" and message.get("more_body", False)
        ):
            self.phase = kind
        await self._from_app_send.send(dict(message))
