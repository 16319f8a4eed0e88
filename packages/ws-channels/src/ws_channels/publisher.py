"""The publish queue: ``publish()`` from any thread, never blocking, and a worker that never dies.

``publish()`` only schedules: the encoded event goes into a bounded queue
that one worker task empties into the backend, in order. When the queue is
full the event is counted as lost and logged (throttled) — the caller never
waits. A call from another thread than the plugin's event loop (a sync HTTP
view, a sync test client) is handed over to that loop without blocking the
thread, through the loop handle taken at start-up (handover.py); events in transit
between threads count against the same bound. ``wait_published()`` goes
through the same queue (so one publisher's events keep their order, whichever
of the two it uses), waiting for room and then for its event to be published.

The worker publishes channel by channel, so a retry never repeats a channel
that already has the event. A backend error is retried with a growing delay
(:data:`RETRY_DELAYS`), then the event is counted as lost and logged with the
error (and raised to a ``wait_published`` caller). Stopping flushes what is
queued, for at most :data:`FLUSH_TIMEOUT` seconds; whatever is left then is
counted as lost and logged.
"""

from __future__ import annotations

import logging
import threading
from collections import Counter

import anyio
from anyio.abc import TaskStatus
from anyio.streams.memory import MemoryObjectReceiveStream, MemoryObjectSendStream

from ws_channels.backends.base import ChannelsBackend
from ws_channels.handover import LoopHandle
from ws_channels.logs import ThrottledCount, logger
from ws_channels.registry import Registry

__all__ = ["FLUSH_TIMEOUT", "QUEUE_SIZE", "RETRY_DELAYS", "Publisher"]

QUEUE_SIZE = 10_000
"""Events ``publish()`` may have scheduled and not yet handed to the backend."""

RETRY_DELAYS = (0.05, 0.25, 1.0)
"""Seconds waited before each new attempt after a backend error (then the event is lost)."""

FLUSH_TIMEOUT = 5.0
"""Seconds shutdown waits for the queue to empty into the backend."""


# The worker lets other tasks run at least once per this many events.
_ITEMS_PER_CHECKPOINT = 100


class _Waiter:
    """How a ``wait_published`` caller learns that its event was published (or not)."""

    __slots__ = ("done", "error")

    def __init__(self) -> None:
        self.done = anyio.Event()
        self.error: Exception | None = None

    def fail(self, error: Exception) -> None:
        if self.error is None:
            self.error = error


class _Scheduled:
    """An encoded event, the channels it goes to, and who waits for it, if anyone."""

    __slots__ = ("data", "names", "waiter")

    def __init__(self, data: bytes, names: tuple[str, ...], waiter: _Waiter | None) -> None:
        self.data = data
        self.names = names
        self.waiter = waiter


class Publisher:
    """The queue and worker behind ``publish`` and ``wait_published`` (see the module docstring).

    Args:
        backend: Where events go.
        registry: Where what was published is counted.
    """

    def __init__(self, backend: ChannelsBackend, registry: Registry) -> None:
        self._backend = backend
        self._registry = registry
        # Guards what other threads touch: the loop handle, the events in transit
        # and the losses (counted from any thread).
        self._lock = threading.Lock()
        self._loop: LoopHandle | None = None
        self._loop_thread: int | None = None
        self._in_transit = 0
        self._lost: Counter[str] = Counter()
        self._losses = ThrottledCount("lost %d published event(s): %s")
        self._failures = ThrottledCount(
            "lost %d published event(s): the backend failed %d times on channel %r",
            level=logging.ERROR,
        )
        self._send: MemoryObjectSendStream[_Scheduled] | None = None
        self._receive: MemoryObjectReceiveStream[_Scheduled] | None = None
        self._scope: anyio.CancelScope | None = None
        self._done: anyio.Event | None = None

    def lost_by_channel(self) -> dict[str, int]:
        """Events lost so far, by channel (safe from any thread)."""
        with self._lock:
            return dict(self._lost)

    # -- lifecycle ------------------------------------------------------------

    async def run(self, *, task_status: TaskStatus[None] = anyio.TASK_STATUS_IGNORED) -> None:
        """Accept events and publish them until :meth:`stop`; start it with ``task_group.start``."""
        self._send, self._receive = anyio.create_memory_object_stream[_Scheduled](QUEUE_SIZE)
        self._scope = anyio.CancelScope()
        self._done = anyio.Event()
        with self._lock:
            self._loop = LoopHandle()
            self._loop_thread = threading.get_ident()
        task_status.started()
        receive_nowait, receive = self._receive.receive_nowait, self._receive.receive
        try:
            with self._scope:
                # Items are taken without a checkpoint while there are some, so
                # a burst reaches the backend (and the fan-out) in one go.
                since_checkpoint = 0
                while True:
                    try:
                        item = receive_nowait()
                    except anyio.WouldBlock:
                        item = await receive()
                        since_checkpoint = 0
                    await self._publish(item)
                    since_checkpoint += 1
                    if since_checkpoint >= _ITEMS_PER_CHECKPOINT:
                        await anyio.lowlevel.checkpoint()
                        since_checkpoint = 0
        except anyio.EndOfStream:
            return  # stopped, and the queue is empty
        finally:
            self._done.set()

    async def stop(self) -> None:
        """Refuse new events, flush the queue (bounded in time), count what is left as lost."""
        with self._lock:
            self._loop = None
        assert self._send is not None
        assert self._receive is not None
        assert self._scope is not None
        assert self._done is not None
        self._send.close()
        with anyio.move_on_after(FLUSH_TIMEOUT, shield=True):
            await self._done.wait()
        if not self._done.is_set():
            self._scope.cancel()
            with anyio.CancelScope(shield=True):
                await self._done.wait()
        while True:
            try:
                item = self._receive.receive_nowait()
            except (anyio.WouldBlock, anyio.EndOfStream):
                break
            self._give_up(item, f"not published within {FLUSH_TIMEOUT} s of shutdown")
        self._receive.close()
        with self._lock:
            self._losses.flush("counted since the last report")
            self._failures.flush(len(RETRY_DELAYS) + 1, "(counted since the last report)")

    # -- scheduling -------------------------------------------------------------

    def schedule(self, data: bytes, names: tuple[str, ...]) -> None:
        """Queue ``data`` for ``names`` from any thread; never waits.

        Raises:
            RuntimeError: The publisher is not running.
        """
        with self._lock:
            loop = self._running_loop()
            on_loop = threading.get_ident() == self._loop_thread
            if not on_loop:
                if self._in_transit >= QUEUE_SIZE:
                    self._count_lost_locked(names, "too many events in transit from other threads")
                    return
                self._in_transit += 1
        item = _Scheduled(data, names, None)
        if on_loop:
            self._enqueue(item)
            return
        try:
            loop.run_sync_soon(self._enqueue_from_thread, item)
        except anyio.RunFinishedError:
            with self._lock:
                self._in_transit -= 1
                self._count_lost_locked(names, "the event loop has finished")

    async def publish_and_wait(self, data: bytes, names: tuple[str, ...]) -> None:
        """Queue ``data`` for ``names`` (waiting for room) and wait until it is published.

        Raises:
            RuntimeError: The publisher is not running, or not in this thread's
                event loop, or stopped before the event was published.
            Exception: The backend's last error, once the retries are spent.
        """
        with self._lock:
            self._running_loop()
            if threading.get_ident() != self._loop_thread:
                raise RuntimeError(
                    "wait_published() must be awaited in the plugin's event loop; "
                    "call publish() from other threads"
                )
        assert self._send is not None
        waiter = _Waiter()
        try:
            await self._send.send(_Scheduled(data, names, waiter))
        except anyio.ClosedResourceError:
            raise RuntimeError("the plugin stopped before the event was queued") from None
        await waiter.done.wait()
        if waiter.error is not None:
            raise waiter.error

    def _running_loop(self) -> LoopHandle:
        if self._loop is None:
            raise RuntimeError(
                "ChannelsPlugin is not running: publishing works once the plugin has "
                "started (the app's lifespan, or `async with plugin:`) and until it stops"
            )
        return self._loop

    def _enqueue_from_thread(self, item: _Scheduled) -> None:
        with self._lock:
            self._in_transit -= 1
        self._enqueue(item)

    def _enqueue(self, item: _Scheduled) -> None:
        assert self._send is not None
        try:
            self._send.send_nowait(item)
        except anyio.WouldBlock:
            self._give_up(item, f"the publish queue is full ({QUEUE_SIZE} events)")
        except anyio.ClosedResourceError:
            self._give_up(item, "the plugin stopped before the event was queued")

    # -- the worker -------------------------------------------------------------

    async def _publish(self, item: _Scheduled) -> None:
        for name in item.names:
            await self._publish_retrying(item, name)
        if item.waiter is not None:
            item.waiter.done.set()

    async def _publish_retrying(self, item: _Scheduled, name: str) -> None:
        for attempt, delay in enumerate((*RETRY_DELAYS, None), start=1):
            try:
                await self._backend.publish(item.data, (name,))
            except Exception as exc:
                if delay is None:
                    with self._lock:
                        self._lost[name] += 1
                        self._failures.add(1, attempt, name, exc_info=exc)
                    if item.waiter is not None:
                        item.waiter.fail(exc)
                    return
                logger.debug("publish to %r failed (attempt %d), retrying: %r", name, attempt, exc)
                await anyio.sleep(delay)
            else:
                self._registry.count_published(name)
                return

    def _give_up(self, item: _Scheduled, reason: str) -> None:
        with self._lock:
            self._count_lost_locked(item.names, reason)
        if item.waiter is not None:
            item.waiter.fail(RuntimeError(f"the event was not published: {reason}"))
            item.waiter.done.set()

    def _count_lost_locked(self, names: tuple[str, ...], reason: str) -> None:
        self._lost.update(names)
        self._losses.add(len(names), reason)
