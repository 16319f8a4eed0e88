"""``Subscriber``: one consumer's bounded backlog of events, and the ways to drain it.

Each subscriber owns a backlog (a list read from a moving head, emptied
whenever it is read to the end: an idle subscriber holds an empty list, not
a deque's block of slots) bounded by its ``max_backlog``. The events a
subscription catches up on when it starts (history, a resume ``since=``)
are queued whole on top: they are bounded by the history already, and a
resume cut short by the backlog would lose what it came for.
The plugin's fan-out offers it every event of its channels with
``Subscriber._offer``, which never waits and allocates nothing but its
slot in the backlog: the event is queued, or the backlog policy decides —

- ``"backoff"``: the new event is dropped;
- ``"dropleft"``: the oldest queued event is dropped to make room;
- ``"close"``: the subscriber stops (its backlog is discarded, it leaves its
  channels, its iterators end) and a socket it feeds is closed with 1013 (try
  again later), so the client reconnects and resumes.

Every discarded event is counted (:attr:`Subscriber.dropped`, the plugin's
``stats()``) and logged at WARNING, at most one line per subscriber per second.

The backlog is drained by :meth:`Subscriber.iter_events` /
:meth:`Subscriber.iter_messages`, or by :meth:`Subscriber.run_in_background`,
which hands each event to a callback, one at a time and in order. A consumer
with nothing to take waits for a wake-up made when the backlog ran dry and
set by the next event (an ``anyio.Event``; for the background task on
asyncio, a bare future of the loop, the cheapest wake-up there is): a
consumer that keeps up is woken once per batch of events the fan-out hands
over, not once per event. A callback
that is a bound ``send_data``/``send_text``/``send_bytes`` of a
:class:`~ws_core.WebSocket`, or the socket itself, makes the subscriber feed
that socket through ``socket.send_data``: text sockets get the event's one
shared ``str``, binary sockets its shared ``bytes``. When the socket's peer
has gone, the subscriber leaves its channels quietly.
"""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from operator import attrgetter
from typing import TYPE_CHECKING, Any, Generic, TypeVar, get_args

import anyio
import anyio.lowlevel

from ws_channels.backends.base import ChannelHistory
from ws_channels.events import ChannelEvent
from ws_channels.logs import ThrottledCount, logger
from ws_channels.resume import merge_at_seam
from ws_channels.types import BacklogStrategy, Position
from ws_core import CloseCode, ConfigurationError, WebSocket, WebSocketDisconnect, WebSocketMode

if TYPE_CHECKING:
    from ws_channels.plugin import ChannelsPlugin

__all__ = ["EventCallback", "Subscriber"]

EventCallback = Callable[[Any], Awaitable[Any]]
"""``async on_event(data)``: handed each event's ``bytes`` (or, with
``send_positions``, the wrapped ``bytes``); or a socket's send method, or the socket."""

_Item = TypeVar("_Item")
_STRATEGIES = get_args(BacklogStrategy)
_SOCKET_SENDS: dict[str, WebSocketMode | None] = {
    "send_data": None,
    "send_text": "text",
    "send_bytes": "binary",
}
# How long closing a socket with 1013 may take: the socket is stuck by
# definition, and its close must not hold anything else up.
_CLOSE_TIMEOUT = 1.0
_TRY_AGAIN_LATER_REASON = "subscriber fell behind"
_DROPS_MESSAGE = "dropped %d event(s) of a subscriber of %s (%d in all): %s"
# A background task takes events without suspending while the backlog has
# some; it lets the other tasks run at least once per this many (a socket's
# send_data gives turns on its own clock as well).
_EVENTS_PER_CHECKPOINT = 64
# A backlog never read to the end drops the events read so far once they
# are this many and at least half of it.
_COMPACT_AT = 256


class _FutureWakeup(asyncio.Future[None]):
    """The background task's wake-up on asyncio: set by the next event, or the end."""

    __slots__ = ()

    def set(self) -> None:
        if not self.done():  # cancelled, when the task waiting on it was
            self.set_result(None)


class _Seam:
    """One channel of a subscription at its start: live events held, then a floor."""

    __slots__ = ("epoch", "floor", "held")

    def __init__(self) -> None:
        self.held: list[ChannelEvent] | None = []
        self.epoch = ""
        self.floor = 0


class _Drain:
    """The running consumer of a backlog: its cancel scope, the socket it feeds, its end."""

    __slots__ = ("_done", "_finished", "_on_failure", "failure", "scope", "socket")

    def __init__(self, socket: WebSocket | None, on_failure: Callable[[], object] | None) -> None:
        self.scope = anyio.CancelScope()
        # Made only if someone waits for the end: most drains end with their
        # connection, unwaited, and an Event per subscriber is not free.
        self._done: anyio.Event | None = None
        self._finished = False
        self.socket = socket
        self.failure: Exception | None = None
        self._on_failure = on_failure

    def finish(self) -> None:
        self._finished = True
        if self._done is not None:
            self._done.set()

    async def wait(self) -> None:
        """Wait until the drain has finished."""
        if self._finished:
            await anyio.lowlevel.checkpoint()
            return
        if self._done is None:
            self._done = anyio.Event()
        await self._done.wait()

    def fail(self, error: Exception) -> None:
        self.failure = error
        if self._on_failure is not None:
            self._on_failure()


class Subscriber:
    """A bounded backlog of events from the channels it subscribed to.

    Made by :meth:`ChannelsPlugin.subscribe` (or ``start_subscription``);
    constructing one directly gives a subscriber of no channel, fed only by
    :meth:`put_nowait`.

    Args:
        plugin: The plugin it belongs to.
        max_backlog: How many events may wait; ``None``: the plugin's
            ``subscriber_max_backlog``.
        backlog_strategy: What a full backlog does with one more event
            (see the module docstring).

    Attributes:
        channels: The channels it is subscribed to now.
        recovered: Per channel: ``False`` if an event may be missing — a
            resume (``since=``) whose gap was no longer all in history, or a
            gap found later (a backend that lost events) — else ``True``.

    Raises:
        ConfigurationError: ``max_backlog`` is not a positive int, or
            ``backlog_strategy`` is not one of the three.
    """

    # A thousand sockets, a thousand subscribers: no instance dict each.
    __slots__ = (
        "__weakref__",
        "_backlog",
        "_drain",
        "_dropped",
        "_drops",
        "_ended",
        "_head",
        "_iter_wakeup",
        "_limit",
        "_overflowed",
        "_owed_wakeups",
        "_plugin",
        "_registry",
        "_seams",
        "_wakeup",
        "backlog_strategy",
        "channels",
        "max_backlog",
        "recovered",
    )

    def __init__(
        self,
        plugin: ChannelsPlugin,
        max_backlog: int | None = None,
        backlog_strategy: BacklogStrategy = "backoff",
    ) -> None:
        if max_backlog is None:
            max_backlog = plugin.subscriber_max_backlog
        if isinstance(max_backlog, bool) or not isinstance(max_backlog, int) or max_backlog < 1:
            raise ConfigurationError(
                f"Subscriber: max_backlog must be a positive int, got {max_backlog!r}"
            )
        if backlog_strategy not in _STRATEGIES:
            raise ConfigurationError(
                f"Subscriber: backlog_strategy must be one of {_STRATEGIES}, "
                f"got {backlog_strategy!r}"
            )
        self._plugin = plugin
        self._registry = plugin._registry
        self.max_backlog = max_backlog
        # The queue length at which the policy applies: max_backlog, plus the
        # events of a catch-up while they wait (see _catch_up).
        self._limit = max_backlog
        self._overflowed = False
        self.backlog_strategy: BacklogStrategy = backlog_strategy
        self.channels: set[str] = set()
        self.recovered: dict[str, bool] = {}
        # Events queued are self._backlog[self._head:]; empty means [] at head 0.
        self._backlog: list[ChannelEvent] = []
        self._head = 0
        # Set by the next event (or the end): for the background task, and
        # for the iterators waiting on an empty backlog.
        self._wakeup: anyio.Event | _FutureWakeup | None = None
        self._iter_wakeup: anyio.Event | None = None
        self._owed_wakeups = self._registry.owed_wakeups
        self._dropped = 0
        self._drops: ThrottledCount | None = None  # made by the first drop
        # Channels at their seam of history and live events (see resume.py).
        self._seams: dict[str, _Seam] | None = None
        self._drain: _Drain | None = None
        self._ended = False

    def __repr__(self) -> str:
        return f"<Subscriber of {sorted(self.channels)!r}, {self.qsize} queued>"

    # -- what the plugin and users see ------------------------------------------

    @property
    def dropped(self) -> int:
        """How many events the backlog policy discarded."""
        return self._dropped

    @property
    def qsize(self) -> int:
        """How many events wait in the backlog."""
        return len(self._backlog) - self._head

    @property
    def is_running(self) -> bool:
        """Whether a background task (:meth:`run_in_background`) drains the backlog."""
        return self._drain is not None

    def put_nowait(self, item: ChannelEvent | bytes | None) -> bool:
        """Put one event into the backlog without waiting, as the plugin does.

        ``None`` ends the stream: the iterators end once the events already
        queued are consumed. ``bytes`` become an event of no channel.

        Returns:
            Whether the item was queued (``False``: the backlog was full and
            its policy dropped it, or closed the subscriber, or the stream had ended).
        """
        if item is None:
            self._end()
            return True
        if isinstance(item, bytes):
            item = ChannelEvent("", item)
        taken = self._offer(item)
        self._registry.pay_wakeups()
        return taken

    # -- fed by the fan-out -----------------------------------------------------

    def _offer(self, event: ChannelEvent) -> bool:
        """Queue ``event`` or apply the backlog policy, never waiting; True if taken.

        A consumer waiting for it is not woken here: its wake-up is owed to
        the registry, which pays the wake-ups of a whole batch at once (see
        :meth:`Registry.pay_wakeups <ws_channels.registry.Registry.pay_wakeups>`).
        """
        seams = self._seams
        if seams is not None and event.channel in seams and self._taken_at_seam(event):
            return True
        # _queue's body, inlined: this runs once per event per subscriber.
        if self._ended:
            return False
        backlog = self._backlog
        if len(backlog) - self._head >= self._limit:
            return self._overflow(event)
        backlog.append(event)
        wakeup = self._wakeup
        if wakeup is not None:
            self._wakeup = None
            self._owed_wakeups.append(wakeup)
        wakeup = self._iter_wakeup
        if wakeup is not None:
            self._iter_wakeup = None
            self._owed_wakeups.append(wakeup)
        return True

    def _queue(self, event: ChannelEvent) -> bool:
        """Queue ``event`` past any seam, or apply the backlog policy."""
        if self._ended:
            return False  # a late event for a subscriber being taken out
        backlog = self._backlog
        if len(backlog) - self._head >= self._limit:
            return self._overflow(event)
        backlog.append(event)
        self._wake()
        return True

    def _wake(self) -> None:
        wakeup, iter_wakeup = self._wakeup, self._iter_wakeup
        self._wakeup = self._iter_wakeup = None
        if wakeup is not None:
            wakeup.set()
        if iter_wakeup is not None:
            iter_wakeup.set()

    async def _next_event(self) -> ChannelEvent | None:
        """Take the oldest event, waiting for one; ``None`` once ended and empty.

        A checkpoint either way, as iterators are expected to be.
        """
        await anyio.lowlevel.checkpoint()
        backlog = self._backlog
        while not backlog:
            if self._ended:
                return None
            wakeup = self._iter_wakeup
            if wakeup is None:
                wakeup = self._iter_wakeup = anyio.Event()
            await wakeup.wait()
        return self._take()

    def _take(self) -> ChannelEvent:
        """Take the oldest event (the backlog is not empty)."""
        backlog, head = self._backlog, self._head
        event = backlog[head]
        head += 1
        if head == len(backlog):
            backlog.clear()
            head = 0
            self._limit = self.max_backlog
        elif head >= _COMPACT_AT and head * 2 >= len(backlog):
            del backlog[:head]
            head = 0
        self._head = head
        return event

    def _overflow(self, event: ChannelEvent) -> bool:
        strategy = self.backlog_strategy
        if strategy == "backoff":
            self._discard([event], "backlog full, the new event dropped ('backoff')")
            return False
        if strategy == "dropleft":
            oldest = self._take()
            self._backlog.append(event)
            self._discard([oldest], "backlog full, the oldest event dropped ('dropleft')")
            return True
        self._stop_overflowing(event)
        return False

    def _stop_overflowing(self, event: ChannelEvent) -> None:
        discarded = [event, *self._backlog[self._head :]]
        self._backlog.clear()
        self._head = 0
        self._discard(discarded, "backlog full, the subscriber stopped ('close')")
        # Also before a drain runs: the drain that starts later closes its socket with 1013.
        self._overflowed = True
        self._plugin._abandon(self)
        drain = self._drain
        if drain is not None:
            drain.scope.cancel()

    def _discard(self, events: list[ChannelEvent], reason: str) -> None:
        self._dropped += len(events)
        for event in events:
            self._registry.count_dropped(event)
        drops = self._drops
        if drops is None:
            drops = self._drops = ThrottledCount(_DROPS_MESSAGE)
        drops.add(len(events), sorted(self.channels), self._dropped, reason)

    # -- the seam of history and live events (see resume.py) ---------------------

    def _hold_back(self, names: list[str]) -> None:
        """Hold back live events of ``names`` until :meth:`_catch_up` for each."""
        if names:
            self._seams = {name: _Seam() for name in names}

    def _taken_at_seam(self, event: ChannelEvent) -> bool:
        """Whether the seam of ``event``'s channel takes it: held, or already replayed."""
        assert self._seams is not None
        seam = self._seams[event.channel]
        if seam.held is not None:
            if len(seam.held) >= self.max_backlog:
                self._discard([event], "too many live events while reading history")
                self.recovered[event.channel] = False  # the seam has a hole now
            else:
                seam.held.append(event)
            return True
        if event.epoch == seam.epoch and event.offset <= seam.floor:
            return True  # in the history it was given already
        self._close_seam(event.channel)
        return False

    def _close_seam(self, name: str) -> None:
        if self._seams is not None:
            self._seams.pop(name, None)
            if not self._seams:
                self._seams = None

    def _catch_up(self, name: str, history: ChannelHistory, since: Position | None) -> None:
        """Queue ``name``'s history (after ``since``), then the live events held meanwhile."""
        seam = self._seams.get(name) if self._seams is not None else None
        if seam is None or seam.held is None:
            return  # ended meanwhile
        merged = merge_at_seam(history, seam.held, since)
        seam.held = None
        if merged.floor is None:
            self._close_seam(name)
        else:
            seam.epoch, seam.floor = merged.epoch, merged.floor
        if merged.recovered is not None:
            # A gap the fan-out found meanwhile stays reported.
            self.recovered[name] = merged.recovered and self.recovered.get(name, True)
        if self._ended or not merged.events:
            return
        # A catch-up is queued whole, beyond max_backlog: it is bounded by the
        # history, and a resume the backlog cut short would be no resume at all
        # (under 'close', a client closed with 1013 would overflow again on
        # every reconnect). Live events get max_backlog more room until the
        # backlog has been read to the end.
        self._backlog.extend(merged.events)
        self._limit = self.qsize + self.max_backlog
        self._wake()

    # -- ending -------------------------------------------------------------------

    def _end(self) -> None:
        """End the stream: iterators end once what is queued is consumed. Idempotent."""
        if self._ended:
            return
        self._ended = True
        self._seams = None
        self._wake()
        if self._drops is not None:
            self._drops.flush(sorted(self.channels), self._dropped, "counted since the last report")

    def _cancel_drain(self) -> None:
        """Stop the background task at once, if one runs (the plugin is stopping)."""
        if self._drain is not None:
            self._drain.scope.cancel()

    # -- draining -----------------------------------------------------------------

    def iter_messages(self) -> AsyncIterator[ChannelEvent]:
        """Iterate the events (:class:`~ws_channels.ChannelEvent`) in order until the stream ends.

        The stream ends after :meth:`ChannelsPlugin.unsubscribe` from its last
        channel, ``put_nowait(None)``, the ``close`` policy, or the plugin's
        shutdown. The iterator holds nothing to clean up: leaving its loop
        early is fine.
        """
        return _BacklogIterator(self, _whole_event)

    def iter_events(self) -> AsyncIterator[bytes]:
        """Iterate each event's ``bytes``, shared by all subscribers (see :meth:`iter_messages`)."""
        return _BacklogIterator(self, _event_data)

    @asynccontextmanager
    async def run_in_background(
        self, on_event: EventCallback | WebSocket, join: bool = True
    ) -> AsyncIterator[None]:
        """Hand every event to ``on_event`` from a background task while the block runs.

        ``on_event`` is awaited once per event, one at a time, in order, with
        the event's ``bytes`` (wrapped with its position under
        ``send_positions``). A socket's ``send_data``/``send_text``/
        ``send_bytes``, or the socket itself, makes the task feed that socket
        (see the module docstring). A peer that has gone ends the task
        quietly and unsubscribes; any other exception from ``on_event``
        propagates out of the block.

        Args:
            on_event: The async callback, a socket send method, or a socket.
            join: On leaving the block normally, stop accepting events and
                wait until those already queued are handed over; ``False``
                stops at once. Leaving with an exception always stops at once.

        Raises:
            RuntimeError: A background task already runs for this subscriber.
        """
        if self._drain is not None:
            raise RuntimeError("this subscriber already runs a background task")
        socket, mode = _socket_target(on_event, self._plugin.ws_send_mode)
        async with anyio.create_task_group() as task_group:
            # An error of on_event is raised below, unwrapped, not as an exception group.
            drain = self._drain = _Drain(socket, on_failure=task_group.cancel_scope.cancel)
            task_group.start_soon(self._run_drain, drain, on_event, mode)
            try:
                yield
            except BaseException:
                drain.scope.cancel()
                raise
            if join:
                self._end()
            else:
                drain.scope.cancel()
            await drain.wait()
        if drain.failure is not None:
            raise drain.failure

    async def stop(self, join: bool = False) -> None:
        """Stop the background task started by :meth:`run_in_background`, if any.

        Args:
            join: Wait until the events queued now are handed over (the stream
                then ends); ``False`` cancels the task at once.
        """
        drain = self._drain
        if drain is None:
            return
        if join:
            self._end()
        else:
            drain.scope.cancel()
        await drain.wait()

    async def _feed_socket(self, socket: WebSocket, mode: WebSocketMode) -> None:
        """Send every event to ``socket`` in ``mode`` until the stream ends or the peer leaves.

        What ``run_in_background(socket)`` runs in its task, run here in the
        caller's (the generated route handlers use it).

        Raises:
            Exception: What sending raised, other than the peer having gone.
        """
        if self._drain is not None:
            raise RuntimeError("this subscriber already runs a background task")
        drain = self._drain = _Drain(socket, on_failure=None)
        await self._run_drain(drain, socket, mode)
        if drain.failure is not None:
            raise drain.failure

    async def _run_drain(
        self, drain: _Drain, on_event: EventCallback | WebSocket, mode: WebSocketMode | None
    ) -> None:
        # One coroutine, the loop inline: every resumption of a task passes
        # through each frame of its await chain, twice per event here.
        socket = drain.socket
        send = None if socket is None else socket.send_data
        positions = self._plugin.send_positions
        if mode == "text":
            payload = attrgetter("positioned_text" if positions else "text")
        else:
            payload = attrgetter("positioned_data" if positions else "data")
        # The common case, the text shared by all text sockets, read without a call.
        plain_text = mode == "text" and not positions
        # The wake-up: on asyncio a future of the loop; otherwise the
        # backend's Event class, made directly (skipping anyio's look-up of
        # the backend, once per wake-up of every subscriber).
        native = anyio.lowlevel.current_token().native_token
        loop = native if isinstance(native, asyncio.AbstractEventLoop) else None
        new_event = type(anyio.Event())
        backlog = self._backlog
        take = self._take
        count = self._registry.count_delivered
        checkpoint = anyio.lowlevel.checkpoint
        until_checkpoint = _EVENTS_PER_CHECKPOINT
        try:
            with drain.scope:
                try:
                    while True:
                        # Events are taken without suspending while there are
                        # some, yet a callback whose awaits never suspend still
                        # lets the other tasks run every so many events.
                        if not backlog:
                            if self._ended:
                                break
                            if loop is not None:
                                future = self._wakeup = _FutureWakeup(loop=loop)
                                await future
                            else:
                                wakeup = self._wakeup = new_event()
                                await wakeup.wait()
                            until_checkpoint = _EVENTS_PER_CHECKPOINT
                            continue
                        until_checkpoint -= 1
                        if not until_checkpoint:
                            until_checkpoint = _EVENTS_PER_CHECKPOINT
                            await checkpoint()
                            continue
                        event = take()
                        try:
                            data = event._text if plain_text else None
                            if data is None:
                                data = payload(event)
                        except UnicodeDecodeError:
                            self._discard([event], "payload is not UTF-8, cannot go out as text")
                            continue
                        if send is None:
                            await on_event(data)  # type: ignore[operator]
                        else:
                            await send(data, mode)  # type: ignore[arg-type]
                        count(event)
                except WebSocketDisconnect:
                    logger.debug("%r: its peer has gone, unsubscribing", self)
                    with anyio.CancelScope(shield=True):
                        await self._plugin.unsubscribe(self)
                except Exception as exc:
                    drain.fail(exc)
            if self._overflowed and socket is not None:
                with anyio.move_on_after(_CLOSE_TIMEOUT, shield=True):
                    await socket.close(CloseCode.TRY_AGAIN_LATER, _TRY_AGAIN_LATER_REASON)
        finally:
            self._drain = None
            drain.finish()


def _whole_event(event: ChannelEvent) -> ChannelEvent:
    return event


def _event_data(event: ChannelEvent) -> bytes:
    return event.data


class _BacklogIterator(Generic[_Item]):
    """An iterator over a subscriber's backlog: a plain object, not a generator to close."""

    __slots__ = ("_count", "_next_event", "_payload")

    def __init__(self, subscriber: Subscriber, payload: Callable[[ChannelEvent], _Item]) -> None:
        self._next_event = subscriber._next_event
        self._count = subscriber._registry.count_delivered
        self._payload = payload

    def __aiter__(self) -> _BacklogIterator[_Item]:
        return self

    async def __anext__(self) -> _Item:
        event = await self._next_event()
        if event is None:
            raise StopAsyncIteration
        self._count(event)
        return self._payload(event)


def _socket_target(
    on_event: EventCallback | WebSocket, default_mode: WebSocketMode
) -> tuple[WebSocket | None, WebSocketMode | None]:
    """The socket ``on_event`` sends to and its mode; ``(None, None)`` for a plain callback."""
    if isinstance(on_event, WebSocket):
        return on_event, default_mode
    owner = getattr(on_event, "__self__", None)
    if isinstance(owner, WebSocket) and inspect.ismethod(on_event):
        name = on_event.__name__
        if name in _SOCKET_SENDS:
            return owner, _SOCKET_SENDS[name] or default_mode
    return None, None
