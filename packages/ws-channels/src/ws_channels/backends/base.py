"""The backend contract: what a :class:`~ws_channels.ChannelsPlugin` asks of the broker it runs on.

A backend moves encoded events between publishers and the plugin's
subscribers, one process (memory) or many (Redis). It keeps the method names
of Litestar's ``ChannelsBackend`` for what Litestar has (:meth:`on_startup`,
:meth:`on_shutdown`, :meth:`publish`, :meth:`subscribe`, :meth:`unsubscribe`,
:meth:`stream_events`, :meth:`get_history`) with their meaning unchanged,
and adds what positions, resume, presence and connection state need.

Calling contract (the plugin keeps it; a backend may rely on it):

- :meth:`on_startup` first, :meth:`on_shutdown` last; the plugin may start and
  stop the same backend again (an app restarted in one process). Both are
  awaited by the same task, outside any cancel scope the plugin enters in
  between, so a backend may hold a task group (its broker connection) from
  one to the other; :meth:`on_shutdown` must then bound its own time.
- One consumer: between start-up and shutdown the plugin iterates
  :meth:`stream_channel_events` in one task and :meth:`stream_presence_changes`
  in another. Shutdown ends both iterations (or the plugin cancels them).
- :meth:`subscribe` and :meth:`unsubscribe` calls never overlap (the plugin
  serialises them), and :meth:`subscribe` returns only once the subscription
  is effective: an event published after it returned is delivered.

What a backend guarantees (the plugin builds resume and dedupe on it):

- **Positions.** Every event of a channel gets the next ``offset`` (1, 2, ...)
  within the channel's ``epoch``; the epoch is a string that changes when the
  channel's history and counter are lost (a Redis flush, a new memory
  backend). Offsets are assigned in publication order, and
  :meth:`stream_channel_events` yields each channel's events in offset order.
- **History agrees with delivery.** An event that :meth:`stream_channel_events`
  yields is already in the history :meth:`read_history` returns (as far as the
  backend keeps history at all), so "subscribe, then read history after a
  position" has no gap.
- **Replay.** A backend that loses its connection reconnects, resubscribes
  and yields, in order, what it still holds after the last offset it yielded
  per channel. The plugin drops anything it has already dispatched (by
  offset) and treats a jump in offsets or a new epoch as a gap: the
  subscribers' ``recovered`` turns false and the missing events are counted
  as lost. A backend without history (pub/sub) thus needs no replay to be
  honest, only positions.
- **Presence.** Entries are identified by an ``entry_id`` the plugin makes;
  the backend stores ``(key, meta)`` per entry for ``ttl`` seconds and renews
  the entries it holds itself until they are untracked (a process that died
  stops renewing, so its entries vanish). :meth:`stream_presence_changes`
  yields a change per entry that appeared or went away in a watched channel;
  yielding one twice, or a leave for an entry never joined, is harmless (the
  plugin applies changes idempotently), so after a reconnect a backend may
  simply re-announce what it reads.

What each Redis backend implements (issue 17): the pub/sub backend assigns
offsets with a per-channel counter in a Lua script that also publishes (no
history: :meth:`read_history` returns the epoch and head with no events);
the stream backend appends, numbers and notifies in one Lua script, keeps the
epoch in a meta key, and reads history with ``XRANGE`` — both report
:attr:`connected` and :attr:`reconnects` and keep presence in per-channel
keys with per-entry expiry.
"""

from __future__ import annotations

import abc
from collections.abc import AsyncGenerator, AsyncIterator, Iterable
from dataclasses import dataclass, field
from typing import Any

from ws_channels.events import ChannelEvent

__all__ = ["ChannelHistory", "ChannelsBackend", "PresenceChange"]


@dataclass(frozen=True)
class ChannelHistory:
    """What a backend holds of one channel's past, read at one moment.

    Attributes:
        epoch: The channel's current epoch.
        head: The offset of the newest event published to the channel in this
            epoch (``0`` if none), whether or not history still holds it.
        events: The events asked for that history still holds, oldest first,
            at consecutive offsets.
    """

    epoch: str
    head: int
    events: list[ChannelEvent] = field(default_factory=list)


@dataclass(frozen=True)
class PresenceChange:
    """One presence entry that appeared (``joined``) or went away in a channel.

    Attributes:
        channel: The channel.
        entry_id: The entry's identity (one per ``track`` block, in every process).
        key: Whose entry it is (a user name, a user id ...).
        meta: What was tracked with it (JSON-encodable), or ``None``.
        joined: ``True`` for an entry that appeared, ``False`` for one that left.
    """

    channel: str
    entry_id: str
    key: str
    meta: Any
    joined: bool


class ChannelsBackend(abc.ABC):
    """Base class of every channels backend (see the module docstring for the contract).

    Subclasses implement the abstract methods; :meth:`stream_events` and
    :meth:`get_history` (Litestar's) are derived from the positioned ones,
    and :attr:`connected` / :attr:`reconnects` default to an always-connected
    backend.
    """

    # -- lifecycle (Litestar) -------------------------------------------------

    @abc.abstractmethod
    async def on_startup(self) -> None:
        """Connect and get ready; called by the plugin as it starts.

        Raises:
            Exception: The backend cannot start (a Redis server that cannot be
                reached: the message names the URL). The plugin's start, and
                so the app's lifespan, fails with it.
        """

    @abc.abstractmethod
    async def on_shutdown(self) -> None:
        """Release everything; ends the event and presence iterations."""

    # -- events (Litestar) ----------------------------------------------------

    @abc.abstractmethod
    async def publish(self, data: bytes, channels: Iterable[str]) -> None:
        """Publish ``data`` to each of ``channels``, giving each its next offset.

        Returns once the backend holds the event (stored and on its way to
        subscribers).

        Raises:
            RuntimeError: The backend was not started.
            Exception: The broker failed; the plugin retries, then counts the
                event as lost.
        """

    @abc.abstractmethod
    async def subscribe(self, channels: Iterable[str]) -> None:
        """Start receiving the events of ``channels``; effective once it returns."""

    @abc.abstractmethod
    async def unsubscribe(self, channels: Iterable[str]) -> None:
        """Stop receiving the events of ``channels``."""

    async def stream_events(self) -> AsyncGenerator[tuple[str, bytes], None]:
        """Yield ``(channel, data)`` for every event of a subscribed channel (Litestar's view).

        The same events as :meth:`stream_channel_events`, without positions.
        """
        async for event in self.stream_channel_events():
            yield event.channel, event.data

    async def get_history(self, channel: str, limit: int | None = None) -> list[bytes]:
        """Return the payloads history holds for ``channel``: the newest ``limit``, oldest first.

        ``limit=None`` returns all of them.
        """
        history = await self.read_history(channel, limit=limit)
        return [event.data for event in history.events]

    # -- positions and resume ---------------------------------------------------

    @abc.abstractmethod
    def stream_channel_events(self) -> AsyncIterator[ChannelEvent]:
        """Return the iterator of every event of a subscribed channel, with its position.

        Iterated by one task between :meth:`on_startup` and
        :meth:`on_shutdown`; each channel's events come in offset order. While
        the broker is unreachable it waits (and reconnects, resubscribes and
        replays as the module docstring says) rather than ending.
        """

    @abc.abstractmethod
    async def read_history(
        self, channel: str, *, after: int | None = None, limit: int | None = None
    ) -> ChannelHistory:
        """Read ``channel``'s epoch, head and the history it still holds, at one moment.

        Args:
            channel: The channel.
            after: Only events with an offset above this one.
            limit: At most this many events: the newest ones.

        Returns:
            The :class:`ChannelHistory`; its ``epoch`` and ``head`` are read
            together with its events.
        """

    # -- connection state -------------------------------------------------------

    @property
    def connected(self) -> bool:
        """Whether the backend can reach its broker now (always, in one process)."""
        return True

    @property
    def reconnects(self) -> int:
        """How many times the backend has reconnected to its broker since it started."""
        return 0

    # -- presence -----------------------------------------------------------------

    @abc.abstractmethod
    async def track(self, channel: str, entry_id: str, key: str, meta: Any, ttl: float) -> None:
        """Add the presence entry ``entry_id`` of ``key`` to ``channel``, renewed until untracked.

        Args:
            channel: The channel.
            entry_id: A new identity (the plugin makes one per ``track`` block).
            key: Whose entry it is.
            meta: JSON-encodable data shown with it, or ``None``.
            ttl: Seconds the entry outlives its last renewal (a dead process's
                entries vanish after that).
        """

    @abc.abstractmethod
    async def untrack(self, channel: str, entry_id: str) -> None:
        """Remove the presence entry ``entry_id`` from ``channel`` (no-op if absent)."""

    @abc.abstractmethod
    async def get_presence_entries(self, channel: str) -> dict[str, tuple[str, Any]]:
        """Return ``channel``'s entries as ``{entry_id: (key, meta)}``, in every process."""

    @abc.abstractmethod
    async def watch_presence(self, channels: Iterable[str]) -> None:
        """Start yielding the presence changes of ``channels``; effective once it returns."""

    @abc.abstractmethod
    async def unwatch_presence(self, channels: Iterable[str]) -> None:
        """Stop yielding the presence changes of ``channels``."""

    @abc.abstractmethod
    def stream_presence_changes(self) -> AsyncIterator[PresenceChange]:
        """Return the iterator of presence changes in watched channels (one consumer)."""
