"""Presence on Redis, shared by every process: entries with deadlines, renewed by a heartbeat.

A channel's entries live in a hash (``entry_id`` → ``"<seq> <json>"``, see
:mod:`~ws_channels.backends.redis.wire`) beside a sorted set of their
deadlines, in Redis time. Each process renews the entries it tracks every
third of their ``ttl``, to a deadline two thirds of ``ttl`` ahead (so one
late heartbeat is forgiven); the scripts announce every entry that appears
or goes on the channel's presence pub/sub channel.

Entries past their deadline — those of a process that died — are removed
(and announced) by a *sweep*: before every read of the channel's entries,
and by each process watching the channel, when the channel's next deadline
comes. So a dead process's entries vanish within two thirds of ``ttl``
wherever the channel is watched, and a read never shows them.

After a reconnection the link calls :meth:`Presence.resync` before reading
messages again: the process puts back its own entries (gone if Redis lost
its data; nothing is announced for entries still there), and for each
watched channel reads the entries and announces what changed meanwhile.
Entries that seem gone are not announced as leaving at once: they may
belong to a process that has not put its entries back yet (Redis restarted
empty). They are checked again once two thirds of their ``ttl`` have passed —
the time a live process has to renew an entry — and only those still
missing are announced: no leave-and-join storm after a quick restart.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

import anyio

from ws_channels.backends.base import PresenceChange
from ws_channels.backends.redis import scripts
from ws_channels.backends.redis.keys import ChannelNames
from ws_channels.backends.redis.wire import (
    Malformed,
    StoredEntry,
    encode_entry,
    parse_presence_change,
    parse_stored_entry,
)
from ws_channels.logs import logger
from ws_channels.types import PresenceEntry

if TYPE_CHECKING:
    from ws_channels.backends.redis.link import RedisLink

__all__ = ["Presence"]

Announce = Callable[[PresenceChange], Awaitable[None]]

# When no entry of this process says how long entries live.
_DEFAULT_TTL = 30.0
# How often the heartbeat looks at least, and at most.
_LONGEST_NAP = 10.0
_SHORTEST_NAP = 0.05


class _Held:
    """An entry this process tracks: what the track script stores, and its ttl."""

    __slots__ = ("encoded", "ttl")

    def __init__(self, encoded: bytes, ttl: float) -> None:
        self.encoded = encoded
        self.ttl = ttl


class Presence:
    """The presence of one Redis backend (see the module docstring).

    Args:
        link: The backend's link to Redis.
        names: The Redis names of a channel.
        routes: The backend's table of pub/sub channels to route; watched
            channels are added as ``(False, channel)``.
        malformed: Where entries and messages that do not parse are counted.
    """

    def __init__(
        self,
        link: RedisLink,
        names: Callable[[str], ChannelNames],
        routes: dict[bytes, tuple[bool, str]],
        malformed: Malformed,
    ) -> None:
        self._link = link
        self._names = names
        self._routes = routes
        self._malformed = malformed
        self._held: dict[str, dict[str, _Held]] = {}
        # Per watched channel: the entries announced or read (what watchers may
        # hold), with their ttl.
        self._seen: dict[str, dict[str, tuple[PresenceEntry, float]]] = {}
        # Per watched channel: entries that seemed gone after a reconnection, and when
        # to check them again.
        self._doubtful: dict[str, tuple[float, dict[str, PresenceEntry]]] = {}
        self._sweep_at: dict[str, float] = {}
        self._renew_at = 0.0
        # Set to cut the heartbeat's nap short (something new is due sooner).
        self._wake: anyio.Event | None = None

    def reset(self) -> None:
        """Forget the entries held and watched (the backend stops)."""
        self._held.clear()
        self._seen.clear()
        self._doubtful.clear()
        self._sweep_at.clear()

    # -- this process's entries -----------------------------------------------------

    async def track(self, channel: str, entry_id: str, key: str, meta: Any, ttl: float) -> None:
        """Hold the entry and write it (while Redis is away, the next renewal writes it)."""
        held = _Held(encode_entry(entry_id, key, meta, ttl), ttl)
        due = time.monotonic() + ttl / 3
        self._renew_at = min(self._renew_at, due) if self._held else due
        self._held.setdefault(channel, {})[entry_id] = held
        self._wake_up()
        try:
            await self._write(channel, {entry_id: held})
        except ConnectionError as exc:
            logger.warning(
                "presence entry of %r in %r kept for the next renewal: %s", key, channel, exc
            )

    async def untrack(self, channel: str, entry_id: str) -> None:
        """Stop holding the entry and remove it (while Redis is away, it expires instead)."""
        entries = self._held.get(channel)
        if entries is None or entries.pop(entry_id, None) is None:
            return
        if not entries:
            del self._held[channel]
        names = self._names(channel)
        try:
            await self._link.run_script(
                scripts.UNTRACK,
                [names.presence, names.presence_until],
                [names.presence_changes, entry_id],
            )
        except ConnectionError as exc:
            logger.debug("presence entry %s of %r left to expire: %s", entry_id, channel, exc)

    async def _write(self, channel: str, entries: dict[str, _Held]) -> None:
        names = self._names(channel)
        deadline_ms = int(min(held.ttl for held in entries.values()) * 2000 / 3)
        args: list[str | bytes | int] = [deadline_ms, names.presence_changes]
        for entry_id, held in entries.items():
            args += [entry_id, held.encoded]
        await self._link.run_script(scripts.TRACK, [names.presence, names.presence_until], args)

    async def renew(self) -> None:
        """Write every held entry again (and put back those Redis lost)."""
        self._renew_at = time.monotonic() + self._ttl() / 3
        for channel, entries in list(self._held.items()):
            if entries:
                await self._write(channel, dict(entries))

    def _wake_up(self) -> None:
        if self._wake is not None:
            self._wake.set()

    def _ttl(self) -> float:
        ttls = [held.ttl for entries in self._held.values() for held in entries.values()]
        return min(ttls, default=_DEFAULT_TTL)

    # -- every process's entries --------------------------------------------------------

    async def entries(self, channel: str) -> dict[str, PresenceEntry]:
        """Sweep ``channel``, then return its entries in the order they joined."""
        entries = await self._sweep(channel, read=True)
        if channel in self._seen:
            self._seen[channel] = _seen_form(entries)
        return {entry_id: (entry.key, entry.meta) for entry_id, entry in entries.items()}

    async def _sweep(self, channel: str, *, read: bool) -> dict[str, StoredEntry]:
        names = self._names(channel)
        wait_ms, flat = await self._link.run_script(
            scripts.SWEEP,
            [names.presence, names.presence_until],
            [names.presence_changes, "1" if read else "0"],
        )
        now = time.monotonic()
        self._sweep_at[channel] = now + (
            _LONGEST_NAP if int(wait_ms) < 0 else max(int(wait_ms) / 1000, _SHORTEST_NAP)
        )
        found: list[StoredEntry] = []
        for field, stored in zip(flat[::2], flat[1::2], strict=True):
            if field == b"#":
                continue
            entry = parse_stored_entry(stored)
            if entry is None:
                self._malformed.add("a presence entry", names.presence)
                continue
            found.append(entry)
        found.sort(key=lambda entry: entry.seq)
        return {entry.entry_id: entry for entry in found}

    # -- watching -----------------------------------------------------------------------

    async def watch(self, channels: list[str]) -> None:
        """Listen to the presence changes of ``channels``; effective once it returns."""
        subscribed = []
        for channel in channels:
            name = self._names(channel).presence_changes
            self._routes[name] = (False, channel)
            self._seen.setdefault(channel, {})
            self._sweep_at.setdefault(channel, 0.0)
            subscribed.append(name)
        self._wake_up()
        try:
            await self._link.subscribe(subscribed)
        except BaseException:
            self._forget(channels)
            raise

    async def unwatch(self, channels: list[str]) -> None:
        """Stop listening to the presence changes of ``channels``."""
        self._forget(channels)
        await self._link.unsubscribe(
            [self._names(channel).presence_changes for channel in channels]
        )

    def _forget(self, channels: list[str]) -> None:
        for channel in channels:
            self._routes.pop(self._names(channel).presence_changes, None)
            self._seen.pop(channel, None)
            self._doubtful.pop(channel, None)
            self._sweep_at.pop(channel, None)

    def on_message(self, channel: str, raw: bytes) -> PresenceChange | None:
        """The change announced on ``channel``'s presence pub/sub channel, if it parses."""
        parsed = parse_presence_change(channel, raw)
        if parsed is None:
            self._malformed.add("a presence change", self._names(channel).presence_changes.decode())
            return None
        change, ttl = parsed
        seen = self._seen.get(channel)
        if seen is not None:
            if change.joined:
                seen[change.entry_id] = ((change.key, change.meta), ttl)
                # Its deadline comes at most two thirds of its ttl from now.
                due = time.monotonic() + ttl * 2 / 3
                if due < self._sweep_at.get(channel, due + 1):
                    self._sweep_at[channel] = due
                    self._wake_up()
            else:
                seen.pop(change.entry_id, None)
        doubtful = self._doubtful.get(channel)
        if doubtful is not None:
            doubtful[1].pop(change.entry_id, None)
        return change

    # -- after a reconnection, and the heartbeat ---------------------------------------------

    async def resync(self, announce: Announce) -> None:
        """Put this process's entries back, then announce what changed in watched channels."""
        await self.renew()
        for channel in list(self._seen):
            now_there = await self._sweep(channel, read=True)
            seen = self._seen.get(channel)
            if seen is None:
                continue  # unwatched meanwhile
            for entry_id, entry in now_there.items():
                if entry_id not in seen:
                    await announce(
                        PresenceChange(channel, entry_id, entry.key, entry.meta, joined=True)
                    )
            missing = {
                entry_id: seen_entry
                for entry_id, seen_entry in seen.items()
                if entry_id not in now_there
            }
            self._seen[channel] = {**_seen_form(now_there), **missing}
            if missing:
                patience = max(ttl for _, ttl in missing.values()) * 2 / 3
                self._doubtful[channel] = (
                    time.monotonic() + patience,
                    {entry_id: entry for entry_id, (entry, _) in missing.items()},
                )
        self._wake_up()

    async def run(self, announce: Announce) -> None:
        """Renew, sweep and re-check when due, until cancelled; Redis errors only delay it."""
        while True:
            now = time.monotonic()
            due = [self._renew_at if self._held else now + _LONGEST_NAP]
            due += self._sweep_at.values()
            due += [at for at, _ in self._doubtful.values()]
            self._wake = anyio.Event()
            with anyio.move_on_after(min(max(min(due) - now, _SHORTEST_NAP), _LONGEST_NAP)):
                await self._wake.wait()
            if not self._link.connected:
                continue  # the reconnection resyncs
            try:
                await self._beat(announce)
            except ConnectionError as exc:
                logger.debug("presence heartbeat postponed: %s", exc)

    async def _beat(self, announce: Announce) -> None:
        now = time.monotonic()
        if self._held and now >= self._renew_at:
            await self.renew()
        for channel, at in list(self._sweep_at.items()):
            if now >= at:
                await self._sweep(channel, read=False)
        for channel, (at, missing) in list(self._doubtful.items()):
            if now < at:
                continue
            del self._doubtful[channel]
            now_there = await self.entries(channel)
            for entry_id, (key, meta) in missing.items():
                if entry_id not in now_there:
                    await announce(PresenceChange(channel, entry_id, key, meta, joined=False))


def _seen_form(entries: dict[str, StoredEntry]) -> dict[str, tuple[PresenceEntry, float]]:
    return {entry_id: ((entry.key, entry.meta), entry.ttl) for entry_id, entry in entries.items()}
