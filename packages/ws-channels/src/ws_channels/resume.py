"""The seam between history and live events when a subscription starts (or resumes).

A subscription that asks for history or resumes ``since`` a position goes
live first, holding its live events back; then the history is read; then
:func:`merge_at_seam` decides what the subscriber gets: the history, then
the held live events it does not already cover — no gap, no duplicate — and,
for a resume, whether everything after the position was still there.
"""

from __future__ import annotations

from ws_channels.backends.base import ChannelHistory
from ws_channels.events import ChannelEvent
from ws_channels.types import Position

__all__ = ["merge_at_seam"]


def merge_at_seam(
    history: ChannelHistory, held: list[ChannelEvent], since: Position | None
) -> tuple[list[ChannelEvent], bool | None]:
    """Return the events to hand the subscriber, in order, and whether the resume recovered.

    Args:
        history: What the backend returned, read after the subscription went live.
        held: The live events that arrived meanwhile, in order.
        since: The position to resume after, or ``None`` for a plain history replay.

    Returns:
        ``(events, recovered)``. Without ``since``: the history, then the held
        events newer than it; ``recovered`` is ``None``. With ``since``: the
        events after the position, then the newer held ones; ``recovered`` is
        true only when they start right after the position (or nothing was
        published since). A foreign epoch or an offset past the head cannot
        be resumed: only the held live events are returned, ``recovered``
        false.
    """
    if since is None:
        return _followed_by_newer(history.events, held, history.epoch, 0), None
    epoch, offset = since
    if epoch != history.epoch or not 0 <= offset <= history.head:
        return list(held), False
    replay = [event for event in history.events if event.offset > offset]
    events = _followed_by_newer(replay, held, history.epoch, offset)
    if not events:
        return events, offset == history.head
    first = events[0]
    return events, first.epoch == epoch and first.offset == offset + 1


def _followed_by_newer(
    replay: list[ChannelEvent], held: list[ChannelEvent], epoch: str, floor: int
) -> list[ChannelEvent]:
    last = replay[-1].offset if replay else floor
    newer = [event for event in held if event.epoch != epoch or event.offset > last]
    return [*replay, *newer]
