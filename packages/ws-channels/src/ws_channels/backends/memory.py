"""``MemoryChannelsBackend``: channels inside one process, on asyncio and trio."""

from __future__ import annotations

import secrets
from collections import deque
from collections.abc import AsyncIterator, Iterable
from typing import Any

from ws_channels.backends.base import ChannelHistory, ChannelsBackend, PresenceChange
from ws_channels.backends.pipe import Pipe
from ws_channels.events import ChannelEvent
from ws_core import ConfigurationError

__all__ = ["MemoryChannelsBackend"]


# Events and presence changes waiting for the plugin's consumer tasks. When
# full, publish() and track() wait: the backpressure reaches the plugin's
# bounded publish queue, where it is counted, instead of piling up here.
_STREAM_BUFFER = 1000


class MemoryChannelsBackend(ChannelsBackend):
    """The embedded backend: one process, no broker.

    Offsets are counted per channel from 1 for as long as the backend object
    lives (its epoch is drawn when it is created, so a new backend — a
    restarted process — is a new epoch). The newest ``history`` events of each
    channel are kept, for every channel published to, subscribed or not.
    Presence entries live in this process only (``ttl`` does not apply: they
    vanish with it).

    Args:
        history: How many past events to keep per channel (``0``: none).

    Raises:
        ConfigurationError: ``history`` is not an int of at least 0.
    """

    def __init__(self, history: int = 0) -> None:
        if isinstance(history, bool) or not isinstance(history, int) or history < 0:
            raise ConfigurationError(
                f"MemoryChannelsBackend: history must be an int >= 0, got {history!r}"
            )
        self.history = history
        self.epoch = secrets.token_hex(8)
        self._heads: dict[str, int] = {}
        self._histories: dict[str, deque[ChannelEvent]] = {}
        self._subscribed: set[str] = set()
        self._watched: set[str] = set()
        self._presence: dict[str, dict[str, tuple[str, Any]]] = {}
        self._events: Pipe[ChannelEvent] | None = None
        self._changes: Pipe[PresenceChange] | None = None

    def __repr__(self) -> str:
        return f"MemoryChannelsBackend(history={self.history})"

    async def on_startup(self) -> None:
        """Open the event and presence streams the plugin iterates."""
        self._events = Pipe(_STREAM_BUFFER)
        self._changes = Pipe(_STREAM_BUFFER)

    async def on_shutdown(self) -> None:
        """Close both streams: their iterations end."""
        for pipe in (self._events, self._changes):
            if pipe is not None:
                pipe.close()
        self._events = self._changes = None

    async def publish(self, data: bytes, channels: Iterable[str]) -> None:
        """Number ``data`` in each channel, keep it in history, and pass it to subscribers.

        Raises:
            RuntimeError: The backend was not started.
        """
        events = self._events
        if events is None:
            raise RuntimeError("MemoryChannelsBackend.publish() called before on_startup()")
        for channel in channels:
            offset = self._heads.get(channel, 0) + 1
            self._heads[channel] = offset
            event = ChannelEvent(channel, data, offset, self.epoch)
            if self.history:
                kept = self._histories.get(channel)
                if kept is None:
                    kept = self._histories[channel] = deque(maxlen=self.history)
                kept.append(event)
            if channel in self._subscribed:
                await events.put(event)

    async def subscribe(self, channels: Iterable[str]) -> None:
        """Pass the events of ``channels`` to :meth:`stream_channel_events` from now on."""
        self._subscribed.update(channels)

    async def unsubscribe(self, channels: Iterable[str]) -> None:
        """Stop passing the events of ``channels``."""
        self._subscribed.difference_update(channels)

    def stream_channel_events(self) -> AsyncIterator[ChannelEvent]:
        """Iterate the events of subscribed channels until shutdown.

        Raises:
            RuntimeError: The backend was not started.
        """
        if self._events is None:
            raise RuntimeError("MemoryChannelsBackend: on_startup() was not called")
        return self._events.items()

    async def read_history(
        self, channel: str, *, after: int | None = None, limit: int | None = None
    ) -> ChannelHistory:
        """Return the epoch, head and kept events of ``channel`` (see the base class)."""
        events = list(self._histories.get(channel, ()))
        if after is not None:
            events = [event for event in events if event.offset > after]
        if limit is not None:
            events = events[-limit:] if limit > 0 else []
        return ChannelHistory(self.epoch, self._heads.get(channel, 0), events)

    async def track(self, channel: str, entry_id: str, key: str, meta: Any, ttl: float) -> None:
        """Add the entry; watchers hear of it (``ttl`` does not apply in one process)."""
        self._presence.setdefault(channel, {})[entry_id] = (key, meta)
        await self._announce(PresenceChange(channel, entry_id, key, meta, joined=True))

    async def untrack(self, channel: str, entry_id: str) -> None:
        """Remove the entry, if present; watchers hear of it."""
        entries = self._presence.get(channel)
        if entries is None or entry_id not in entries:
            return
        key, meta = entries.pop(entry_id)
        if not entries:
            del self._presence[channel]
        await self._announce(PresenceChange(channel, entry_id, key, meta, joined=False))

    async def get_presence_entries(self, channel: str) -> dict[str, tuple[str, Any]]:
        """Return ``{entry_id: (key, meta)}`` of ``channel``, in the order they were tracked."""
        return dict(self._presence.get(channel, {}))

    async def watch_presence(self, channels: Iterable[str]) -> None:
        """Announce the changes of ``channels`` from now on."""
        self._watched.update(channels)

    async def unwatch_presence(self, channels: Iterable[str]) -> None:
        """Stop announcing the changes of ``channels``."""
        self._watched.difference_update(channels)

    def stream_presence_changes(self) -> AsyncIterator[PresenceChange]:
        """Iterate the presence changes of watched channels until shutdown.

        Raises:
            RuntimeError: The backend was not started.
        """
        if self._changes is None:
            raise RuntimeError("MemoryChannelsBackend: on_startup() was not called")
        return self._changes.items()

    async def _announce(self, change: PresenceChange) -> None:
        changes = self._changes
        if changes is not None and change.channel in self._watched:
            await changes.put(change)
