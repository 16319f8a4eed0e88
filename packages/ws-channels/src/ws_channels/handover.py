"""Run a function soon in an event loop, from another thread, without waiting for it.

``publish()`` may be called from any thread (a sync HTTP view, a test
client's thread) and must never wait for the loop. anyio's public hand-over,
``anyio.from_thread.run_sync``, waits for the function's result, so this
module uses what each event loop offers for it: asyncio's
``loop.call_soon_threadsafe`` and trio's ``TrioToken.run_sync_soon``. The
loop is found through ``anyio.lowlevel.current_token()`` (anyio 4.11).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import anyio
import anyio.lowlevel

__all__ = ["LoopHandle"]


class LoopHandle:
    """The event loop it was made in, reachable from any thread.

    Make it inside the loop (it reads the running loop); call
    :meth:`run_sync_soon` from any thread.
    """

    def __init__(self) -> None:
        native = anyio.lowlevel.current_token().native_token
        self._loop = native if isinstance(native, asyncio.AbstractEventLoop) else None
        self._trio_token: Any = None if self._loop is not None else native

    def run_sync_soon(self, func: Callable[..., object], *args: object) -> None:
        """Have the loop call ``func(*args)`` soon; return at once.

        Raises:
            anyio.RunFinishedError: The loop has finished.
        """
        if self._loop is not None:
            try:
                self._loop.call_soon_threadsafe(func, *args)
            except RuntimeError:
                if self._loop.is_closed():
                    raise anyio.RunFinishedError from None
                raise
            return
        try:
            self._trio_token.run_sync_soon(func, *args)
        except RuntimeError:  # trio.RunFinishedError, its only error: the run has finished
            raise anyio.RunFinishedError from None
