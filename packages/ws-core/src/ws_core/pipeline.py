"""What happens to one connection once its route is known (SPEC §3 order).

Guards → path and query parameter conversion → dependencies entered →
``await connection_handler(socket, values)`` → error handling → close 1000 if
the handler left the socket open → dependency teardown. Each connection runs in
a cancel scope of its own, which a server shutdown cancels (see
:class:`OpenConnections`) until the teardown begins; from then on that scope is
shielded, so the teardown runs to its end. Teardown receives the
exception that ended the connection only when it ended abnormally: an
unhandled error or a cancellation (server shutdown). A disconnect, a
``WebSocketException`` or an exception taken by an exception handler is a
normal end, so code after a generator dependency's ``yield`` runs as after a
plain return. Anything that fails before accept rejects the handshake; nothing
a connection does is ever raised to the server, except the cancellation that
stops it (after it closed with 1001 and tore down).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from contextlib import AsyncExitStack
from http import HTTPStatus
from typing import TYPE_CHECKING, Any

import anyio
import msgspec

from ws_core.close_codes import CloseCode
from ws_core.connection import _CONNECTED, _CONNECTING, _DISCONNECTED, WebSocket
from ws_core.exceptions import HandshakeRejected, WebSocketDisconnect, WebSocketException
from ws_core.handler import BoundRoute, ConnectionHandler, RouteHandler
from ws_core.parameters import convert_query
from ws_core.routing import PathPattern
from ws_core.types import Receive, Scope, Send
from ws_di import to_async

if TYPE_CHECKING:
    from ws_core.app import App

__all__ = ["Endpoint", "OpenConnections", "ends_connection_quietly", "reject_handshake"]

_JSON_HEADERS = [(b"content-type", b"application/json")]
_INTERNAL_ERROR = "Internal Server Error"
# Supplied names read from the socket, which parses them on first access.
_SOCKET_VIEWS = {"headers": "headers", "query": "query_params", "cookies": "cookies"}
# How long a cancelled connection may spend sending its 1001 close. A server
# that dropped the connection without telling the app may never complete that
# send; dependency teardown must not wait on it.
_GOING_AWAY_TIMEOUT = 1.0


async def reject_handshake(
    socket: WebSocket,
    status_code: int,
    detail: str = "",
    errors: Iterable[tuple[str, str]] = (),
) -> None:
    """Refuse the handshake with a JSON body ``{"detail": ..., "errors": [...]}``.

    ``errors`` are ``(name, message)`` pairs; the key is omitted when empty.
    Without the denial-response extension the client sees a plain 403. If the
    socket was already accepted (a guard or handler accepted, then failed), it
    is closed instead: 1011 for a 5xx status, 1008 (policy violation) otherwise.
    """
    if socket.connection_state is _CONNECTED:
        code = CloseCode.INTERNAL_ERROR if status_code >= 500 else CloseCode.POLICY_VIOLATION
        await socket.close(code, detail)
        return
    if not detail:
        try:
            detail = HTTPStatus(status_code).phrase
        except ValueError:
            detail = ""
    payload: dict[str, Any] = {"detail": detail}
    listed = [{"name": name, "message": message} for name, message in errors]
    if listed:
        payload["errors"] = listed
    await socket.reject(status_code, msgspec.json.encode(payload), _JSON_HEADERS)


def ends_connection_quietly(socket: WebSocket, exc: BaseException) -> bool:
    """Whether ``exc`` escaping a handler is simply the end of ``socket``'s connection.

    True for a :class:`~ws_core.WebSocketDisconnect` (or a task group's
    exception group holding only those, e.g. a reader and a writer) while
    ``socket`` itself is closed: its peer left, or it was closed. One raised by
    another socket (a send to a member who just left) while this one is open
    is not about this connection: it is an ordinary error of the handler.
    """
    if not (
        isinstance(exc, WebSocketDisconnect)
        or (isinstance(exc, BaseExceptionGroup) and exc.split(WebSocketDisconnect)[1] is None)
    ):
        return False
    return socket.peer_state is _DISCONNECTED or socket.connection_state is _DISCONNECTED


class _ConnectionValues(Mapping[str, Any]):
    """The ``values`` a connection handler receives.

    Holds what was resolved; ``headers``, ``query`` and ``cookies``, when not
    among them (nothing planned asks for them), are read from the socket on
    first access, so a connection that never looks at them does not parse them.
    """

    __slots__ = ("_socket", "_values")

    def __init__(self, values: dict[str, Any], socket: WebSocket) -> None:
        self._values = values
        self._socket = socket

    def __getitem__(self, key: str) -> Any:
        try:
            return self._values[key]
        except KeyError:
            if key not in _SOCKET_VIEWS:
                raise
        value = self._values[key] = getattr(self._socket, _SOCKET_VIEWS[key])
        return value

    def __contains__(self, key: object) -> bool:
        return key in self._values or key in _SOCKET_VIEWS

    def _complete(self) -> dict[str, Any]:
        for key, attribute in _SOCKET_VIEWS.items():
            if key not in self._values:
                self._values[key] = getattr(self._socket, attribute)
        return self._values

    def __iter__(self) -> Iterator[str]:
        return iter(self._complete())

    def __len__(self) -> int:
        return len(self._complete())

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self._complete()!r})"


class OpenConnections:
    """The connections an App serves, as its shutdown sees them.

    A connection is *running* from its start until its teardown begins, and
    *open* until it has finished. A shutdown cancels the running ones (their
    handler sees the cancellation at its next await) and waits for every open
    one; a connection tearing down is not cancelled, so its teardown completes.
    """

    __slots__ = ("_all_closed", "_open", "_running")

    def __init__(self) -> None:
        self._running: set[anyio.CancelScope] = set()
        self._open = 0
        self._all_closed: anyio.Event | None = None

    def __len__(self) -> int:
        return self._open

    def opened(self, cancel_scope: anyio.CancelScope) -> None:
        """A connection started, in ``cancel_scope``."""
        self._running.add(cancel_scope)
        self._open += 1

    def tearing_down(self, cancel_scope: anyio.CancelScope) -> None:
        """The connection of ``cancel_scope`` began its teardown: a shutdown leaves it be."""
        self._running.discard(cancel_scope)

    def closed(self, cancel_scope: anyio.CancelScope) -> None:
        """The connection of ``cancel_scope`` finished."""
        self._running.discard(cancel_scope)
        self._open -= 1
        if not self._open and self._all_closed is not None:
            self._all_closed.set()

    def cancel_running(self) -> None:
        """Cancel every connection that has not begun its teardown."""
        for cancel_scope in list(self._running):
            cancel_scope.cancel()

    async def wait_closed(self) -> None:
        """Return once no connection is open."""
        if self._open:
            self._all_closed = anyio.Event()
            try:
                await self._all_closed.wait()
            finally:
                self._all_closed = None


class Endpoint:
    """One bound route, with everything decided at start-up, and its per-connection run.

    Attributes:
        route: The bound route.
        pattern: The compiled path pattern.
    """

    __slots__ = (
        "_app",
        "_connection_handler",
        "_connections",
        "_guards",
        "_logger",
        "_plan",
        "_query_parameters",
        "_socket_views",
        "pattern",
        "route",
    )

    def __init__(
        self,
        *,
        app: App,
        connections: OpenConnections,
        route: BoundRoute,
        handler: RouteHandler,
        connection_handler: ConnectionHandler,
        pattern: PathPattern,
    ) -> None:
        self._app = app
        self._connections = connections
        self.route = route
        self.pattern = pattern
        self._connection_handler = connection_handler
        self._logger = handler.logger
        self._guards = tuple(to_async(guard, sync_to_thread=False) for guard in route.guards)
        self._plan = plan = route.dependency_plan
        self._query_parameters = route.query_parameters
        # Those of headers, query and cookies the plan reads; the others stay unparsed.
        self._socket_views = tuple(
            (name, attribute)
            for name, attribute in _SOCKET_VIEWS.items()
            if plan is not None and name in plan.supplied_used
        )

    async def serve(
        self, scope: Scope, receive: Receive, send: Send, raw_params: Mapping[str, str]
    ) -> None:
        """Serve one connection whose path matched this route.

        Never raises, except the cancellation that stops the connection (which
        first closes it with 1001, or refuses the handshake, and tears its
        dependencies down).
        """
        socket = self.route.websocket_class(scope, receive, send)
        connections = self._connections
        with anyio.CancelScope() as cancel_scope:
            connections.opened(cancel_scope)
            try:
                await self._serve(socket, scope, raw_params, cancel_scope)
            except anyio.get_cancelled_exc_class():
                # Cancelled before the handler ran (while a guard or a dependency
                # was set up): refuse the handshake rather than leave it hanging.
                await _close_going_away(socket)
                raise
            finally:
                connections.closed(cancel_scope)

    async def _serve(
        self,
        socket: WebSocket,
        scope: Scope,
        raw_params: Mapping[str, str],
        cancel_scope: anyio.CancelScope,
    ) -> None:
        if self._guards and not await self._passes_guards(socket):
            return
        supplied = {"socket": socket, "state": self._app.state, "scope": scope}
        if self.pattern.parameters or self._query_parameters:
            converted = await self._convert_parameters(socket, raw_params)
            if converted is None:
                return
            supplied.update(converted)
        for name, attribute in self._socket_views:
            supplied[name] = getattr(socket, attribute)
        plan = self._plan
        if plan is None:
            await self._run(socket, _ConnectionValues(supplied, socket))
            return
        stack = AsyncExitStack() if plan.tears_down else None
        ended: BaseException | None = None
        try:
            try:
                values = await plan.resolve(supplied, stack, stack_shielded=True)
            except Exception as exc:
                ended = exc
                await self._refuse(socket, exc, "setting up the dependencies of")
                return
            ended = await self._run(socket, _ConnectionValues(values, socket))
        except BaseException as exc:
            ended = exc
            raise
        finally:
            if stack is not None:
                await self._tear_down(stack, ended, cancel_scope)

    async def _convert_parameters(
        self, socket: WebSocket, raw_params: Mapping[str, str]
    ) -> dict[str, Any] | None:
        """The converted path and query parameters; ``None`` once rejected with 400."""
        path_values, errors = self.pattern.convert(raw_params)
        socket.path_params = path_values
        converted = dict(path_values)
        if self._query_parameters:
            query_values, query_errors = convert_query(self._query_parameters, socket.query_params)
            errors.extend(query_errors)
            converted.update(query_values)
        if errors:
            await reject_handshake(socket, 400, "Invalid request parameters", errors)
            return None
        return converted

    async def _passes_guards(self, socket: WebSocket) -> bool:
        try:
            for guard in self._guards:
                if await guard(socket) is False:
                    await reject_handshake(socket, 403)
                    return False
        except Exception as exc:
            await self._refuse(socket, exc, "running a guard of")
            return False
        return True

    async def _refuse(self, socket: WebSocket, exc: Exception, stage: str) -> None:
        """Reject after a failure before the handler ran: its status, or logged and 500."""
        if isinstance(exc, HandshakeRejected):
            await reject_handshake(socket, exc.status_code, exc.detail)
            return
        self._logger.error("Error while %s %s", stage, self.route.owner, exc_info=exc)
        await reject_handshake(socket, 500, self._error_text(exc))

    async def _run(self, socket: WebSocket, values: Mapping[str, Any]) -> BaseException | None:
        """Run the handler; return the unhandled error that ended it, if any."""
        try:
            await self._connection_handler(socket, values)
        except anyio.get_cancelled_exc_class():
            await _close_going_away(socket)
            raise
        except Exception as exc:
            return await self._handle_error(socket, exc)
        await self._finish(socket)
        return None

    async def _finish(self, socket: WebSocket) -> None:
        """Close a socket the handler left open: 1000, or 403 if never accepted."""
        state = socket.connection_state
        if state is _CONNECTED:
            await socket.close()
        elif state is _CONNECTING:
            await reject_handshake(socket, 403)

    async def _handle_error(self, socket: WebSocket, exc: Exception) -> Exception | None:
        """Answer an exception escaping the handler; return it if it remains an error.

        This connection's own end, ``WebSocketException``, an invalid message
        (``msgspec.DecodeError``, which ``ws_codec.DecodeError`` and the JSON
        helpers' errors are), refusals and exceptions an exception handler took
        end the connection normally (``None``), so generator dependencies tear
        down as after a plain return.
        """
        if ends_connection_quietly(socket, exc):
            await self._finish(socket)
            return None
        try:
            handled = await self.route.run_exception_handler(socket, exc)
        except Exception as handler_exc:
            await self._unhandled(socket, handler_exc)
            return handler_exc
        if handled:
            await self._finish(socket)
        elif isinstance(exc, WebSocketException) and not isinstance(exc, WebSocketDisconnect):
            if socket.connection_state is _CONNECTING:
                await reject_handshake(socket, 403, exc.reason)
            else:
                await socket.close(exc.code, exc.reason)
        elif isinstance(exc, msgspec.DecodeError) and socket.connection_state is _CONNECTED:
            self._logger.debug("Invalid message in %s: %s", self.route.owner, exc)
            await socket.close(CloseCode.INVALID_FRAME_PAYLOAD_DATA, str(exc))
        elif isinstance(exc, HandshakeRejected) and socket.connection_state is _CONNECTING:
            await reject_handshake(socket, exc.status_code, exc.detail)
        else:
            await self._unhandled(socket, exc)
            return exc
        return None

    async def _unhandled(self, socket: WebSocket, exc: Exception) -> None:
        self._logger.error("Unhandled exception in %s", self.route.owner, exc_info=exc)
        text = self._error_text(exc)
        if socket.connection_state is _CONNECTING:
            await reject_handshake(socket, 500, text)
        else:
            await socket.close(CloseCode.INTERNAL_ERROR, text)

    def _error_text(self, exc: BaseException) -> str:
        if self.route.debug:
            return f"{type(exc).__name__}: {exc}"
        return _INTERNAL_ERROR

    async def _tear_down(
        self, stack: AsyncExitStack, ended: BaseException | None, cancel_scope: anyio.CancelScope
    ) -> None:
        """Exit the dependencies' stack, shielded; a shutdown no longer cancels the connection.

        The connection's own scope is shielded for it, rather than a new scope
        entered (an anyio cancel scope costs ~30,000 instructions on asyncio),
        unless the shutdown cancelled that scope itself: a shield does not keep
        a scope's own cancellation out.
        """
        self._connections.tearing_down(cancel_scope)
        if cancel_scope.cancel_called:
            with anyio.CancelScope(shield=True):
                await self._exit_stack(stack, ended)
        else:
            cancel_scope.shield = True
            await self._exit_stack(stack, ended)

    async def _exit_stack(self, stack: AsyncExitStack, ended: BaseException | None) -> None:
        try:
            if ended is None:
                await stack.aclose()
            else:
                await stack.__aexit__(type(ended), ended, ended.__traceback__)
        except Exception as exc:
            if exc is not ended:
                # ws_di has logged the failing teardown itself.
                self._logger.debug("dependency teardown of %s failed: %r", self.route.owner, exc)
        except BaseException as exc:
            if exc is not ended:
                raise


async def _close_going_away(socket: WebSocket) -> None:
    """Close a cancelled connection with 1001, shielded but bounded in time."""
    with anyio.move_on_after(_GOING_AWAY_TIMEOUT, shield=True):
        await socket.close(CloseCode.GOING_AWAY)
