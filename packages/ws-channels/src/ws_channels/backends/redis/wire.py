"""What the Redis backends write into Redis and read back, and what they do with anything else.

- An event on a channel's pub/sub channel: ``b"<offset> <epoch> <data>"``
  (written by the publish script).
- A stream entry: the fields ``o`` (the offset, decimal) and ``d`` (the data).
- A stored presence entry: ``b"<seq> <json>"``, the JSON being ``[entry_id,
  key, meta, ttl]`` and ``seq`` the order entries joined the channel in; a
  presence change on the channel's presence pub/sub channel is ``b"+"`` (it
  joined) or ``b"-"`` (it left) followed by the stored entry.

Another program may write to the same names. What does not parse is
skipped, counted by a :class:`Malformed` and logged (throttled), and never
stops a reader.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, NamedTuple

import msgspec

from ws_channels.backends.base import PresenceChange
from ws_channels.events import ChannelEvent
from ws_channels.logs import ThrottledCount

__all__ = [
    "Malformed",
    "StoredEntry",
    "encode_entry",
    "parse_event",
    "parse_presence_change",
    "parse_stored_entry",
    "parse_stream_entry",
]

_encode_json = msgspec.json.encode
_decode_entry = msgspec.json.Decoder(tuple[str, str, Any, float]).decode


class Malformed:
    """Counts what could not be parsed, and logs it at WARNING at most once a second.

    Attributes:
        count: How many messages and entries were skipped since the backend was made.
    """

    def __init__(self) -> None:
        self.count = 0
        self._last = ("", "")
        self._log = ThrottledCount(
            "skipped %d malformed Redis message(s) or entries, not written by ws-channels "
            "(the latest: %s on %r)"
        )

    def add(self, what: str, where: str) -> None:
        """Count one skipped ``what`` (a short description) found on ``where``."""
        self.count += 1
        self._last = (what, where)
        self._log.add(1, what, where)

    def flush(self) -> None:
        """Log what was counted since the last line (the backend is stopping)."""
        self._log.flush(*self._last)


def parse_event(channel: str, raw: bytes) -> ChannelEvent | None:
    """Parse an event published by the publish script; ``None`` if it is not one."""
    first = raw.find(b" ")
    second = raw.find(b" ", first + 1)
    if first < 1 or second < 0:
        return None
    offset = raw[:first]
    if not offset.isdigit():
        return None
    try:
        epoch = raw[first + 1 : second].decode("ascii")
    except UnicodeDecodeError:
        return None
    return ChannelEvent(channel, raw[second + 1 :], int(offset), epoch)


def parse_stream_entry(
    channel: str, epoch: str, fields: Mapping[bytes, bytes]
) -> ChannelEvent | None:
    """Parse one stream entry of ``channel`` in ``epoch``; ``None`` if it is not one of ours."""
    offset, data = fields.get(b"o"), fields.get(b"d")
    if offset is None or data is None or not offset.isdigit() or len(fields) != 2:
        return None
    return ChannelEvent(channel, data, int(offset), epoch)


def encode_entry(entry_id: str, key: str, meta: Any, ttl: float) -> bytes:
    """The JSON of a presence entry, as the track script stores it after its sequence number."""
    return _encode_json((entry_id, key, meta, ttl))


class StoredEntry(NamedTuple):
    """A presence entry as Redis holds it."""

    seq: int
    entry_id: str
    key: str
    meta: Any
    ttl: float


def parse_stored_entry(stored: bytes) -> StoredEntry | None:
    """Parse a stored presence entry; ``None`` if it is not one."""
    seq, space, body = stored.partition(b" ")
    if not space or not seq.isdigit():
        return None
    try:
        entry_id, key, meta, ttl = _decode_entry(body)
    except msgspec.DecodeError:
        return None
    return StoredEntry(int(seq), entry_id, key, meta, ttl)


def parse_presence_change(channel: str, raw: bytes) -> tuple[PresenceChange, float] | None:
    """Parse a change announced by a presence script, with the entry's ttl; ``None`` if not one."""
    sign = raw[:1]
    if sign not in (b"+", b"-"):
        return None
    entry = parse_stored_entry(raw[1:])
    if entry is None:
        return None
    change = PresenceChange(channel, entry.entry_id, entry.key, entry.meta, joined=sign == b"+")
    return change, entry.ttl
