"""The Redis backends (``pip install 'ws-channels[redis]'``), on coredis: asyncio and trio.

:class:`RedisChannelsPubSubBackend` carries live events across processes,
at most once; :class:`RedisChannelsStreamBackend` adds history and resume
on Redis Streams. Both import without coredis; making one without it raises
an :class:`ImportError` naming the extra.

Modules: ``keys`` (Redis names), ``scripts`` (Lua), ``wire`` (formats),
``link`` (coredis: commands and the kept-alive subscription), ``presence``,
``pipe``, ``backend`` (what both share), ``pubsub`` and ``stream``.
"""

from ws_channels.backends.redis.pubsub import RedisChannelsPubSubBackend
from ws_channels.backends.redis.stream import RedisChannelsStreamBackend

__all__ = ["RedisChannelsPubSubBackend", "RedisChannelsStreamBackend"]
