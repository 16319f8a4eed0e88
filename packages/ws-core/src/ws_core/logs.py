"""Package loggers whose records come out as proper log lines even where nothing is configured.

Each ws-kit package logs on a logger of its own name (``ws_core``,
``ws_listener``...). Servers configure only their own loggers (uvicorn, for
one, sets up ``uvicorn.*`` and leaves the root logger bare), so a traceback
logged by the framework used to come out through Python's last-resort
handler: no level, no logger name, no time. :func:`package_logger` gives a
package logger a fallback handler that writes such records to stderr with
the time, the level and the logger's name, and only when no other handler
anywhere up the logger's hierarchy would take them: once the application
configures logging (``logging.basicConfig``, ``dictConfig``, a handler on
``ws_core``...), the fallback stays silent and the application's
configuration alone decides.
"""

from __future__ import annotations

import logging
import sys

__all__ = ["package_logger"]

_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


class _Fallback(logging.Handler):
    """Writes to stderr the records no configured handler would take."""

    def __init__(self) -> None:
        super().__init__()
        self.setFormatter(logging.Formatter(_FORMAT))

    def handle(self, record: logging.LogRecord) -> bool:
        if _handled_elsewhere(logging.getLogger(record.name)):
            return False
        return super().handle(record)

    def emit(self, record: logging.LogRecord) -> None:
        try:
            # Looked up at each write, like logging's own last resort: stderr may be replaced.
            sys.stderr.write(self.format(record) + "\n")
        except Exception:
            self.handleError(record)


def _handled_elsewhere(logger: logging.Logger) -> bool:
    """Whether a handler other than a fallback sits where ``logger``'s records propagate."""
    current: logging.Logger | None = logger
    while current is not None:
        if any(not isinstance(handler, _Fallback) for handler in current.handlers):
            return True
        if not current.propagate:
            return False
        current = current.parent
    return False


def package_logger(name: str) -> logging.Logger:
    """Return the logger ``name`` with the fallback handler attached (once).

    Args:
        name: A package's logger name, e.g. ``"ws_listener"``.

    Returns:
        ``logging.getLogger(name)``.
    """
    logger = logging.getLogger(name)
    if not any(isinstance(handler, _Fallback) for handler in logger.handlers):
        logger.addHandler(_Fallback())
    return logger
