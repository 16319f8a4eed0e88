"""The settings a listener is built with, shared by the function and the class form.

:class:`ListenerOptions` holds what shapes one listener's transport, codecs and
connection set-up. The layered options (dependencies, guards, WebSocket class,
exception handlers) are not here: they live in :class:`ws_core.LayerOptions`,
which core merges with the router and app layers.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Final, Literal

from ws_codec import DTO, WireProtocol
from ws_core import ConfigurationError, WebSocketMode, check_choice

__all__ = ["FOLLOW_DTO", "MODES", "PROTOCOLS", "FollowDto", "ListenerOptions"]

MODES: Final = ("text", "binary")
PROTOCOLS: Final = ("json", "msgpack")


class FollowDto(enum.Enum):
    """The type of :data:`FOLLOW_DTO`."""

    FOLLOW = "the listener's dto, when the return annotation holds its model"


FOLLOW_DTO: Final = FollowDto.FOLLOW
"""The default ``return_dto``: replies are shaped by ``dto`` when the return
annotation holds the DTO's model (so an excluded field never leaks into a
reply); ``return_dto=None`` given explicitly turns that off."""


@dataclass(frozen=True, slots=True, kw_only=True)
class ListenerOptions:
    """Transport, codec and connection set-up options of one listener.

    Attributes:
        receive_mode: Transport channel the listener reads (``"text"`` or
            ``"binary"``); frames on the other channel are ignored.
        send_mode: Transport channel replies are sent on.
        protocol: Wire format of structured data, ``"json"`` or ``"msgpack"``
            (MessagePack needs binary modes).
        dto: ``ws_codec.DTO`` subclass shaping incoming data, or ``None``.
        return_dto: ``ws_codec.DTO`` subclass shaping outgoing data, ``None``,
            or :data:`FOLLOW_DTO` (the default).
        connection_accept_handler: Callable (sync or async) that accepts the
            connection itself instead of the plain ``socket.accept()``. It
            receives the socket as its ``socket`` parameter plus any injected
            names.
        connection_lifespan: Async generator function, or callable returning an
            async context manager, entered after accept and exited when the
            connection ends. It may ask for injected names.
        max_message_size: The largest incoming message accepted, in bytes
            (UTF-8 for text frames); a larger one closes the connection with
            1009 before it is decoded. ``None``: only the server's limit applies.
        sync_to_thread: Run sync callables (listener and hooks) in a worker
            thread (``True``) or inline on the event loop (``False``).

    Raises:
        ConfigurationError: A mode or protocol that does not exist, or a
            ``max_message_size`` that is not a positive int (``kind`` and
            ``name`` name the declaration in the message).
    """

    receive_mode: WebSocketMode = "text"
    send_mode: WebSocketMode = "text"
    protocol: WireProtocol = "json"
    dto: type[DTO[Any]] | None = None
    return_dto: type[DTO[Any]] | Literal[FollowDto.FOLLOW] | None = FOLLOW_DTO
    connection_accept_handler: Callable[..., Any] | None = None
    connection_lifespan: Callable[..., Any] | None = None
    max_message_size: int | None = None
    sync_to_thread: bool = True

    def check(self, kind: str, name: str | None) -> ListenerOptions:
        """Validate the options with a fixed set of values; return ``self``.

        Called where the listener is declared, so a typo fails there.

        Raises:
            ConfigurationError: As described on the class.
        """
        check_choice(self.receive_mode, "receive_mode", MODES, kind, name)
        check_choice(self.send_mode, "send_mode", MODES, kind, name)
        check_choice(self.protocol, "protocol", PROTOCOLS, kind, name)
        size = self.max_message_size
        if size is not None and (isinstance(size, bool) or not isinstance(size, int) or size < 1):
            label = kind if name is None else f"{kind} {name!r}"
            raise ConfigurationError(
                f"{label}: max_message_size must be a positive int (bytes) or None, got {size!r}"
            )
        return self
