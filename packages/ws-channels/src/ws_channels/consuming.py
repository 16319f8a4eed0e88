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

# Work units (offers to subscribers) after which the consumer yields to other
# tasks even if the stream never suspends (a batch read from Redis).
_WORK_PER_CHECKPOINT = 1000
_FIRST_REOPEN_DELAY = 0.1
_MAX_REOPEN_DELAY = 5.0


async def keep_consuming(
    open_stream: Callable[[], AsyncIterator[_T]],
    handle: Callable[[_T], int],
    what: str,
    *,
    task_status: TaskStatus[None] = anyio.TASK_STATUS_IGNORED,
) -> None:
    """Pass every item of ``open_stream()`` to ``handle`` until cancelled, reopening on failure.

    Args:
        open_stream: Returns the stream (called again after a failure).
        handle: Handles one item without waiting; returns how much work that
            was (how many subscribers it was offered to), for the checkpoints.
        what: The stream's name in log messages.
        task_status: Set once the first stream is open.
    """
    delay = _FIRST_REOPEN_DELAY
    started = False
    while True:
        stream = open_stream()
        if not started:
            task_status.started()
            started = True
        try:
            work = 0
            async for item in stream:
                delay = _FIRST_REOPEN_DELAY
                work += handle(item)
                if work >= _WORK_PER_CHECKPOINT:
                    work = 0
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
