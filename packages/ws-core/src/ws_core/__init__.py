"""ws-core: the WebSocket connection, the ASGI app and the route-handler contract of ws-kit.

Build an :class:`App` from route handlers (the low-level :func:`websocket`
decorator here; listeners and streams come from ``ws_listener`` and
``ws_stream``) and :class:`Router` groups; every route is bound when the app is
built. Any object honouring :class:`RouteHandler` can be routed; a
:class:`Plugin` extends the App's configuration (:class:`AppConfig`) while it is
built. Test with :mod:`ws_core.testing`.

Handler kinds are declared with the kit of :mod:`ws_core.declaration`
(:func:`declared_paths`, :func:`check_choice`, :func:`handler_name`,
:class:`HandlerBase`) and bound through :class:`BoundRoute`, so every kind
validates the same way and dispatches exception handlers through one function.

A handler may also describe its route (``describe(route) ->``
:class:`RouteDescription`): the App then builds its AsyncAPI 3.0 document
(:class:`AsyncAPIDocument`, served with ``App(asyncapi=``
:class:`AsyncAPIConfig` ``(...))``) without knowing the handler's kind; see
:mod:`ws_core.asyncapi`.

Exceptions::

    Exception
    ├── ConfigurationError      caller error: misconfiguration found at start-up
    ├── WebSocketException      raised by application code: close with (code, reason)
    │   └── WebSocketDisconnect peer event: the peer went away (code, reason)
    └── HandshakeRejected       raised by application code before accept: refuse
                                the handshake with (status_code, detail)

An invalid incoming message (``msgspec.DecodeError``, raised by the JSON
helpers and, as ``ws_codec.DecodeError``, by the listeners' decoders) escaping
a handler closes the connection with 1007.

Misusing a connection's state machine (sending before accept, accepting
twice) raises :class:`RuntimeError`. Everything logs on the ``ws_core`` logger.
"""

from ws_core.app import App
from ws_core.asyncapi import (
    AsyncAPIConfig,
    AsyncAPIDocument,
    AsyncAPIServer,
    DescribedRouteHandler,
    MessageDescription,
    OperationDescription,
    RouteDescription,
    own_docstring,
)
from ws_core.close_codes import CloseCode
from ws_core.connection import ConnectionState, WebSocket
from ws_core.datastructures import URL, Address, Headers, QueryParams, State
from ws_core.declaration import HandlerBase, check_choice, declared_paths, handler_name
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
from ws_core.logs import package_logger
from ws_core.pipeline import ends_connection_quietly
from ws_core.plugins import AppConfig, Plugin
from ws_core.router import Router
from ws_core.types import Message, Receive, Scope, Send, WebSocketMode

__all__ = [
    "URL",
    "Address",
    "App",
    "AppConfig",
    "AsyncAPIConfig",
    "AsyncAPIDocument",
    "AsyncAPIServer",
    "BoundRoute",
    "CloseCode",
    "ConfigurationError",
    "ConnectionHandler",
    "ConnectionState",
    "DescribedRouteHandler",
    "ExceptionHandler",
    "Guard",
    "HandlerBase",
    "HandshakeRejected",
    "Headers",
    "LayerOptions",
    "Message",
    "MessageDescription",
    "OperationDescription",
    "Plugin",
    "QueryParams",
    "Receive",
    "RouteDescription",
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
    "check_choice",
    "declared_paths",
    "ends_connection_quietly",
    "handler_name",
    "own_docstring",
    "package_logger",
    "websocket",
]
