"""The route handler behind both listener forms (the ``ws_core`` RouteHandler contract).

:class:`ListenerRouteHandler` carries a listener's paths, layer options and
listener options. ``App`` calls :meth:`ListenerRouteHandler.bind` once per path
while it is built; ``bind`` validates the configuration, builds the codecs from
the annotations, plans the dependencies of every callable once and returns the
per-connection coroutine (:class:`ws_listener.loop.ConnectionServer`).
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

from ws_codec import (
    CodecConfigurationError,
    decoder_for,
    encoder_for,
    passthrough_type,
)
from ws_core import (
    BoundRoute,
    ConfigurationError,
    HandlerBase,
    LayerOptions,
    RouteDescription,
    package_logger,
)
from ws_di import CallableInfo, read_callable
from ws_listener.callbacks import Callback, prepare_callback
from ws_listener.description import describe_listener
from ws_listener.lifecycle import lifespan_factory
from ws_listener.loop import ConnectionServer
from ws_listener.options import FOLLOW_DTO, ListenerOptions

__all__ = ["LOGGER", "ListenerRouteHandler"]

LOGGER = package_logger("ws_listener")
"""Logger of every listener: core logs a listener's unhandled errors here."""

_HOOKS = ("connection_accept_handler", "on_accept", "on_disconnect")


class ListenerRouteHandler(HandlerBase):
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

    kind = "websocket_listener"

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
        super().__init__(paths=paths, name=name, layer=layer, logger=LOGGER)
        self.fn = fn
        self.options = options
        self.on_accept = on_accept
        self.on_disconnect = on_disconnect
        self.listener_class = listener_class

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
                nor a context manager factory; an annotation that cannot be
                resolved, or that the codec rejects (e.g. MessagePack in text
                mode); dependencies that cannot be planned.
        """
        owner = route.owner
        options = self.options
        self._check_combination(owner)
        with route.configuring():
            listener = self._prepare(self.fn, "on_receive")
            info = read_callable(listener.target)
        data = _data_parameter(info, listener, owner)
        hooks = self._prepare_hooks(route)
        lifespan = (
            None
            if options.connection_lifespan is None
            else lifespan_factory(options.connection_lifespan, owner)
        )
        with route.configuring(CodecConfigurationError):
            decode = decoder_for(
                data.resolved_annotation(),
                mode=options.receive_mode,
                protocol=options.protocol,
                dto=options.dto,
            )
            encode = self._encoder(info)

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
            data_positional=_goes_first(info, data.name, listener),
            decode=decode,
            passthrough_type=passthrough_type(decode),
            encode=encode,
            sent_as_is=passthrough_type(encode),
            receive_mode=options.receive_mode,
            send_mode=options.send_mode,
            max_message_size=options.max_message_size,
            accept_handler=hooks.get("connection_accept_handler"),
            on_accept=hooks.get("on_accept"),
            on_disconnect=hooks.get("on_disconnect"),
            lifespan=lifespan,
        )

    def describe(self, route: BoundRoute) -> RouteDescription:
        """Describe ``route`` for the AsyncAPI document (see :mod:`ws_listener.description`)."""
        return describe_listener(self, route)

    def _encoder(self, info: CallableInfo) -> Callable[[Any], str | bytes]:
        """The reply encoder: by the return annotation, shaped by the DTO that applies."""
        options = self.options
        annotation = info.returns.resolved_annotation()
        if annotation is type(None):
            annotation = Any  # "-> None" declares no reply; a reply, if any, goes by its type
        return_dto = options.return_dto
        if return_dto is FOLLOW_DTO:
            return_dto = None
            if options.dto is not None:
                try:
                    return encoder_for(
                        annotation,
                        mode=options.send_mode,
                        protocol=options.protocol,
                        dto=options.dto,
                    )
                except CodecConfigurationError:
                    pass  # the annotation holds no model of the DTO: replies go unshaped
        return encoder_for(
            annotation, mode=options.send_mode, protocol=options.protocol, dto=return_dto
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

    def _prepare_hooks(self, route: BoundRoute) -> dict[str, Callback]:
        given = dict(
            zip(
                _HOOKS,
                (self.options.connection_accept_handler, self.on_accept, self.on_disconnect),
                strict=True,
            )
        )
        hooks: dict[str, Callback] = {}
        for consumer, fn in given.items():
            if fn is None:
                continue
            with route.configuring():
                hooks[consumer] = callback = self._prepare(fn, consumer)
                info = read_callable(callback.target)
            names = {parameter.name for parameter in info.parameters}
            if "data" in names:
                raise ConfigurationError(
                    f"{route.owner}: only the listener receives 'data', not {consumer}"
                )
            if consumer == "connection_accept_handler" and "socket" not in names:
                raise ConfigurationError(
                    f"{route.owner}: connection_accept_handler must take a 'socket' parameter"
                )
        return hooks


def _data_parameter(info: CallableInfo, listener: Callback, owner: str) -> Any:
    """The listener's ``data`` parameter (the instance parameter never counts)."""
    data = info.parameter("data")
    if data is None or data.name == listener.instance_parameter:
        raise ConfigurationError(f"{owner}: the listener must take a 'data' parameter")
    return data


def _goes_first(info: CallableInfo, name: str, listener: Callback) -> bool:
    """Whether ``data`` can be passed positionally: the first parameter after the instance.

    Then one call of a partial per message suffices (the common case).
    """
    first = 1 if listener.instance_parameter is not None else 0
    parameters = info.parameters
    return (
        len(parameters) > first
        and parameters[first].name == name
        and parameters[first].kind is inspect.Parameter.POSITIONAL_OR_KEYWORD
    )
