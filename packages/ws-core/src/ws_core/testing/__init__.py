"""In-process test clients for ASGI WebSocket applications: no network, no server.

:class:`AsyncTestClient` runs the application in tasks of its own task group and
talks to it over anyio memory streams with real ASGI events; :class:`TestClient`
is its blocking face for plain (sync) test functions.

Usage contract: enter the client (``async with`` / ``with``) before connecting;
entering runs the application's lifespan startup and leaving runs its shutdown
(a failure of either raises). Each ``websocket_connect`` block waits for the
handshake: a refusal raises :class:`WebSocketRejected`. Every receive waits at
most ``timeout`` seconds (per client, per session, per call) and then raises
:class:`TimeoutError`, so a broken test fails instead of hanging. A close from
the application surfaces as :class:`~ws_core.WebSocketDisconnect` on the next
receive. Leaving the block disconnects (code 1000) if still open, waits for the
application to finish and re-raises any exception that escaped it.

Modules: :mod:`~ws_core.testing.server` (the server end an application sees),
:mod:`~ws_core.testing.session` (the client end), :mod:`~ws_core.testing.lifespan`,
:mod:`~ws_core.testing.client` (the async client) and :mod:`~ws_core.testing.sync`
(the blocking face, derived from the async one).
"""

from ws_core.testing.client import AsyncTestClient, create_async_test_client
from ws_core.testing.session import AsyncWebSocketTestSession, WebSocketRejected
from ws_core.testing.sync import TestClient, WebSocketTestSession, create_test_client

__all__ = [
    "AsyncTestClient",
    "AsyncWebSocketTestSession",
    "TestClient",
    "WebSocketRejected",
    "WebSocketTestSession",
    "create_async_test_client",
    "create_test_client",
]
