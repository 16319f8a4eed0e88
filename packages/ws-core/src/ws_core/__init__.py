"""ws-core: the WebSocket connection, the ASGI app and the route-handler contract of ws-kit.

Build an :class:`App` from route handlers (the low-level :func:`websocket`
decorator here; listeners and streams come from ``ws_listener`` and
``ws_stream``) and :class:`Router` groups; every route is bound when the app is
built. Any object honouring :class:`RouteHandler` can be routed; a
:class:`Plugin` extends the App's configuration (:class:`AppConfig`) while it is
built. Test with :mod:`ws_core.testing`.

Exceptions::

    Exception
    ├── ConfigurationError      caller error: misconfiguration found at start-up
    ├── WebSocketDisconnect     peer event: the peer went away (code, reason)
    ├── WebSocketException      raised by application code: close with (code, reason)
    └── HandshakeRejected       raised by application code before accept: refuse
                                the handshake with (status_code, detail)

Misusing a connection's state machine (sending before accept, accepting
twice) raises :class:`RuntimeError`. Everything logs on the ``ws_core`` logger.
"""

from ws_core.app import App
from ws_core.close_codes import CloseCode
from ws_core.connection import ConnectionState, WebSocket
from ws_core.datastructures import URL, Address, Headers, QueryParams, State
from ws_core.exceptions import (
    ConfigurationError,
    HandshakeRejected,
    WebSocketDisconnect,
    WebSocketException,
)
from ws_core.handler import (
    BoundRoute,
    ConnectionHandler,
    RouteHandler,
    WebSocketRouteHandler,
    websocket,
)
from ws_core.layers import ExceptionHandler, Guard, LayerOptions
from ws_core.plugins import AppConfig, Plugin
from ws_core.router import Router
from ws_core.types import Message, Receive, Scope, Send, WebSocketMode

__all__ = [
    "URL",
    "Address",
    "App",
    "AppConfig",
    "BoundRoute",
    "CloseCode",
    "ConfigurationError",
    "ConnectionHandler",
    "ConnectionState",
    "ExceptionHandler",
    "Guard",
    "HandshakeRejected",
    "Headers",
    "LayerOptions",
    "Message",
    "Plugin",
    "QueryParams",
    "Receive",
    "RouteHandler",
    "Router",
    "Scope",
    "Send",
    "State",
    "WebSocket",
    "WebSocketDisconnect",
    "WebSocketException",
    "WebSocketMode",
    "WebSocketRouteHandler",
    "websocket",
]
