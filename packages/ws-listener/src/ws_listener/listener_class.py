"""``WebsocketListener``: the class form of a listener."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, ClassVar, Literal

from ws_codec import DTO, WireProtocol
from ws_core import (
    ConfigurationError,
    ExceptionHandler,
    Guard,
    LayerOptions,
    WebSocket,
    WebSocketMode,
    declared_paths,
)
from ws_di import Provide
from ws_listener.handler import ListenerRouteHandler
from ws_listener.options import FOLLOW_DTO, FollowDto, ListenerOptions

__all__ = ["WebsocketListener"]

_CACHE = "_ws_listener_route_handler"
_KIND = "WebsocketListener"


class WebsocketListener:
    """Base class of class-based listeners; register the subclass itself: ``App([Chat])``.

    A subclass sets ``path`` and defines ``on_receive`` (taking ``data``), and
    may define ``on_accept`` and ``on_disconnect``. Each of the three may be
    sync or async and may ask for injected names (``socket``, dependencies,
    path and query parameters...). The other options of
    :func:`~ws_listener.websocket_listener` are class attributes.

    A new instance (created without arguments) serves each connection, so
    ``self`` can hold per-connection state. ``on_disconnect`` runs exactly once
    for every accepted connection.

    Example::

        class Chat(WebsocketListener):
            path = "/chat"

            async def on_accept(self, socket: WebSocket) -> None:
                self.seen = 0

            async def on_receive(self, data: str) -> str:
                self.seen += 1
                return f"{self.seen}: {data}"

    A missing or invalid ``path``, a missing ``on_receive``, an unknown mode
    or protocol raise ``ws_core.ConfigurationError`` when the class is
    created (as the decorator does when called); the rest is checked when the
    ``App`` is built.
    An intermediate base class that is not a listener itself is declared with
    ``class Base(WebsocketListener, abstract=True)``.
    """

    path: ClassVar[str | Sequence[str]]
    name: ClassVar[str | None] = None
    receive_mode: ClassVar[WebSocketMode] = "text"
    send_mode: ClassVar[WebSocketMode] = "text"
    protocol: ClassVar[WireProtocol] = "json"
    dto: ClassVar[type[DTO[Any]] | None] = None
    return_dto: ClassVar[type[DTO[Any]] | Literal[FollowDto.FOLLOW] | None] = FOLLOW_DTO
    dependencies: ClassVar[Mapping[str, Provide | Callable[..., Any]] | None] = None
    connection_accept_handler: ClassVar[Callable[..., Any] | None] = None
    connection_lifespan: ClassVar[Callable[..., Any] | None] = None
    guards: ClassVar[Sequence[Guard]] = ()
    websocket_class: ClassVar[type[WebSocket] | None] = None
    exception_handlers: ClassVar[Mapping[type[BaseException], ExceptionHandler] | None] = None
    max_message_size: ClassVar[int | None] = None
    sync_to_thread: ClassVar[bool] = True

    def __init_subclass__(cls, *, abstract: bool = False, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if abstract:
            return
        name = cls.name or cls.__qualname__
        if getattr(cls, "path", None) is None:
            raise ConfigurationError(f"{_KIND} {name!r}: set the 'path' class attribute")
        declared_paths(cls.path, _KIND, name)
        _options(cls).check(_KIND, name)
        if not callable(getattr(cls, "on_receive", None)):
            raise ConfigurationError(
                f"{_KIND} {name!r}: define an 'on_receive' method taking 'data'"
            )

    @classmethod
    def __route_handler__(cls) -> ListenerRouteHandler:
        """Return the route handler serving this class (built once, then cached).

        ``App`` and ``Router`` call this when given the class itself.
        """
        cached = cls.__dict__.get(_CACHE)
        if isinstance(cached, ListenerRouteHandler):
            return cached
        name = cls.name or cls.__qualname__
        handler = ListenerRouteHandler(
            cls.on_receive,  # type: ignore[attr-defined]
            paths=declared_paths(cls.path, _KIND, name),
            layer=LayerOptions(
                dependencies=cls.dependencies,
                guards=cls.guards,
                websocket_class=cls.websocket_class,
                exception_handlers=cls.exception_handlers,
            ),
            options=_options(cls),
            name=name,
            on_accept=getattr(cls, "on_accept", None),
            on_disconnect=getattr(cls, "on_disconnect", None),
            listener_class=cls,
        )
        setattr(cls, _CACHE, handler)
        return handler


def _options(cls: type[WebsocketListener]) -> ListenerOptions:
    return ListenerOptions(
        receive_mode=cls.receive_mode,
        send_mode=cls.send_mode,
        protocol=cls.protocol,
        dto=cls.dto,
        return_dto=cls.return_dto,
        connection_accept_handler=cls.connection_accept_handler,
        connection_lifespan=cls.connection_lifespan,
        max_message_size=cls.max_message_size,
        sync_to_thread=cls.sync_to_thread,
    )
