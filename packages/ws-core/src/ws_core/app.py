"""``App``: the ASGI 3 application: routing, origin checks, lifespan and graceful shutdown."""

from __future__ import annotations

import inspect
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from contextlib import AbstractAsyncContextManager, AsyncExitStack
from typing import Any

import anyio

from ws_core.asyncapi.config import AsyncAPIConfig
from ws_core.asyncapi.http import AsyncAPIEndpoints
from ws_core.asyncapi.served import AsyncAPIDocument
from ws_core.connection import WebSocket
from ws_core.datastructures import State
from ws_core.exceptions import ConfigurationError
from ws_core.handler import RESERVED_NAMES, BoundRoute, RouteHandler
from ws_core.layers import DependencyMap, ExceptionHandlerMap, Guard, LayerOptions, merge_layers
from ws_core.logs import package_logger
from ws_core.pipeline import Endpoint, OpenConnections, reject_handshake
from ws_core.plugins import AppConfig, LifespanHook, LifespanItem, Plugin
from ws_core.router import Router
from ws_core.routing import RouteTable, join_paths, parse_path
from ws_core.types import ASGIApp, Receive, Scope, Send

__all__ = ["App"]

logger = package_logger("ws_core")
package_logger("ws_di")  # ws_di cannot use ws_core: its teardown failures get the fallback here

_NOT_FOUND_BODY = b"Not Found"


class App:
    """A ws-kit application: an ASGI 3 callable.

    Every route is bound while the app is built, so a misconfiguration raises
    :class:`~ws_core.ConfigurationError` here, never on a first connection.

    Scope types: ``websocket`` is routed (origin check → route → the pipeline
    of :mod:`ws_core.pipeline`); ``lifespan`` enters the ``lifespan`` items,
    then runs ``on_startup`` hooks, and on shutdown closes every open
    connection with 1001, waits (at most :attr:`shutdown_timeout` seconds) for
    their cleanup, runs ``on_shutdown`` hooks and exits the ``lifespan`` items
    in reverse order; ``http`` goes to the AsyncAPI endpoints when ``asyncapi``
    is given and the path is one of theirs, else to ``http_app``, else gets a
    plain 404.

    Routes match on the part of ``scope["path"]`` after ``scope["root_path"]``
    (the ASGI rule: ``path`` includes ``root_path``), so the app can be mounted
    inside another framework (``Mount("/ws", app=app)``). Host frameworks do
    not forward ``lifespan`` to mounted apps: run the hooks from the host's
    lifespan if you need them there.

    Args:
        route_handlers: Route handlers, routers, or objects with ``__route_handler__()``.
        dependencies: App-wide dependencies (``Provide`` or callables).
        websocket_class: The connection class, unless a closer layer sets one.
        guards: Guards run first for every route.
        exception_handlers: Exception handlers by class (closer layers win).
        allowed_origins: ``None`` allows every origin; otherwise the exact
            origins allowed (compared case-insensitively), or ``"*"`` among
            them for all. A handshake without an ``Origin`` header (a
            non-browser client) is allowed; one with several is refused. The
            origin is checked before the path is routed.
        state: The app :class:`~ws_core.State` (a dict is wrapped), injected as ``state``.
        on_startup: Hooks run at startup, in order.
        on_shutdown: Hooks run at shutdown, in order (all run; the first failure is reported).
        lifespan: Async context managers, or callables taking the app and
            returning one (reusable across restarts, unlike a manager instance).
        http_app: An ASGI app for ``http`` scopes.
        asyncapi: Serve the App's AsyncAPI document and a page rendering it
            (see :class:`~ws_core.AsyncAPIConfig`); built on the first request.
        plugins: Objects with ``on_app_init(config) -> config`` (see
            :mod:`ws_core.plugins`), called in order before any route is bound;
            the App is built from the configuration the last one returns.
        debug: Put exception texts in close reasons and 500 bodies.

    Attributes:
        state: The app state.
        debug: Whether debug mode is on.
        plugins: The plugins, in order.
        shutdown_timeout: Seconds to wait for open connections at shutdown.
        asyncapi_document: The App's :class:`~ws_core.AsyncAPIDocument`
            (built on first use, from the ``asyncapi`` configuration or the
            defaults), whether or not it is served.

    Raises:
        ConfigurationError: Any misconfiguration of the app, a router or a
            handler, or a plugin that does not honour the contract.
    """

    def __init__(
        self,
        route_handlers: Iterable[Any] = (),
        *,
        dependencies: DependencyMap | None = None,
        websocket_class: type[WebSocket] | None = None,
        guards: Sequence[Guard] = (),
        exception_handlers: ExceptionHandlerMap | None = None,
        allowed_origins: Collection[str] | None = None,
        state: State | Mapping[str, Any] | None = None,
        on_startup: Sequence[LifespanHook] = (),
        on_shutdown: Sequence[LifespanHook] = (),
        lifespan: Sequence[LifespanItem] = (),
        http_app: ASGIApp | None = None,
        asyncapi: AsyncAPIConfig | None = None,
        plugins: Sequence[Plugin] = (),
        debug: bool = False,
    ) -> None:
        self.plugins = tuple(plugins)
        config = AppConfig(
            route_handlers=list(route_handlers),
            dependencies=dict(dependencies or {}),
            websocket_class=websocket_class,
            guards=list(guards),
            exception_handlers=dict(exception_handlers or {}),
            allowed_origins=allowed_origins,
            state=state if isinstance(state, State) else State(state),
            on_startup=list(on_startup),
            on_shutdown=list(on_shutdown),
            lifespan=list(lifespan),
            http_app=http_app,
            asyncapi=asyncapi,
            debug=debug,
        )
        for plugin in self.plugins:
            config = _apply_plugin(plugin, config)
        self.debug = config.debug
        self.state = config.state
        self.http_app = config.http_app
        self.shutdown_timeout = 5.0
        self.layer = LayerOptions(
            dependencies=config.dependencies,
            guards=config.guards,
            websocket_class=config.websocket_class,
            exception_handlers=config.exception_handlers,
        )
        self._allowed_origins = _origins(config.allowed_origins)
        self._on_startup = tuple(_hook(hook, "on_startup") for hook in config.on_startup)
        self._on_shutdown = tuple(_hook(hook, "on_shutdown") for hook in config.on_shutdown)
        for item in config.lifespan:
            if not (isinstance(item, AbstractAsyncContextManager) or callable(item)):
                raise ConfigurationError(
                    "lifespan items must be async context managers or callables returning "
                    f"one, got {item!r}"
                )
        self._lifespan = tuple(config.lifespan)
        self._table: RouteTable[Endpoint] = RouteTable()
        self._routes: list[BoundRoute] = []
        self._bound_handlers: list[tuple[BoundRoute, RouteHandler]] = []
        self._connections = OpenConnections()  # shutdown cancels them and waits for them
        self._shutting_down = False
        self._collect(config.route_handlers, "", (self.layer,))
        self.asyncapi_document, self._asyncapi = _asyncapi(config.asyncapi, self._bound_handlers)

    @property
    def routes(self) -> tuple[BoundRoute, ...]:
        """Every bound route, in registration order."""
        return tuple(self._routes)

    def _collect(
        self, entries: Iterable[Any], prefix: str, layers: tuple[LayerOptions, ...]
    ) -> None:
        for entry in entries:
            if isinstance(entry, Router):
                self._collect(
                    entry.route_handlers, join_paths(prefix, entry.path), (*layers, entry.layer)
                )
                continue
            handler = _as_route_handler(entry)
            merged = merge_layers(*layers, handler.layer)
            for path in handler.paths:
                if not isinstance(path, str):
                    raise ConfigurationError(f"{handler!r}: paths must be strings, got {path!r}")
                full_path = join_paths(prefix, path)
                owner = f"{type(handler).__name__} {handler.name!r} at {full_path!r}"
                pattern = parse_path(full_path, owner)
                for parameter in pattern.parameters:
                    if parameter.name in RESERVED_NAMES:
                        raise ConfigurationError(
                            f"{owner}: the path parameter {parameter.name!r} would replace the "
                            f"value injected as {parameter.name!r}; give it another name"
                        )
                route = BoundRoute(
                    path=pattern.path,
                    path_parameters={p.name: p.type for p in pattern.parameters},
                    dependencies=merged.dependencies,
                    guards=merged.guards,
                    websocket_class=merged.websocket_class,
                    exception_handlers=merged.exception_handlers,
                    debug=self.debug,
                    owner=owner,
                )
                connection_handler = handler.bind(route)
                endpoint = Endpoint(
                    app=self,
                    connections=self._connections,
                    route=route,
                    handler=handler,
                    connection_handler=connection_handler,
                    pattern=pattern,
                )
                self._table.add(pattern, endpoint, owner)
                self._routes.append(route)
                self._bound_handlers.append((route, handler))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Serve one ASGI connection.

        Raises:
            RuntimeError: The scope type is not ``websocket``, ``lifespan`` or ``http``.
        """
        kind = scope["type"]
        if kind == "websocket":
            await self._serve_websocket({**scope, "app": self}, receive, send)
        elif kind == "lifespan":
            await self._serve_lifespan(receive, send)
        elif kind == "http":
            if self._asyncapi is not None and await self._asyncapi.serve(scope, receive, send):
                return
            if self.http_app is not None:
                await self.http_app(scope, receive, send)
            else:
                await _not_found(send)
        else:
            raise RuntimeError(f"unsupported ASGI scope type {kind!r}")

    # -- websocket -----------------------------------------------------------

    async def _serve_websocket(self, scope: Scope, receive: Receive, send: Send) -> None:
        # The origin is checked before anything else, so a foreign page
        # cannot even learn which paths exist.
        if self._allowed_origins is not None and not self._origin_allowed(scope):
            await reject_handshake(WebSocket(scope, receive, send), 403, "Origin not allowed")
            return
        path: str = scope["path"]
        root_path: str = scope.get("root_path", "")
        if (
            root_path
            and path.startswith(root_path)
            and path[len(root_path) : len(root_path) + 1] in ("", "/")
        ):
            path = path[len(root_path) :]
        found = self._table.match(path)
        if found is None:
            await reject_handshake(WebSocket(scope, receive, send), 404)
            return
        if self._shutting_down:
            await reject_handshake(WebSocket(scope, receive, send), 503)
            return
        endpoint, _, raw_params = found
        await endpoint.serve(scope, receive, send, raw_params)

    def _origin_allowed(self, scope: Scope) -> bool:
        assert self._allowed_origins is not None
        origins = [value for name, value in scope.get("headers", ()) if name.lower() == b"origin"]
        if not origins:
            return True  # no Origin header: not a browser, nothing to check
        if len(origins) > 1:
            return False  # which one would the browser have meant? Refuse to guess.
        return origins[0].decode("latin-1").lower().rstrip("/") in self._allowed_origins

    # -- lifespan ------------------------------------------------------------

    async def _serve_lifespan(self, receive: Receive, send: Send) -> None:
        await receive()  # lifespan.startup
        self._shutting_down = False
        stack = AsyncExitStack()
        try:
            for item in self._lifespan:
                await stack.enter_async_context(
                    item if isinstance(item, AbstractAsyncContextManager) else item(self)
                )
            for hook, takes_app in self._on_startup:
                await _call_hook(hook, takes_app, self)
        except Exception as exc:
            logger.exception("Application startup failed")
            with anyio.CancelScope(shield=True):
                try:
                    await stack.aclose()
                except Exception:
                    logger.exception("Exiting a lifespan context after a failed startup failed")
            await send(
                {"type": "lifespan.startup.failed", "message": f"{type(exc).__name__}: {exc}"}
            )
            return
        await send({"type": "lifespan.startup.complete"})
        await receive()  # lifespan.shutdown
        failure = await self._shut_down(stack)
        if failure is None:
            await send({"type": "lifespan.shutdown.complete"})
        else:
            await send(
                {
                    "type": "lifespan.shutdown.failed",
                    "message": f"{type(failure).__name__}: {failure}",
                }
            )

    async def _shut_down(self, stack: AsyncExitStack) -> Exception | None:
        self._shutting_down = True
        # No connection joins from here on: new ones are refused with 503.
        self._connections.cancel_running()
        with anyio.move_on_after(self.shutdown_timeout):
            await self._connections.wait_closed()
        if self._connections:
            logger.warning(
                "Connections still open %s s after shutdown began", self.shutdown_timeout
            )
        failure: Exception | None = None
        for hook, takes_app in self._on_shutdown:
            try:
                await _call_hook(hook, takes_app, self)
            except Exception as exc:
                logger.exception("Shutdown hook %r failed", hook)
                failure = failure or exc
        try:
            await stack.aclose()
        except Exception as exc:
            logger.exception("Exiting a lifespan context failed")
            failure = failure or exc
        return failure


def _apply_plugin(plugin: Plugin, config: AppConfig) -> AppConfig:
    if not isinstance(plugin, Plugin):
        raise ConfigurationError(
            f"plugin {plugin!r} has no on_app_init(config) method: see ws_core.plugins"
        )
    result = plugin.on_app_init(config)
    if not isinstance(result, AppConfig):
        raise ConfigurationError(
            f"plugin {plugin!r}: on_app_init must return the AppConfig, got {result!r}"
        )
    return result


def _asyncapi(
    config: AsyncAPIConfig | None, routes: list[tuple[BoundRoute, RouteHandler]]
) -> tuple[AsyncAPIDocument, AsyncAPIEndpoints | None]:
    if config is not None and not isinstance(config, AsyncAPIConfig):
        raise ConfigurationError(f"asyncapi must be an AsyncAPIConfig, got {config!r}")
    document = AsyncAPIDocument(config or AsyncAPIConfig(), routes)
    if config is None or config.path is None:
        return document, None
    return document, AsyncAPIEndpoints(document, config.path)


def _as_route_handler(entry: Any) -> RouteHandler:
    factory = getattr(entry, "__route_handler__", None)
    handler = factory() if callable(factory) else entry
    if not isinstance(handler, RouteHandler):
        hint = " (did you forget a decorator such as @websocket?)" if callable(entry) else ""
        raise ConfigurationError(
            f"{entry!r} is not a route handler{hint}: expected an object with paths, name, "
            "layer, logger and bind(), a Router, or an object with __route_handler__()"
        )
    return handler


def _origins(allowed: Collection[str] | None) -> frozenset[str] | None:
    if allowed is None:
        return None
    if isinstance(allowed, str):
        raise ConfigurationError(
            f"allowed_origins must be a collection of origins, not the string {allowed!r}"
        )
    origins = frozenset(origin.lower().rstrip("/") for origin in allowed)
    return None if "*" in origins else origins


def _hook(hook: LifespanHook, option: str) -> tuple[Callable[..., Any], bool]:
    if not callable(hook):
        raise ConfigurationError(f"{option} hooks must be callables, got {hook!r}")
    try:
        parameters = inspect.signature(hook).parameters.values()
    except (TypeError, ValueError) as exc:
        raise ConfigurationError(
            f"{option} hook {hook!r}: cannot read its signature: {exc}"
        ) from None
    required = [
        p
        for p in parameters
        if p.default is inspect.Parameter.empty
        and p.kind in (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)
    ]
    if len(required) > 1:
        raise ConfigurationError(f"{option} hook {hook!r} must take no argument or the app")
    return hook, bool(required)


async def _call_hook(hook: Callable[..., Any], takes_app: bool, app: App) -> None:
    result = hook(app) if takes_app else hook()
    if inspect.isawaitable(result):
        await result


async def _not_found(send: Send) -> None:
    await send(
        {
            "type": "http.response.start",
            "status": 404,
            "headers": [
                (b"content-type", b"text/plain; charset=utf-8"),
                (b"content-length", str(len(_NOT_FOUND_BODY)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": _NOT_FOUND_BODY})
