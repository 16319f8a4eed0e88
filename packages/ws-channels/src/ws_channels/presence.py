"""Presence watchers: the state of each watched channel, and the diffs each watcher is owed.

For every channel with at least one watcher the :class:`PresenceHub` keeps
the channel's entries (``{entry_id: (key, meta)}``), fed by the backend's
presence changes, applied idempotently (a join of a known entry, a leave of
an unknown one change nothing). A channel's first watcher starts the
backend's watch first, holds the changes back while it reads the entries,
then applies what it held: no change is missed or counted twice at the seam.

A :class:`PresenceWatcher` does not queue diffs: it keeps the net change
since the watcher last looked (an entry that joined and left meanwhile
cancels out), so a slow watcher costs memory in proportion to the channel's
presence, never to the number of changes, and nothing has to be dropped.
"""

from __future__ import annotations

from typing import Any

import anyio

from ws_channels.backends.base import ChannelsBackend, PresenceChange
from ws_channels.events import PresenceDiff
from ws_channels.types import PresenceEntry

__all__ = ["PresenceHub", "PresenceWatcher", "group_by_key"]


def group_by_key(entries: dict[str, PresenceEntry]) -> dict[str, list[Any]]:
    """``{entry_id: (key, meta)}`` → ``{key: [meta, ...]}``, keeping the entries' order."""
    grouped: dict[str, list[Any]] = {}
    for key, meta in entries.values():
        grouped.setdefault(key, []).append(meta)
    return grouped


class PresenceWatcher:
    """An async iterator of :class:`~ws_channels.PresenceDiff` for one channel.

    The first diff holds the whole state as joins; each later one holds what
    changed since the previous one. Iteration ends when the plugin stops.
    """

    def __init__(self, channel: str, state: dict[str, PresenceEntry]) -> None:
        self.channel = channel
        self._joins = dict(state)
        self._leaves: dict[str, PresenceEntry] = {}
        self._changed = anyio.Event()
        self._closed = False
        self._first = True

    def __aiter__(self) -> PresenceWatcher:
        return self

    async def __anext__(self) -> PresenceDiff:
        while not self._first and not (self._joins or self._leaves):
            if self._closed:
                raise StopAsyncIteration
            await self._changed.wait()
            self._changed = anyio.Event()
        self._first = False
        diff = PresenceDiff(group_by_key(self._joins), group_by_key(self._leaves))
        self._joins, self._leaves = {}, {}
        return diff

    def push(self, change: PresenceChange) -> None:
        """Fold one applied change into what the watcher is owed."""
        if change.joined:
            self._joins[change.entry_id] = (change.key, change.meta)
        elif self._joins.pop(change.entry_id, None) is None:
            self._leaves[change.entry_id] = (change.key, change.meta)
        self._changed.set()

    def close(self) -> None:
        """End the iteration once what is owed has been yielded."""
        self._closed = True
        self._changed.set()


class _Room:
    """One watched channel: its entries, its watchers, and its changes held while syncing."""

    def __init__(self) -> None:
        self.entries: dict[str, PresenceEntry] = {}
        self.watchers: set[PresenceWatcher] = set()
        self.held: list[PresenceChange] | None = []
        self.ready = anyio.Event()

    def apply(self, change: PresenceChange) -> bool:
        if change.joined:
            if change.entry_id in self.entries:
                return False
            self.entries[change.entry_id] = (change.key, change.meta)
            return True
        return self.entries.pop(change.entry_id, None) is not None


class PresenceHub:
    """The watched channels of one plugin (see the module docstring).

    Args:
        backend: The backend holding presence.
    """

    def __init__(self, backend: ChannelsBackend) -> None:
        self._backend = backend
        self._rooms: dict[str, _Room] = {}
        self._lock: anyio.Lock | None = None
        # Set by the plugin while it runs (and consumes the backend's changes).
        self.running = False

    def apply(self, change: PresenceChange) -> None:
        """Apply one backend change to its channel, if it is watched."""
        room = self._rooms.get(change.channel)
        if room is None:
            return
        if room.held is not None:
            room.held.append(change)
        elif room.apply(change):
            for watcher in room.watchers:
                watcher.push(change)

    async def watch(self, channel: str) -> PresenceWatcher:
        """Return a new watcher of ``channel``, starting the backend's watch if it is the first.

        Raises:
            RuntimeError: The plugin is not running.
        """
        if not self.running:
            raise RuntimeError("presence_events() needs the plugin running (it follows changes)")
        while True:
            room = self._rooms.get(channel)
            if room is None:
                room = await self._open(channel)
            else:
                await room.ready.wait()
            if self._rooms.get(channel) is room:
                watcher = PresenceWatcher(channel, room.entries)
                room.watchers.add(watcher)
                return watcher

    async def _open(self, channel: str) -> _Room:
        room = self._rooms[channel] = _Room()
        try:
            async with self._get_lock():
                await self._backend.watch_presence([channel])
                entries = await self._backend.get_presence_entries(channel)
        except BaseException:
            # stop() may have cleared the rooms meanwhile (the plugin stopping).
            if self._rooms.get(channel) is room:
                del self._rooms[channel]
            room.ready.set()
            with anyio.CancelScope(shield=True):
                await self._unwatch_if_idle(channel)
            raise
        room.entries = dict(entries)
        held, room.held = room.held or [], None
        for change in held:
            room.apply(change)
        room.ready.set()
        return room

    async def unwatch(self, watcher: PresenceWatcher) -> None:
        """Forget ``watcher``; stop the backend's watch if it was the channel's last."""
        watcher.close()
        room = self._rooms.get(watcher.channel)
        if room is None or watcher not in room.watchers:
            return
        room.watchers.discard(watcher)
        if not room.watchers:
            del self._rooms[watcher.channel]
            await self._unwatch_if_idle(watcher.channel)

    async def _unwatch_if_idle(self, channel: str) -> None:
        async with self._get_lock():
            if channel not in self._rooms:
                await self._backend.unwatch_presence([channel])

    def stop(self) -> None:
        """End every watcher's iteration (the plugin is stopping)."""
        for room in self._rooms.values():
            for watcher in room.watchers:
                watcher.close()
        self._rooms.clear()
        self._lock = None

    def _get_lock(self) -> anyio.Lock:
        if self._lock is None:
            self._lock = anyio.Lock()
        return self._lock
