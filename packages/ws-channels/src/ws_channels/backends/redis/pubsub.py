"""``RedisChannelsPubSubBackend``: live events across processes on Redis pub/sub, at most once."""

from __future__ import annotations

import secrets
from typing import Any

from ws_channels.backends.base import ChannelHistory
from ws_channels.backends.redis import scripts
from ws_channels.backends.redis.backend import RedisBackend

__all__ = ["RedisChannelsPubSubBackend"]


class RedisChannelsPubSubBackend(RedisBackend):
    """Events across processes and machines through Redis pub/sub; no history.

    Each ws-channel has its own Redis pub/sub channel under ``key_prefix``
    (``<key_prefix>:{<channel>}:events``): a process receives only the
    channels it has subscribers for. A script numbers each event with the
    channel's counter and publishes it, so events carry positions like on
    every backend; Redis keeps nothing else. Delivery is **at most once**: an
    event published while a process's subscription is down (Redis restarting,
    the connection cut) never reaches that process. The plugin notices the
    jump in offsets at the next event, counts the missed events as lost and
    turns the subscribers' ``recovered`` false. History reads return no events
    (a resume ``since=`` recovers only when nothing was missed).

    Liveness, reconnection and presence are those of the stream backend:
    see :class:`~ws_channels.RedisChannelsStreamBackend`.

    Args:
        redis: A ``coredis.Redis`` client (``decode_responses=False``), entered
            by the backend at start-up; or pass ``url``.
        url: A ``redis://``, ``rediss://`` or ``unix://`` URL to make the client from.
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
        *,
        redis: Any = None,
        url: str | None = None,
        key_prefix: str = "ws-kit",
        timeout: float = 2.0,
        health_check_interval: float = 5.0,
    ) -> None:
        super().__init__(
            redis,
            url=url,
            key_prefix=key_prefix,
            timeout=timeout,
            health_check_interval=health_check_interval,
            history=0,
            stream_ttl=0.0,
        )

    async def read_history(
        self, channel: str, *, after: int | None = None, limit: int | None = None
    ) -> ChannelHistory:
        """Return the channel's epoch and head; there are never events (no history)."""
        names = self._names(channel)
        epoch, head, _ = await self._link.run_script(
            scripts.READ,
            self._keys(names),
            [b"", secrets.token_hex(8), self._meta_ttl_ms, 0, 0, 0],
        )
        return ChannelHistory(epoch.decode(), int(head))
