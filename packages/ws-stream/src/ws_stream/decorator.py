"""``@websocket_stream``: turn an async generator function into a route handler."""

import inspect
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from ws_codec import DTO, WireProtocol
from ws_core import (
    ConfigurationError,
    ExceptionHandler,
    Guard,
    LayerOptions,
    WebSocket,
    WebSocketMode,
    check_choice,
    declared_paths,
    handler_name,
)
from ws_di import Provide
from ws_stream.handler import StreamFunction, StreamHandler

__all__ = ["websocket_stream"]

_MODES = ("text", "binary")
_PROTOCOLS = ("json", "msgpack")


def websocket_stream(
    path: str | Sequence[str],
    *,
    mode: WebSocketMode = "text",
    protocol: WireProtocol = "json",
    return_dto: type[DTO[Any]] | None = None,
    listen_for_disconnect: bool = True,
    allow_data_discard: bool = False,
    dependencies: Mapping[str, Provide | Callable[..., Any]] | None = None,
    guards: Sequence[Guard] = (),
    websocket_class: type[WebSocket] | None = None,
    exception_handlers: Mapping[type[BaseException], ExceptionHandler] | None = None,
    name: str | None = None,
) -> Callable[[StreamFunction], StreamHandler]:
    """Serve ``path`` by streaming what the decorated async generator yields.

    The generator function may ask for any injected name (``socket``,
    ``state``, path and query parameters, dependencies, ...). Its return
    annotation, ``AsyncGenerator[T, None]`` (or ``AsyncIterator[T]``,
    ``AsyncIterable[T]``), tells how to encode each value; without one, each
    value is encoded by its runtime type. ``str`` and ``bytes`` values are
    sent as they are, converted to ``mode``.

    Per connection: accept, run the generator, send each value once the
    previous send has completed, close with 1000 when it is exhausted. While
    streaming the client is listened to (``listen_for_disconnect``): a
    disconnect stops the generator; data closes the connection with 1003
    (unsupported data) unless ``allow_data_discard=True``, which drops it
    (counted). A generator that never awaits cannot starve the other
    connections: every few frames the send gives the event loop a turn. However the stream ends
    (exhausted, client gone, an exception, cancellation, server shutdown), the
    generator is closed with ``aclose()`` before the dependencies are torn
    down. An exception from the generator closes with 1011 and is logged on
    the ``"ws_stream"`` logger.

    Args:
        path: the path, or several paths, to serve.
        mode: transport channel of the frames, ``"text"`` or ``"binary"``.
        protocol: ``"json"``, or ``"msgpack"`` (needs ``mode="binary"``).
        return_dto: a ``DTO`` subclass shaping the yielded values.
        listen_for_disconnect: read the socket in the background while
            streaming; ``False`` leaves reading to the application (the
            stream then ends when a send finds the client gone).
        allow_data_discard: drop client data instead of closing with 1003.
        dependencies: this layer's providers (``Provide`` or bare callables).
        guards: this layer's guards, run before the handshake is accepted.
        websocket_class: the ``WebSocket`` subclass to use.
        exception_handlers: this layer's exception handlers, by class.
        name: a name for messages; defaults to the function's qualified name.

    Returns:
        A decorator taking the async generator function and returning a
        :class:`~ws_stream.StreamHandler` (the function stays available as
        its ``fn`` attribute).

    Raises:
        ConfigurationError: At once, for a path that is not a string or a
            non-empty sequence of strings, or an unknown ``mode`` or
            ``protocol``; from the decorator, when the function is not an
            async generator function. Problems with the yield annotation, or
            MessagePack in text mode, are reported when the ``App`` is built.
    """
    kind = StreamHandler.kind
    paths = declared_paths(path, kind, name)
    check_choice(mode, "mode", _MODES, kind, name)
    check_choice(protocol, "protocol", _PROTOCOLS, kind, name)
    layer = LayerOptions(
        dependencies=dependencies,
        guards=guards,
        websocket_class=websocket_class,
        exception_handlers=exception_handlers,
    )

    def decorate(fn: StreamFunction) -> StreamHandler:
        handler = handler_name(fn, name)
        if not inspect.isasyncgenfunction(fn):
            raise ConfigurationError(
                f"{kind} {handler!r}: the function must be an async generator "
                "function (an 'async def' that yields)"
            )
        return StreamHandler(
            fn,
            paths=paths,
            name=handler,
            layer=layer,
            mode=mode,
            protocol=protocol,
            return_dto=return_dto,
            listen_for_disconnect=listen_for_disconnect,
            allow_data_discard=allow_data_discard,
        )

    return decorate
