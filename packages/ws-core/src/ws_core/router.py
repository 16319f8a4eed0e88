"""``Router``: a group of route handlers under a path prefix, with its own layer."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ws_core.connection import WebSocket
from ws_core.exceptions import ConfigurationError
from ws_core.layers import DependencyMap, ExceptionHandlerMap, Guard, LayerOptions

__all__ = ["Router"]


class Router:
    """Route handlers (and nested routers) served under ``path``.

    Entries are :class:`~ws_core.RouteHandler` objects, other routers (their
    paths are prefixed with this one's), or objects with a
    ``__route_handler__()`` method. Nothing is bound until an
    :class:`~ws_core.App` is built from it.

    Args:
        path: The prefix, e.g. ``"/chat"``; may hold typed parameters.
        route_handlers: The entries.
        dependencies: Dependencies for every route below (closest layer wins).
        websocket_class: The connection class for every route below, unless
            a closer layer sets one.
        guards: Guards run after the app's and outer routers', before the
            handlers' own.
        exception_handlers: Exception handlers by class (closest layer wins).

    Raises:
        ConfigurationError: ``path`` is not a string, or an option is invalid.
    """

    def __init__(
        self,
        path: str,
        route_handlers: Sequence[Any],
        *,
        dependencies: DependencyMap | None = None,
        websocket_class: type[WebSocket] | None = None,
        guards: Sequence[Guard] = (),
        exception_handlers: ExceptionHandlerMap | None = None,
    ) -> None:
        if not isinstance(path, str):
            raise ConfigurationError(f"Router path must be a str, got {path!r}")
        self.path = path
        self.route_handlers = list(route_handlers)
        self.layer = LayerOptions(
            dependencies=dependencies,
            guards=guards,
            websocket_class=websocket_class,
            exception_handlers=exception_handlers,
        )

    def __repr__(self) -> str:
        return f"<Router {self.path!r} with {len(self.route_handlers)} entries>"
