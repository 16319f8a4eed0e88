"""The route handlers ``create_ws_route_handlers=True`` generates: one socket, one channel.

Per connection: the ``since`` query parameter is checked (a malformed one
refuses the handshake with 400 naming it), the connection is subscribed —
from ``since`` when given, else with the last ``ws_handler_send_history``
events — and only then accepted, so the client misses nothing published
after it connected; every event is sent until the client disconnects. What
the client sends is read and ignored (browsers and proxies send keep-alive
pings); only its disconnect, the ``close`` backlog policy (1013) or the
server's shutdown ends the connection.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import anyio

from ws_channels.logs import logger
from ws_channels.types import Position
from ws_core import (
    BoundRoute,
    ConnectionHandler,
    Guard,
    HandlerBase,
    HandshakeRejected,
    LayerOptions,
    WebSocket,
    WebSocketDisconnect,
    WebSocketMode,
)

if TYPE_CHECKING:
    from ws_channels.plugin import ChannelsPlugin
    from ws_channels.subscriber import Subscriber

__all__ = ["CHANNEL_PARAMETER", "ChannelRouteHandler", "parse_since"]

CHANNEL_PARAMETER = "channel_name"
"""The path parameter of the one route serving arbitrary channels."""

_SINCE = "since"


def parse_since(values: list[str]) -> Position | None:
    """Read the ``since`` query parameter (``epoch:offset``), or ``None`` if absent.

    Raises:
        HandshakeRejected: 400, naming the parameter, when it is given more
            than once, or is not an epoch and an offset (an int of at least 0)
            separated by the last ``:``.
    """
    if not values:
        return None
    epoch, colon, offset = values[-1].rpartition(":")
    if len(values) > 1 or not colon or not epoch or not (offset.isascii() and offset.isdigit()):
        raise HandshakeRejected(
            400,
            f"query parameter {_SINCE!r} must be given once, as 'epoch:offset' "
            f"(the position of the last event received), got {values!r}",
        )
    return (epoch, int(offset))


class ChannelRouteHandler(HandlerBase):
    """Serves one channel per connection (see the module docstring).

    Made by :class:`~ws_channels.ChannelsPlugin`; not meant to be built directly.

    Args:
        plugin: The plugin whose channels it serves.
        path: The route's path.
        channel: The channel it serves, or ``None`` to take it from the
            ``{channel_name:str}`` path parameter.
        guards: Guards of this route (``ws_handler_guards``).
    """

    kind = "channels route"

    def __init__(
        self, plugin: ChannelsPlugin, path: str, channel: str | None, guards: Sequence[Guard]
    ) -> None:
        super().__init__(
            paths=(path,),
            name=channel if channel is not None else "{channel_name}",
            layer=LayerOptions(guards=guards),
            logger=logger,
        )
        self._plugin = plugin
        self._channel = channel

    def bind(self, route: BoundRoute) -> ConnectionHandler:
        """Return the coroutine serving one connection (nothing to plan: no dependencies)."""
        plugin, fixed_channel = self._plugin, self._channel

        async def serve(socket: WebSocket, values: Mapping[str, Any]) -> None:
            channel = fixed_channel if fixed_channel is not None else values[CHANNEL_PARAMETER]
            since = parse_since(socket.query_params.getall(_SINCE))
            history = plugin.ws_handler_send_history
            # Subscribed before the accept: once the client is connected, it
            # misses nothing published afterwards.
            async with plugin.start_subscription(
                [channel],
                history=history if since is None and history else None,
                since=None if since is None else {channel: since},
            ) as subscriber:
                await socket.accept()
                await _send_until_disconnect(socket, subscriber, plugin.ws_send_mode)

        return serve


async def _send_until_disconnect(
    socket: WebSocket, subscriber: Subscriber, mode: WebSocketMode
) -> None:
    """Feed ``socket`` from ``subscriber``, reading (and ignoring) the client, until either ends."""
    async with anyio.create_task_group() as task_group:

        async def read_until_disconnect() -> None:
            try:
                while True:
                    await socket.receive_message()
            except WebSocketDisconnect:
                pass
            task_group.cancel_scope.cancel()

        task_group.start_soon(read_until_disconnect)
        await subscriber._feed_socket(socket, mode)
        task_group.cancel_scope.cancel()
