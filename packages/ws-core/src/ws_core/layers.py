"""Layered options: what the app, each router and each handler may set, and how they merge.

Layers are merged outermost first (app, routers, handler): the closest layer
wins for single values (``websocket_class``), mappings merge with the closest
layer winning per key (``dependencies``, ``exception_handlers``), and guards
accumulate from the app inwards.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeAlias

from ws_core.connection import WebSocket
from ws_core.exceptions import ConfigurationError
from ws_di import Provide, merge_providers

__all__ = [
    "DependencyMap",
    "ExceptionHandler",
    "ExceptionHandlerMap",
    "Guard",
    "LayerOptions",
    "MergedLayers",
    "merge_layers",
]

Guard: TypeAlias = Callable[[WebSocket], bool | Awaitable[bool | None] | None]
"""``guard(socket)``, sync or async, run before accept: ``False`` rejects with 403;
raising :class:`~ws_core.HandshakeRejected` rejects with its status; any other
exception rejects with 500 and is logged. Sync guards run inline on the event loop,
so they must not block."""

ExceptionHandler: TypeAlias = Callable[[WebSocket, Any], Awaitable[None] | None]
"""``handler(socket, exc)``, sync or async, called for an exception escaping a
route handler. If it leaves the socket open, the connection is closed with 1000."""

DependencyMap: TypeAlias = Mapping[str, Provide | Callable[..., Any]]
"""Dependencies by key: ``Provide`` or a bare callable (wrapped in ``Provide``)."""

ExceptionHandlerMap: TypeAlias = Mapping[type[BaseException], ExceptionHandler]
"""Exception handlers by exception class, looked up through the exception's MRO."""


@dataclass(frozen=True, slots=True)
class LayerOptions:
    """The options one layer (app, router or handler) sets.

    Validated on construction; mappings are copied.

    Attributes:
        dependencies: Dependencies by key, or ``None``.
        guards: Guards of this layer, run after those of outer layers.
        websocket_class: The connection class, or ``None`` to inherit.
        exception_handlers: Exception handlers by exception class, or ``None``.

    Raises:
        ConfigurationError: A guard or exception handler is not callable, an
            exception handler key is not an exception class, or
            ``websocket_class`` is not a subclass of :class:`~ws_core.WebSocket`.
    """

    dependencies: DependencyMap | None = None
    guards: Sequence[Guard] = field(default=())
    websocket_class: type[WebSocket] | None = None
    exception_handlers: ExceptionHandlerMap | None = None

    def __post_init__(self) -> None:
        guards = tuple(self.guards)
        for guard in guards:
            if not callable(guard):
                raise ConfigurationError(f"guards must be callables, got {guard!r}")
        object.__setattr__(self, "guards", guards)
        if self.dependencies is not None:
            object.__setattr__(self, "dependencies", dict(self.dependencies))
        if self.websocket_class is not None and not (
            isinstance(self.websocket_class, type) and issubclass(self.websocket_class, WebSocket)
        ):
            raise ConfigurationError(
                f"websocket_class must be a subclass of WebSocket, got {self.websocket_class!r}"
            )
        if self.exception_handlers is not None:
            for key, handler in self.exception_handlers.items():
                if not (isinstance(key, type) and issubclass(key, BaseException)):
                    raise ConfigurationError(
                        f"exception_handlers keys must be exception classes, got {key!r}"
                    )
                if not callable(handler):
                    raise ConfigurationError(
                        f"the exception handler for {key.__name__} is not callable: {handler!r}"
                    )
            object.__setattr__(self, "exception_handlers", dict(self.exception_handlers))


@dataclass(frozen=True, slots=True)
class MergedLayers:
    """The options in force for one route, after merging every layer.

    Attributes:
        dependencies: Merged providers (closest layer wins per key).
        guards: Every guard, outermost layer first.
        websocket_class: The closest layer's class, else :class:`~ws_core.WebSocket`.
        exception_handlers: Merged handlers (closest layer wins per class).
    """

    dependencies: dict[str, Provide]
    guards: tuple[Guard, ...]
    websocket_class: type[WebSocket]
    exception_handlers: dict[type[BaseException], ExceptionHandler]


def merge_layers(*layers: LayerOptions) -> MergedLayers:
    """Merge layers given outermost first (app, routers..., handler)."""
    websocket_class: type[WebSocket] = WebSocket
    exception_handlers: dict[type[BaseException], ExceptionHandler] = {}
    guards: list[Guard] = []
    for layer in layers:
        guards.extend(layer.guards)
        if layer.websocket_class is not None:
            websocket_class = layer.websocket_class
        if layer.exception_handlers:
            exception_handlers.update(layer.exception_handlers)
    return MergedLayers(
        dependencies=merge_providers(*(layer.dependencies for layer in layers)),
        guards=tuple(guards),
        websocket_class=websocket_class,
        exception_handlers=exception_handlers,
    )
