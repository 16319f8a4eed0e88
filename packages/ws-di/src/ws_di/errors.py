"""The configuration error of ws_di and the helper that names callables in messages."""

from __future__ import annotations

from typing import Any

__all__ = ["DependencyError", "describe"]


class DependencyError(Exception):
    """A dependency configuration that cannot work, found while planning.

    Raised by `read_parameters` and `plan_dependencies`, that is at application
    start-up, never while a connection is being served. The message names the
    owner (when planning), the dependency or consumer, the parameter and the
    problem.
    """


def describe(fn: Any) -> str:
    """Return a short human name for a callable, for error and log messages.

    Args:
        fn: Any object, usually a callable.

    Returns:
        The object's qualified name when it has one, else its `repr`.
    """
    name = getattr(fn, "__qualname__", None)
    return name if isinstance(name, str) else repr(fn)
