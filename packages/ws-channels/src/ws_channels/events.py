"""What subscribers receive: :class:`ChannelEvent`, and :class:`PresenceDiff` for presence watchers.

One :class:`ChannelEvent` is made per published event and per channel, and
the same object reaches every subscriber of that channel. Whatever a
subscriber needs besides the raw ``bytes`` (the text for a text socket, the
wrapped form of ``send_positions``) is computed once, on first use, and
cached on the event, so a thousand text sockets share one ``str``.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass, field
from typing import Any

import msgspec

from ws_channels.types import Position

__all__ = ["ChannelEvent", "PresenceDiff"]

_encode_json = msgspec.json.encode
_decode_json = msgspec.json.decode


class ChannelEvent:
    """One event of one channel, at its position.

    Equal to another event with the same channel, data, offset and epoch.
    Events put into a subscriber by hand (``Subscriber.put_nowait(b"...")``)
    belong to no channel: their channel and epoch are ``""`` and their offset ``0``.

    Args:
        channel: The channel it was published to.
        data: The encoded payload.
        offset: Its number in the channel (1, 2, ...) within ``epoch``.
        epoch: The history the offset belongs to.

    Attributes:
        channel: As given.
        data: As given: the one ``bytes`` object every subscriber is handed.
        offset: As given.
        epoch: As given.
    """

    __slots__ = ("_positioned", "_positioned_text", "_text", "channel", "data", "epoch", "offset")
    __match_args__ = ("channel", "data", "offset", "epoch")

    def __init__(self, channel: str, data: bytes, offset: int = 0, epoch: str = "") -> None:
        self.channel = channel
        self.data = data
        self.offset = offset
        self.epoch = epoch
        self._text: str | None = None
        self._positioned: bytes | None = None
        self._positioned_text: str | None = None

    def __repr__(self) -> str:
        return (
            f"ChannelEvent(channel={self.channel!r}, data={self.data!r}, "
            f"offset={self.offset!r}, epoch={self.epoch!r})"
        )

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, ChannelEvent):
            return NotImplemented
        return (self.channel, self.data, self.offset, self.epoch) == (
            other.channel,
            other.data,
            other.offset,
            other.epoch,
        )

    def __hash__(self) -> int:
        return hash((self.channel, self.data, self.offset, self.epoch))

    @property
    def position(self) -> Position:
        """``(epoch, offset)``: what to pass back as ``since`` to resume after this event."""
        return (self.epoch, self.offset)

    @property
    def text(self) -> str:
        """The payload decoded as UTF-8, once (what text sockets are sent).

        Raises:
            UnicodeDecodeError: The payload is not UTF-8 (bytes published as they are).
        """
        text = self._text
        if text is None:
            text = self._text = self.data.decode()
        return text

    @property
    def positioned_data(self) -> bytes:
        """The event wrapped with its position, as JSON, made once.

        ``{"channel": ..., "offset": ..., "epoch": ..., "data": ...}`` where
        ``data`` is the payload itself when it is UTF-8 JSON (what ``publish``
        makes of a dict, a list, a number ...), otherwise a JSON string: the
        payload's text, or its base64 form when it is not UTF-8.
        """
        positioned = self._positioned
        if positioned is None:
            positioned = self._positioned = _encode_json(
                {
                    "channel": self.channel,
                    "offset": self.offset,
                    "epoch": self.epoch,
                    "data": self._embedded_data(),
                }
            )
        return positioned

    @property
    def positioned_text(self) -> str:
        """:attr:`positioned_data` as a ``str``, decoded once (it is always UTF-8)."""
        text = self._positioned_text
        if text is None:
            text = self._positioned_text = self.positioned_data.decode()
        return text

    def _embedded_data(self) -> Any:
        try:
            text = self.text
        except UnicodeDecodeError:
            return base64.b64encode(self.data).decode("ascii")
        try:
            return _decode_json(self.data, type=msgspec.Raw)
        except msgspec.DecodeError:
            return text


@dataclass(frozen=True)
class PresenceDiff:
    """A change of who is present in a channel, as ``presence_events`` yields it.

    Both mappings go from a key to the metas of its entries (one entry per
    ``track`` block: a user with two tabs has two). The first diff a watcher
    receives holds the whole current state in ``joins``.

    Attributes:
        joins: Entries that appeared, by key.
        leaves: Entries that went away, by key.
    """

    joins: dict[str, list[Any]] = field(default_factory=dict)
    leaves: dict[str, list[Any]] = field(default_factory=dict)
