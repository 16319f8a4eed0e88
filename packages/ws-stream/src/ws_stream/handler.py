"""``StreamHandler``: the route handler that ``@websocket_stream`` returns.

It honours ws-core's ``RouteHandler`` contract: :meth:`StreamHandler.bind`
runs once per path while the ``App`` is built and returns the coroutine that
serves one connection.
"""

from collections.abc import AsyncIterable, Callable, Mapping
from typing import Any

from ws_codec import DTO, CodecConfigurationError, WireProtocol, encoder_for
from ws_core import (
    BoundRoute,
    ConnectionHandler,
    HandlerBase,
    LayerOptions,
    RouteDescription,
    WebSocket,
    WebSocketMode,
)
from ws_di import read_callable
from ws_stream.description import describe_stream
from ws_stream.log import logger
from ws_stream.pump import pump_stream

__all__ = ["StreamFunction", "StreamHandler"]

StreamFunction = Callable[..., AsyncIterable[Any]]
"""An async generator function whose parameters are injected per connection."""


class StreamHandler(HandlerBase):
    """Serves each connection by sending what an async generator yields.

    Per connection it accepts the socket, calls the generator function with
    its injected arguments, sends every yielded value (``str``/``bytes`` as
    they are, anything else encoded by the yield annotation) and closes with
    1000 once the generator is exhausted. While streaming it listens for the
    client: a disconnect stops the generator; client data closes with 1003
    unless ``allow_data_discard``. The generator is closed with ``aclose()``
    however the stream ends, before ws-core tears the dependencies down; an
    exception from it propagates to ws-core (close 1011, logged once on
    :attr:`logger`).

    Build it with :func:`ws_stream.websocket_stream` rather than directly.

    Attributes:
        fn: the decorated async generator function.
        paths: the paths it serves.
        name: the route name (the function's qualified name by default).
        layer: its own layer options (dependencies, guards, websocket class,
            exception handlers).
        mode: transport channel of the frames it sends.
        protocol: wire protocol of encoded values.
        return_dto: DTO shaping the yielded values, or ``None``.
        listen_for_disconnect: read the socket in the background while streaming.
        allow_data_discard: drop client data instead of closing with 1003.
        logger: the ``"ws_stream"`` logger.
    """

    kind = "websocket_stream"

    def __init__(
        self,
        fn: StreamFunction,
        *,
        paths: tuple[str, ...],
        name: str,
        layer: LayerOptions,
        mode: WebSocketMode,
        protocol: WireProtocol,
        return_dto: type[DTO[Any]] | None,
        listen_for_disconnect: bool,
        allow_data_discard: bool,
    ) -> None:
        super().__init__(paths=paths, name=name, layer=layer, logger=logger)
        self.fn = fn
        self.mode: WebSocketMode = mode
        self.protocol: WireProtocol = protocol
        self.return_dto = return_dto
        self.listen_for_disconnect = listen_for_disconnect
        self.allow_data_discard = allow_data_discard

    def bind(self, route: BoundRoute) -> ConnectionHandler:
        """Prepare to serve ``route``: build the encoder and plan the dependencies.

        Called once per path while the ``App`` is built, never per connection.

        Args:
            route: what the layers decided for this path.

        Returns:
            The coroutine function serving one connection; ws-core calls it
            with the socket (not yet accepted) and the resolved values.

        Raises:
            ConfigurationError: the yield annotation cannot be read or encoded
                with this mode, protocol and DTO, or ``route.plan`` cannot
                plan the generator function's parameters.
        """
        with route.configuring(CodecConfigurationError):
            item_type = read_callable(self.fn).item_type()
            encode = encoder_for(
                item_type, mode=self.mode, protocol=self.protocol, dto=self.return_dto
            )
        plan = route.plan({"stream": self.fn})
        fn, mode = self.fn, self.mode
        listen_for_disconnect = self.listen_for_disconnect
        allow_data_discard = self.allow_data_discard

        async def serve(socket: WebSocket, values: Mapping[str, Any]) -> None:
            kwargs = plan.kwargs_for("stream", values)
            await socket.accept()
            await pump_stream(
                socket,
                fn(**kwargs),
                encode=encode,
                mode=mode,
                listen_for_disconnect=listen_for_disconnect,
                allow_data_discard=allow_data_discard,
                close=True,
            )

        return serve

    def describe(self, route: BoundRoute) -> RouteDescription:
        """Describe ``route`` for the AsyncAPI document (see :mod:`ws_stream.description`)."""
        return describe_stream(self, route)
