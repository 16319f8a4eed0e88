"""Serving one connection: accept, hooks, lifespan and the message loop.

:class:`ConnectionServer` is the ``ConnectionHandler`` a listener's ``bind``
returns to core. Everything it uses was decided at bind time; per connection it
binds the injected values once, and per message it runs exactly
receive → decode → call → (encode → send).

Order for one connection (core has entered the dependencies before, and closes
the socket and tears them down after)::

    accept (or connection_accept_handler) → on_accept → connection_lifespan
    entered → message loop → lifespan exited → on_disconnect
"""

from __future__ import annotations

import inspect
import logging
import math
from collections.abc import Awaitable, Callable, Mapping
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from typing import Any

from anyio import CancelScope, current_effective_deadline, get_cancelled_exc_class

from ws_codec import DecodeError
from ws_core import (
    BoundRoute,
    CloseCode,
    ConnectionState,
    ExceptionHandler,
    WebSocket,
    WebSocketDisconnect,
    WebSocketException,
    WebSocketMode,
)
from ws_di import DependencyPlan
from ws_listener.callbacks import AsyncCall, Callback

__all__ = ["ConnectionServer"]


@dataclass(frozen=True, slots=True, kw_only=True)
class ConnectionServer:
    """The per-connection coroutine of one bound listener route.

    Built once by ``ListenerRouteHandler.bind``; core awaits
    ``server(socket, values)`` for each connection, after the dependencies are
    entered and before they are torn down.

    Attributes:
        route: The bound route (exception handler look-up).
        plan: The dependency plan of every consumer below.
        logger: Where a failing ``on_disconnect`` is logged (always), and a
            failing lifespan exit when another error is already on its way.
        listener_class: Class instantiated for each connection (class form), or
            ``None``.
        listener: The callable receiving ``data``.
        data_positional: Whether ``data`` is passed positionally (it is the
            first parameter) rather than by keyword.
        decode: Incoming frame → ``data``.
        passthrough_type: ``str`` or ``bytes`` when ``decode`` returns a frame
            of exactly that type unchanged (a ``str`` or ``bytes`` ``data``
            without a DTO): such frames skip the call. ``None`` otherwise.
        encode: Returned value → outgoing frame.
        receive_mode: Channel read by the message loop.
        send_mode: Channel replies are sent on.
        accept_handler: Replaces the plain accept when set.
        on_accept: Runs after accept.
        on_disconnect: Runs once the connection is over, for every accepted one.
        lifespan: Factory of the async context manager wrapping the message loop.
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
    receive_mode: WebSocketMode
    send_mode: WebSocketMode
    accept_handler: Callback | None
    on_accept: Callback | None
    on_disconnect: Callback | None
    lifespan: Callable[..., AbstractAsyncContextManager[Any]] | None

    async def __call__(self, socket: WebSocket, values: Mapping[str, Any]) -> None:
        """Serve one connection until it ends.

        Args:
            socket: The connection, not yet accepted.
            values: The resolved injection values of this connection.

        Raises:
            WebSocketException: A message failed decoding and no layered handler
                took the ``DecodeError`` (code 1007), or the listener raised it.
            Exception: Whatever the listener, a hook or the accept handler raised
                and no layered exception handler took; core logs it and closes
                with 1011 (or rejects the handshake when raised before accept).
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
        on_disconnect = (
            None
            if self.on_disconnect is None
            else self.on_disconnect.bind(instance, plan.kwargs_for("on_disconnect", values))
        )
        try:
            if self.on_accept is not None:
                await self.on_accept.bind(instance, plan.kwargs_for("on_accept", values))()
            if self.lifespan is None:
                await self._serve_messages(socket, listener)
            else:
                lifespan = self.lifespan(**plan.kwargs_for("connection_lifespan", values))
                await self._serve_in_lifespan(socket, listener, lifespan)
        finally:
            if on_disconnect is not None:
                with CancelScope(shield=True):
                    await self._run_on_disconnect(on_disconnect)

    def _bind_listener(self, instance: object, kwargs: dict[str, Any]) -> AsyncCall:
        bound = self.listener.bind(instance, kwargs)
        if self.data_positional:
            return bound

        async def call_with_data_keyword(data: Any) -> Any:
            return await bound(data=data)

        return call_with_data_keyword

    async def _serve_in_lifespan(
        self,
        socket: WebSocket,
        listener: AsyncCall,
        lifespan: AbstractAsyncContextManager[Any],
    ) -> None:
        await lifespan.__aenter__()
        # The lifespan is exited as after a normal exit whatever ended the
        # connection, so code written after a bare ``yield`` always runs; the
        # error that ended the connection goes on to core.
        try:
            await self._serve_messages(socket, listener)
        except BaseException:
            with CancelScope(shield=True):
                try:
                    await lifespan.__aexit__(None, None, None)
                except Exception:
                    self.logger.exception(
                        "connection_lifespan of %s failed on exit", self.route.owner
                    )
            raise
        await self._exit_lifespan(lifespan)

    async def _exit_lifespan(self, lifespan: AbstractAsyncContextManager[Any]) -> None:
        """Exit the lifespan after a normal end of the message loop.

        A cancellation error raised by the lifespan's own exit code while this
        connection is not being cancelled is a stray: the lifespan awaited a
        task it had cancelled itself (``task.cancel(); await task``, as in the
        user guide). It concerns that task only, so it is not allowed to tear
        down the server's task; a real cancellation of the connection is
        re-raised.
        """
        stray: BaseException | None = None
        with CancelScope(shield=True):
            try:
                await lifespan.__aexit__(None, None, None)
            except get_cancelled_exc_class() as exc:
                stray = exc
        if stray is not None:
            if current_effective_deadline() == -math.inf:
                raise stray
            self.logger.debug(
                "connection_lifespan of %s ended with a stray cancellation", self.route.owner
            )

    async def _run_on_disconnect(self, on_disconnect: Callable[[], Awaitable[Any]]) -> None:
        try:
            await on_disconnect()
        except Exception:
            self.logger.exception("on_disconnect of %s failed", self.route.owner)

    async def _serve_messages(self, socket: WebSocket, listener: AsyncCall) -> None:
        receive = socket.receive_data
        send = socket.send_data
        decode = self.decode
        passthrough_type = self.passthrough_type
        encode = self.encode
        receive_mode = self.receive_mode
        send_mode = self.send_mode
        # ws_codec encoders return a value of exactly the mode's type unchanged.
        sent_as_is = str if send_mode == "text" else bytes
        try:
            while True:
                raw = await receive(receive_mode)
                if type(raw) is passthrough_type:
                    data: Any = raw
                else:
                    try:
                        data = decode(raw)
                    except DecodeError as exc:
                        handler = self.route.find_exception_handler(exc)
                        if handler is None:
                            raise WebSocketException(
                                CloseCode.INVALID_FRAME_PAYLOAD_DATA, exc.short()
                            ) from exc
                        await _run_exception_handler(handler, socket, exc)
                        continue
                try:
                    result = await listener(data)
                except (WebSocketDisconnect, WebSocketException):
                    raise
                except Exception as exc:
                    handler = self.route.find_exception_handler(exc)
                    if handler is None:
                        raise
                    await _run_exception_handler(handler, socket, exc)
                    continue
                if result is not None:
                    await send(result if type(result) is sent_as_is else encode(result), send_mode)
        except WebSocketDisconnect:
            return


async def _run_exception_handler(
    handler: ExceptionHandler, socket: WebSocket, exc: Exception
) -> None:
    """Run a layered exception handler (sync or async) for one failed message.

    The loop then goes on: if the handler closed the socket, the next receive
    raises ``WebSocketDisconnect`` (ws_core's contract) and the loop ends quietly.
    """
    outcome = handler(socket, exc)
    if inspect.isawaitable(outcome):
        await outcome
