"""ws-channels: publish once, deliver to every subscriber — rooms, history, resume, presence.

A :class:`ChannelsPlugin` joins an :class:`~ws_core.App`
(``App([...], plugins=[channels])``, injected as ``channels``) or runs on its
own (``async with ChannelsPlugin(...) as channels:``). ``publish`` encodes an
event once and hands it to the backend without waiting; the plugin's fan-out
offers the same object to every :class:`Subscriber` of the channel, each
behind its own bounded backlog (``backoff``, ``dropleft`` or ``close`` when
full; every drop counted and logged), so one stuck socket never delays the
others. Every event carries its position (:class:`ChannelEvent`'s epoch and
offset), so a subscriber resumes with ``since=`` without a gap or a
duplicate; ``track`` / ``get_presence`` / ``presence_events``
(:class:`PresenceDiff`) tell who is there. Backends implement
:class:`ChannelsBackend`; :class:`MemoryChannelsBackend` is the embedded one,
:class:`RedisChannelsPubSubBackend` and :class:`RedisChannelsStreamBackend`
span processes (extra ``ws-channels[redis]``).
Everything runs on asyncio and trio and logs on the ``ws_channels`` logger.

Exceptions::

    Exception
    ├── ChannelsException           caller error, at the call: a channel the plugin
    │                               does not serve (named in the message)
    ├── ws_core.ConfigurationError  caller error, at construction: neither channels
    │                               nor arbitrary_channels_allowed, an option out of range
    ├── RuntimeError                caller error: publish()/wait_published() before the
    │                               plugin started or after it stopped, presence_events()
    │                               while it is not running, a second run_in_background()
    └── TypeError
        └── ws_codec.EncodeError    caller error, at once: a value publish() cannot encode

A backend's own errors reach ``wait_published``'s caller; ``publish`` never
raises them (it retries, then counts and logs the loss).
"""

from ws_channels.__about__ import __version__ as __version__
from ws_channels.backends import (
    ChannelHistory,
    ChannelsBackend,
    MemoryChannelsBackend,
    PresenceChange,
    RedisChannelsPubSubBackend,
    RedisChannelsStreamBackend,
)
from ws_channels.events import ChannelEvent, PresenceDiff
from ws_channels.exceptions import ChannelsException
from ws_channels.plugin import ChannelsPlugin
from ws_channels.subscriber import EventCallback, Subscriber
from ws_channels.types import BacklogStrategy, Position, PresenceEntry

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
