"""The ``@websocket_listener`` decorator (function form of a listener)."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, Literal

from ws_codec import DTO, WireProtocol
from ws_core import (
    ExceptionHandler,
    Guard,
    LayerOptions,
    WebSocket,
    WebSocketMode,
    declared_paths,
    handler_name,
)
from ws_di import Provide
from ws_listener.handler import ListenerRouteHandler
from ws_listener.options import FOLLOW_DTO, FollowDto, ListenerOptions

__all__ = ["websocket_listener"]

_KIND = "websocket_listener"


def websocket_listener(
    path: str | Sequence[str],
    *,
    receive_mode: WebSocketMode = "text",
    send_mode: WebSocketMode = "text",
    protocol: WireProtocol = "json",
    dto: type[DTO[Any]] | None = None,
    return_dto: type[DTO[Any]] | Literal[FollowDto.FOLLOW] | None = FOLLOW_DTO,
    dependencies: Mapping[str, Provide | Callable[..., Any]] | None = None,
    connection_accept_handler: Callable[..., Any] | None = None,
    connection_lifespan: Callable[..., Any] | None = None,
    on_accept: Callable[..., Any] | None = None,
    on_disconnect: Callable[..., Any] | None = None,
    guards: Sequence[Guard] = (),
    websocket_class: type[WebSocket] | None = None,
    exception_handlers: Mapping[type[BaseException], ExceptionHandler] | None = None,
    max_message_size: int | None = None,
    sync_to_thread: bool = True,
    name: str | None = None,
) -> Callable[[Callable[..., Any]], ListenerRouteHandler]:
    """Turn a function taking ``data`` into a WebSocket listener route handler.

    The decorated function (sync or async) is called once per incoming
    message, one message at a time, in order. ``data`` is converted by its
    annotation: ``str``/``bytes`` receive the frame as it is, no annotation or
    ``Any`` the decoded JSON (or MessagePack) value, anything else is decoded
    and validated (a failure closes with 1007 unless a layered handler for
    ``ws_codec.DecodeError`` takes it). Any other parameter is injected
    (``socket``, ``state``, dependencies, path and query parameters...),
    resolved once per connection. A returned ``None`` sends nothing; anything
    else is sent, encoded by the return annotation.

    Example::

        @websocket_listener("/echo")
        async def echo(data: str) -> str:
            return data

        app = App([echo])

    Args:
        path: The path, or paths, served.
        receive_mode: Channel read (``"text"``/``"binary"``); frames on the
            other channel are ignored.
        send_mode: Channel replies are sent on.
        protocol: ``"json"`` or ``"msgpack"`` (binary modes only).
        dto: ``DTO`` subclass shaping incoming data.
        return_dto: ``DTO`` subclass shaping replies. By default ``dto``, when
            the return annotation holds its model (so the fields it excludes
            never leak into a reply); ``None`` shapes nothing.
        dependencies: Handler-layer providers (``Provide`` or bare callables).
        connection_accept_handler: Accepts the connection instead of the plain
            ``socket.accept()``; takes ``socket`` plus injected names. If it
            closes or raises instead, nothing further runs.
        connection_lifespan: Async generator function or async context manager
            factory wrapping the message loop; code after its ``yield`` runs
            when the connection ends for any reason. It may hold a task group
            open across its ``yield``. Excludes ``on_accept``, ``on_disconnect``
            and ``connection_accept_handler``.
        on_accept: Runs after accept; may ask for injected names.
        on_disconnect: Runs exactly once for every accepted connection, also
            after a failure; its own errors are logged, never raised.
        guards: Handler-layer guards.
        websocket_class: Handler-layer ``WebSocket`` subclass.
        exception_handlers: Handler-layer exception handlers,
            ``handler(socket, exc)``; for a listener they may reply and keep the
            connection open.
        max_message_size: The largest message accepted, in bytes (UTF-8 for
            text); a larger one closes with 1009 before it is decoded.
        sync_to_thread: Run sync callables in a worker thread (default) or
            inline on the event loop.
        name: The handler's name in messages and logs; the function's
            qualified name by default.

    Returns:
        A decorator returning a :class:`ListenerRouteHandler` (the function is
        kept as its ``fn`` attribute).

    Raises:
        ConfigurationError: At once, for a path that is not a string or a
            non-empty sequence of strings, an unknown mode or protocol, or an
            invalid ``max_message_size``. Whatever depends on the function's
            annotations or the layers is reported when the ``App`` is built.
    """
    paths = declared_paths(path, _KIND, name)
    options = ListenerOptions(
        receive_mode=receive_mode,
        send_mode=send_mode,
        protocol=protocol,
        dto=dto,
        return_dto=return_dto,
        connection_accept_handler=connection_accept_handler,
        connection_lifespan=connection_lifespan,
        max_message_size=max_message_size,
        sync_to_thread=sync_to_thread,
    ).check(_KIND, name)
    layer = LayerOptions(
        dependencies=dependencies,
        guards=guards,
        websocket_class=websocket_class,
        exception_handlers=exception_handlers,
    )

    def decorate(fn: Callable[..., Any]) -> ListenerRouteHandler:
        if not callable(fn):
            raise TypeError(f"websocket_listener decorates a callable, not {fn!r}")
        return ListenerRouteHandler(
            fn,
            paths=paths,
            layer=layer,
            options=options,
            name=handler_name(fn, name),
            on_accept=on_accept,
            on_disconnect=on_disconnect,
        )

    return decorate
