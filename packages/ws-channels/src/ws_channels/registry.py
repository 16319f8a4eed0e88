"""Who subscribes to which channel, the fan-out of one event to them, and the counters.

The :class:`Registry` is the plugin's book of channels. It holds, per
channel, its subscribers (and an immutable snapshot of their ``_offer``
methods that the fan-out iterates, rebuilt by the first event after they
changed, so an event costs no allocation per subscriber and a burst of
subscriptions no copy per subscription), the position of the last event dispatched (to drop what a
backend replays twice and to notice a gap), and the counters ``stats()``
reports. It also keeps the backend's subscriptions in step with its own:
the backend is subscribed to a channel while at least one subscriber is,
with subscribe and unsubscribe calls never overlapping.

The fan-out does not wake a subscriber's consumer for each event: an offer
leaves the consumer's wake-up owed (:attr:`Registry.owed_wakeups`), and
they are paid together a few event-loop turns later (or before the fan-out
gives the other tasks their turn after a batch). Events that reach a
process close together — a burst read from Redis message after message —
then wake each consumer once, not once per event.

Declared channels keep their entry (and counters) for the plugin's
lifetime; an arbitrary channel's entry goes away with its last subscriber,
so a stream of one-off channel names leaves nothing behind (the totals keep
its counts).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any, Protocol

import anyio
import anyio.lowlevel
from anyio.abc import TaskStatus

from ws_channels.backends.base import ChannelsBackend
from ws_channels.events import ChannelEvent
from ws_channels.logs import logger

if TYPE_CHECKING:
    from ws_channels.subscriber import Subscriber

__all__ = ["Counters", "Registry"]

# Event-loop turns between an owed wake-up and its payment: the time for
# events already read from a socket to reach the fan-out as well.
_TURNS_BEFORE_WAKING = 3


class Wakeup(Protocol):
    """What wakes a consumer waiting on an empty backlog."""

    def set(self) -> None:
        """Wake the consumer (nothing if it stopped waiting)."""


class Counters:
    """Event counts of one channel, or of all of them.

    Attributes:
        published: Events this process handed to the backend.
        delivered: Events handed to a subscriber's consumer (one per subscriber).
        dropped: Events a subscriber's backlog policy discarded.
        lost: Events known to be lost before reaching subscribers: gaps in
            what the backend delivered (the plugin's own publish losses are
            counted by the publisher).
    """

    __slots__ = ("delivered", "dropped", "lost", "published")

    def __init__(self) -> None:
        self.published = 0
        self.delivered = 0
        self.dropped = 0
        self.lost = 0


class _Channel:
    """One channel's subscribers, last dispatched position and counters."""

    __slots__ = ("_offers", "counters", "declared", "epoch", "last_offset", "subscribers")

    def __init__(self, declared: bool) -> None:
        self.declared = declared
        self.subscribers: dict[Subscriber, None] = {}
        self._offers: tuple[Callable[[ChannelEvent], bool], ...] | None = ()
        self.counters = Counters()
        self.epoch: str | None = None
        self.last_offset = 0

    def changed(self) -> None:
        self._offers = None

    @property
    def offers(self) -> tuple[Callable[[ChannelEvent], bool], ...]:
        offers = self._offers
        if offers is None:
            offers = self._offers = tuple(subscriber._offer for subscriber in self.subscribers)
        return offers

    def forget_position(self) -> None:
        self.epoch, self.last_offset = None, 0


class Registry:
    """The plugin's channels, their subscribers and counters (see the module docstring).

    Args:
        backend: The backend whose subscriptions follow the registry's.
        declared: The declared channels.
    """

    def __init__(self, backend: ChannelsBackend, declared: Iterable[str]) -> None:
        self._backend = backend
        self._channels: dict[str, _Channel] = {name: _Channel(True) for name in declared}
        self.totals = Counters()
        self.subscribers: dict[Subscriber, None] = {}
        self._backend_channels: set[str] = set()
        self.owed_wakeups: list[Wakeup] = []
        # Set by the fan-out when it leaves wake-ups owed; made by the task
        # that pays them (None while that task is paying, or not running).
        self._owing: anyio.Event | None = None
        # Made on first use, inside the event loop that uses it; dropped by reset().
        self._lock: anyio.Lock | None = None

    # -- membership -----------------------------------------------------------

    def add(self, subscriber: Subscriber, names: Iterable[str]) -> None:
        """Register ``subscriber`` in ``names`` (locally; see :meth:`subscribe_backend`)."""
        for name in names:
            channel = self._channels.get(name)
            if channel is None:
                channel = self._channels[name] = _Channel(False)
            if subscriber not in channel.subscribers:
                channel.subscribers[subscriber] = None
                channel.changed()
                subscriber.recovered.setdefault(name, True)
            subscriber.channels.add(name)
        self.subscribers[subscriber] = None

    def remove(self, subscriber: Subscriber, names: Iterable[str]) -> None:
        """Take ``subscriber`` out of ``names``; out of the registry once in none."""
        for name in tuple(names):
            subscriber.channels.discard(name)
            channel = self._channels.get(name)
            if channel is None or subscriber not in channel.subscribers:
                continue
            del channel.subscribers[subscriber]
            channel.changed()
            if not channel.subscribers and not channel.declared:
                del self._channels[name]
        if not subscriber.channels:
            self.subscribers.pop(subscriber, None)

    def subscribers_of(self, name: str) -> list[Subscriber]:
        """The subscribers of ``name`` now."""
        channel = self._channels.get(name)
        return [] if channel is None else list(channel.subscribers)

    def remove_all(self) -> list[Subscriber]:
        """Take every subscriber out (the plugin is stopping); return them."""
        ended = list(self.subscribers)
        for subscriber in ended:
            self.remove(subscriber, tuple(subscriber.channels))
        return ended

    # -- the backend's subscriptions -------------------------------------------

    @property
    def lock(self) -> anyio.Lock:
        """Serialises the backend's subscribe and unsubscribe calls."""
        if self._lock is None:
            self._lock = anyio.Lock()
        return self._lock

    async def subscribe_backend(self, names: Iterable[str]) -> None:
        """Subscribe the backend to those of ``names`` it is not subscribed to."""
        async with self.lock:
            missing = [
                name
                for name in names
                if name not in self._backend_channels and self.subscribers_of(name)
            ]
            if missing:
                await self._backend.subscribe(missing)
                self._backend_channels.update(missing)

    async def unsubscribe_backend(self) -> None:
        """Unsubscribe the backend from every channel that has no subscriber left."""
        async with self.lock:
            idle = [name for name in self._backend_channels if not self.subscribers_of(name)]
            if idle:
                await self._backend.unsubscribe(idle)
                self._backend_channels.difference_update(idle)
                for name in idle:
                    channel = self._channels.get(name)
                    if channel is not None:
                        channel.forget_position()

    def reset(self) -> None:
        """Forget the backend's subscriptions (it is shutting down) and the lock."""
        self._backend_channels.clear()
        for channel in self._channels.values():
            channel.forget_position()
        self._lock = None

    # -- the fan-out --------------------------------------------------------------

    def dispatch(self, event: ChannelEvent) -> None:
        """Offer ``event`` to every subscriber of its channel.

        Never waits: each subscriber's backlog takes the event or applies its
        policy. An event at or before the last dispatched offset of the same
        epoch (a backend's replay) is dropped; a jump in offsets or a new
        epoch is a gap, logged, counted and reported through ``recovered``.
        """
        channel = self._channels.get(event.channel)
        if channel is None or not channel.subscribers:
            return
        if channel.epoch == event.epoch:
            if event.offset <= channel.last_offset:
                return
            missing = event.offset - channel.last_offset - 1
            if missing:
                self._gap(event, channel, missing)
        elif channel.epoch is not None:
            self._gap(event, channel, None)
        channel.epoch, channel.last_offset = event.epoch, event.offset
        for offer in channel.offers:
            offer(event)
        if self.owed_wakeups:
            owing = self._owing
            if owing is not None:
                self._owing = None
                owing.set()

    def pay_wakeups(self) -> None:
        """Wake every consumer the fan-out handed events to since the last payment."""
        owed = self.owed_wakeups
        if owed:
            wakeups = owed[:]
            owed.clear()
            for wakeup in wakeups:
                wakeup.set()

    async def pay_wakeups_soon(
        self, *, task_status: TaskStatus[None] = anyio.TASK_STATUS_IGNORED
    ) -> None:
        """Pay owed wake-ups a few turns after the fan-out owes them, until cancelled.

        Started with ``task_group.start`` alongside the fan-out.
        """
        task_status.started()
        try:
            while True:
                owing = self._owing = anyio.Event()
                if self.owed_wakeups:
                    self._owing = None  # owed before this task started: pay them now
                else:
                    await owing.wait()
                for _ in range(_TURNS_BEFORE_WAKING):
                    await anyio.lowlevel.checkpoint()
                self.pay_wakeups()
        finally:
            self._owing = None
            self.pay_wakeups()

    def _gap(self, event: ChannelEvent, channel: _Channel, missing: int | None) -> None:
        for subscriber in channel.subscribers:
            subscriber.recovered[event.channel] = False
        if missing is None:
            logger.warning(
                "channel %r: epoch changed from %r to %r, the history before it is lost",
                event.channel,
                channel.epoch,
                event.epoch,
            )
            return
        channel.counters.lost += missing
        self.totals.lost += missing
        logger.warning(
            "channel %r: %d event(s) lost before offset %d (gone from the backend)",
            event.channel,
            missing,
            event.offset,
        )

    # -- counters -----------------------------------------------------------------

    def count_published(self, name: str) -> None:
        """Count one event handed to the backend for channel ``name``."""
        self.totals.published += 1
        channel = self._channels.get(name)
        if channel is not None:
            channel.counters.published += 1

    def count_delivered(self, event: ChannelEvent) -> None:
        """Count one event handed to a subscriber's consumer."""
        self.totals.delivered += 1
        channel = self._channels.get(event.channel)
        if channel is not None:
            channel.counters.delivered += 1

    def count_dropped(self, event: ChannelEvent) -> None:
        """Count one event a subscriber's backlog policy discarded."""
        self.totals.dropped += 1
        channel = self._channels.get(event.channel)
        if channel is not None:
            channel.counters.dropped += 1

    def stats(self, publish_lost: dict[str, int]) -> dict[str, Any]:
        """The body of ``ChannelsPlugin.stats()``, without the backend's connection state.

        Args:
            publish_lost: Events the publisher lost, by channel.
        """
        channels: dict[str, dict[str, int]] = {}
        for name, channel in self._channels.items():
            counters = channel.counters
            channels[name] = {
                "published": counters.published,
                "delivered": counters.delivered,
                "dropped": counters.dropped,
                "lost": counters.lost + publish_lost.get(name, 0),
                "subscribers": len(channel.subscribers),
            }
        totals = self.totals
        return {
            "published": totals.published,
            "delivered": totals.delivered,
            "dropped": totals.dropped,
            "lost": totals.lost + sum(publish_lost.values()),
            "subscribers": len(self.subscribers),
            "channels": channels,
        }
