"""``RedisBackend``: what the pub/sub and the stream backends share.

The link (:mod:`~ws_channels.backends.redis.link`) reads every message of
the process's subscription in one task and hands it to :meth:`_route`, which
parses it and puts events and presence changes into two pipes that the
plugin's consumer tasks iterate. Events pass on in offset order per channel:
one that is not after the last one passed on (in the same epoch) is dropped,
so a replay after a reconnection may overlap what arrived live.

Publishing runs the publish script through the client. While the
subscription is down (Redis away, most likely), a publish first waits for it
to come back, at most ``timeout`` seconds, then tries anyway; the plugin
retries a failed publish (see ``ws_channels.publisher.RETRY_DELAYS``).
"""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator, Iterable
from contextlib import AsyncExitStack
from typing import TYPE_CHECKING, Any, TypeVar

import anyio
from anyio.abc import TaskGroup

from ws_channels.backends.base import ChannelsBackend, PresenceChange
from ws_channels.backends.pipe import Pipe
from ws_channels.backends.redis import scripts
from ws_channels.backends.redis.keys import ChannelNames, probe_channel
from ws_channels.backends.redis.presence import Presence
from ws_channels.backends.redis.wire import Malformed, parse_event
from ws_channels.events import ChannelEvent
from ws_core import ConfigurationError

if TYPE_CHECKING:
    from ws_channels.backends.redis.link import RedisLink

__all__ = ["META_TTL", "RedisBackend"]

META_TTL = 7 * 24 * 3600.0
"""Seconds a channel's epoch and head outlive its last publish (and its stream's expiry)."""

_T = TypeVar("_T")

# Items read from Redis and not yet taken by the plugin. When full, the reader
# waits (what Redis sends meanwhile waits in the connection's buffer).
_PIPE_SIZE = 10_000


class RedisBackend(ChannelsBackend):
    """The base of both Redis backends (see the module docstring); not used on its own.

    Args:
        redis: A ``coredis.Redis`` client, or ``None`` with ``url``.
        url: A ``redis://`` (``rediss://``, ``unix://``) URL, or ``None`` with ``redis``.
        key_prefix: What every Redis name of the backend starts with.
        timeout: Seconds one Redis command, a (re)connection or a probe may take.
        health_check_interval: Seconds between two probes of the subscription.
        history: How many events per channel the stream keeps (``0``: no stream).
        stream_ttl: Seconds a channel's stream outlives its last publish.

    Raises:
        ConfigurationError: An argument out of its range, or not exactly
            one of ``redis`` and ``url``.
        ImportError: coredis is not installed (``pip install 'ws-channels[redis]'``).
    """

    def __init__(
        self,
        redis: Any,
        *,
        url: str | None,
        key_prefix: str,
        timeout: float,
        health_check_interval: float,
        history: int,
        stream_ttl: float,
    ) -> None:
        kind = type(self).__name__
        if not isinstance(key_prefix, str) or not key_prefix:
            raise ConfigurationError(
                f"{kind}: key_prefix must be a non-empty str, got {key_prefix!r}"
            )
        self.key_prefix = key_prefix
        self.history = history
        self.stream_ttl = stream_ttl
        self._meta_ttl_ms = int((stream_ttl + META_TTL) * 1000)
        self._stream_ttl_ms = max(int(stream_ttl * 1000), 1)
        self._malformed = Malformed()
        # Pub/sub channels listened to → (is it events?, the ws-channel).
        self._routes: dict[bytes, tuple[bool, str]] = {}
        # The position of the last event passed on, per subscribed channel.
        self._positions: dict[str, tuple[str, int]] = {}
        self._link: RedisLink = _link_class()(
            redis,
            url,
            timeout=timeout,
            health_check_interval=health_check_interval,
            probe_channel=probe_channel(key_prefix, secrets.token_hex(8)),
            route=self._route,
            on_ready=self._on_ready,
            owner=kind,
        )
        self._presence = Presence(self._link, self._names, self._routes, self._malformed)
        self._events: Pipe[ChannelEvent] | None = None
        self._changes: Pipe[PresenceChange] | None = None
        self._stack: AsyncExitStack | None = None
        self._task_group: TaskGroup | None = None

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self._link.target!r}, key_prefix={self.key_prefix!r})"

    # -- state ----------------------------------------------------------------

    @property
    def connected(self) -> bool:
        """Whether the subscription is up and its last probe came back."""
        return self._link.connected

    @property
    def reconnects(self) -> int:
        """How many times the subscription was re-established since the backend was made."""
        return self._link.reconnects

    @property
    def malformed(self) -> int:
        """How many messages and stream or presence entries another program wrote were skipped."""
        return self._malformed.count

    @property
    def target(self) -> str:
        """Redis, as the backend's messages name it (its URL without the password)."""
        return self._link.target

    async def check_health(self) -> None:
        """Check now that the subscription delivers: a probe published through Redis must come back.

        For a readiness endpoint (``stats()["connected"]`` tells the state
        from the last probe without a round trip). What this backend published
        before the call reaches the subscription before the probe.

        Raises:
            ConnectionError: Not connected, or no probe back within ``timeout``;
                the subscription then reconnects.
        """
        await self._link.check_health()

    # -- lifecycle ----------------------------------------------------------------

    async def on_startup(self) -> None:
        """Connect, subscribe to what was asked before, start the presence heartbeat.

        Raises:
            ConnectionError: Redis cannot be reached (the message names it).
            RuntimeError: The backend is already started.
        """
        if self._stack is not None:
            raise RuntimeError(f"{self!r} is already started")
        self._events, self._changes = Pipe(_PIPE_SIZE), Pipe(_PIPE_SIZE)
        stack = AsyncExitStack()
        try:
            await stack.enter_async_context(self._link)
            task_group = await stack.enter_async_context(anyio.create_task_group())
            task_group.start_soon(self._presence.run, self._changes.put)
        except BaseException:
            # Not in a scope of its own: the stack holds task groups entered outside it.
            await stack.aclose()
            self._reset()
            raise
        self._stack, self._task_group = stack, task_group

    async def on_shutdown(self) -> None:
        """Stop reading and renewing, leave Redis, end both iterations; forget subscriptions."""
        stack, task_group = self._stack, self._task_group
        self._stack = self._task_group = None
        if stack is None or task_group is None:
            return
        task_group.cancel_scope.cancel()
        try:
            await stack.aclose()
        finally:
            self._reset()

    def _reset(self) -> None:
        for pipe in (self._events, self._changes):
            if pipe is not None:
                pipe.close()
        self._events = self._changes = None
        self._link.forget_subscriptions()
        self._routes.clear()
        self._positions.clear()
        self._presence.reset()
        self._forget_positions()
        self._malformed.flush()

    def _forget_positions(self) -> None:
        """Forget what a subclass keeps per subscribed channel (the backend stopped)."""

    # -- events ---------------------------------------------------------------------

    async def publish(self, data: bytes, channels: Iterable[str]) -> None:
        """Number ``data`` in each channel, keep it (stream backend), announce it: one script.

        Raises:
            RuntimeError: The backend was not started.
            ConnectionError: Redis did not answer in time (the plugin retries).
            coredis.exceptions.ResponseError: The script failed (a key of
                the backend's overwritten with another type by another program).
        """
        link = self._link
        if link.running and not link.connected:
            await link.wait_connected()
        for channel in channels:
            names = self._names(channel)
            await link.run_script(
                scripts.PUBLISH,
                self._keys(names),
                [
                    data,
                    secrets.token_hex(8),
                    self._meta_ttl_ms,
                    names.events,
                    self.history,
                    self._stream_ttl_ms,
                ],
            )

    async def subscribe(self, channels: Iterable[str]) -> None:
        """Listen to the channels' events; effective once it returns.

        Before :meth:`on_startup` the channels are noted, and subscribed at
        start-up. While Redis is away, this waits for the subscription to be
        back, at most ``timeout`` seconds.

        Raises:
            ConnectionError: The subscription did not come back in time.
        """
        names = list(dict.fromkeys(channels))
        pubsub_names = []
        for channel in names:
            pubsub_name = self._names(channel).events
            self._routes[pubsub_name] = (True, channel)
            pubsub_names.append(pubsub_name)
        try:
            await self._link.subscribe(pubsub_names)
            if self._link.running:
                await self._subscribed(names)
        except BaseException:
            with anyio.CancelScope(shield=True):
                await self.unsubscribe(names)
            raise

    async def _subscribed(self, channels: list[str]) -> None:
        """Called once ``channels`` are subscribed to, while running (for subclasses)."""

    async def unsubscribe(self, channels: Iterable[str]) -> None:
        """Stop listening to the channels' events."""
        names = list(channels)
        pubsub_names = [self._names(channel).events for channel in names]
        for channel, pubsub_name in zip(names, pubsub_names, strict=True):
            self._routes.pop(pubsub_name, None)
            self._positions.pop(channel, None)
        self._unsubscribed(names)
        await self._link.unsubscribe(pubsub_names)

    def _unsubscribed(self, channels: list[str]) -> None:
        """Called as ``channels`` are unsubscribed from (for subclasses)."""

    def stream_channel_events(self) -> AsyncIterator[ChannelEvent]:
        """Iterate the events of subscribed channels until shutdown, in offset order per channel.

        Raises:
            RuntimeError: The backend was not started.
        """
        return self._started(self._events).items()

    async def _route(self, pubsub_name: bytes, data: bytes) -> None:
        route = self._routes.get(pubsub_name)
        if route is None:
            return  # left meanwhile
        is_events, channel = route
        if is_events:
            event = parse_event(channel, data)
            if event is None:
                self._malformed.add("an event", pubsub_name.decode(errors="replace"))
            else:
                await self._pass_on(event)
            return
        change = self._presence.on_message(channel, data)
        if change is not None and self._changes is not None:
            await self._changes.put(change)

    async def _pass_on(self, event: ChannelEvent) -> None:
        """Put ``event`` into the events pipe unless one at or after its position went already."""
        last = self._positions.get(event.channel)
        if last is not None and last[0] == event.epoch and event.offset <= last[1]:
            return
        self._positions[event.channel] = (event.epoch, event.offset)
        if self._events is not None:
            await self._events.put(event)

    async def _on_ready(self) -> None:
        """Each new subscription, before it reads: catch up on events, then on presence."""
        await self._catch_up()
        if self._changes is not None:
            await self._presence.resync(self._changes.put)

    async def _catch_up(self) -> None:
        """Pass on what a subscription missed while there was none (for subclasses)."""

    def _keys(self, names: ChannelNames) -> list[str]:
        """The keys the publish and read scripts touch."""
        return [names.meta]

    def _names(self, channel: str) -> ChannelNames:
        return ChannelNames(self.key_prefix, channel)

    # -- presence ---------------------------------------------------------------------

    async def track(self, channel: str, entry_id: str, key: str, meta: Any, ttl: float) -> None:
        """Add the entry, shared with every process, renewed until untracked.

        While Redis is away the entry is kept and written at the next renewal
        (logged at WARNING).

        Raises:
            RuntimeError: The backend was not started.
        """
        await self._presence.track(channel, entry_id, key, meta, ttl)

    async def untrack(self, channel: str, entry_id: str) -> None:
        """Remove the entry (while Redis is away, it expires within two thirds of its ttl)."""
        await self._presence.untrack(channel, entry_id)

    async def get_presence_entries(self, channel: str) -> dict[str, tuple[str, Any]]:
        """Return ``channel``'s entries of every process, in the order they joined.

        Entries past their deadline (a dead process's) are removed first.
        """
        return await self._presence.entries(channel)

    async def watch_presence(self, channels: Iterable[str]) -> None:
        """Listen to the presence changes of ``channels``; effective once it returns."""
        await self._presence.watch(list(channels))

    async def unwatch_presence(self, channels: Iterable[str]) -> None:
        """Stop listening to the presence changes of ``channels``."""
        await self._presence.unwatch(list(channels))

    def stream_presence_changes(self) -> AsyncIterator[PresenceChange]:
        """Iterate the presence changes of watched channels until shutdown.

        Raises:
            RuntimeError: The backend was not started.
        """
        return self._started(self._changes).items()

    def _started(self, pipe: Pipe[_T] | None) -> Pipe[_T]:
        if pipe is None:
            raise RuntimeError(f"{self!r}: on_startup() was not called")
        return pipe


def _link_class() -> type[RedisLink]:
    """The link class, imported now: the only import of coredis."""
    try:
        from ws_channels.backends.redis.link import RedisLink
    except ModuleNotFoundError as exc:
        if not (exc.name or "").startswith("coredis"):
            raise
        raise ImportError(
            "the Redis backends of ws-channels need coredis: pip install 'ws-channels[redis]'"
        ) from exc
    return RedisLink
