"""ws-kit: a WebSocket framework for ASGI servers.

This umbrella package has no code of its own. It re-exports the public API of
the slim distributions it depends on, so ``from ws_kit import ...`` is all an
application needs:

- ``ws_core``: :class:`App`, :class:`Router`, :class:`WebSocket`, the low-level
  :func:`websocket` handler, close codes and exceptions;
- ``ws_di``: :class:`Provide`;
- ``ws_codec``: :class:`DTO` and :class:`DTOConfig`;
- ``ws_listener``: :func:`websocket_listener` and :class:`WebsocketListener`;
- ``ws_stream``: :func:`websocket_stream` and :func:`send_websocket_stream`.

The in-process test client lives in :mod:`ws_kit.testing`; the AsyncAPI
document's options and the contract a handler kind describes itself with, in
:mod:`ws_kit.asyncapi` (also ``python -m ws_kit.asyncapi module:app``).
"""

from ws_codec import DTO, DTOConfig
from ws_core import (
    App,
    CloseCode,
    HandshakeRejected,
    Router,
    State,
    WebSocket,
    WebSocketDisconnect,
    WebSocketException,
    WebSocketMode,
    websocket,
)
from ws_di import Provide
from ws_kit.__about__ import __version__ as __version__
from ws_listener import WebsocketListener, websocket_listener
from ws_stream import send_websocket_stream, websocket_stream

__all__ = [
    "DTO",
    "App",
    "CloseCode",
    "DTOConfig",
    "HandshakeRejected",
    "Provide",
    "Router",
    "State",
    "WebSocket",
    "WebSocketDisconnect",
    "WebSocketException",
    "WebSocketMode",
    "WebsocketListener",
    "send_websocket_stream",
    "websocket",
    "websocket_listener",
    "websocket_stream",
]
