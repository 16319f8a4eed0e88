"""``send_websocket_stream``: stream an async iterable from inside any handler."""

from collections.abc import AsyncIterable
from typing import Any

from ws_codec import DTO, WireProtocol, encoder_for
from ws_core import WebSocket, WebSocketMode
from ws_stream.pump import pump_stream

__all__ = ["send_websocket_stream"]


async def send_websocket_stream(
    socket: WebSocket,
    stream: AsyncIterable[Any],
    *,
    mode: WebSocketMode = "text",
    protocol: WireProtocol = "json",
    return_dto: type[DTO[Any]] | None = None,
    listen_for_disconnect: bool = False,
    allow_data_discard: bool = False,
    close: bool = True,
) -> bool:
    """Send every item of ``stream`` over ``socket``, one frame per item.

    The socket must already be accepted. Items are serialized like the
    ``websocket_stream`` decorator does it, by each item's runtime type:
    ``str`` and ``bytes`` go out as they are (converted to ``mode``),
    anything else (dicts, lists, dataclasses, ``msgspec.Struct``, attrs
    classes, ...) is encoded with ``protocol``; with ``return_dto``, items of
    the DTO's model are shaped by it (excluded fields left out, renames
    applied). Each send is awaited before the next item is asked for, so a
    slow client slows the stream down; a stream that never awaits still lets
    the other connections run (ws-core's send funnel gives the event loop a
    turn every few frames).

    The stream ends when it is exhausted, when a send finds the client gone,
    or, with ``listen_for_disconnect=True``, when the background listener sees
    the client disconnect. That listener reads the socket (either channel):
    client data is dropped with ``allow_data_discard=True``, and otherwise
    closes the connection with 1003 (unsupported data). Keep the default
    ``listen_for_disconnect=False`` when something else reads the socket (a
    listener, or your own receive loop running beside this call), and let
    that reader notice the disconnect.

    Whatever ends it, ``stream`` is closed with ``aclose()`` (when it has one)
    before this coroutine returns or raises: a generator's ``finally`` runs,
    shielded from the cancellation when this call is cancelled (the
    cancellation is then re-raised, so ``await task`` on a cancelled
    ``asyncio`` task raises ``CancelledError``). Exceptions from the stream,
    and :class:`ws_codec.EncodeError` for an item that cannot be encoded,
    propagate after that close.

    Args:
        socket: an accepted connection.
        stream: the items to send, typically an async generator; this call
            consumes and closes it.
        mode: transport channel of the frames, ``"text"`` or ``"binary"``.
        protocol: ``"json"``, or ``"msgpack"`` (needs ``mode="binary"``).
        return_dto: a ``DTO`` subclass; the items are then instances of its
            model (or ``str``/``bytes``, sent as they are).
        listen_for_disconnect: read the socket in the background to notice a
            disconnect while the stream is idle.
        allow_data_discard: with ``listen_for_disconnect``, drop client data
            instead of closing with 1003.
        close: close the socket with 1000 once the stream is exhausted;
            ``False`` leaves it open for the caller.

    Returns:
        ``True`` when the stream was exhausted, ``False`` when the client went
        away (or was sent 1003 for unexpected data).

    Raises:
        ws_codec.CodecConfigurationError: ``protocol`` and ``mode`` do not go
            together (MessagePack in text mode), or ``return_dto`` is not a
            DTO; raised before anything is sent.
    """
    # ws_codec caches encoders per (annotation, mode, protocol, dto): no rebuild per call.
    item_type = Any if return_dto is None else getattr(return_dto, "model", None)
    encode = encoder_for(item_type, mode=mode, protocol=protocol, dto=return_dto)
    return await pump_stream(
        socket,
        stream,
        encode=encode,
        mode=mode,
        listen_for_disconnect=listen_for_disconnect,
        allow_data_discard=allow_data_discard,
        close=close,
    )
