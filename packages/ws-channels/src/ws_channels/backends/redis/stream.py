"""``RedisChannelsStreamBackend``: events, history and resume across processes on Redis Streams."""

from __future__ import annotations

import secrets
from datetime import timedelta
from typing import Any

from ws_channels.backends.base import ChannelHistory
from ws_channels.backends.redis import scripts
from ws_channels.backends.redis.backend import RedisBackend
from ws_channels.backends.redis.keys import ChannelNames
from ws_channels.backends.redis.wire import parse_stream_entry
from ws_channels.events import ChannelEvent
from ws_core import ConfigurationError

__all__ = ["RedisChannelsStreamBackend"]

_GLOB_SPECIALS = "\\*?[]"


class RedisChannelsStreamBackend(RedisBackend):
    """Events across processes and machines, with history and resume, on Redis Streams.

    **Keys.** Channel ``c`` has, under ``key_prefix`` ``p``, the stream
    ``p:{c}:stream`` (its newest events), the hash ``p:{c}:meta`` (its
    ``epoch`` and ``head``, the newest offset) and the pub/sub channel
    ``p:{c}:events``; the braces make them one Redis Cluster hash slot.
    Channel names are used as they are (no case folding).

    **Publishing** is one Lua script: it takes the next offset from the meta
    key, appends the event to the stream (``MAXLEN ~ history``, the stream's
    TTL renewed to ``stream_ttl``) and publishes it with its offset and epoch.
    So an event a subscriber receives is always already in history.

    **History** holds the channel's newest ``history`` offsets (the stream may
    keep a few more, trimmed approximately; they are not returned). The meta
    key outlives the stream (seven days past it), so a client whose position
    is the head still resumes with ``recovered`` true after the stream expired.
    When the meta key is lost (``FLUSHALL``, a Redis restarted without
    persistence, :meth:`flush_all`) the next publish or read draws a new epoch.

    **Liveness.** One pub/sub connection per backend carries every channel the
    process has subscribers for. A probe goes through it every
    ``health_check_interval`` seconds and must come back within ``timeout``;
    a connection that closed, that Redis cut (``client-output-buffer-limit``)
    or that stopped delivering is replaced, with a growing delay (0.05 s to
    2 s), for as long as it takes. After each reconnection the backend reads
    from the stream what each channel published after the last event it passed
    on, then goes live again: nothing history still holds is missed, nothing
    is passed twice. ``stats()["connected"]`` is false while it is down,
    ``stats()["reconnects"]`` counts the recoveries, and :meth:`check_health`
    probes on demand (a readiness endpoint).

    **Presence** is shared by every process: each entry has a deadline,
    renewed by the process holding it; the entries of a process that died
    vanish within two thirds of ``presence_ttl``.

    Entries another program writes into the stream (or messages into its
    channels) are skipped, counted (:attr:`malformed`) and logged.

    Args:
        history: How many events per channel history keeps (``0``: none;
            then only positions are kept, as the pub/sub backend does).
        redis: A ``coredis.Redis`` client (``decode_responses=False``), entered
            by the backend at start-up; or pass ``url``.
        url: A ``redis://``, ``rediss://`` or ``unix://`` URL to make the client from.
        stream_ttl: How long a channel's stream outlives its last publish
            (seconds, or a ``timedelta``).
        key_prefix: What every Redis name of the backend starts with.
        timeout: Seconds one Redis command, a (re)connection or a probe may take.
        health_check_interval: Seconds between two probes of the subscription.

    Raises:
        ConfigurationError: Not exactly one of ``redis`` and ``url``, a client
            that decodes responses or is not a ``coredis.Redis``, or an option
            out of its range.
        ImportError: coredis is not installed (``pip install 'ws-channels[redis]'``).
    """

    def __init__(
        self,
        history: int = 100,
        *,
        redis: Any = None,
        url: str | None = None,
        stream_ttl: float | timedelta = timedelta(days=1),
        key_prefix: str = "ws-kit",
        timeout: float = 2.0,
        health_check_interval: float = 5.0,
    ) -> None:
        kind = type(self).__name__
        if isinstance(history, bool) or not isinstance(history, int) or history < 0:
            raise ConfigurationError(f"{kind}: history must be an int >= 0, got {history!r}")
        ttl = stream_ttl.total_seconds() if isinstance(stream_ttl, timedelta) else stream_ttl
        if isinstance(ttl, bool) or not isinstance(ttl, int | float) or not ttl > 0:
            raise ConfigurationError(
                f"{kind}: stream_ttl must be a number of seconds above 0 or a timedelta, "
                f"got {stream_ttl!r}"
            )
        super().__init__(
            redis,
            url=url,
            key_prefix=key_prefix,
            timeout=timeout,
            health_check_interval=health_check_interval,
            history=history,
            stream_ttl=float(ttl),
        )
        # Per subscribed channel that nothing was passed on for yet: its position
        # when it was subscribed, where a replay starts.
        self._floors: dict[str, tuple[str, int]] = {}

    def _keys(self, names: ChannelNames) -> list[str]:
        return [names.meta, names.stream]

    async def read_history(
        self, channel: str, *, after: int | None = None, limit: int | None = None
    ) -> ChannelHistory:
        """Read the channel's epoch, head and the events history holds after ``after`` (``XRANGE``).

        Returns at most ``limit`` events, the newest, oldest first, at
        consecutive offsets; entries that are not the backend's are skipped
        and counted.
        """
        names = self._names(channel)
        epoch_bytes, head_reply, raw = await self._link.run_script(
            scripts.READ,
            self._keys(names),
            [
                b"",
                secrets.token_hex(8),
                self._meta_ttl_ms,
                max(after or 0, 0),
                -1 if limit is None else max(limit, 0),
                self.history,
            ],
        )
        epoch, head = epoch_bytes.decode(), int(head_reply)
        events: list[ChannelEvent] = []
        for _, flat in reversed(raw):
            event = parse_stream_entry(
                channel, epoch, dict(zip(flat[::2], flat[1::2], strict=True))
            )
            if (
                event is None
                or event.offset > head
                or (events and event.offset <= events[-1].offset)
            ):
                self._malformed.add("a stream entry", names.stream)
                continue
            if events and event.offset != events[-1].offset + 1:
                # A hole (an entry deleted by hand): only the newest unbroken run counts.
                self._malformed.add("a hole in a stream", names.stream)
                events.clear()
            events.append(event)
        return ChannelHistory(epoch, head, events)

    async def flush_all(self) -> int:
        """Delete the history and positions of every channel under the prefix; return how many.

        Each channel's next publish or read starts a new epoch; subscribers of
        a flushed channel see ``recovered`` turn false at its next event.
        """
        prefix = "".join(
            f"\\{char}" if char in _GLOB_SPECIALS else char for char in self.key_prefix
        )
        streams = await self._link.scan(f"{prefix}:{{*}}:stream")
        metas = await self._link.scan(f"{prefix}:{{*}}:meta")
        keys = [*streams, *metas]
        for start in range(0, len(keys), 500):
            await self._link.delete(keys[start : start + 500])
        return len(streams)

    async def _subscribed(self, channels: list[str]) -> None:
        for channel in channels:
            await self._note_floor(channel)

    async def _note_floor(self, channel: str) -> None:
        if channel not in self._positions and channel not in self._floors:
            history = await self.read_history(channel, limit=0)
            self._floors[channel] = (history.epoch, history.head)

    def _unsubscribed(self, channels: list[str]) -> None:
        for channel in channels:
            self._floors.pop(channel, None)

    def _forget_positions(self) -> None:
        self._floors.clear()

    async def _catch_up(self) -> None:
        """Replay, per subscribed channel, what the stream holds after the last event passed on."""
        for is_events, channel in list(self._routes.values()):
            if not is_events:
                continue
            position = self._positions.get(channel) or self._floors.get(channel)
            if position is None:
                await self._note_floor(channel)
                continue
            epoch, offset = position
            history = await self.read_history(channel, after=offset)
            if history.epoch != epoch:
                history = await self.read_history(channel)  # all of the new epoch still held
            for event in history.events:
                await self._pass_on(event)
