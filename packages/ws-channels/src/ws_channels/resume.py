"""The seam between history and live events when a subscription starts (or resumes).

A subscription that asks for history or resumes ``since`` a position goes
live first, holding its live events back; then the history is read; then
:func:`merge_at_seam` decides what the subscriber gets: the history, then
the held live events it does not already cover — no gap, no duplicate — and,
for a resume, whether everything after the position was still there.

Live events can also be on their way from the backend to the fan-out while
history is read (already in history, not yet dispatched): they arrive after
the seam, and the subscriber drops those at or below the merge's ``floor``.
"""

from __future__ import annotations

from typing import NamedTuple

from ws_channels.backends.base import ChannelHistory
from ws_channels.events import ChannelEvent
from ws_channels.types import Position

__all__ = ["Merged", "merge_at_seam"]


class Merged(NamedTuple):
    """What a subscription gets at its seam.

    Attributes:
        events: The events to queue, in order.
        recovered: For a resume, whether nothing after the position is
            missing; ``None`` for a plain history replay.
        floor: Live events of ``epoch`` at or below this offset are already
            covered and must be dropped when they arrive; ``None``: none are.
        epoch: The epoch ``floor`` belongs to.
    """

    events: list[ChannelEvent]
    recovered: bool | None
    floor: int | None
    epoch: str


def merge_at_seam(
    history: ChannelHistory, held: list[ChannelEvent], since: Position | None
) -> Merged:
    """Merge the history read after going live with the live events held meanwhile.

    Args:
        history: What the backend returned, read after the subscription went live.
        held: The live events that arrived meanwhile, in order.
        since: The position to resume after, or ``None`` for a plain history replay.

    Returns:
        Without ``since``: the history, then the held events newer than it.
        With ``since``: the events after the position, then the newer held
        ones; ``recovered`` is true only when they start right after the
        position (or nothing was published since). A foreign epoch or an
        offset past the head cannot be resumed: only the held live events
        are returned, ``recovered`` false, no floor (as a plain subscription).
    """
    epoch = history.epoch
    if since is None:
        events = _followed_by_newer(history.events, held, epoch, 0)
        return Merged(events, None, _floor(history, events), epoch)
    since_epoch, offset = since
    if since_epoch != epoch or not 0 <= offset <= history.head:
        return Merged(list(held), False, None, epoch)
    replay = [event for event in history.events if event.offset > offset]
    events = _followed_by_newer(replay, held, epoch, offset)
    if events:
        first = events[0]
        recovered = first.epoch == epoch and first.offset == offset + 1
    else:
        recovered = offset == history.head
    return Merged(events, recovered, _floor(history, events), epoch)


def _followed_by_newer(
    replay: list[ChannelEvent], held: list[ChannelEvent], epoch: str, floor: int
) -> list[ChannelEvent]:
    last = replay[-1].offset if replay else floor
    newer = [event for event in held if event.epoch != epoch or event.offset > last]
    return [*replay, *newer]


def _floor(history: ChannelHistory, events: list[ChannelEvent]) -> int:
    offsets = [event.offset for event in events if event.epoch == history.epoch]
    return max([history.head, *offsets])
