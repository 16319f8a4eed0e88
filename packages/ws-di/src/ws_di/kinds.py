"""Classify a callable by what calling it produces (value, coroutine, generator)."""

from __future__ import annotations

import enum
import functools
import inspect
from typing import Any

__all__ = ["CallKind", "call_kind"]


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
    target = fn
    if not (inspect.isroutine(fn) or isinstance(fn, functools.partial)) and callable(fn):
        target = type(fn).__call__
    if inspect.iscoroutinefunction(target):
        return CallKind.COROUTINE
    if inspect.isasyncgenfunction(target):
        return CallKind.ASYNC_GENERATOR
    if inspect.isgeneratorfunction(target):
        return CallKind.GENERATOR
    return CallKind.SYNC
