"""In-process test clients for ASGI WebSocket applications: no network, no server.

:class:`AsyncTestClient` runs the application in tasks of its own task group and
talks to it over anyio memory streams with real ASGI events; :class:`TestClient`
wraps it for plain (sync) test functions through a blocking portal.

Usage contract: enter the client (``async with`` / ``with``) before connecting;
entering runs the application's lifespan startup and leaving runs its shutdown
(a failure of either raises). Each ``websocket_connect`` block waits for the
handshake: a refusal raises :class:`WebSocketRejected`. Every receive waits at
most ``timeout`` seconds and then raises :class:`TimeoutError`, so a broken test
fails instead of hanging. A close from the application surfaces as
:class:`~ws_core.WebSocketDisconnect` on the next receive. Leaving the block
disconnects (code 1000) if still open, waits for the application to finish and
re-raises any exception that escaped it.
"""

# Receives take a per-call `timeout` by design (the test client's contract): ASYNC109 is moot.
# ruff: noqa: ASYNC109

from __future__ import annotations

import math
from collections.abc import AsyncIterator, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager, asynccontextmanager, contextmanager
from types import TracebackType
from typing import Any, Literal
from urllib.parse import unquote, urlsplit

import anyio
import anyio.abc
import anyio.from_thread
import msgspec
from anyio.streams.memory import MemoryObjectReceiveStream, MemoryObjectSendStream

from ws_core.app import App
from ws_core.close_codes import CloseCode
from ws_core.exceptions import WebSocketDisconnect
from ws_core.types import ASGIApp, Message, WebSocketMode

__all__ = [
    "AsyncTestClient",
    "AsyncWebSocketTestSession",
    "TestClient",
    "WebSocketRejected",
    "WebSocketTestSession",
    "create_test_client",
]

RequestHeaders = Mapping[str, str] | Sequence[tuple[str, str]]
"""Handshake request headers: a mapping, or name/value pairs (a name may repeat)."""

_CLIENT_ADDRESS = ("testclient", 50000)
_DENIAL = "websocket.http.response"

# What an application may send next, by the last event it sent (as a server enforces it).
_ALLOWED_SENDS: dict[str, frozenset[str]] = {
    "start": frozenset({"websocket.accept", "websocket.close", "websocket.http.response.start"}),
    "websocket.accept": frozenset({"websocket.send", "websocket.close"}),
    "websocket.http.response.start": frozenset({"websocket.http.response.body"}),
    "websocket.http.response.body": frozenset(),
    "websocket.close": frozenset(),
}


def _message_stream() -> tuple[MemoryObjectSendStream[Message], MemoryObjectReceiveStream[Message]]:
    """An unbounded in-memory channel of ASGI events."""
    return anyio.create_memory_object_stream[Message](math.inf)


def _decoded_headers(message: Message) -> list[tuple[str, str]]:
    """The headers of an ASGI event, decoded as latin-1."""
    return [
        (name.decode("latin-1"), value.decode("latin-1"))
        for name, value in message.get("headers") or ()
    ]


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


class AsyncWebSocketTestSession:
    """The client end of one WebSocket connection; created by ``websocket_connect``.

    Attributes:
        accepted_subprotocol: The subprotocol the application selected, if any.
        response_headers: The headers sent with ``websocket.accept``.
    """

    def __init__(self, app: ASGIApp, scope: dict[str, Any], timeout: float) -> None:
        self._app = app
        self._scope = scope
        self._timeout = timeout
        self._to_app_send, self._to_app_receive = _message_stream()
        self._from_app_send, self._from_app_receive = _message_stream()
        self._app_done = anyio.Event()
        self._app_error: Exception | None = None
        self._app_scope = anyio.CancelScope()
        self._closed_by_client = False
        self._app_phase = "start"
        self._server_close: tuple[int, str] | None = None
        self.accepted_subprotocol: str | None = None
        self.response_headers: list[tuple[str, str]] = []

    # -- the server side, as seen by the application --------------------------

    async def _app_receive(self) -> Message:
        try:
            return await self._to_app_receive.receive()
        except (anyio.EndOfStream, anyio.ClosedResourceError):
            # The session is over; an application still reading learns the client is gone.
            return {
                "type": "websocket.disconnect",
                "code": CloseCode.ABNORMAL_CLOSURE,
                "reason": "",
            }

    async def _app_send(self, message: Message) -> None:
        kind = message["type"]
        if self._closed_by_client:
            # What servers do once the client is gone (uvicorn: ClientDisconnected).
            raise OSError("the test client has disconnected")
        allowed = _ALLOWED_SENDS[self._app_phase]
        if kind not in allowed:
            raise RuntimeError(
                f"ASGI protocol violation: {kind!r} sent after {self._app_phase!r} "
                f"(expected one of {', '.join(sorted(allowed)) or 'nothing'})"
            )
        if kind == "websocket.http.response.start" and _DENIAL not in self._scope["extensions"]:
            raise RuntimeError(
                f"ASGI protocol violation: {kind!r} without the {_DENIAL!r} extension"
            )
        if kind == "websocket.close" and self._app_phase == "websocket.accept":
            # Complete the closing handshake as a server does: the app sees a disconnect.
            self._to_app_send.send_nowait(
                {"type": "websocket.disconnect", "code": message.get("code", 1000), "reason": ""}
            )
        if kind != "websocket.send" and not (
            kind == "websocket.http.response.body" and message.get("more_body", False)
        ):
            self._app_phase = kind
        await self._from_app_send.send(dict(message))

    async def _run_app(self) -> None:
        try:
            with self._app_scope:
                await self._app(self._scope, self._app_receive, self._app_send)
        except Exception as exc:
            self._app_error = exc
        finally:
            self._from_app_send.close()
            self._app_done.set()

    # -- handshake and teardown (driven by websocket_connect) ----------------

    async def _connect(self, task_group: anyio.abc.TaskGroup) -> None:
        self._to_app_send.send_nowait({"type": "websocket.connect"})
        task_group.start_soon(self._run_app)
        try:
            message = await self._next_event(None)
        except anyio.EndOfStream:
            await self._wait_for_app()
            raise WebSocketRejected(500) from None
        if message["type"] == "websocket.accept":
            self.accepted_subprotocol = message.get("subprotocol")
            self.response_headers = _decoded_headers(message)
            return
        if message["type"] == "websocket.close":
            await self._wait_for_app()
            raise WebSocketRejected(403)
        if message["type"] == "websocket.http.response.start":
            headers = _decoded_headers(message)
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
            raise WebSocketRejected(message["status"], headers, body)
        raise RuntimeError(
            "expected 'websocket.accept', 'websocket.close' or 'websocket.http.response.start', "
            f"got {message['type']!r}"
        )

    async def _wait_for_app(self) -> None:
        with anyio.move_on_after(self._timeout):
            await self._app_done.wait()
        if not self._app_done.is_set():
            self._app_scope.cancel()
            await self._app_done.wait()
            raise TimeoutError(f"the application did not finish within {self._timeout} s")
        if self._app_error is not None:
            error, self._app_error = self._app_error, None
            raise error

    async def _finish(self, failing: bool) -> None:
        try:
            if self._app_phase != "websocket.close" and not self._closed_by_client:
                await self.close()
            await self._wait_for_app()
        except Exception:
            if not failing:
                raise
        finally:
            self._close_streams()

    async def _abandon(self) -> None:
        """Stop the application after a failed handshake and release the streams."""
        self._app_scope.cancel()
        with anyio.CancelScope(shield=True):
            await self._app_done.wait()
        self._close_streams()

    def _close_streams(self) -> None:
        self._to_app_send.close()
        self._to_app_receive.close()
        self._from_app_send.close()
        self._from_app_receive.close()

    # -- the client API ------------------------------------------------------

    async def _next_event(self, timeout: float | None) -> Message:
        with anyio.fail_after(self._timeout if timeout is None else timeout):
            try:
                return await self._from_app_receive.receive()
            except anyio.EndOfStream:
                if self._app_error is not None:
                    error, self._app_error = self._app_error, None
                    raise error from None
                raise

    async def receive(self, timeout: float | None = None) -> Message:
        """Return the next raw ASGI event the application sent.

        Raises:
            TimeoutError: Nothing arrived within ``timeout`` (default: the client's).
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
        await self._to_app_send.send(message)

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
        if self._closed_by_client:
            return
        self._closed_by_client = True
        await self.send({"type": "websocket.disconnect", "code": code, "reason": reason})


class AsyncTestClient:
    """Drive an ASGI application in-process from async tests.

    Args:
        app: The ASGI application (an :class:`~ws_core.App` or any ASGI 3 app).
        timeout: Default seconds every receive (and every wait for the
            application) may take before raising :class:`TimeoutError`.
        base_url: Scheme and host put in the scope (``ws://`` or ``wss://``).
        extensions: ASGI extensions offered in each ``websocket`` scope; by
            default the denial response, so rejections carry their status.
    """

    def __init__(
        self,
        app: ASGIApp,
        *,
        timeout: float = 10.0,
        base_url: str = "ws://testserver",
        extensions: Sequence[str] = ("websocket.http.response",),
    ) -> None:
        self.app = app
        self.timeout = timeout
        self.base_url = base_url
        self.extensions = tuple(extensions)
        self._task_group: anyio.abc.TaskGroup | None = None
        self._lifespan_send: MemoryObjectSendStream[Message] | None = None
        self._lifespan_receive: MemoryObjectReceiveStream[Message] | None = None
        self._lifespan_unsupported = False
        self._lifespan_streams: tuple[
            MemoryObjectSendStream[Message] | MemoryObjectReceiveStream[Message], ...
        ] = ()
        self._lifespan_error: Exception | None = None

    async def __aenter__(self) -> AsyncTestClient:
        task_group = anyio.create_task_group()
        await task_group.__aenter__()
        self._task_group = task_group
        try:
            await self._start_lifespan(task_group)
        except BaseException:
            task_group.cancel_scope.cancel()
            await task_group.__aexit__(None, None, None)
            self._task_group = None
            self._close_lifespan_streams()
            raise
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        task_group, self._task_group = self._task_group, None
        assert task_group is not None
        shutdown_error: Exception | None = None
        try:
            await self._lifespan_event({"type": "lifespan.shutdown"}, "shutdown")
        except Exception as error:
            shutdown_error = error
        finally:
            task_group.cancel_scope.cancel()
            # The tasks never raise (they keep their errors), so this only waits
            # for them; the body's own exception then propagates unwrapped.
            await task_group.__aexit__(None, None, None)
            self._close_lifespan_streams()
        if shutdown_error is not None and exc is None:
            raise shutdown_error

    def _close_lifespan_streams(self) -> None:
        for stream in self._lifespan_streams:
            stream.close()

    async def _start_lifespan(self, task_group: anyio.abc.TaskGroup) -> None:
        send_to_app, receive_in_app = _message_stream()
        send_from_app, self._lifespan_receive = _message_stream()
        self._lifespan_send = send_to_app
        self._lifespan_streams = (
            send_to_app,
            receive_in_app,
            send_from_app,
            self._lifespan_receive,
        )

        async def run() -> None:
            scope = {
                "type": "lifespan",
                "asgi": {"version": "3.0", "spec_version": "2.0"},
                "state": {},
            }
            try:
                await self.app(scope, receive_in_app.receive, send_from_app.send)
            except Exception as exc:
                self._lifespan_error = exc
            finally:
                send_from_app.close()
                receive_in_app.close()

        task_group.start_soon(run)
        await self._lifespan_event({"type": "lifespan.startup"}, "startup")

    async def _lifespan_event(self, message: Message, phase: str) -> None:
        assert self._lifespan_send is not None
        assert self._lifespan_receive is not None
        if self._lifespan_unsupported:
            return
        try:
            await self._lifespan_send.send(message)
            with anyio.fail_after(self.timeout):
                reply = await self._lifespan_receive.receive()
        except (anyio.EndOfStream, anyio.BrokenResourceError):
            if self._lifespan_error is not None:
                error, self._lifespan_error = self._lifespan_error, None
                raise error from None
            # The application returned without answering: it has no lifespan support.
            self._lifespan_unsupported = True
            return
        if reply["type"] == f"lifespan.{phase}.failed":
            raise RuntimeError(f"lifespan {phase} failed: {reply.get('message', '')}")
        if reply["type"] != f"lifespan.{phase}.complete":
            raise RuntimeError(f"expected 'lifespan.{phase}.complete', got {reply['type']!r}")

    def _scope(
        self, path: str, subprotocols: Sequence[str] | None, headers: RequestHeaders | None
    ) -> dict[str, Any]:
        base = urlsplit(self.base_url)
        target = urlsplit(path)
        default_port = 443 if base.scheme == "wss" else 80
        host = base.hostname or "testserver"
        raw_headers = [(b"host", (base.netloc or host).encode("latin-1"))]
        pairs = headers.items() if isinstance(headers, Mapping) else headers or ()
        for name, value in pairs:
            raw_headers.append((name.lower().encode("latin-1"), value.encode("latin-1")))
        if subprotocols:
            raw_headers.append(
                (b"sec-websocket-protocol", ", ".join(subprotocols).encode("latin-1"))
            )
        return {
            "type": "websocket",
            "asgi": {"version": "3.0", "spec_version": "2.4"},
            "http_version": "1.1",
            "scheme": base.scheme or "ws",
            "server": (host, base.port or default_port),
            "client": _CLIENT_ADDRESS,
            "root_path": "",
            "path": unquote(target.path) or "/",
            "raw_path": (target.path or "/").encode("latin-1"),
            "query_string": target.query.encode("latin-1"),
            "headers": raw_headers,
            "subprotocols": list(subprotocols or ()),
            "extensions": {name: {} for name in self.extensions},
            "state": {},
        }

    @asynccontextmanager
    async def websocket_connect(
        self,
        path: str,
        subprotocols: Sequence[str] | None = None,
        headers: RequestHeaders | None = None,
    ) -> AsyncIterator[AsyncWebSocketTestSession]:
        """Open a WebSocket connection.

        Args:
            path: The path, percent-encoded, optionally with ``?query``.
            subprotocols: Subprotocols to request, in order of preference.
            headers: Extra handshake headers (``host`` is always sent).

        Yields:
            The session, once the application accepted the handshake.

        Raises:
            WebSocketRejected: The application refused the handshake.
            TimeoutError: The application did not answer the handshake in time.
            RuntimeError: The client was not entered.
        """
        if self._task_group is None:
            raise RuntimeError(
                "enter the client first: `async with AsyncTestClient(app) as client`"
            )
        session = AsyncWebSocketTestSession(
            self.app, self._scope(path, subprotocols, headers), self.timeout
        )
        try:
            await session._connect(self._task_group)
        except BaseException:
            await session._abandon()
            raise
        failing = True
        try:
            yield session
            failing = False
        finally:
            await session._finish(failing)


class WebSocketTestSession:
    """The sync face of :class:`AsyncWebSocketTestSession`, for :class:`TestClient`.

    Same methods and attributes, blocking instead of awaitable.
    """

    def __init__(
        self, session: AsyncWebSocketTestSession, portal: anyio.from_thread.BlockingPortal
    ) -> None:
        self._session = session
        self._portal = portal

    @property
    def accepted_subprotocol(self) -> str | None:
        """The subprotocol the application selected, if any."""
        return self._session.accepted_subprotocol

    @property
    def response_headers(self) -> list[tuple[str, str]]:
        """The headers sent with ``websocket.accept``."""
        return self._session.response_headers

    def receive(self, timeout: float | None = None) -> Message:
        """Return the next raw ASGI event (see :meth:`AsyncWebSocketTestSession.receive`)."""
        return self._portal.call(self._session.receive, timeout)

    def receive_text(self, timeout: float | None = None) -> str:
        """Return the next text frame (see :meth:`AsyncWebSocketTestSession.receive_text`)."""
        return self._portal.call(self._session.receive_text, timeout)

    def receive_bytes(self, timeout: float | None = None) -> bytes:
        """Return the next binary frame."""
        return self._portal.call(self._session.receive_bytes, timeout)

    def receive_json(self, mode: WebSocketMode = "text", timeout: float | None = None) -> Any:
        """Return the next frame of ``mode`` decoded as JSON."""
        return self._portal.call(self._session.receive_json, mode, timeout)

    def receive_msgpack(self, timeout: float | None = None) -> Any:
        """Return the next binary frame decoded as MessagePack."""
        return self._portal.call(self._session.receive_msgpack, timeout)

    def send(self, message: Message) -> None:
        """Send a raw ASGI event."""
        self._portal.call(self._session.send, message)

    def send_text(self, data: str) -> None:
        """Send a text frame."""
        self._portal.call(self._session.send_text, data)

    def send_bytes(self, data: bytes) -> None:
        """Send a binary frame."""
        self._portal.call(self._session.send_bytes, data)

    def send_json(self, data: Any, mode: WebSocketMode = "text") -> None:
        """Send ``data`` as JSON in a frame of ``mode``."""
        self._portal.call(self._session.send_json, data, mode)

    def send_msgpack(self, data: Any) -> None:
        """Send ``data`` as MessagePack in a binary frame."""
        self._portal.call(self._session.send_msgpack, data)

    def close(self, code: int = CloseCode.NORMAL_CLOSURE, reason: str = "") -> None:
        """Disconnect with ``code``."""
        self._portal.call(self._session.close, code, reason)


class TestClient:
    """Drive an ASGI application in-process from plain (sync) tests.

    Runs an event loop in a helper thread (``anyio.from_thread.start_blocking_portal``)
    and forwards every call to an :class:`AsyncTestClient`. Use it as
    ``with TestClient(app) as client:`` and ``with client.websocket_connect("/") as ws:``.

    Args:
        app: The ASGI application.
        timeout: Default receive timeout in seconds.
        backend: The anyio backend to run the application on.
        base_url: See :class:`AsyncTestClient`.
        extensions: See :class:`AsyncTestClient`.
    """

    __test__ = False  # not a pytest test class, despite the name

    def __init__(
        self,
        app: ASGIApp,
        timeout: float = 10.0,
        backend: Literal["asyncio", "trio"] = "asyncio",
        *,
        base_url: str = "ws://testserver",
        extensions: Sequence[str] = ("websocket.http.response",),
    ) -> None:
        self.app = app
        self.backend = backend
        self._client = AsyncTestClient(
            app, timeout=timeout, base_url=base_url, extensions=extensions
        )
        self._portal_cm: AbstractContextManager[anyio.from_thread.BlockingPortal] | None = None
        self._client_cm: AbstractContextManager[AsyncTestClient] | None = None
        self._portal: anyio.from_thread.BlockingPortal | None = None

    def __enter__(self) -> TestClient:
        portal_cm = anyio.from_thread.start_blocking_portal(backend=self.backend)
        portal = portal_cm.__enter__()
        client_cm = portal.wrap_async_context_manager(self._client)
        try:
            client_cm.__enter__()
        except BaseException as exc:
            portal_cm.__exit__(type(exc), exc, exc.__traceback__)
            raise
        self._portal_cm, self._portal, self._client_cm = portal_cm, portal, client_cm
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        portal_cm, client_cm = self._portal_cm, self._client_cm
        assert portal_cm is not None
        assert client_cm is not None
        self._portal_cm = self._client_cm = self._portal = None
        try:
            client_cm.__exit__(exc_type, exc, traceback)
        finally:
            portal_cm.__exit__(exc_type, exc, traceback)

    @contextmanager
    def websocket_connect(
        self,
        path: str,
        subprotocols: Sequence[str] | None = None,
        headers: RequestHeaders | None = None,
    ) -> Iterator[WebSocketTestSession]:
        """Open a WebSocket connection (see :meth:`AsyncTestClient.websocket_connect`)."""
        if self._portal is None:
            raise RuntimeError("enter the client first: `with TestClient(app) as client`")
        portal = self._portal
        with portal.wrap_async_context_manager(
            self._client.websocket_connect(path, subprotocols, headers)
        ) as session:
            yield WebSocketTestSession(session, portal)


def create_test_client(
    route_handlers: Any,
    *,
    timeout: float = 10.0,
    backend: Literal["asyncio", "trio"] = "asyncio",
    **app_kwargs: Any,
) -> TestClient:
    """Build an :class:`~ws_core.App` and return a :class:`TestClient` for it.

    Args:
        route_handlers: One route handler (or router) or a sequence of them.
        timeout: Default receive timeout in seconds.
        backend: The anyio backend.
        **app_kwargs: Passed to :class:`~ws_core.App`.

    Raises:
        ConfigurationError: The application is misconfigured.
    """
    if not isinstance(route_handlers, Sequence) or isinstance(route_handlers, str):
        route_handlers = [route_handlers]
    return TestClient(App(route_handlers, **app_kwargs), timeout=timeout, backend=backend)
