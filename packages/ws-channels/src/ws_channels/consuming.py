"""``keep_consuming``: how the plugin's tasks read the backend's streams, and survive them failing.

A backend's event or presence stream is meant to run until shutdown (a
Redis backend reconnects inside it). If one raises or ends anyway, the
subscribers or watchers it feeds would go deaf without a word; instead the
failure is logged and the stream reopened after a growing delay.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Any, TypeVar

import anyio
import anyio.lowlevel
from anyio.abc import TaskStatus

from ws_channels.logs import logger

__all__ = ["keep_consuming"]

_T = TypeVar("_T")

_FIRST_REOPEN_DELAY = 0.1
_MAX_REOPEN_DELAY = 5.0


async def keep_consuming(
    open_stream: Callable[[], AsyncIterator[_T]],
    handle: Callable[[_T], object],
    what: str,
    items_per_checkpoint: int = 1,
    before_checkpoint: Callable[[], object] | None = None,
    *,
    task_status: TaskStatus[None] = anyio.TASK_STATUS_IGNORED,
) -> None:
    """Pass every item of ``open_stream()`` to ``handle`` until cancelled, reopening on failure.

    Args:
        open_stream: Returns the stream (called again after a failure).
        handle: Handles one item without waiting (offers an event to every
            subscriber).
        what: The stream's name in log messages.
        items_per_checkpoint: The consumer lets the other tasks run after
            this many items, whether or not the stream suspends: a burst of
            events reaches each subscriber's backlog in batches of at most
            that many (each drain wakes once per batch, not once per event),
            and subscribers that keep up see their backlog grow by no more,
            however fast events come.
        before_checkpoint: Called before each of those turns (the fan-out
            wakes the subscribers it handed events to).
        task_status: Set once the first stream is open.
    """
    delay = _FIRST_REOPEN_DELAY
    started = False
    until_checkpoint = items_per_checkpoint
    while True:
        stream = open_stream()
        if not started:
            task_status.started()
            started = True
        try:
            async for item in stream:
                delay = _FIRST_REOPEN_DELAY
                handle(item)
                until_checkpoint -= 1
                if not until_checkpoint:
                    until_checkpoint = items_per_checkpoint
                    if before_checkpoint is not None:
                        before_checkpoint()
                    await anyio.lowlevel.checkpoint()
            logger.error("%s ended while the plugin runs; reopening it in %s s", what, delay)
        except Exception:
            logger.exception("%s failed; reopening it in %s s", what, delay)
        finally:
            with anyio.CancelScope(shield=True):
                await _aclose(stream)
        await anyio.sleep(delay)
        delay = min(delay * 2, _MAX_REOPEN_DELAY)


async def _aclose(stream: AsyncIterator[Any]) -> None:
    aclose = getattr(stream, "aclose", None)
    if aclose is not None:
        await aclose()
