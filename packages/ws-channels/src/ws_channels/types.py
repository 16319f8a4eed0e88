"""Type aliases shared by the modules of ws_channels."""

from typing import Any, Literal, TypeAlias

__all__ = ["BacklogStrategy", "Position", "PresenceEntry"]

BacklogStrategy: TypeAlias = Literal["backoff", "dropleft", "close"]
"""What a subscriber's full backlog does with one more event: ``"backoff"``
drops the new event, ``"dropleft"`` drops the oldest, ``"close"`` stops the
subscriber (and closes its socket with 1013)."""

Position: TypeAlias = tuple[str, int]
"""``(epoch, offset)`` of an event in its channel: ``offset`` counts up by one
per channel from 1; ``epoch`` names the history the offsets belong to and
changes when that history is lost."""

PresenceEntry: TypeAlias = tuple[str, Any]
"""``(key, meta)`` of one presence entry (one ``track`` block)."""
