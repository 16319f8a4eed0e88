"""``AsyncTestClient``: drive an ASGI application in-process from async tests."""

# ruff: noqa: ASYNC109

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping, Sequence
from contextlib import asynccontextmanager
from types import TracebackType
from typing import Any
from urllib.parse import unquote, urlsplit

import anyio
import anyio.abc

from ws_core.app import App
from ws_core.testing.lifespan import LifespanRunner
from ws_core.testing.server import DENIAL
from ws_core.testing.session import AsyncWebSocketTestSession
from ws_core.types import ASGIApp

__all__ = ["AsyncTestClient", "RequestHeaders", "create_async_test_client", "route_handler_list"]

RequestHeaders = Mapping[str, str] | Sequence[tuple[str, str]]
"""Handshake request headers: a mapping, or name/value pairs (a name may repeat)."""

_CLIENT_ADDRESS = ("testclient", 50000)


class AsyncTestClient:
    """Drive an ASGI application in-process from async tests.

    Enter it (``async with``) before connecting: entering runs the
    application's lifespan startup, leaving runs its shutdown (a failure of
    either raises).

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
        extensions: Sequence[str] = (DENIAL,),
    ) -> None:
        self.app = app
        self.timeout = timeout
        self.base_url = base_url
        self.extensions = tuple(extensions)
        self._task_group: anyio.abc.TaskGroup | None = None
        self._lifespan: LifespanRunner | None = None

    async def __aenter__(self) -> AsyncTestClient:
        task_group = anyio.create_task_group()
        await task_group.__aenter__()
        lifespan = LifespanRunner(self.app, self.timeout)
        try:
            await lifespan.startup(task_group)
        except BaseException:
            task_group.cancel_scope.cancel()
            await task_group.__aexit__(None, None, None)
            lifespan.close()
            raise
        self._task_group, self._lifespan = task_group, lifespan
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        task_group, lifespan = self._task_group, self._lifespan
        assert task_group is not None
        assert lifespan is not None
        self._task_group = self._lifespan = None
        shutdown_error: Exception | None = None
        try:
            await lifespan.shutdown()
        except Exception as error:
            shutdown_error = error
        finally:
            task_group.cancel_scope.cancel()
            # The tasks never raise (they keep their errors), so this only waits
            # for them; the body's own exception then propagates unwrapped.
            await task_group.__aexit__(None, None, None)
            lifespan.close()
        if shutdown_error is not None and exc is None:
            raise shutdown_error

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
        timeout: float | None = None,
    ) -> AsyncIterator[AsyncWebSocketTestSession]:
        """Open a WebSocket connection.

        Leaving the block disconnects (code 1000) if still open, waits for the
        application to finish and re-raises any exception that escaped it.

        Args:
            path: The path, percent-encoded, optionally with ``?query``.
            subprotocols: Subprotocols to request, in order of preference.
            headers: Extra handshake headers (``host`` is always sent).
            timeout: This session's default receive timeout, in seconds
                (default: the client's).

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
            self.app,
            self._scope(path, subprotocols, headers),
            self.timeout if timeout is None else timeout,
        )
        try:
            await session.connect(self._task_group)
        except BaseException:
            await session.abandon()
            raise
        failing = True
        try:
            yield session
            failing = False
        finally:
            await session.finish(failing)


def route_handler_list(route_handlers: Any) -> list[Any]:
    """One route handler (or router), or a sequence of them, as a list."""
    if not isinstance(route_handlers, Sequence) or isinstance(route_handlers, str):
        return [route_handlers]
    return list(route_handlers)


def create_async_test_client(
    route_handlers: Any, *, timeout: float = 10.0, **app_kwargs: Any
) -> AsyncTestClient:
    """Build an :class:`~ws_core.App` and return an :class:`AsyncTestClient` for it.

    Args:
        route_handlers: One route handler (or router) or a sequence of them.
        timeout: Default receive timeout in seconds.
        **app_kwargs: Passed to :class:`~ws_core.App`.

    Raises:
        ConfigurationError: The application is misconfigured.
    """
    return AsyncTestClient(App(route_handler_list(route_handlers), **app_kwargs), timeout=timeout)
