"""The route handler behind both listener forms (the ``ws_core`` RouteHandler contract).

:class:`ListenerRouteHandler` carries a listener's paths, layer options and
listener options. ``App`` calls :meth:`ListenerRouteHandler.bind` once per path
while it is built; ``bind`` validates the configuration, builds the codecs from
the annotations, plans the dependencies of every callable once and returns the
per-connection coroutine (:class:`ws_listener.loop.ConnectionServer`).
"""

from __future__ import annotations

import inspect
import logging
import typing
from collections.abc import Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any, NamedTuple

from ws_codec import CodecConfigurationError, decoder_for, encoder_for
from ws_core import BoundRoute, ConfigurationError, LayerOptions
from ws_di import DependencyError, ParameterInfo, read_parameters
from ws_listener.callbacks import Callback, prepare_callback
from ws_listener.loop import ConnectionServer
from ws_listener.options import ListenerOptions

__all__ = ["LOGGER", "ListenerRouteHandler"]

LOGGER = logging.getLogger("ws_listener")
"""Logger of every listener: core logs a listener's unhandled errors here."""


class ListenerRouteHandler:
    """A ``ws_core`` route handler that feeds each incoming message to a callable.

    Made by :func:`ws_listener.websocket_listener` (function form) and by
    ``WebsocketListener.__route_handler__`` (class form); ``App`` and
    ``Router`` accept it like any route handler. Configuration problems are
    raised by :meth:`bind`, hence when the ``App`` is built.

    Attributes:
        fn: The callable receiving ``data`` (for the class form, the
            ``on_receive`` attribute of the class).
        paths: The paths the handler serves.
        name: The handler's name, used in messages (core names the route
            ``"ListenerRouteHandler '<name>' at '<path>'"``).
        layer: Handler-level layered options (dependencies, guards, WebSocket
            class, exception handlers).
        options: Transport, codec and set-up options.
        on_accept: Callable run right after accept, or ``None``.
        on_disconnect: Callable run once the connection is over, or ``None``.
        listener_class: For the class form, the ``WebsocketListener`` subclass
            instantiated for each connection; ``fn``, ``on_accept`` and
            ``on_disconnect`` are then its attributes, and receive the instance
            unless they are static or class methods.
        logger: The ``"ws_listener"`` logger; core logs unhandled errors there.
    """

    def __init__(
        self,
        fn: Callable[..., Any],
        *,
        paths: tuple[str, ...],
        layer: LayerOptions,
        options: ListenerOptions,
        name: str | None = None,
        on_accept: Callable[..., Any] | None = None,
        on_disconnect: Callable[..., Any] | None = None,
        listener_class: type | None = None,
    ) -> None:
        self.fn = fn
        self.paths = paths
        self.name = name
        self.layer = layer
        self.options = options
        self.on_accept = on_accept
        self.on_disconnect = on_disconnect
        self.listener_class = listener_class
        self.logger = LOGGER

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.name!r} at {', '.join(self.paths)}>"

    def bind(self, route: BoundRoute) -> ConnectionServer:
        """Validate, build codecs, plan dependencies; return the connection coroutine.

        Called once per path by ``App`` while it is built.

        Args:
            route: What the layers decided for this path.

        Returns:
            The ``ConnectionHandler`` core awaits for each connection.

        Raises:
            ConfigurationError: Naming the handler (``route.owner``):
                ``connection_lifespan`` combined with ``on_accept``,
                ``on_disconnect`` or ``connection_accept_handler``; a listener
                without a ``data`` parameter; a hook asking for ``data``; an
                accept handler without a ``socket`` parameter; a
                ``connection_lifespan`` that is not an async generator function
                nor a context manager factory; an annotation, mode or protocol
                the codec rejects (e.g. MessagePack in text mode); dependencies
                that cannot be planned.
        """
        owner = route.owner
        options = self.options
        self._check_combination(owner)
        listener = self._prepare(self.fn, "on_receive")
        data = _data_parameter(listener, owner)
        hooks = self._prepare_hooks(owner)
        lifespan = _lifespan_factory(options.connection_lifespan, owner)
        decode, encode = self._codecs(data.annotation, owner)

        consumers: dict[str, Callable[..., Any]] = {"listener": listener.target}
        consumers.update((consumer, callback.target) for consumer, callback in hooks.items())
        if options.connection_lifespan is not None:
            consumers["connection_lifespan"] = options.connection_lifespan
        reserved = {"data"}
        reserved.update(
            callback.instance_parameter
            for callback in (listener, *hooks.values())
            if callback.instance_parameter is not None
        )
        plan = route.plan(consumers, reserved=reserved)

        return ConnectionServer(
            route=route,
            plan=plan,
            logger=self.logger,
            listener_class=self.listener_class,
            listener=listener,
            data_positional=data.positional,
            decode=decode,
            passthrough_type=_passthrough_type(data.annotation, options.dto),
            encode=encode,
            receive_mode=options.receive_mode,
            send_mode=options.send_mode,
            accept_handler=hooks.get("connection_accept_handler"),
            on_accept=hooks.get("on_accept"),
            on_disconnect=hooks.get("on_disconnect"),
            lifespan=lifespan,
        )

    def _check_combination(self, owner: str) -> None:
        if self.options.connection_lifespan is None:
            return
        clashing = [
            label
            for label, value in (
                ("on_accept", self.on_accept),
                ("on_disconnect", self.on_disconnect),
                ("connection_accept_handler", self.options.connection_accept_handler),
            )
            if value is not None
        ]
        if clashing:
            raise ConfigurationError(
                f"{owner}: connection_lifespan cannot be combined with {', '.join(clashing)}"
            )

    def _prepare(self, fn: Callable[..., Any], attribute: str) -> Callback:
        # Only the listener's own methods receive the instance; the accept
        # handler is a plain callable even when set as a class attribute.
        is_method = self.listener_class is not None and attribute != "connection_accept_handler"
        return prepare_callback(
            fn,
            sync_to_thread=self.options.sync_to_thread,
            owner_class=self.listener_class if is_method else None,
            attribute=attribute,
        )

    def _prepare_hooks(self, owner: str) -> dict[str, Callback]:
        given = {
            "connection_accept_handler": self.options.connection_accept_handler,
            "on_accept": self.on_accept,
            "on_disconnect": self.on_disconnect,
        }
        hooks: dict[str, Callback] = {}
        for consumer, fn in given.items():
            if fn is None:
                continue
            hooks[consumer] = callback = self._prepare(fn, consumer)
            names = {parameter.name for parameter in _read_parameters(callback.target, owner)}
            if "data" in names:
                raise ConfigurationError(
                    f"{owner}: only the listener receives 'data', not {consumer}"
                )
            if consumer == "connection_accept_handler" and "socket" not in names:
                raise ConfigurationError(
                    f"{owner}: connection_accept_handler must take a 'socket' parameter"
                )
        return hooks

    def _codecs(
        self, data_annotation: Any, owner: str
    ) -> tuple[Callable[[str | bytes], Any], Callable[[Any], str | bytes]]:
        options = self.options
        try:
            decode = decoder_for(
                data_annotation,
                mode=options.receive_mode,
                protocol=options.protocol,
                dto=options.dto,
            )
            encode = encoder_for(
                _return_annotation(self.fn, owner),
                mode=options.send_mode,
                protocol=options.protocol,
                dto=options.return_dto,
            )
        except CodecConfigurationError as exc:
            raise ConfigurationError(f"{owner}: {exc}") from exc
        return decode, encode


class _DataParameter(NamedTuple):
    annotation: Any
    positional: bool


def _data_parameter(listener: Callback, owner: str) -> _DataParameter:
    """Find the listener's ``data`` parameter: its annotation and how to pass it."""
    infos = _read_parameters(listener.target, owner)
    data = next(
        (
            info
            for info in infos
            if info.name == "data" and info.name != listener.instance_parameter
        ),
        None,
    )
    if data is None:
        raise ConfigurationError(f"{owner}: the listener must take a 'data' parameter")
    parameters = [
        parameter
        for parameter in inspect.signature(listener.target).parameters.values()
        if parameter.name != listener.instance_parameter
    ]
    # ``data`` goes positionally when it comes first (the common case: one call
    # of a partial per message), else by keyword.
    first = parameters[0]
    positional = first.name == "data" and first.kind is inspect.Parameter.POSITIONAL_OR_KEYWORD
    return _DataParameter(annotation=data.annotation, positional=positional)


def _passthrough_type(annotation: Any, dto: object) -> type[str] | type[bytes] | None:
    """The frame type ``decoder_for(annotation, dto=dto)`` hands back unchanged, if any."""
    if dto is None and (annotation is str or annotation is bytes):
        return annotation
    return None


def _read_parameters(fn: Callable[..., Any], owner: str) -> tuple[ParameterInfo, ...]:
    try:
        return read_parameters(fn)
    except DependencyError as exc:
        raise ConfigurationError(f"{owner}: {exc}") from exc


def _return_annotation(fn: Callable[..., Any], owner: str) -> Any:
    """The annotation replies are encoded by: the return type, or ``Any``."""
    try:
        annotation = typing.get_type_hints(fn, include_extras=True).get("return", Any)
    except Exception:  # another annotation failed: evaluate the return one alone
        annotation = getattr(fn, "__annotations__", {}).get("return", Any)
        if isinstance(annotation, str):
            try:
                annotation = eval(annotation, getattr(inspect.unwrap(fn), "__globals__", {}))
            except Exception as exc:
                raise ConfigurationError(
                    f"{owner}: cannot resolve the return annotation {annotation!r}: {exc}"
                ) from exc
    if annotation is None or annotation is type(None):
        return Any
    return annotation


def _lifespan_factory(
    lifespan: Callable[..., Any] | None, owner: str
) -> Callable[..., AbstractAsyncContextManager[Any]] | None:
    """Turn ``connection_lifespan`` into a factory of async context managers."""
    if lifespan is None:
        return None
    if inspect.isasyncgenfunction(lifespan):
        return asynccontextmanager(lifespan)
    if inspect.isgeneratorfunction(lifespan) or inspect.iscoroutinefunction(lifespan):
        raise ConfigurationError(
            f"{owner}: connection_lifespan must be an async generator function or a callable "
            "returning an async context manager"
        )
    return lifespan
