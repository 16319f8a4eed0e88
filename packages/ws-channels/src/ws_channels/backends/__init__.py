"""Channels backends: the contract (:class:`ChannelsBackend`) and the memory backend."""

from ws_channels.backends.base import ChannelHistory, ChannelsBackend, PresenceChange
from ws_channels.backends.memory import MemoryChannelsBackend

__all__ = ["ChannelHistory", "ChannelsBackend", "MemoryChannelsBackend", "PresenceChange"]
