"""The settings a listener is built with, shared by the function and the class form.

:class:`ListenerOptions` holds what shapes one listener's transport, codecs and
connection set-up. The layered options (dependencies, guards, WebSocket class,
exception handlers) are not here: they live in :class:`ws_core.LayerOptions`,
which core merges with the router and app layers.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ws_codec import DTO, WireProtocol
from ws_core import WebSocketMode

__all__ = ["ListenerOptions"]


@dataclass(frozen=True, slots=True, kw_only=True)
class ListenerOptions:
    """Transport, codec and connection set-up options of one listener.

    Nothing is validated here; :meth:`ListenerRouteHandler.bind
    <ws_listener.ListenerRouteHandler.bind>` checks the combination when the
    ``App`` is built and raises ``ws_core.ConfigurationError`` naming the
    handler.

    Attributes:
        receive_mode: Transport channel the listener reads (``"text"`` or
            ``"binary"``); frames on the other channel are ignored.
        send_mode: Transport channel replies are sent on.
        protocol: Wire format of structured data, ``"json"`` or ``"msgpack"``
            (MessagePack needs binary modes).
        dto: ``ws_codec.DTO`` subclass shaping incoming data, or ``None``.
        return_dto: ``ws_codec.DTO`` subclass shaping outgoing data, or ``None``.
        connection_accept_handler: Callable (sync or async) that accepts the
            connection itself instead of the plain ``socket.accept()``. It
            receives the socket as its ``socket`` parameter plus any injected
            names.
        connection_lifespan: Async generator function, or callable returning an
            async context manager, entered after accept and exited when the
            connection ends. It may ask for injected names.
        sync_to_thread: Run sync callables (listener and hooks) in a worker
            thread (``True``) or inline on the event loop (``False``).
    """

    receive_mode: WebSocketMode = "text"
    send_mode: WebSocketMode = "text"
    protocol: WireProtocol = "json"
    dto: type[DTO[Any]] | None = None
    return_dto: type[DTO[Any]] | None = None
    connection_accept_handler: Callable[..., Any] | None = None
    connection_lifespan: Callable[..., Any] | None = None
    sync_to_thread: bool = True
