"""Channels backends: the contract (:class:`ChannelsBackend`), the memory and the Redis backends.

The Redis backends import without coredis; making one needs the extra
``ws-channels[redis]``.
"""

from ws_channels.backends.base import ChannelHistory, ChannelsBackend, PresenceChange
from ws_channels.backends.memory import MemoryChannelsBackend
from ws_channels.backends.redis import RedisChannelsPubSubBackend, RedisChannelsStreamBackend

__all__ = [
    "ChannelHistory",
    "ChannelsBackend",
    "MemoryChannelsBackend",
    "PresenceChange",
    "RedisChannelsPubSubBackend",
    "RedisChannelsStreamBackend",
]
