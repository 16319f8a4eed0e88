"""In-process test client for ws-kit applications (re-exported from ``ws_core.testing``).

Use :class:`TestClient` from plain pytest functions, :class:`AsyncTestClient`
inside async tests, and :func:`create_test_client` / :func:`create_async_test_client`
to build an :class:`~ws_kit.App` and a client in one call. A rejected handshake
raises :class:`WebSocketRejected`.
"""

from ws_core.testing import (
    AsyncTestClient,
    TestClient,
    WebSocketRejected,
    create_async_test_client,
    create_test_client,
)

__all__ = [
    "AsyncTestClient",
    "TestClient",
    "WebSocketRejected",
    "create_async_test_client",
    "create_test_client",
]
