"""Serving one connection: accept, the lifespan, and the message loop.

:class:`ConnectionServer` is the ``ConnectionHandler`` a listener's ``bind``
returns to core. Everything it uses was decided at bind time; per connection it
binds the injected values once, and per message it runs exactly
receive → decode → call → (encode → send).

Order for one connection (core has entered the dependencies before, and closes
the socket and tears them down after)::

    accept (or connection_accept_handler) → lifespan entered (on_accept, or
    connection_lifespan) → message loop → lifespan exited (on_disconnect)
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from functools import partial
from typing import Any

from ws_codec import DecodeError
from ws_core import (
    BoundRoute,
    CloseCode,
    ConnectionState,
    WebSocket,
    WebSocketDisconnect,
    WebSocketException,
    WebSocketMode,
    ends_connection_quietly,
)
from ws_di import DependencyPlan
from ws_listener.callbacks import AsyncCall, Callback
from ws_listener.lifecycle import HooksLifespan, LifespanFactory, run_in_lifespan

__all__ = ["ConnectionServer"]

_TOO_BIG = "message too big"


@dataclass(frozen=True, slots=True, kw_only=True)
class ConnectionServer:
    """The per-connection coroutine of one bound listener route.

    Built once by ``ListenerRouteHandler.bind``; core awaits
    ``server(socket, values)`` for each connection, after the dependencies are
    entered and before they are torn down.

    Attributes:
        route: The bound route (exception handlers, the owner's name).
        plan: The dependency plan of every consumer below.
        logger: Where a failing ``on_disconnect`` or lifespan exit is logged.
        listener_class: Class instantiated for each connection (class form), or
            ``None``.
        listener: The callable receiving ``data``.
        data_positional: Whether ``data`` is passed positionally (it is the
            first parameter) rather than by keyword.
        decode: Incoming frame → ``data``.
        passthrough_type: The frame type ``decode`` returns unchanged
            (``ws_codec.passthrough_type``): such frames skip the call.
        encode: Returned value → outgoing frame.
        sent_as_is: The value type ``encode`` returns unchanged: such values
            skip the call.
        receive_mode: Channel read by the message loop.
        send_mode: Channel replies are sent on.
        max_message_size: The largest message accepted, in bytes, or ``None``.
        accept_handler: Replaces the plain accept when set.
        on_accept: Runs after accept (the default lifespan).
        on_disconnect: Runs once the connection is over (the default lifespan).
        lifespan: Factory of the ``connection_lifespan`` context manager, or
            ``None`` for the hooks.
    """

    route: BoundRoute
    plan: DependencyPlan
    logger: logging.Logger
    listener_class: type | None
    listener: Callback
    data_positional: bool
    decode: Callable[[str | bytes], Any]
    passthrough_type: type[str] | type[bytes] | None
    encode: Callable[[Any], str | bytes]
    sent_as_is: type[str] | type[bytes] | None
    receive_mode: WebSocketMode
    send_mode: WebSocketMode
    max_message_size: int | None
    accept_handler: Callback | None
    on_accept: Callback | None
    on_disconnect: Callback | None
    lifespan: LifespanFactory | None

    async def __call__(self, socket: WebSocket, values: Mapping[str, Any]) -> None:
        """Serve one connection until it ends.

        Args:
            socket: The connection, not yet accepted.
            values: The resolved injection values of this connection.

        Raises:
            Exception: Whatever the listener, a hook or the accept handler raised
                and no layered exception handler took (an invalid message's
                ``DecodeError`` included: core closes with 1007); core logs it
                and closes with 1011 (or rejects the handshake when raised
                before accept).
        """
        plan = self.plan
        instance = self.listener_class() if self.listener_class is not None else None
        listener = self._bind_listener(instance, plan.kwargs_for("listener", values))
        if self.accept_handler is None:
            await socket.accept()
        else:
            accept = self.accept_handler.bind(
                instance, plan.kwargs_for("connection_accept_handler", values)
            )
            await accept()
            if socket.connection_state is not ConnectionState.CONNECTED:
                return  # it closed or rejected: nothing further runs
        lifespan: AbstractAsyncContextManager[Any]
        if self.lifespan is None:
            lifespan = HooksLifespan(
                self._bind_hook(self.on_accept, "on_accept", instance, values),
                self._bind_hook(self.on_disconnect, "on_disconnect", instance, values),
                self.logger,
                self.route.owner,
            )
        else:
            lifespan = self.lifespan(**plan.kwargs_for("connection_lifespan", values))

        await run_in_lifespan(
            lifespan, partial(self._serve_messages, socket, listener), self.logger, self.route.owner
        )

    def _bind_hook(
        self, hook: Callback | None, consumer: str, instance: object, values: Mapping[str, Any]
    ) -> AsyncCall | None:
        if hook is None:
            return None
        return hook.bind(instance, self.plan.kwargs_for(consumer, values))

    def _bind_listener(self, instance: object, kwargs: dict[str, Any]) -> AsyncCall:
        bound = self.listener.bind(instance, kwargs)
        if self.data_positional:
            return bound

        async def call_with_data_keyword(data: Any) -> Any:
            return await bound(data=data)

        return call_with_data_keyword

    async def _serve_messages(self, socket: WebSocket, listener: AsyncCall) -> None:
        route = self.route
        receive = socket.receive_data
        send = socket.send_data
        decode = self.decode
        passthrough_type = self.passthrough_type
        encode = self.encode
        sent_as_is = self.sent_as_is
        receive_mode = self.receive_mode
        send_mode = self.send_mode
        max_size = self.max_message_size
        while True:
            try:
                raw = await receive(receive_mode)
            except WebSocketDisconnect:
                return
            if max_size is not None and _exceeds(raw, max_size):
                raise WebSocketException(CloseCode.MESSAGE_TOO_BIG, _TOO_BIG)
            if type(raw) is passthrough_type:
                data: Any = raw
            else:
                try:
                    data = decode(raw)
                except DecodeError as exc:
                    if await route.run_exception_handler(socket, exc):
                        continue
                    raise  # core closes with 1007
            try:
                result = await listener(data)
            except Exception as exc:
                if ends_connection_quietly(socket, exc):
                    return
                if isinstance(exc, WebSocketException) and not isinstance(exc, WebSocketDisconnect):
                    raise  # a close asked for: core closes with its code
                if await route.run_exception_handler(socket, exc):
                    continue
                raise
            if result is not None:
                await send(result if type(result) is sent_as_is else encode(result), send_mode)


def _exceeds(raw: str | bytes, limit: int) -> bool:
    """Whether ``raw`` is over ``limit`` bytes (UTF-8 for text), encoding only when unsure."""
    length = len(raw)
    if isinstance(raw, bytes) or length > limit:
        return length > limit
    if length * 4 <= limit:  # a character is at most 4 bytes of UTF-8
        return False
    return len(raw.encode("utf-8", "surrogatepass")) > limit
