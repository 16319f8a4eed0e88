"""The WebSocket connection object over an ASGI scope, receive and send.

Calling contract, in order: optionally :meth:`WebSocket.reject` or
:meth:`WebSocket.close` before accepting (both refuse the handshake);
:meth:`WebSocket.accept` once; then any number of receives and sends;
:meth:`WebSocket.close` (a second call is a no-op). Receiving or sending once the
peer has gone, or after our close, raises :class:`~ws_core.WebSocketDisconnect`
and never reaches the server. Calling a method in the wrong state (sending
before ``accept()``, accepting twice) raises :class:`RuntimeError`.

Every data receive goes through :meth:`WebSocket.receive_data` and every data
send through :meth:`WebSocket.send_data`, so a subclass overriding those two
changes them all (listeners and streams use them too). :meth:`WebSocket.receive`
and :meth:`WebSocket.send` exchange raw ASGI events and keep the state in step.
"""

from __future__ import annotations

import enum
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Mapping
from functools import cached_property, partial
from typing import TYPE_CHECKING, Any, ClassVar, NoReturn, TypeVar

import msgspec
from anyio.lowlevel import checkpoint

from ws_core.close_codes import CloseCode, check_close_code
from ws_core.datastructures import URL, Address, Headers, QueryParams, State, parse_cookies
from ws_core.exceptions import WebSocketDisconnect
from ws_core.logs import package_logger
from ws_core.types import Message, Receive, Scope, Send, WebSocketMode

_T = TypeVar("_T")

if TYPE_CHECKING:
    from ws_core.app import App

__all__ = ["ConnectionState", "HeadersLike", "WebSocket", "encode_headers", "truncate_reason"]

logger = package_logger("ws_core")

HeadersLike = Mapping[str, str] | Iterable[tuple[str | bytes, str | bytes]]
"""Headers to send: a mapping, or (name, value) pairs of ``str`` or ``bytes``."""

_MAX_REASON_BYTES = 123
_DENIAL_EXTENSION = "websocket.http.response"

_decode_json: Callable[[str | bytes], Any] = msgspec.json.decode
_decode_msgpack: Callable[[bytes], Any] = msgspec.msgpack.decode
_encode_json = msgspec.json.encode

# The sender gives the event loop a turn (see WebSocket.send_data) when
# _TURN_INTERVAL seconds passed since the last such turn, checked every
# _FRAMES_PER_CHECK data frames sent by any connection of the process.
# Measured: a turn (anyio checkpoint) is ~30,000 instructions (callgrind);
# forced every 64 frames it cost a listener 6 % per message, while every
# 0.5 ms it costs at most ~2 % of a core that streams flat out. Other
# connections then wait a few milliseconds, not forever (tests/e2e/
# test_no_freeze.py: an echo beside a stream that never awaits, read by a
# client that keeps up, answered in 0.6-3 ms on uvicorn, hypercorn and
# granian, where it never was before; with a turn every 2 ms it took up to
# 300 ms, since each hop of the echo through a server waits for one turn).
_FRAMES_PER_CHECK = 32
_TURN_INTERVAL = 0.0005
_frames_until_check = _FRAMES_PER_CHECK
_next_turn = 0.0
_clock = time.monotonic


class ConnectionState(enum.Enum):
    """Where one side of a WebSocket connection stands."""

    CONNECTING = "connecting"
    CONNECTED = "connected"
    DISCONNECTED = "disconnected"


# Reading a member through its Enum class is slow on CPython 3.11; the state
# machine uses these.
_CONNECTING = ConnectionState.CONNECTING
_CONNECTED = ConnectionState.CONNECTED
_DISCONNECTED = ConnectionState.DISCONNECTED
_NORMAL_CLOSURE = CloseCode.NORMAL_CLOSURE


def truncate_reason(reason: str) -> str:
    """Cut a close reason to at most 123 UTF-8 bytes, on a character boundary.

    RFC 6455 leaves 123 bytes for the reason in a close frame; a longer one
    would be a protocol error. Nothing (no ellipsis) is appended. Characters
    UTF-8 cannot encode (lone surrogates, which a peer's JSON may carry into an
    error message) become ``?``.
    """
    if reason.isascii() and len(reason) <= _MAX_REASON_BYTES:
        return reason
    encoded = reason.encode("utf-8", "replace")
    # Only the last character can be cut in half; "ignore" drops that fragment.
    return encoded[:_MAX_REASON_BYTES].decode("utf-8", "ignore")


def encode_headers(headers: HeadersLike | None) -> list[tuple[bytes, bytes]]:
    """Turn headers into the ASGI list of byte pairs.

    ``str`` is encoded as latin-1, and names are lower-cased, as ASGI requires.
    """
    if headers is None:
        return []
    pairs = headers.items() if isinstance(headers, Mapping) else headers
    return [
        (
            (name if isinstance(name, bytes) else name.encode("latin-1")).lower(),
            value if isinstance(value, bytes) else value.encode("latin-1"),
        )
        for name, value in pairs
    ]


class WebSocket:
    """One WebSocket connection, driven over ASGI.

    Construct it with the ``websocket`` scope and the ASGI ``receive`` and
    ``send`` callables (an :class:`~ws_core.App` does this, with the class the
    layers chose). A subclass may override :meth:`receive_data` and
    :meth:`send_data` (the funnels); it must keep the constructor signature.

    Attributes:
        scope: The ASGI scope.
        state: Connection-scoped :class:`~ws_core.State`, empty at first.
        path_params: Converted path parameters, set before the handler runs.
        connection_state: Our side: ``CONNECTING`` until :meth:`accept`,
            ``CONNECTED``, then ``DISCONNECTED`` once we closed or rejected (or
            the peer left).
        peer_state: The peer's side: ``CONNECTING`` until its connect event was
            read, ``CONNECTED``, then ``DISCONNECTED`` once it sent a disconnect
            or a send failed.
        close_code: The code that ended the connection (ours or the peer's);
            ``None`` while it is open.
        close_reason: The reason that went with ``close_code``.
    """

    # Whether receive_data and send_data are WebSocket's own, per subclass:
    # receive_json and send_json take a shortcut then (see receive_json).
    _own_receive_funnel: ClassVar[bool] = True
    _own_send_funnel: ClassVar[bool] = True

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls._own_receive_funnel = cls.receive_data is WebSocket.receive_data
        cls._own_send_funnel = cls.send_data is WebSocket.send_data

    def __init__(self, scope: Scope, receive: Receive, send: Send) -> None:
        self.scope = scope
        self._receive = receive
        self._send = send
        self.path_params: dict[str, Any] = {}
        self._connection_state = self._peer_state = _CONNECTING
        # True unless we are CONNECTED and the peer has not left: the one check
        # every receive and send makes per frame.
        self._closed_to_data = True
        self.close_code: int | None = None
        self.close_reason = ""

    def __repr__(self) -> str:
        return (
            f"<{type(self).__name__} {self.scope.get('path', '')!r} "
            f"{self.connection_state.value}, peer {self.peer_state.value}>"
        )

    @cached_property
    def state(self) -> State:
        """Connection-scoped :class:`~ws_core.State`, empty at first (made when first read)."""
        return State()

    # -- scope views ---------------------------------------------------------

    @property
    def app(self) -> App:
        """The :class:`~ws_core.App` serving this connection (``scope["app"]``)."""
        app: App = self.scope["app"]
        return app

    @property
    def client(self) -> Address | None:
        """The peer's (host, port), or ``None`` when the server does not say."""
        client = self.scope.get("client")
        return None if client is None else Address(client[0], client[1])

    @cached_property
    def url(self) -> URL:
        """The URL the connection was opened on (scheme ``ws`` or ``wss``)."""
        return URL.from_scope(self.scope, self.headers)

    @cached_property
    def headers(self) -> Headers:
        """The handshake request's headers: case-insensitive, multi-valued."""
        return Headers.from_raw(self.scope.get("headers", ()))

    @cached_property
    def query_params(self) -> QueryParams:
        """The query string's parameters: multi-valued (see ``getall``)."""
        return QueryParams.from_query_string(self.scope.get("query_string", b""))

    @cached_property
    def cookies(self) -> dict[str, str]:
        """Cookies sent with the handshake request."""
        return parse_cookies("; ".join(self.headers.getall("cookie")))

    @property
    def subprotocols(self) -> list[str]:
        """The subprotocols the client asked for, in its order of preference."""
        return list(self.scope.get("subprotocols", ()))

    # -- state machine -------------------------------------------------------

    @property
    def connection_state(self) -> ConnectionState:
        """Our side of the connection (see the class attributes)."""
        return self._connection_state

    @connection_state.setter
    def connection_state(self, state: ConnectionState) -> None:
        self._connection_state = state
        self._closed_to_data = state is not _CONNECTED or self._peer_state is _DISCONNECTED

    @property
    def peer_state(self) -> ConnectionState:
        """The peer's side of the connection (see the class attributes)."""
        return self._peer_state

    @peer_state.setter
    def peer_state(self, state: ConnectionState) -> None:
        self._peer_state = state
        self._closed_to_data = self._connection_state is not _CONNECTED or state is _DISCONNECTED

    def _peer_left(self, code: int, reason: str) -> None:
        self.peer_state = _DISCONNECTED
        if self.close_code is None:
            self.close_code, self.close_reason = code, reason

    def _closed_error(self) -> WebSocketDisconnect:
        code = CloseCode.ABNORMAL_CLOSURE if self.close_code is None else self.close_code
        return WebSocketDisconnect(code, self.close_reason)

    def _check_open(self, action: str) -> NoReturn:
        if self.connection_state is ConnectionState.CONNECTING:
            raise RuntimeError(
                "expected connection state CONNECTED, got CONNECTING: "
                f"call accept() before {action}"
            )
        raise self._closed_error()

    def _send_failed(self, exc: Exception) -> WebSocketDisconnect:
        # Servers signal a vanished client from send (uvicorn: ClientDisconnected, an OSError).
        logger.debug("send failed, treating the peer as gone: %r", exc)
        self._peer_left(CloseCode.ABNORMAL_CLOSURE, "")
        return WebSocketDisconnect(CloseCode.ABNORMAL_CLOSURE)

    async def accept(
        self, subprotocol: str | None = None, headers: HeadersLike | None = None
    ) -> None:
        """Accept the handshake.

        Reads the client's ``websocket.connect`` event first if nobody has.

        Args:
            subprotocol: The subprotocol to select, one of :attr:`subprotocols`.
            headers: Extra response headers (a mapping or name/value pairs).

        Raises:
            RuntimeError: The connection was already accepted, closed or rejected.
            WebSocketDisconnect: The client left before the handshake completed.
        """
        if self._connection_state is not _CONNECTING:
            raise RuntimeError(
                f"expected connection state CONNECTING, got {self._connection_state.name}: "
                "accept() is allowed once, before any close()"
            )
        if self._peer_state is _CONNECTING:
            message = await self._receive()
            kind = message["type"]
            if kind == "websocket.connect":
                self.peer_state = _CONNECTED
            elif kind == "websocket.disconnect":
                self._peer_left(message.get("code", 1005), message.get("reason") or "")
                self.connection_state = _DISCONNECTED
                raise self._closed_error()
            else:
                raise RuntimeError(f"expected 'websocket.connect', got {kind!r}")
        elif self._peer_state is _DISCONNECTED:
            self.connection_state = _DISCONNECTED
            raise self._closed_error()
        try:
            await self._send(
                {
                    "type": "websocket.accept",
                    "subprotocol": subprotocol,
                    "headers": [] if headers is None else encode_headers(headers),
                }
            )
        except Exception as exc:
            raise self._send_failed(exc) from exc
        self.connection_state = _CONNECTED

    async def close(self, code: int = CloseCode.NORMAL_CLOSURE, reason: str = "") -> None:
        """Close the connection, or refuse the handshake when not yet accepted.

        A second call, or a call after the peer left, sends nothing. A reason
        over 123 UTF-8 bytes is truncated on a character boundary. A transport
        failure while closing is treated as the peer having left; it does not
        raise.

        Args:
            code: The close code: 1000-1003, 1007-1014 or 3000-4999 (before
                accept, servers answer 403 whatever it is).
            reason: The close reason.

        Raises:
            ValueError: ``code`` may not be sent (checked even when nothing is sent).
        """
        if code is not _NORMAL_CLOSURE:  # the default needs no check
            check_close_code(code)
        if self._connection_state is _DISCONNECTED:
            return
        self.connection_state = _DISCONNECTED
        if reason:
            reason = truncate_reason(reason)
        if self.close_code is None:
            self.close_code, self.close_reason = code, reason
        if self._peer_state is _DISCONNECTED:
            return
        try:
            await self._send({"type": "websocket.close", "code": code, "reason": reason})
        except Exception as exc:
            logger.debug("close failed, treating the peer as gone: %r", exc)
            self._peer_left(CloseCode.ABNORMAL_CLOSURE, "")

    async def reject(
        self, status_code: int = 403, body: bytes = b"", headers: HeadersLike | None = None
    ) -> None:
        """Refuse the handshake with an HTTP response.

        Where the server offers the ASGI ``websocket.http.response`` (denial
        response) extension, sends ``status_code``, ``headers`` and ``body``;
        otherwise closes before accepting, which servers answer with 403.

        Raises:
            RuntimeError: The connection was already accepted.
        """
        if self.connection_state is ConnectionState.CONNECTED:
            raise RuntimeError(
                "expected connection state CONNECTING, got CONNECTED: "
                "reject() is only possible before accept()"
            )
        if self.connection_state is ConnectionState.DISCONNECTED:
            return
        if _DENIAL_EXTENSION not in (self.scope.get("extensions") or {}):
            await self.close()
            return
        self.connection_state = ConnectionState.DISCONNECTED
        if self.close_code is None:
            self.close_code = CloseCode.ABNORMAL_CLOSURE
        if self.peer_state is ConnectionState.DISCONNECTED:
            return
        try:
            await self._send(
                {
                    "type": "websocket.http.response.start",
                    "status": status_code,
                    "headers": encode_headers(headers),
                }
            )
            await self._send({"type": "websocket.http.response.body", "body": body})
        except Exception as exc:
            logger.debug("denial response failed, treating the peer as gone: %r", exc)
            self._peer_left(CloseCode.ABNORMAL_CLOSURE, "")

    # -- receiving -----------------------------------------------------------

    async def receive(self) -> Message:
        """Return the next raw ASGI event, keeping the connection state in step.

        A ``websocket.connect`` event marks the peer connected, a
        ``websocket.disconnect`` event marks it gone (and is returned); after
        that, or after our own close, this raises instead of reaching the server.

        Raises:
            WebSocketDisconnect: The peer has gone (an earlier event said so), or we closed.
        """
        if self._peer_state is _DISCONNECTED or self._connection_state is _DISCONNECTED:
            raise self._closed_error()
        message = await self._receive()
        kind = message["type"]
        if kind == "websocket.connect":
            self.peer_state = _CONNECTED
        elif kind == "websocket.disconnect":
            self._peer_left(message.get("code", 1005), message.get("reason") or "")
        return message

    def _frame_of(self, message: Message) -> str | bytes:
        """The data of a ``websocket.receive`` event; a disconnect event raises."""
        kind = message["type"]
        if kind == "websocket.receive":
            text: str | None = message.get("text")
            if text is not None:
                return text
            data: bytes | None = message.get("bytes")
            if data is not None:
                return data
            raise RuntimeError("expected 'text' or 'bytes' in the 'websocket.receive' event")
        if kind == "websocket.disconnect":
            self._peer_left(message.get("code", 1005), message.get("reason") or "")
            raise self._closed_error()
        raise RuntimeError(f"expected 'websocket.receive' or 'websocket.disconnect', got {kind!r}")

    async def receive_message(self) -> str | bytes:
        """Return the next data frame of either channel: ``str`` (text) or ``bytes``.

        Raises:
            WebSocketDisconnect: The peer sent a disconnect (now or earlier), or
                we closed the connection.
            RuntimeError: Called before :meth:`accept`.
        """
        if self._closed_to_data:
            self._check_open("receiving")
        return self._frame_of(await self._receive())

    async def receive_data(self, mode: WebSocketMode) -> str | bytes:
        """Return the next frame of the ``mode`` channel, skipping the other channel's frames.

        Text frames come back as ``str``, binary frames as ``bytes``. This is
        the receive funnel: every other data receive (``receive_text``,
        ``receive_json``, the ``iter_*`` methods, listeners) goes through it,
        so a subclass overriding it changes them all.

        Raises:
            WebSocketDisconnect: The peer has gone, or we closed.
            RuntimeError: Called before :meth:`accept`.
        """
        while True:
            if self._closed_to_data:
                self._check_open("receiving")
            message = await self._receive()
            # Only a text frame carries a "text" value, so the usual case needs
            # neither the event's type nor the helper (~500 instructions a frame).
            text: str | None = message.get("text")
            if text is None:
                data = self._frame_of(message)  # a binary frame's bytes; raises on a disconnect
                if mode != "text":
                    return data
            elif mode == "text":
                return text

    async def receive_text(self) -> str:
        """Return the next text frame (see :meth:`receive_data`)."""
        data = await self.receive_data("text")
        return data if isinstance(data, str) else data.decode()

    async def receive_bytes(self) -> bytes:
        """Return the next binary frame (see :meth:`receive_data`)."""
        data = await self.receive_data("binary")
        return data.encode() if isinstance(data, str) else data

    async def receive_json(self, mode: WebSocketMode = "text") -> Any:
        """Return the next frame of ``mode`` decoded as JSON (any JSON value).

        Raises:
            msgspec.DecodeError: The frame is not valid JSON; the message is
                ws-core's own (``"$: malformed JSON"``...). Escaping a handler,
                it closes the connection with 1007, as a listener's invalid
                message does.
        """
        if not self._own_receive_funnel:
            data = await self.receive_data(mode)
        else:
            # The JSON helpers' shortcut, the only one past a funnel: when the
            # funnels are WebSocket's own, receive_json runs a copy of
            # receive_data's loop and send_json of send_data's steps (fairness
            # turn included). Awaiting the funnels cost a coroutine per message
            # each way: 19,277 rather than 17,607 instructions a message in the
            # low-level loop row of bench:instructions.
            while True:
                if self._closed_to_data:
                    self._check_open("receiving")
                message = await self._receive()
                text: str | None = message.get("text")
                if text is None:
                    data = self._frame_of(message)
                    if mode != "text":
                        break
                elif mode == "text":
                    data = text
                    break
        try:
            return _decode_json(data)
        except _DECODE_FAILURES as exc:
            raise _decode_error(exc, data, "JSON") from None

    async def receive_msgpack(self) -> Any:
        """Return the next binary frame decoded as MessagePack.

        Raises:
            msgspec.DecodeError: The frame is not valid MessagePack (see
                :meth:`receive_json`).
        """
        data = await self.receive_data("binary")
        try:
            return _decode_msgpack(data.encode() if isinstance(data, str) else data)
        except _DECODE_FAILURES as exc:
            raise _decode_error(exc, data, "MessagePack") from None

    def iter_data(self, mode: WebSocketMode) -> AsyncIterator[str | bytes]:
        """Yield frames of ``mode`` until the connection ends; ends quietly on disconnect."""
        return _UntilDisconnect(partial(self.receive_data, mode))

    def iter_text(self) -> AsyncIterator[str]:
        """Yield text frames until the connection ends; ends quietly on disconnect."""
        return _UntilDisconnect(self.receive_text)

    def iter_bytes(self) -> AsyncIterator[bytes]:
        """Yield binary frames until the connection ends; ends quietly on disconnect."""
        return _UntilDisconnect(self.receive_bytes)

    def iter_json(self, mode: WebSocketMode = "text") -> AsyncIterator[Any]:
        """Yield JSON values from ``mode`` frames; ends quietly on disconnect.

        A frame that is not JSON raises ``msgspec.DecodeError`` (see :meth:`receive_json`).
        """
        return _UntilDisconnect(partial(self.receive_json, mode))

    def iter_msgpack(self) -> AsyncIterator[Any]:
        """Yield MessagePack values from binary frames; ends quietly on disconnect."""
        return _UntilDisconnect(self.receive_msgpack)

    # -- sending -------------------------------------------------------------

    async def send(self, message: Message) -> None:
        """Send a raw ASGI event, keeping the connection state in step.

        ``websocket.accept`` and ``websocket.close`` events do what
        :meth:`accept` and :meth:`close` do with their fields;
        ``websocket.send`` events go out like :meth:`send_data`'s.

        Raises:
            WebSocketDisconnect: A ``websocket.send`` on a connection the peer
                left, or that we closed.
            RuntimeError: An event this connection cannot send now (sending
                before accept, a denial response after accept...).
            ValueError: A close code that may not be sent.
        """
        kind = message["type"]
        if kind == "websocket.accept":
            await self.accept(message.get("subprotocol"), message.get("headers"))
        elif kind == "websocket.close":
            await self.close(
                message.get("code", CloseCode.NORMAL_CLOSURE), message.get("reason") or ""
            )
        elif kind == "websocket.send":
            text: str | None = message.get("text")
            if text is not None:
                await self.send_data(text, "text")
            else:
                await self.send_data(message.get("bytes") or b"", "binary")
        else:
            raise RuntimeError(
                f"expected 'websocket.accept', 'websocket.send' or 'websocket.close', got {kind!r}"
                " (refuse a handshake with reject())"
            )

    async def send_data(self, data: str | bytes, mode: WebSocketMode = "text") -> None:
        """Send one frame on the ``mode`` channel, converting ``data`` via UTF-8 if needed.

        This is the send funnel: every other data send (``send_text``,
        ``send_json``..., :meth:`send` of a raw ``websocket.send``, listeners,
        streams) goes through it, so a subclass overriding it changes them all.

        Every few frames it gives the event loop a turn: a server's ``send``
        does not suspend while the client keeps up, so a sender with nothing
        else to await (a stream over a list) would otherwise keep the loop to
        itself and freeze every other connection.

        Raises:
            WebSocketDisconnect: The peer has gone (detected now or earlier,
                including a transport error on this send), or we closed.
            RuntimeError: Called before :meth:`accept`.
            ValueError: ``mode`` is neither ``"text"`` nor ``"binary"``.
        """
        message: Message
        if mode == "text":
            message = {
                "type": "websocket.send",
                "text": data if isinstance(data, str) else data.decode(),
            }
        elif mode == "binary":
            message = {
                "type": "websocket.send",
                "bytes": data.encode() if isinstance(data, str) else data,
            }
        else:
            raise ValueError(f"expected mode 'text' or 'binary', got {mode!r}")
        if self._closed_to_data:
            self._check_open("sending")
        global _frames_until_check
        _frames_until_check -= 1
        if not _frames_until_check:
            await self._maybe_take_turn()
        try:
            await self._send(message)
        except Exception as exc:
            raise self._send_failed(exc) from exc

    async def _maybe_take_turn(self) -> None:
        """Every _FRAMES_PER_CHECK frames: a turn for the loop if _TURN_INTERVAL passed."""
        global _frames_until_check, _next_turn
        _frames_until_check = _FRAMES_PER_CHECK
        now = _clock()
        if now >= _next_turn:
            _next_turn = now + _TURN_INTERVAL
            await checkpoint()
            if self._closed_to_data:  # the others' turn may have seen the peer leave
                self._check_open("sending")

    async def send_text(self, data: str) -> None:
        """Send a text frame (see :meth:`send_data`)."""
        await self.send_data(data, "text")

    async def send_bytes(self, data: bytes) -> None:
        """Send a binary frame (see :meth:`send_data`)."""
        await self.send_data(data, "binary")

    async def send_json(
        self,
        data: Any,
        mode: WebSocketMode = "text",
        *,
        encoder: Callable[[Any], str | bytes] | None = None,
    ) -> None:
        """Encode ``data`` as JSON and send it on the ``mode`` channel.

        Args:
            data: The value to send.
            mode: The channel.
            encoder: Encodes ``data`` instead of plain JSON; pass
                ``ws_codec.encoder_for(Model, dto=ModelOut)`` to send a model
                shaped by its DTO (excluded fields left out).

        Raises:
            TypeError: ``data`` cannot be encoded as JSON.
        """
        encoded = _encode_json(data) if encoder is None else encoder(data)
        if not self._own_send_funnel:
            await self.send_data(encoded, mode)
            return
        # send_data's steps (see the shortcut in receive_json).
        message: Message
        if mode == "text":
            message = {
                "type": "websocket.send",
                "text": encoded if isinstance(encoded, str) else encoded.decode(),
            }
        elif mode == "binary":
            message = {
                "type": "websocket.send",
                "bytes": encoded.encode() if isinstance(encoded, str) else encoded,
            }
        else:
            raise ValueError(f"expected mode 'text' or 'binary', got {mode!r}")
        if self._closed_to_data:
            self._check_open("sending")
        global _frames_until_check
        _frames_until_check -= 1
        if not _frames_until_check:
            await self._maybe_take_turn()
        try:
            await self._send(message)
        except Exception as exc:
            raise self._send_failed(exc) from exc

    async def send_msgpack(self, data: Any) -> None:
        """Encode ``data`` as MessagePack and send it as a binary frame.

        Raises:
            TypeError: ``data`` cannot be encoded as MessagePack.
        """
        await self.send_data(msgspec.msgpack.encode(data), "binary")


_DECODE_FAILURES = (msgspec.DecodeError, RecursionError, ValueError, TypeError)


def _decode_error(exc: Exception, data: str | bytes, format_name: str) -> msgspec.DecodeError:
    """A failure to decode ``data``, told in ws-core's words whatever msgspec's are."""
    if isinstance(exc, RecursionError):
        problem = "input is nested too deeply"
    elif not data:
        problem = "empty message"
    else:
        problem = f"malformed {format_name}"
    return msgspec.DecodeError(f"$: {problem}")


class _UntilDisconnect(AsyncIterator[_T]):
    """Yields what ``receive`` returns until the peer goes; ends quietly then.

    A plain iterator rather than an async generator: leaving an ``async for``
    over it early (``break``, an exception) needs no ``aclose()``.
    """

    __slots__ = ("_receive",)

    def __init__(self, receive: Callable[[], Awaitable[_T]]) -> None:
        self._receive = receive

    async def __anext__(self) -> _T:
        try:
            return await self._receive()
        except WebSocketDisconnect:
            raise StopAsyncIteration from None

    async def aclose(self) -> None:
        """Nothing to release; here so that ``contextlib.aclosing`` accepts the iterator."""
