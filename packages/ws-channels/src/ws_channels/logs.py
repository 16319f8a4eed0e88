"""The ``ws_channels`` logger, and :class:`ThrottledCount`: losses logged at most once a second.

Every event a subscriber's backlog discards and every publish that never
reached the backend is counted and logged — never silently — but a stuck
subscriber discards thousands of events a second, and one line each would
flood the log. A :class:`ThrottledCount` writes the first occurrence at once,
then at most one line per interval carrying how many happened since the
previous line, and :meth:`ThrottledCount.flush` writes what is left when its
owner ends.
"""

from __future__ import annotations

import logging
import math
import time

__all__ = ["ThrottledCount", "logger"]

logger = logging.getLogger("ws_channels")


class ThrottledCount:
    """Counts occurrences of one kind and logs them at most once per ``interval``.

    Args:
        message: The line's format; its first ``%d`` is the count since the
            previous line, the rest are the ``args`` given to :meth:`add`.
        level: The logging level.
        interval: Seconds between two lines, at least.

    Attributes:
        unlogged: Occurrences counted but not written yet.
    """

    __slots__ = ("_last", "interval", "level", "message", "unlogged")

    def __init__(self, message: str, level: int = logging.WARNING, interval: float = 1.0) -> None:
        self.message = message
        self.level = level
        self.interval = interval
        self.unlogged = 0
        self._last = -math.inf

    def add(self, count: int, *args: object, exc_info: BaseException | None = None) -> None:
        """Count ``count`` more; write a line if the last one is ``interval`` old."""
        self.unlogged += count
        now = time.monotonic()
        if now - self._last >= self.interval:
            self._last = now
            self._write(args, exc_info)

    def flush(self, *args: object) -> None:
        """Write a line for what was counted since the last one, if anything."""
        if self.unlogged:
            self._write(args, None)

    def _write(self, args: tuple[object, ...], exc_info: BaseException | None) -> None:
        count, self.unlogged = self.unlogged, 0
        logger.log(self.level, self.message, count, *args, exc_info=exc_info)
