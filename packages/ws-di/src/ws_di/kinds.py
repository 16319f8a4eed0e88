"""Classify a callable by what calling it produces (value, coroutine, generator)."""

from __future__ import annotations

import enum
import functools
import inspect
from typing import Any

__all__ = ["CallKind", "call_kind", "is_callable_instance"]


class CallKind(enum.Enum):
    """What calling a callable returns."""

    SYNC = "sync"
    """A plain value (functions, classes, callable objects with a plain `__call__`)."""
    COROUTINE = "coroutine"
    """A coroutine (`async def`)."""
    GENERATOR = "generator"
    """A generator (`def` with `yield`)."""
    ASYNC_GENERATOR = "async generator"
    """An asynchronous generator (`async def` with `yield`)."""


def call_kind(fn: Any) -> CallKind:
    """Classify `fn` without calling it.

    Functions, bound methods and `functools.partial` objects are judged by the
    code they wrap; a callable instance by its class's `__call__`; a class is
    always `CallKind.SYNC` (calling it instantiates it).

    Args:
        fn: A callable.

    Returns:
        The kind of object a call to `fn` returns.
    """
    if isinstance(fn, type):
        return CallKind.SYNC
    target = type(fn).__call__ if is_callable_instance(fn) else fn
    if inspect.iscoroutinefunction(target):
        return CallKind.COROUTINE
    if inspect.isasyncgenfunction(target):
        return CallKind.ASYNC_GENERATOR
    if inspect.isgeneratorfunction(target):
        return CallKind.GENERATOR
    return CallKind.SYNC


def is_callable_instance(fn: Any) -> bool:
    """Whether calling `fn` runs its class's `__call__`.

    True for instances of a class defining `__call__`; false for classes,
    functions, methods, builtins and `functools.partial` objects.
    """
    if isinstance(fn, type) or inspect.isroutine(fn) or isinstance(fn, functools.partial):
        return False
    return callable(fn)
