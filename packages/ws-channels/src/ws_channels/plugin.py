"""``ChannelsPlugin``: publish once, deliver to every subscriber; history, resume and presence.

The plugin joins an :class:`~ws_core.App` through ws-core's plugin contract
(``App(..., plugins=[channels])``): it adds the ``channels`` dependency, its
own lifespan and, if asked, the generated route handlers. Without an app it
is an async context manager of its own (``async with ChannelsPlugin(...) as
channels:``), for a worker process that publishes.

While running, four tasks of the plugin's task group do the work: the
fan-out (the backend's events → every subscriber's bounded backlog, never
waiting on one) and the task that wakes the subscribers it fed (see
:mod:`ws_channels.registry`), the publisher (``publish()``'s queue → the backend, see
:mod:`ws_channels.publisher`) and the presence hub (the backend's presence
changes → watchers).
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Iterable, Mapping, Sequence
from contextlib import AsyncExitStack, asynccontextmanager
from types import TracebackType
from typing import Any, cast, get_args

import anyio
from anyio.abc import TaskGroup

from ws_channels.backends.base import ChannelsBackend
from ws_channels.backends.memory import MemoryChannelsBackend
from ws_channels.consuming import keep_consuming
from ws_channels.events import PresenceDiff
from ws_channels.exceptions import ChannelsException
from ws_channels.handlers import CHANNEL_PARAMETER, ChannelRouteHandler
from ws_channels.presence import PresenceHub, group_by_key
from ws_channels.publisher import Publisher
from ws_channels.registry import Registry
from ws_channels.subscriber import Subscriber
from ws_channels.types import BacklogStrategy, Position
from ws_codec import encoder_for
from ws_core import AppConfig, ConfigurationError, Guard, WebSocketMode, check_choice
from ws_di import Provide

__all__ = ["ChannelsPlugin"]

_KIND = "ChannelsPlugin"
_DEPENDENCY = "channels"
_encode_binary = encoder_for(Any, mode="binary", protocol="json")
# How long giving back a subscription or a presence entry may take when the
# block that held it ends (shielded from cancellation, so it must be bounded).
_RELEASE_TIMEOUT = 5.0
# The fan-out's largest batch of events between two turns of the other tasks.
_MAX_EVENTS_PER_CHECKPOINT = 32


class ChannelsPlugin:
    """Channels for an :class:`~ws_core.App` or a worker; injected as ``channels``.

    Args:
        backend: Where events travel; by default a
            :class:`~ws_channels.MemoryChannelsBackend` keeping 100 events
            per channel.
        channels: The channels served. Without ``arbitrary_channels_allowed``,
            any other channel is a :class:`~ws_channels.ChannelsException`.
        arbitrary_channels_allowed: Serve any channel name.
        create_ws_route_handlers: Add a route per declared channel at
            ``ws_handler_base_path + name`` — or, with arbitrary channels, one
            route ``ws_handler_base_path + "{channel_name:str}"`` — that sends
            the channel's events to each connection.
        ws_handler_send_history: How many past events the generated routes
            send on connect (``-1``: all that history holds).
        ws_handler_base_path: The generated routes' path prefix.
        ws_send_mode: ``"text"`` or ``"binary"``: how generated routes, and
            ``run_in_background`` given a socket or its ``send_data``, send.
        ws_handler_guards: Guards of the generated routes.
        subscriber_max_backlog: How many events may wait per subscriber.
        subscriber_backlog_strategy: ``"backoff"``, ``"dropleft"`` or
            ``"close"`` (see :class:`~ws_channels.Subscriber`).
        send_positions: Generated routes and ``run_in_background`` send each
            event as ``{"channel", "offset", "epoch", "data"}`` (see
            :attr:`ChannelEvent.positioned_data
            <ws_channels.ChannelEvent.positioned_data>`).
        presence_ttl: Seconds a presence entry outlives the process that
            tracks it (on a backend shared by processes).

    Attributes:
        backend: The backend.
        declared_channels: The declared channels.
        arbitrary_channels_allowed: As given.
        ws_handler_send_history: As given.
        ws_send_mode: As given.
        subscriber_max_backlog: As given.
        subscriber_backlog_strategy: As given.
        send_positions: As given.
        presence_ttl: As given.

    Raises:
        ConfigurationError: Neither ``channels`` nor
            ``arbitrary_channels_allowed``, or an option out of its range.
    """

    def __init__(
        self,
        backend: ChannelsBackend | None = None,
        *,
        channels: Iterable[str] | None = None,
        arbitrary_channels_allowed: bool = False,
        create_ws_route_handlers: bool = False,
        ws_handler_send_history: int = 0,
        ws_handler_base_path: str = "/",
        ws_send_mode: WebSocketMode = "text",
        ws_handler_guards: Sequence[Guard] = (),
        subscriber_max_backlog: int = 1000,
        subscriber_backlog_strategy: BacklogStrategy = "backoff",
        send_positions: bool = False,
        presence_ttl: float = 30.0,
    ) -> None:
        self.backend = MemoryChannelsBackend(history=100) if backend is None else backend
        if not isinstance(self.backend, ChannelsBackend):
            raise ConfigurationError(
                f"{_KIND}: backend must be a ChannelsBackend, got {self.backend!r}"
            )
        self.declared_channels = _declared(channels)
        if not self.declared_channels and not arbitrary_channels_allowed:
            raise ConfigurationError(
                f"{_KIND}: declare the channels served (channels=[...]) or allow any "
                "(arbitrary_channels_allowed=True)"
            )
        self.arbitrary_channels_allowed = arbitrary_channels_allowed
        self.ws_handler_send_history = _int_at_least(
            ws_handler_send_history, -1, "ws_handler_send_history"
        )
        self.ws_send_mode: WebSocketMode = check_choice(
            ws_send_mode, "ws_send_mode", get_args(WebSocketMode), _KIND
        )
        self.subscriber_max_backlog = _int_at_least(
            subscriber_max_backlog, 1, "subscriber_max_backlog"
        )
        self.subscriber_backlog_strategy: BacklogStrategy = check_choice(
            subscriber_backlog_strategy,
            "subscriber_backlog_strategy",
            get_args(BacklogStrategy),
            _KIND,
        )
        self.send_positions = send_positions
        if (
            isinstance(presence_ttl, bool)
            or not isinstance(presence_ttl, int | float)
            or not presence_ttl > 0
        ):
            raise ConfigurationError(
                f"{_KIND}: presence_ttl must be a number above 0, got {presence_ttl!r}"
            )
        self.presence_ttl = float(presence_ttl)
        self._declared_set = frozenset(self.declared_channels)
        self._registry = Registry(self.backend, self.declared_channels)
        self._publisher = Publisher(self.backend, self._registry)
        self._presence = PresenceHub(self.backend)
        self._route_handlers = (
            _route_handlers(self, ws_handler_base_path, ws_handler_guards)
            if create_ws_route_handlers
            else []
        )
        self._stack: AsyncExitStack | None = None
        self._task_group: TaskGroup | None = None

    def __repr__(self) -> str:
        served = "any channel" if self.arbitrary_channels_allowed else list(self.declared_channels)
        return f"<ChannelsPlugin {self.backend!r}, {served}>"

    # -- joining an App -------------------------------------------------------

    @property
    def route_handlers(self) -> list[ChannelRouteHandler]:
        """The generated route handlers (empty unless ``create_ws_route_handlers``)."""
        return list(self._route_handlers)

    def on_app_init(self, config: AppConfig) -> AppConfig:
        """Add the ``channels`` dependency, the plugin's lifespan and the generated routes.

        Raises:
            ConfigurationError: The app already has a dependency named ``channels``.
        """
        if _DEPENDENCY in config.dependencies:
            raise ConfigurationError(
                f"{_KIND}: the app already has a dependency named {_DEPENDENCY!r}, "
                "which the plugin provides"
            )
        config.dependencies[_DEPENDENCY] = Provide(self._provide, sync_to_thread=False)
        config.lifespan.append(self)
        config.route_handlers.extend(self._route_handlers)
        return config

    def _provide(self) -> ChannelsPlugin:
        return self

    # -- running --------------------------------------------------------------

    @property
    def is_running(self) -> bool:
        """Whether the plugin has started and not stopped."""
        return self._stack is not None

    async def __aenter__(self) -> ChannelsPlugin:
        """Start the backend and the plugin's tasks.

        Raises:
            RuntimeError: The plugin is already running.
            Exception: The backend could not start (the app's lifespan fails with it).
        """
        if self._stack is not None:
            raise RuntimeError(f"{self!r} is already running")
        await self.backend.on_startup()
        stack = AsyncExitStack()
        try:
            task_group = await stack.enter_async_context(anyio.create_task_group())
            await task_group.start(self._publisher.run)
            await task_group.start(self._registry.pay_wakeups_soon)
            await task_group.start(
                keep_consuming,
                self.backend.stream_channel_events,
                self._registry.dispatch,
                f"{self!r}: the backend's event stream",
                _events_per_checkpoint(self.subscriber_max_backlog),
                self._registry.pay_wakeups,
            )
            await task_group.start(
                keep_consuming,
                self.backend.stream_presence_changes,
                self._presence.apply,
                f"{self!r}: the backend's presence stream",
            )
            self._presence.running = True
        except BaseException:
            with anyio.CancelScope(shield=True):
                await stack.aclose()
            # Outside any scope of ours (see __aexit__).
            await self.backend.on_shutdown()
            raise
        self._stack, self._task_group = stack, task_group
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        """Flush what ``publish`` scheduled, stop every subscriber and watcher, stop the backend.

        Subscribers' iterators end, their background tasks are cancelled.
        Bounded in time: shutdown never hangs on a stuck backend or socket.
        """
        stack, task_group = self._stack, self._task_group
        if stack is None or task_group is None:
            return
        self._stack = self._task_group = None
        try:
            with anyio.CancelScope(shield=True):
                await self._publisher.stop()
            for subscriber in list(self._registry.subscribers):
                subscriber._end()
                subscriber._cancel_drain()
            self._registry.remove_all()
            self._presence.running = False
            self._presence.stop()
            task_group.cancel_scope.cancel()
            # Outside any scope of ours: the task group was entered in __aenter__.
            await stack.aclose()
        finally:
            self._registry.reset()
            # Outside any scope of ours as well: a backend may hold a task group
            # (a broker connection) from on_startup() to on_shutdown(), and
            # bounds its own shutdown (see the backend contract).
            await self.backend.on_shutdown()

    # -- publishing -----------------------------------------------------------

    def publish(self, data: Any, channels: str | Iterable[str]) -> None:
        """Schedule ``data`` for ``channels``; never waits. Callable from any thread.

        ``str`` goes out as UTF-8, ``bytes`` as they are, anything else
        encoded once to JSON. If the queue is full, or the backend keeps
        failing, the event is counted as lost (``stats()``) and logged.

        Raises:
            ChannelsException: A channel is not served.
            ws_codec.EncodeError: ``data`` cannot be encoded (nothing is sent).
            RuntimeError: The plugin is not running.
        """
        names = self._names(channels)
        self._publisher.schedule(_encode(data), names)

    async def wait_published(self, data: Any, channels: str | Iterable[str]) -> None:
        """Publish ``data`` to ``channels``; return once the backend has it.

        Goes through ``publish``'s queue (waiting for room, never dropped), so
        events keep their order whichever of the two a publisher uses. A
        backend error is retried like ``publish``'s (at most about
        1.3 s: :data:`ws_channels.publisher.RETRY_DELAYS`), then raised.

        Raises:
            ChannelsException: A channel is not served.
            ws_codec.EncodeError: ``data`` cannot be encoded (nothing is sent).
            RuntimeError: The plugin is not running, this is not its event
                loop's thread, or it stopped before publishing the event.
            Exception: The backend's last error.
        """
        names = self._names(channels)
        await self._publisher.publish_and_wait(_encode(data), names)

    # -- subscribing ----------------------------------------------------------

    async def subscribe(
        self,
        channels: str | Iterable[str],
        history: int | None = None,
        *,
        since: Mapping[str, Position] | None = None,
    ) -> Subscriber:
        """Return a new subscriber of ``channels``, live from now on.

        With ``history``, it first receives the channel's last ``history``
        events (``-1``: all that history holds); with ``since={channel:
        (epoch, offset)}``, exactly the events after that position still in
        history (``history`` then does not apply to that channel), with
        ``subscriber.recovered[channel]`` telling whether that was all of
        them. Either way the live events follow with no gap and no duplicate.
        History beyond the backlog's size meets the backlog policy (counted).

        Raises:
            ChannelsException: A channel is not served.
            ValueError: A ``since`` entry is not ``(epoch, offset >= 0)`` for
                one of ``channels``, or ``history`` is below -1.
        """
        names = self._names(channels)
        positions = _positions(since, names)
        limit = _history_limit(history)
        subscriber = Subscriber(self, self.subscriber_max_backlog, self.subscriber_backlog_strategy)
        catching_up = [name for name in names if name in positions or limit != 0]
        subscriber._hold_back(catching_up)
        try:
            self._registry.add(subscriber, names)
            await self._registry.subscribe_backend(names)
            for name in catching_up:
                position = positions.get(name)
                if position is None:
                    history_read = await self.backend.read_history(name, limit=limit)
                else:
                    history_read = await self.backend.read_history(name, after=position[1])
                subscriber._catch_up(name, history_read, position)
        except BaseException:
            with anyio.move_on_after(_RELEASE_TIMEOUT, shield=True):
                await self.unsubscribe(subscriber)
            raise
        return subscriber

    async def unsubscribe(
        self, subscriber: Subscriber, channels: str | Iterable[str] | None = None
    ) -> None:
        """Take ``subscriber`` out of ``channels`` (all of its channels by default).

        Once it is in no channel its stream ends: its iterators end after the
        events already queued. Idempotent.
        """
        names = tuple(subscriber.channels) if channels is None else self._names(channels)
        if not subscriber.channels.difference(names):
            subscriber._end()
        self._registry.remove(subscriber, names)
        await self._registry.unsubscribe_backend()

    @asynccontextmanager
    async def start_subscription(
        self,
        channels: str | Iterable[str],
        history: int | None = None,
        *,
        since: Mapping[str, Position] | None = None,
    ) -> AsyncIterator[Subscriber]:
        """Subscribe (as :meth:`subscribe`) for the duration of the block, then unsubscribe."""
        subscriber = await self.subscribe(channels, history, since=since)
        try:
            yield subscriber
        finally:
            with anyio.move_on_after(_RELEASE_TIMEOUT, shield=True):
                await self.unsubscribe(subscriber)

    async def put_subscriber_history(
        self, subscriber: Subscriber, channels: str | Iterable[str], limit: int | None = None
    ) -> None:
        """Put the channels' history (the newest ``limit`` events, or all) into ``subscriber``.

        As in Litestar, this is separate from the live subscription: an event
        published meanwhile may arrive twice. ``subscribe(..., history=N)``
        has no such seam.
        """
        for name in self._names(channels):
            history_read = await self.backend.read_history(name, limit=limit)
            for event in history_read.events:
                subscriber._offer(event)

    async def get_channel_history(self, channel: str, limit: int | None = None) -> list[bytes]:
        """Return ``channel``'s history, the newest ``limit`` events (or all), oldest first.

        Raises:
            ChannelsException: The channel is not served.
        """
        (name,) = self._names(channel)
        return await self.backend.get_history(name, limit)

    def _abandon(self, subscriber: Subscriber) -> None:
        """Take out a subscriber that stopped itself (the ``close`` policy), without waiting."""
        subscriber._end()
        self._registry.remove(subscriber, tuple(subscriber.channels))
        if self._task_group is not None:
            self._task_group.start_soon(self._registry.unsubscribe_backend)

    # -- presence -------------------------------------------------------------

    @asynccontextmanager
    async def track(self, channel: str, key: str, meta: Any = None) -> AsyncIterator[None]:
        """Mark ``key`` present in ``channel`` while the block runs (one entry per block).

        Args:
            channel: The channel.
            key: Whose presence (a user name, an id); a key may have several entries.
            meta: JSON-encodable data shown with the entry (``get_presence``,
                ``presence_events``).

        Raises:
            ChannelsException: The channel is not served.
            TypeError: ``key`` is not a ``str``.
            ws_codec.EncodeError: ``meta`` is not JSON-encodable.
        """
        (name,) = self._names(channel)
        if not isinstance(key, str):
            raise TypeError(f"track(): key must be a str, got {key!r}")
        _encode(meta)
        entry_id = uuid.uuid4().hex
        try:
            await self.backend.track(name, entry_id, key, meta, self.presence_ttl)
            yield
        finally:
            with anyio.move_on_after(_RELEASE_TIMEOUT, shield=True):
                await self.backend.untrack(name, entry_id)

    async def get_presence(self, channel: str) -> dict[str, list[Any]]:
        """Return who is present in ``channel``: ``{key: [meta, ...]}``, one meta per entry.

        Raises:
            ChannelsException: The channel is not served.
        """
        (name,) = self._names(channel)
        return group_by_key(await self.backend.get_presence_entries(name))

    @asynccontextmanager
    async def presence_events(self, channel: str) -> AsyncIterator[AsyncIterator[PresenceDiff]]:
        """Watch ``channel``'s presence while the block runs.

        Yields an async iterator of :class:`~ws_channels.PresenceDiff`: the
        first holds the whole current state as joins, each later one what
        changed since (a slow reader gets the changes merged, never dropped).

        Raises:
            ChannelsException: The channel is not served.
            RuntimeError: The plugin is not running.
        """
        (name,) = self._names(channel)
        watcher = await self._presence.watch(name)
        try:
            yield watcher
        finally:
            with anyio.move_on_after(_RELEASE_TIMEOUT, shield=True):
                await self._presence.unwatch(watcher)

    # -- observing ------------------------------------------------------------

    def stats(self) -> dict[str, Any]:
        """Return the counters: totals, the backend's state, and per channel.

        ``{"connected", "reconnects", "published", "delivered", "dropped",
        "lost", "subscribers", "channels": {name: {"published", "delivered",
        "dropped", "lost", "subscribers"}}}``: ``published`` counts events this
        process handed to the backend, ``delivered`` events handed to a
        subscriber's consumer, ``dropped`` events a backlog policy discarded,
        ``lost`` events that never reached subscribers (a full publish queue,
        a backend that kept failing, a gap in what the backend delivered).
        Declared channels are always listed; an arbitrary channel while it has
        subscribers.
        """
        return {
            "connected": self.backend.connected,
            "reconnects": self.backend.reconnects,
            **self._registry.stats(self._publisher.lost_by_channel()),
        }

    # -- names ----------------------------------------------------------------

    def _names(self, channels: str | Iterable[str]) -> tuple[str, ...]:
        names = (channels,) if isinstance(channels, str) else tuple(dict.fromkeys(channels))
        if not names:
            raise ValueError("no channel given")
        for name in names:
            if not isinstance(name, str) or not name:
                raise TypeError(f"a channel name must be a non-empty str, got {name!r}")
            if name not in self._declared_set and not self.arbitrary_channels_allowed:
                raise ChannelsException(
                    f"channel {name!r} is not declared (declared: "
                    f"{', '.join(map(repr, self.declared_channels))}); pass it in channels=[...] "
                    "or allow any with arbitrary_channels_allowed=True"
                )
        return names


def _encode(data: Any) -> bytes:
    """``str`` → UTF-8, ``bytes`` as they are, anything else → JSON (raises ``EncodeError``)."""
    return cast(bytes, _encode_binary(data))  # a binary-mode encoder returns bytes


def _events_per_checkpoint(max_backlog: int) -> int:
    """How many events the fan-out hands over between two turns of the other tasks.

    Batches wake each subscriber once per batch instead of once per event;
    at most half a backlog, so a burst alone never fills one that keeps up.
    """
    return max(1, min(_MAX_EVENTS_PER_CHECKPOINT, max_backlog // 2))


def _declared(channels: Iterable[str] | None) -> tuple[str, ...]:
    if channels is None:
        return ()
    if isinstance(channels, str):
        raise ConfigurationError(
            f"{_KIND}: channels must be a collection of names, not the str {channels!r}"
        )
    names = tuple(dict.fromkeys(channels))
    for name in names:
        if not isinstance(name, str) or not name:
            raise ConfigurationError(
                f"{_KIND}: a channel name must be a non-empty str, got {name!r}"
            )
    return names


def _int_at_least(value: object, minimum: int, option: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise ConfigurationError(f"{_KIND}: {option} must be an int >= {minimum}, got {value!r}")
    return value


def _history_limit(history: int | None) -> int | None:
    """``subscribe``'s ``history`` as a read limit: ``0`` none, ``None`` all."""
    if history is None or history == 0:
        return 0
    if history == -1:
        return None
    if history < -1:
        raise ValueError(f"history must be a count, or -1 for all, got {history!r}")
    return history


def _positions(since: Mapping[str, Position] | None, names: tuple[str, ...]) -> dict[str, Position]:
    if not since:
        return {}
    positions: dict[str, Position] = {}
    for name, position in since.items():
        if name not in names:
            raise ValueError(f"since= names channel {name!r}, which is not subscribed to")
        match position:
            case (str() as epoch, int() as offset) if offset >= 0 and not isinstance(offset, bool):
                positions[name] = (epoch, offset)
            case _:
                raise ValueError(
                    f"since[{name!r}] must be (epoch: str, offset: int >= 0), got {position!r}"
                )
    return positions


def _route_handlers(
    plugin: ChannelsPlugin, base_path: str, guards: Sequence[Guard]
) -> list[ChannelRouteHandler]:
    if not isinstance(base_path, str) or not base_path.startswith("/"):
        raise ConfigurationError(
            f"{_KIND}: ws_handler_base_path must be a path starting with '/', got {base_path!r}"
        )
    prefix = base_path.rstrip("/")
    if plugin.arbitrary_channels_allowed:
        path = f"{prefix}/{{{CHANNEL_PARAMETER}:str}}"
        return [ChannelRouteHandler(plugin, path, None, guards)]
    return [
        ChannelRouteHandler(plugin, f"{prefix}/{name}", name, guards)
        for name in plugin.declared_channels
    ]
