"""The route-handler contract, the bound route, and the low-level ``websocket`` decorator.

A route handler is any object honouring :class:`RouteHandler`: its paths, its
name, its layer options, the logger core reports its unhandled errors on, and
``bind(route)``. While the :class:`~ws_core.App` is built, core calls ``bind``
once per path with a :class:`BoundRoute` holding everything the layers decided;
the handler validates its configuration (raising
:class:`~ws_core.ConfigurationError` naming itself), calls ``route.plan(...)``
exactly once, and returns the :data:`ConnectionHandler` that serves one
connection. That coroutine receives the socket (not yet accepted) and the
resolved values; it accepts or rejects the connection itself. Core runs
everything around it (see :mod:`ws_core.pipeline`).
"""

from __future__ import annotations

import inspect
import logging
from collections.abc import Awaitable, Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any, Protocol, TypeAlias, runtime_checkable

from ws_core.asyncapi.description import RouteDescription, own_docstring
from ws_core.connection import WebSocket
from ws_core.declaration import HandlerBase, declared_paths, handler_name
from ws_core.exceptions import ConfigurationError
from ws_core.layers import DependencyMap, ExceptionHandler, ExceptionHandlerMap, Guard, LayerOptions
from ws_core.logs import package_logger
from ws_core.parameters import QueryParameter
from ws_di import DependencyError, DependencyPlan, Provide, plan_dependencies, read_parameters

__all__ = [
    "RESERVED_NAMES",
    "SUPPLIED_NAMES",
    "BoundRoute",
    "ConnectionHandler",
    "RouteHandler",
    "WebSocketRouteHandler",
    "websocket",
]

logger = package_logger("ws_core")

ConnectionHandler: TypeAlias = Callable[[WebSocket, Mapping[str, Any]], Awaitable[None]]
"""``handler(socket, values)``: serve one connection. ``values`` holds the
supplied names and every resolved dependency; pass it to
``plan.kwargs_for(consumer, values)``."""

SUPPLIED_NAMES = frozenset({"socket", "state", "scope", "headers", "query", "cookies"})
"""Names core supplies to every plan, besides the route's path parameters:
the socket, the app :class:`~ws_core.State`, the ASGI scope, the request
:class:`~ws_core.datastructures.Headers`, the query parameters and the cookies."""

RESERVED_NAMES = SUPPLIED_NAMES | {"data"}
"""Names a path parameter may not take: it would replace the value injected
under that name (``data`` is what a listener receives)."""


class BoundRoute:
    """One handler at one path, with the options its layers decided.

    Created by the :class:`~ws_core.App` and passed to :meth:`RouteHandler.bind`.

    Attributes:
        path: The full path pattern, router prefixes included.
        path_parameters: Path parameter name to the type of its converted value.
        dependencies: Merged providers (closest layer wins per key).
        guards: Every guard, accumulated from the app inwards.
        websocket_class: The connection class (closest layer wins).
        exception_handlers: Merged exception handlers (closest layer wins per class).
        debug: Whether the app runs in debug mode.
        owner: A human name for messages, e.g. ``"WebSocketRouteHandler 'echo' at '/chat'"``.
    """

    def __init__(
        self,
        *,
        path: str,
        path_parameters: Mapping[str, type],
        dependencies: Mapping[str, Provide],
        guards: tuple[Guard, ...],
        websocket_class: type[WebSocket],
        exception_handlers: Mapping[type[BaseException], ExceptionHandler],
        debug: bool,
        owner: str,
    ) -> None:
        self.path = path
        self.path_parameters = dict(path_parameters)
        self.dependencies = dict(dependencies)
        self.guards = guards
        self.websocket_class = websocket_class
        self.exception_handlers = dict(exception_handlers)
        self.debug = debug
        self.owner = owner
        self._plan: DependencyPlan | None = None
        self._query_parameters: tuple[QueryParameter, ...] = ()
        self._handler_cache: dict[type[BaseException], ExceptionHandler | None] = {}

    def __repr__(self) -> str:
        return f"<BoundRoute {self.owner}>"

    @property
    def dependency_plan(self) -> DependencyPlan | None:
        """The plan made by :meth:`plan`, or ``None`` if the handler made none."""
        return self._plan

    @property
    def query_parameters(self) -> tuple[QueryParameter, ...]:
        """The parameters read from the query string (the plan's unresolved names)."""
        return self._query_parameters

    def plan(
        self, consumers: Mapping[str, Callable[..., Any]], *, reserved: Iterable[str] = ()
    ) -> DependencyPlan:
        """Plan the injection of ``consumers``' parameters; call exactly once, in ``bind``.

        Supplies :data:`SUPPLIED_NAMES` and the path parameters; every other
        parameter nothing provides becomes a query parameter, converted to its
        annotation per connection (missing required ones reject with 400).

        Args:
            consumers: Name to callable, every callable injected for one
                connection (they share one resolution).
            reserved: Names the handler passes itself at call time (``data``).

        Returns:
            The plan; resolve it with the values core passes to the
            connection handler, using ``plan.kwargs_for``.

        Raises:
            ConfigurationError: Planning failed (the message names the handler
                and the problem), a query parameter's annotation cannot be read
                from a query string, or ``plan`` was called before.
        """
        if self._plan is not None:
            raise ConfigurationError(f"{self.owner}: route.plan() may be called only once")
        try:
            plan = plan_dependencies(
                consumers,
                providers=self.dependencies,
                supplied=SUPPLIED_NAMES | self.path_parameters.keys(),
                reserved=reserved,
                allow_unresolved=True,
                owner=self.owner,
            )
        except DependencyError as exc:  # its message starts with the owner already
            raise ConfigurationError(str(exc)) from exc
        self._query_parameters = tuple(
            QueryParameter.from_parameter(parameter, self.owner) for parameter in plan.unresolved
        )
        self._plan = plan
        return plan

    @contextmanager
    def configuring(self, *errors: type[Exception]) -> Iterator[None]:
        """Report configuration failures of the enclosed code as this route's.

        ``ws_di.DependencyError`` and each class of ``errors`` (a codec's
        configuration error, for instance) raised inside the block become one
        :class:`~ws_core.ConfigurationError` whose message starts with
        :attr:`owner`.

        Raises:
            ConfigurationError: As above.
        """
        caught: tuple[type[Exception], ...] = (DependencyError, *errors)
        try:
            yield
        except caught as exc:
            raise ConfigurationError(f"{self.owner}: {exc}") from exc

    async def run_exception_handler(self, socket: WebSocket, exc: BaseException) -> bool:
        """Run the layered exception handler for ``exc`` (sync or async), if there is one.

        Returns:
            Whether a handler ran. Whatever the handler raises propagates.
        """
        handler = self.find_exception_handler(exc)
        if handler is None:
            return False
        outcome = handler(socket, exc)
        if inspect.isawaitable(outcome):
            await outcome
        return True

    def find_exception_handler(self, exc: BaseException) -> ExceptionHandler | None:
        """Return the handler for ``exc``'s closest class in its MRO, or ``None``.

        The answer is cached per exception class.
        """
        exc_type = type(exc)
        try:
            return self._handler_cache[exc_type]
        except KeyError:
            pass
        found = None
        for cls in exc_type.__mro__:
            found = self.exception_handlers.get(cls)
            if found is not None:
                break
        self._handler_cache[exc_type] = found
        return found


@runtime_checkable
class RouteHandler(Protocol):
    """What :class:`~ws_core.App` and :class:`~ws_core.Router` accept as a route.

    An entry may also be an object (a class, typically) with a
    ``__route_handler__()`` method returning a ``RouteHandler``. A handler
    may also have ``describe(route) -> RouteDescription`` (optional, see
    :class:`~ws_core.DescribedRouteHandler`): what its route receives and
    sends, for the App's AsyncAPI document.

    Attributes:
        paths: The path patterns this handler serves.
        name: A name for messages, or ``None``.
        layer: The handler's own layer options.
        logger: Where core logs this handler's unhandled errors.
    """

    paths: tuple[str, ...]
    name: str | None
    layer: LayerOptions
    logger: logging.Logger

    def bind(self, route: BoundRoute) -> ConnectionHandler:
        """Validate, plan once via ``route.plan``, and return the connection coroutine.

        Called once per path while the app is built.

        Raises:
            ConfigurationError: The handler is misconfigured.
        """
        ...


class WebSocketRouteHandler(HandlerBase):
    """A low-level handler: an ``async def`` taking ``socket`` plus injected names.

    Made by :func:`websocket`. The function accepts, loops and closes itself;
    if it returns leaving the socket open, core closes it with 1000.

    Attributes:
        fn: The decorated function.
        paths: The path patterns.
        name: The handler's name (the function's qualified name by default).
        layer: The handler's layer options.
        logger: The ``ws_core`` logger.
    """

    kind = "websocket"

    def __init__(
        self,
        fn: Callable[..., Awaitable[None]],
        paths: tuple[str, ...],
        name: str,
        layer: LayerOptions,
    ) -> None:
        super().__init__(paths=paths, name=name, layer=layer, logger=logger)
        self.fn = fn

    def bind(self, route: BoundRoute) -> ConnectionHandler:
        """Check the function takes ``socket`` and plan its parameters.

        Raises:
            ConfigurationError: The function has no ``socket`` parameter, or
                its dependencies cannot be planned.
        """
        with route.configuring():
            names = {parameter.name for parameter in read_parameters(self.fn)}
        if "socket" not in names:
            raise ConfigurationError(
                f"{route.owner}: the function must take a 'socket' parameter "
                "to receive the WebSocket"
            )
        plan = route.plan({"handler": self.fn})
        fn = self.fn

        async def serve(socket: WebSocket, values: Mapping[str, Any]) -> None:
            await fn(**plan.kwargs_for("handler", values))

        return serve

    def describe(self, route: BoundRoute) -> RouteDescription:
        """Describe ``route`` for the AsyncAPI document: the function's docstring.

        What the function receives and sends is its own affair, unknown here.
        """
        return RouteDescription(description=own_docstring(self.fn))


def websocket(
    path: str | Sequence[str],
    *,
    dependencies: DependencyMap | None = None,
    guards: Sequence[Guard] = (),
    websocket_class: type[WebSocket] | None = None,
    exception_handlers: ExceptionHandlerMap | None = None,
    name: str | None = None,
) -> Callable[[Callable[..., Awaitable[None]]], WebSocketRouteHandler]:
    """Declare a low-level WebSocket route handler.

    The decorated ``async def`` takes ``socket`` (the :class:`~ws_core.WebSocket`)
    plus any injected names: ``state``, ``scope``, ``headers``, ``query``,
    ``cookies``, path parameters, dependencies by key, and any other name read
    from the query string and converted to its annotation. It accepts the
    connection, loops and closes itself.

    Args:
        path: One path pattern or several.
        dependencies: This handler's dependencies (``Provide`` or callables).
        guards: Guards run after those of the app and routers.
        websocket_class: The connection class for this handler.
        exception_handlers: Exception handlers by exception class.
        name: A name for messages; defaults to the function's qualified name.

    Returns:
        A decorator returning a :class:`WebSocketRouteHandler`.

    Raises:
        ConfigurationError: At once, for a path that is not a string or a
            non-empty sequence of strings, or an invalid option; when
            decorating, when the function is not an ``async def``. Problems
            that depend on the layers or the annotations (a missing ``socket``
            parameter, an unplannable dependency) are raised when the app is
            built.
    """
    paths = declared_paths(path, WebSocketRouteHandler.kind, name)
    layer = LayerOptions(
        dependencies=dependencies,
        guards=guards,
        websocket_class=websocket_class,
        exception_handlers=exception_handlers,
    )

    def decorate(fn: Callable[..., Awaitable[None]]) -> WebSocketRouteHandler:
        handler = handler_name(fn, name)
        if not _is_async_function(fn):
            raise ConfigurationError(
                f"{WebSocketRouteHandler.kind} {handler!r}: the function must be an 'async def'"
            )
        return WebSocketRouteHandler(fn, paths, handler, layer)

    return decorate


def _is_async_function(fn: Any) -> bool:
    if inspect.iscoroutinefunction(fn):
        return True
    # A callable instance whose __call__ is an ``async def``.
    return not inspect.isroutine(fn) and inspect.iscoroutinefunction(vars(type(fn)).get("__call__"))
