"""Channels for ws-kit, re-exported from ``ws_channels``: publish once, deliver to all.

``from ws_kit.channels import ChannelsPlugin, Subscriber, ...`` gives exactly
the public names of :mod:`ws_channels` (its ``__all__``); see that package for
the plugin, subscribers, positions and resume, presence and the backends.
"""

from ws_channels import (
    BacklogStrategy,
    ChannelEvent,
    ChannelHistory,
    ChannelsBackend,
    ChannelsException,
    ChannelsPlugin,
    EventCallback,
    MemoryChannelsBackend,
    Position,
    PresenceChange,
    PresenceDiff,
    PresenceEntry,
    RedisChannelsPubSubBackend,
    RedisChannelsStreamBackend,
    Subscriber,
)

__all__ = [
    "BacklogStrategy",
    "ChannelEvent",
    "ChannelHistory",
    "ChannelsBackend",
    "ChannelsException",
    "ChannelsPlugin",
    "EventCallback",
    "MemoryChannelsBackend",
    "Position",
    "PresenceChange",
    "PresenceDiff",
    "PresenceEntry",
    "RedisChannelsPubSubBackend",
    "RedisChannelsStreamBackend",
    "Subscriber",
]
