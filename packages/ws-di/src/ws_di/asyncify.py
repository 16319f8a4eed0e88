"""`to_async`: give any callable an awaitable calling convention, decided once."""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable
from typing import Any, ParamSpec, TypeVar, overload

import anyio.to_thread

from ws_di.kinds import CallKind, call_kind

__all__ = ["to_async"]

P = ParamSpec("P")
T = TypeVar("T")


@overload
def to_async(
    fn: Callable[P, Awaitable[T]], *, sync_to_thread: bool = True
) -> Callable[P, Awaitable[T]]: ...
@overload
def to_async(fn: Callable[P, T], *, sync_to_thread: bool = True) -> Callable[P, Awaitable[T]]: ...
def to_async(fn: Callable[P, Any], *, sync_to_thread: bool = True) -> Callable[P, Awaitable[Any]]:
    """Return an async callable that calls `fn`.

    Call this once, when the callable is registered; the wrapper does no
    inspection per call.

    Args:
        fn: A coroutine function (returned unchanged) or any other callable.
            Generator functions are treated as plain callables: the wrapper
            returns the generator object.
        sync_to_thread: For a sync `fn`: when true, each call runs in a worker
            thread (`anyio.to_thread.run_sync`, so it must not be called from a
            thread anyio does not manage); when false, it runs inline on the
            event loop and must not block.

    Returns:
        `fn` itself when it is a coroutine function, else an `async def` wrapper
        taking the same positional and keyword arguments and returning `fn`'s
        result. Exceptions raised by `fn` propagate unchanged.
    """
    if call_kind(fn) is CallKind.COROUTINE:
        return fn

    if sync_to_thread:

        async def call_in_thread(*args: P.args, **kwargs: P.kwargs) -> Any:
            return await anyio.to_thread.run_sync(functools.partial(fn, *args, **kwargs))

        wrapper = call_in_thread
    else:

        async def call_inline(*args: P.args, **kwargs: P.kwargs) -> Any:
            return fn(*args, **kwargs)

        wrapper = call_inline
    # `updated=()`: a class's __dict__ must not be copied onto the wrapper.
    return functools.update_wrapper(wrapper, fn, updated=())
