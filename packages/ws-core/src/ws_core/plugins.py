"""The plugin contract: objects that extend an application's configuration while it is built.

A plugin is any object with an ``on_app_init(config) -> config`` method. While
an :class:`~ws_core.App` is built, before any route is bound, each plugin of
``App(..., plugins=[...])`` is called once, in order, with an
:class:`AppConfig` holding the App's arguments; it returns the configuration
the App is then built from (usually the same object, extended: more route
handlers, a dependency, a lifespan context manager, a startup hook). This is
how a package above ws-core (channels, for instance) plugs into an App
without ws-core knowing it.

Example::

    class Clock:
        def on_app_init(self, config: AppConfig) -> AppConfig:
            config.dependencies["clock"] = Provide(time.monotonic, sync_to_thread=False)
            return config

    app = App([handler], plugins=[Clock()])
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol, TypeAlias, runtime_checkable

from ws_core.asyncapi.config import AsyncAPIConfig
from ws_core.connection import WebSocket
from ws_core.datastructures import State
from ws_core.layers import ExceptionHandler, Guard
from ws_core.types import ASGIApp
from ws_di import Provide

if TYPE_CHECKING:
    from ws_core.app import App

__all__ = ["AppConfig", "LifespanHook", "LifespanItem", "Plugin"]

LifespanHook: TypeAlias = Callable[[], Any] | Callable[["App"], Any]
"""An ``on_startup`` / ``on_shutdown`` hook: takes no argument or the app; sync or async."""

LifespanItem: TypeAlias = (
    AbstractAsyncContextManager[Any] | Callable[["App"], AbstractAsyncContextManager[Any]]
)
"""An async context manager, or a callable taking the app and returning one."""


@dataclass(kw_only=True)
class AppConfig:
    """The arguments an :class:`~ws_core.App` is built from, as plugins see them.

    Every collection is the App's own copy: a plugin may change it in place
    (append a route handler, add a dependency) or replace it. Nothing is
    validated until the App is built from the final configuration, so a
    plugin's mistake is reported like the user's own (a
    :class:`~ws_core.ConfigurationError` naming the handler or option).

    Attributes:
        route_handlers: Route handlers, routers, or objects with ``__route_handler__()``.
        dependencies: App-layer dependencies by key (``Provide`` or bare callables).
        websocket_class: The App-layer connection class, or ``None``.
        guards: App-layer guards, run first for every route.
        exception_handlers: App-layer exception handlers by exception class.
        allowed_origins: The allowed ``Origin`` values, or ``None`` for all.
        state: The app :class:`~ws_core.State`.
        on_startup: Startup hooks, run in order after the lifespan items are entered.
        on_shutdown: Shutdown hooks, run in order.
        lifespan: Async context managers (or callables taking the app and
            returning one) entered at startup, exited in reverse order at shutdown.
        http_app: The ASGI app serving ``http`` scopes, or ``None``.
        asyncapi: How the App serves its AsyncAPI document, or ``None`` (not
            served). A plugin may set it, or replace it with an extended copy
            (``dataclasses.replace(config.asyncapi, servers=...)``).
        debug: Whether the App runs in debug mode.
    """

    route_handlers: list[Any] = field(default_factory=list)
    dependencies: dict[str, Provide | Callable[..., Any]] = field(default_factory=dict)
    websocket_class: type[WebSocket] | None = None
    guards: list[Guard] = field(default_factory=list)
    exception_handlers: dict[type[BaseException], ExceptionHandler] = field(default_factory=dict)
    allowed_origins: Collection[str] | None = None
    state: State = field(default_factory=State)
    on_startup: list[LifespanHook] = field(default_factory=list)
    on_shutdown: list[LifespanHook] = field(default_factory=list)
    lifespan: list[LifespanItem] = field(default_factory=list)
    http_app: ASGIApp | None = None
    asyncapi: AsyncAPIConfig | None = None
    debug: bool = False


@runtime_checkable
class Plugin(Protocol):
    """What ``App(..., plugins=[...])`` accepts: an object with ``on_app_init``."""

    def on_app_init(self, config: AppConfig) -> AppConfig:
        """Extend ``config`` and return the configuration to build the App from.

        Called once per App, while it is built, before any route is bound.

        Raises:
            Exception: Anything raised here propagates out of ``App(...)``.
        """
        ...
