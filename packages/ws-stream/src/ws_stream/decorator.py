"""``@websocket_stream``: turn an async generator function into a route handler."""

import inspect
from collections.abc import Callable, Mapping, Sequence
from typing import Any, get_args

from ws_codec import DTO, WireProtocol
from ws_core import (
    ConfigurationError,
    ExceptionHandler,
    Guard,
    LayerOptions,
    WebSocket,
    WebSocketMode,
)
from ws_di import Provide
from ws_stream.handler import StreamFunction, StreamHandler


def websocket_stream(
    path: str | Sequence[str],
    *,
    mode: WebSocketMode = "text",
    protocol: WireProtocol = "json",
    return_dto: type[DTO[Any]] | None = None,
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
    streaming the client is listened to: a disconnect stops the generator;
    data closes the connection with 1003 (unsupported data) unless
    ``allow_data_discard=True``, which drops it. However the stream ends
    (exhausted, client gone, an exception, cancellation, server shutdown), the
    generator is closed with ``aclose()`` before the dependencies are torn
    down. An exception from the generator closes with 1011 and is logged on
    the ``"ws_stream"`` logger.

    Args:
        path: the path, or several paths, to serve.
        mode: transport channel of the frames, ``"text"`` or ``"binary"``.
        protocol: ``"json"``, or ``"msgpack"`` (needs ``mode="binary"``).
        return_dto: a ``DTO`` subclass shaping the yielded values.
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
        ConfigurationError: ``mode`` or ``protocol`` is not a known value, or
            (from the decorator) the function is not an async generator
            function. Problems with the yield annotation, or MessagePack in
            text mode, are reported when the ``App`` is built.
    """
    paths = (path,) if isinstance(path, str) else tuple(path)
    if mode not in get_args(WebSocketMode):
        raise ConfigurationError(f"websocket_stream at {paths}: unknown mode {mode!r}")
    if protocol not in get_args(WireProtocol):
        raise ConfigurationError(f"websocket_stream at {paths}: unknown protocol {protocol!r}")
    layer = LayerOptions(
        dependencies=dependencies,
        guards=guards,
        websocket_class=websocket_class,
        exception_handlers=exception_handlers,
    )

    def decorate(fn: StreamFunction) -> StreamHandler:
        handler_name = name or str(getattr(fn, "__qualname__", fn))
        if not inspect.isasyncgenfunction(fn):
            raise ConfigurationError(
                f"websocket_stream {handler_name!r}: the function must be an async generator "
                "function (an 'async def' that yields)"
            )
        if not paths:
            raise ConfigurationError(f"websocket_stream {handler_name!r}: no path given")
        return StreamHandler(
            fn,
            paths=paths,
            name=handler_name,
            layer=layer,
            mode=mode,
            protocol=protocol,
            return_dto=return_dto,
            allow_data_discard=allow_data_discard,
        )

    return decorate
