"""The blocking face of the async test client, for plain (sync) test functions.

:class:`TestClient` runs an event loop in a helper thread (an anyio blocking
portal) and forwards every call to an :class:`~ws_core.testing.AsyncTestClient`.
:class:`WebSocketTestSession`'s methods are derived from
:class:`~ws_core.testing.AsyncWebSocketTestSession`'s by :func:`_blocking`, so
the two faces cannot drift apart: same parameters, same documentation.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from functools import partial
from types import TracebackType
from typing import Any, Concatenate, Literal, ParamSpec, TypeVar

import anyio.from_thread

from ws_core.app import App
from ws_core.testing.client import AsyncTestClient, RequestHeaders, route_handler_list
from ws_core.testing.server import DENIAL
from ws_core.testing.session import AsyncWebSocketTestSession
from ws_core.types import ASGIApp

__all__ = ["TestClient", "WebSocketTestSession", "create_test_client"]

P = ParamSpec("P")
T = TypeVar("T")


def _blocking(
    method: Callable[Concatenate[AsyncWebSocketTestSession, P], Awaitable[T]],
) -> Callable[Concatenate[WebSocketTestSession, P], T]:
    """The blocking version of an async session method: run it through the portal."""

    def call(self: WebSocketTestSession, /, *args: P.args, **kwargs: P.kwargs) -> T:
        return self._portal.call(partial(method, self._session, *args, **kwargs))

    call.__name__ = method.__name__
    call.__qualname__ = f"WebSocketTestSession.{method.__name__}"
    call.__doc__ = method.__doc__
    return call


class WebSocketTestSession:
    """The blocking face of :class:`~ws_core.testing.AsyncWebSocketTestSession`.

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

    receive = _blocking(AsyncWebSocketTestSession.receive)
    receive_text = _blocking(AsyncWebSocketTestSession.receive_text)
    receive_bytes = _blocking(AsyncWebSocketTestSession.receive_bytes)
    receive_json = _blocking(AsyncWebSocketTestSession.receive_json)
    receive_msgpack = _blocking(AsyncWebSocketTestSession.receive_msgpack)
    send = _blocking(AsyncWebSocketTestSession.send)
    send_text = _blocking(AsyncWebSocketTestSession.send_text)
    send_bytes = _blocking(AsyncWebSocketTestSession.send_bytes)
    send_json = _blocking(AsyncWebSocketTestSession.send_json)
    send_msgpack = _blocking(AsyncWebSocketTestSession.send_msgpack)
    close = _blocking(AsyncWebSocketTestSession.close)


class TestClient:
    """Drive an ASGI application in-process from plain (sync) tests.

    Use it as ``with TestClient(app) as client:`` and
    ``with client.websocket_connect("/") as ws:``; it behaves as
    :class:`~ws_core.testing.AsyncTestClient` does, blocking.

    Args:
        app: The ASGI application.
        timeout: Default receive timeout in seconds.
        backend: The anyio backend to run the application on.
        base_url: See :class:`~ws_core.testing.AsyncTestClient`.
        extensions: See :class:`~ws_core.testing.AsyncTestClient`.
    """

    __test__ = False  # not a pytest test class, despite the name

    def __init__(
        self,
        app: ASGIApp,
        timeout: float = 10.0,
        backend: Literal["asyncio", "trio"] = "asyncio",
        *,
        base_url: str = "ws://testserver",
        extensions: Sequence[str] = (DENIAL,),
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
        timeout: float | None = None,
    ) -> Iterator[WebSocketTestSession]:
        """Open a WebSocket connection (see ``AsyncTestClient.websocket_connect``)."""
        if self._portal is None:
            raise RuntimeError("enter the client first: `with TestClient(app) as client`")
        portal = self._portal
        with portal.wrap_async_context_manager(
            self._client.websocket_connect(path, subprotocols, headers, timeout)
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
    app = App(route_handler_list(route_handlers), **app_kwargs)
    return TestClient(app, timeout=timeout, backend=backend)
