"""The Redis names of one ws-channel: its keys and its pub/sub channels, under the key prefix.

Every name of channel ``c`` under prefix ``p`` starts with ``p:{c}:``, so
all of them hash alike (Redis Cluster hashes what the first braces hold) and
the keys a script touches are in one slot. The channel's name is used as it
is (no case folding), and each kind of name ends with its own suffix, none
of which ends another, so two channels never share a name whatever
characters (braces included) their names hold.
"""

from __future__ import annotations

__all__ = ["ChannelNames", "probe_channel"]


class ChannelNames:
    """The keys and pub/sub channels of one ws-channel.

    Args:
        prefix: The backend's key prefix.
        channel: The ws-channel's name.

    Attributes:
        meta: Hash of the channel's ``epoch`` and ``head`` (its newest offset).
        stream: The stream of its history (stream backend only).
        presence: Hash of its presence entries (``entry_id`` → stored entry).
        presence_until: Sorted set of the entries' deadlines (ms, Redis time).
        events: Pub/sub channel of its events.
        presence_changes: Pub/sub channel of its presence changes.
    """

    __slots__ = ("events", "meta", "presence", "presence_changes", "presence_until", "stream")

    def __init__(self, prefix: str, channel: str) -> None:
        tagged = f"{prefix}:{{{channel}}}"
        self.meta = f"{tagged}:meta"
        self.stream = f"{tagged}:stream"
        self.presence = f"{tagged}:presence"
        self.presence_until = f"{tagged}:presence-until"
        self.events = f"{tagged}:events".encode()
        self.presence_changes = f"{tagged}:presence-changes".encode()


def probe_channel(prefix: str, instance: str) -> bytes:
    """The pub/sub channel one backend instance sends its liveness probes through."""
    return f"{prefix}:probe:{instance}".encode()
