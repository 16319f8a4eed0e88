"""The loop that sends the items of an async iterable over a WebSocket.

Both entry points of this package, the ``websocket_stream`` handler and
``send_websocket_stream``, run :func:`pump_stream`. It owns the stream it is
given: whatever ends the loop, the iterator is closed (``aclose()``) before
:func:`pump_stream` returns or raises.
"""

import enum
import logging
from collections.abc import AsyncIterable, AsyncIterator, Callable
from typing import Any

import anyio

from ws_core import CloseCode, WebSocket, WebSocketDisconnect, WebSocketMode
from ws_stream.log import logger

__all__ = ["UNSUPPORTED_DATA_REASON", "Encode", "pump_stream"]

Encode = Callable[[Any], str | bytes]
"""Turns one item of a stream into the payload of one frame (a ``ws_codec`` encoder)."""

UNSUPPORTED_DATA_REASON = "this stream does not accept messages"
"""Close reason sent with 1003 when a client sends data to a stream that refuses it."""


class _Ending(enum.Enum):
    """Why a stream stopped without raising."""

    EXHAUSTED = "exhausted"
    CLIENT_GONE = "client gone"
    UNSUPPORTED_DATA = "unsupported data"


async def pump_stream(
    socket: WebSocket,
    stream: AsyncIterable[Any],
    *,
    encode: Encode,
    mode: WebSocketMode,
    listen_for_disconnect: bool,
    allow_data_discard: bool,
    close: bool,
) -> bool:
    """Send every item of ``stream`` over an accepted ``socket``, one frame each.

    Each item is encoded with ``encode`` and sent with ``socket.send_data`` in
    ``mode``; the next item is asked for only once that send has completed,
    so a slow client slows the stream down (there is no queue). A
    :class:`~ws_core.WebSocketDisconnect` raised by a send means the client
    is gone and ends the stream. A stream that never awaits (``for row in
    rows: yield row``) does not freeze the server: ws-core's send funnel gives
    the event loop a turn every few frames, which also lets the listener below
    see a disconnect at once.

    With ``listen_for_disconnect``, a background task reads the socket through
    ``socket.receive_message()`` while the stream runs: a disconnect stops the
    stream at once (even while the iterator is waiting inside its own body),
    and a frame from the client, on either channel, is dropped when
    ``allow_data_discard`` is true (counted, and the count logged at DEBUG
    when the stream ends) and otherwise stops the stream and closes the
    socket with 1003 (unsupported data). Without it the socket is never
    read, so the caller may read it concurrently.

    The iterator is always closed with ``aclose()`` (when it has one) before
    this coroutine returns or raises, so a generator's ``finally`` block runs
    first; when the stream is being cancelled, that ``aclose()`` runs shielded
    from the cancellation, which is re-raised afterwards. An exception raised
    by the stream or by ``encode`` propagates after the close.

    Args:
        socket: an accepted connection.
        stream: the items to send; consumed by this call.
        encode: turns one item into a ``str`` or ``bytes`` payload.
        mode: the transport channel of every frame.
        listen_for_disconnect: read the socket in the background while
            streaming (see above).
        allow_data_discard: when listening, drop client data instead of
            closing with 1003.
        close: close the socket with 1000 once the stream is exhausted.

    Returns:
        ``True`` when the stream was exhausted, ``False`` when the client went
        away or the connection was closed for unsupported data.
    """
    iterator = aiter(stream)
    discarded = 0
    try:
        if listen_for_disconnect:
            ending, discarded = await _send_while_listening(
                socket, iterator, encode, mode, allow_data_discard=allow_data_discard
            )
        else:
            ending = await _send_items(socket, iterator, encode, mode)
    except BaseException as exc:
        with anyio.CancelScope(shield=isinstance(exc, anyio.get_cancelled_exc_class())):
            await _close_iterator(iterator)
        raise
    await _close_iterator(iterator)
    if logger.isEnabledFor(logging.DEBUG):
        # %r: the path is percent-decoded client input (a %0A would forge a log line).
        logger.debug(
            "stream on %r ended: %s; %d client messages discarded",
            socket.scope.get("path", ""),
            ending.value,
            discarded,
        )
    if ending is _Ending.UNSUPPORTED_DATA:
        await socket.close(CloseCode.UNSUPPORTED_DATA, UNSUPPORTED_DATA_REASON)
    elif ending is _Ending.EXHAUSTED and close:
        await socket.close()
    return ending is _Ending.EXHAUSTED


async def _send_items(
    socket: WebSocket, iterator: AsyncIterator[Any], encode: Encode, mode: WebSocketMode
) -> _Ending:
    send = socket.send_data
    async for item in iterator:
        data = encode(item)
        try:
            await send(data, mode)
        except WebSocketDisconnect:
            return _Ending.CLIENT_GONE
    return _Ending.EXHAUSTED


async def _send_while_listening(
    socket: WebSocket,
    iterator: AsyncIterator[Any],
    encode: Encode,
    mode: WebSocketMode,
    *,
    allow_data_discard: bool,
) -> tuple[_Ending, int]:
    """Send while a background task reads; return why it ended and the frames discarded."""
    heard: _Ending | None = None
    discarded = 0
    error: Exception | None = None

    async with anyio.create_task_group() as task_group:

        async def listen() -> None:
            nonlocal heard, discarded
            try:
                while True:
                    await socket.receive_message()
                    if not allow_data_discard:
                        heard = _Ending.UNSUPPORTED_DATA
                        break
                    discarded += 1
            except WebSocketDisconnect:
                heard = _Ending.CLIENT_GONE
            task_group.cancel_scope.cancel()

        task_group.start_soon(listen)
        try:
            sent = await _send_items(socket, iterator, encode, mode)
        except Exception as exc:
            # Re-raised below, unwrapped: the task group would turn it into an ExceptionGroup.
            error = exc
        task_group.cancel_scope.cancel()

    if error is not None:
        raise error
    # Only the listener cancels the sender from inside (after setting `heard`);
    # a cancellation from outside has propagated above.
    return (heard if heard is not None else sent), discarded


async def _close_iterator(iterator: AsyncIterator[Any]) -> None:
    aclose = getattr(iterator, "aclose", None)
    if aclose is not None:
        await aclose()
