"""The client end of one in-process WebSocket connection.

Created by ``AsyncTestClient.websocket_connect``, which drives the handshake
(:meth:`AsyncWebSocketTestSession.connect`) and the end of the connection
(:meth:`AsyncWebSocketTestSession.finish`); tests use the receive and send
methods in between.
"""

# Receives take a per-call `timeout` by design (the test client's contract): ASYNC109 is moot.
# ruff: noqa: ASYNC109

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import anyio
import anyio.abc
import msgspec
from anyio.lowlevel import checkpoint

from ws_core.close_codes import CloseCode
from ws_core.exceptions import WebSocketDisconnect
from ws_core.testing.server import ServerSide
from ws_core.types import ASGIApp, Message, WebSocketMode

__all__ = ["AsyncWebSocketTestSession", "WebSocketRejected"]


class WebSocketRejected(Exception):
    """The application refused the handshake.

    Attributes:
        status_code: The HTTP status (403 when it closed before accepting).
        headers: The response headers, decoded as latin-1.
        body: The response body.
    """

    def __init__(
        self, status_code: int, headers: Sequence[tuple[str, str]] = (), body: bytes = b""
    ) -> None:
        super().__init__(status_code, body)
        self.status_code = status_code
        self.headers = list(headers)
        self.body = body

    def __str__(self) -> str:
        return f"handshake rejected with status {self.status_code}"

    def json(self) -> Any:
        """Decode the body as JSON.

        Raises:
            msgspec.DecodeError: The body is not JSON.
        """
        return msgspec.json.decode(self.body)


def _decoded_headers(message: Message) -> list[tuple[str, str]]:
    """The headers of an ASGI event, decoded as latin-1."""
    return [
        (name.decode("latin-1"), value.decode("latin-1"))
        for name, value in message.get("headers") or ()
    ]


class AsyncWebSocketTestSession:
    """The client end of one WebSocket connection; created by ``websocket_connect``.

    Every receive waits at most ``timeout`` seconds (the session's default,
    or the call's) and then raises :class:`TimeoutError`.

    Attributes:
        accepted_subprotocol: The subprotocol the application selected, if any.
        response_headers: The headers sent with ``websocket.accept``.
        timeout: The default receive timeout, in seconds.
    """

    def __init__(self, app: ASGIApp, scope: dict[str, Any], timeout: float) -> None:
        self._server = ServerSide(app, scope)
        self.timeout = timeout
        self._server_close: tuple[int, str] | None = None
        self.accepted_subprotocol: str | None = None
        self.response_headers: list[tuple[str, str]] = []

    # -- handshake and end (driven by websocket_connect) ---------------------

    async def connect(self, task_group: anyio.abc.TaskGroup) -> None:
        """Start the application in ``task_group`` and wait for its answer to the handshake.

        Raises:
            WebSocketRejected: It refused the handshake (or ended without answering: 500).
            TimeoutError: It did not answer in time.
        """
        self._server.deliver({"type": "websocket.connect"})
        task_group.start_soon(self._server.run)
        try:
            message = await self._next_event(None)
        except anyio.EndOfStream:
            await self._wait_for_app()
            raise WebSocketRejected(500) from None
        kind = message["type"]
        if kind == "websocket.accept":
            self.accepted_subprotocol = message.get("subprotocol")
            self.response_headers = _decoded_headers(message)
            return
        if kind == "websocket.close":
            await self._wait_for_app()
            raise WebSocketRejected(403)
        if kind == "websocket.http.response.start":
            body = b""
            while True:
                part = await self._next_event(None)
                if part["type"] != "websocket.http.response.body":
                    raise RuntimeError(
                        f"expected 'websocket.http.response.body', got {part['type']!r}"
                    )
                body += part.get("body", b"")
                if not part.get("more_body", False):
                    break
            await self._wait_for_app()
            raise WebSocketRejected(message["status"], _decoded_headers(message), body)
        raise RuntimeError(
            "expected 'websocket.accept', 'websocket.close' or 'websocket.http.response.start', "
            f"got {kind!r}"
        )

    async def finish(self, failing: bool) -> None:
        """Disconnect (1000) if still open, wait for the application, re-raise its error.

        With ``failing`` (the test body raised), errors here are dropped so
        the body's own error propagates.
        """
        try:
            if self._server.phase != "websocket.close" and not self._server.closed_by_client:
                await self.close()
            await self._wait_for_app()
        except Exception:
            if not failing:
                raise
        finally:
            self._server.close()

    async def abandon(self) -> None:
        """Stop the application after a failed handshake and release the streams."""
        self._server.cancel_scope.cancel()
        with anyio.CancelScope(shield=True):
            await self._server.done.wait()
        self._server.close()

    async def _wait_for_app(self) -> None:
        server = self._server
        with anyio.move_on_after(self.timeout):
            await server.done.wait()
        if not server.done.is_set():
            server.cancel_scope.cancel()
            await server.done.wait()
            raise TimeoutError(f"the application did not finish within {self.timeout} s")
        error = server.take_error()
        if error is not None:
            raise error

    async def _next_event(self, timeout: float | None) -> Message:
        with anyio.fail_after(self.timeout if timeout is None else timeout):
            try:
                return await self._server.from_app.receive()
            except anyio.EndOfStream:
                error = self._server.take_error()
                if error is not None:
                    raise error from None
                raise

    # -- the client API ------------------------------------------------------

    async def receive(self, timeout: float | None = None) -> Message:
        """Return the next raw ASGI event the application sent.

        Raises:
            TimeoutError: Nothing arrived within ``timeout`` (default: the session's).
            WebSocketDisconnect: The application ended without closing (1006).
        """
        try:
            return await self._next_event(timeout)
        except anyio.EndOfStream:
            raise WebSocketDisconnect(CloseCode.ABNORMAL_CLOSURE) from None

    async def _receive_frame(self, mode: WebSocketMode, timeout: float | None) -> str | bytes:
        if self._server_close is not None:
            raise WebSocketDisconnect(*self._server_close)
        message = await self.receive(timeout)
        kind = message["type"]
        if kind == "websocket.close":
            self._server_close = (message.get("code", 1000), message.get("reason") or "")
            raise WebSocketDisconnect(*self._server_close)
        if kind != "websocket.send":
            raise RuntimeError(f"expected 'websocket.send' or 'websocket.close', got {kind!r}")
        key = "text" if mode == "text" else "bytes"
        data: str | bytes | None = message.get(key)
        if data is None:
            other = "binary" if mode == "text" else "text"
            raise AssertionError(f"expected a {mode} frame, got a {other} frame: {message!r}")
        return data

    async def receive_text(self, timeout: float | None = None) -> str:
        """Return the next frame, which must be a text frame.

        Raises:
            WebSocketDisconnect: The application closed the connection.
            TimeoutError: Nothing arrived in time.
            AssertionError: The next frame is a binary frame.
        """
        data = await self._receive_frame("text", timeout)
        assert isinstance(data, str)
        return data

    async def receive_bytes(self, timeout: float | None = None) -> bytes:
        """Return the next frame, which must be a binary frame (see :meth:`receive_text`)."""
        data = await self._receive_frame("binary", timeout)
        assert isinstance(data, bytes)
        return data

    async def receive_json(self, mode: WebSocketMode = "text", timeout: float | None = None) -> Any:
        """Return the next frame of ``mode`` decoded as JSON (see :meth:`receive_text`)."""
        return msgspec.json.decode(await self._receive_frame(mode, timeout))

    async def receive_msgpack(self, timeout: float | None = None) -> Any:
        """Return the next binary frame decoded as MessagePack (see :meth:`receive_text`)."""
        return msgspec.msgpack.decode(await self.receive_bytes(timeout))

    async def send(self, message: Message) -> None:
        """Send a raw ASGI event to the application."""
        await checkpoint()
        self._server.deliver(message)

    async def send_text(self, data: str) -> None:
        """Send a text frame."""
        await self.send({"type": "websocket.receive", "text": data})

    async def send_bytes(self, data: bytes) -> None:
        """Send a binary frame."""
        await self.send({"type": "websocket.receive", "bytes": data})

    async def send_json(self, data: Any, mode: WebSocketMode = "text") -> None:
        """Send ``data`` encoded as JSON in a frame of ``mode``."""
        encoded = msgspec.json.encode(data)
        if mode == "text":
            await self.send_text(encoded.decode())
        else:
            await self.send_bytes(encoded)

    async def send_msgpack(self, data: Any) -> None:
        """Send ``data`` encoded as MessagePack in a binary frame."""
        await self.send_bytes(msgspec.msgpack.encode(data))

    async def close(self, code: int = CloseCode.NORMAL_CLOSURE, reason: str = "") -> None:
        """Disconnect: the application receives ``websocket.disconnect`` with ``code``.

        Later sends by the application fail as they would on a real server.
        """
        if self._server.closed_by_client:
            return
        await self.send({"type": "websocket.disconnect", "code": code, "reason": reason})
