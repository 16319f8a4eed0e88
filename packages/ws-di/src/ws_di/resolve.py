"""The per-connection half of a plan: evaluating providers, tearing generators down.

Everything here was decided by `ws_di.plan`; nothing inspects a callable.
"""

from __future__ import annotations

import abc
import logging
from collections.abc import AsyncGenerator, Awaitable, Callable, Generator, Mapping
from contextlib import AsyncExitStack
from dataclasses import dataclass
from types import TracebackType
from typing import Any, Generic, TypeVar

import anyio

from ws_di.asyncify import to_async
from ws_di.errors import describe
from ws_di.kinds import CallKind
from ws_di.provide import _UNSET, Provide

__all__ = ["Arguments", "Level", "Step", "Teardown", "evaluate", "make_step", "shielded_exit"]

logger = logging.getLogger("ws_di")

G = TypeVar("G", Generator[Any, None, None], AsyncGenerator[Any, None])


@dataclass(frozen=True, slots=True)
class Arguments:
    """The keyword arguments of one callable, decided at planning.

    Attributes:
        required: Names always present in the resolved values.
        optional: Names passed only when present (unresolved names with a
            default, which the caller may leave out).
    """

    required: tuple[str, ...]
    optional: tuple[str, ...]

    def build(self, values: Mapping[str, Any]) -> dict[str, Any]:
        """Pick this callable's keyword arguments out of the resolved values."""
        # A loop: on CPython 3.11 a dict comprehension is a function call of
        # its own, ~1,000 instructions more for every step and consumer.
        kwargs = {}
        for name in self.required:
            kwargs[name] = values[name]
        for name in self.optional:
            if name in values:
                kwargs[name] = values[name]
        return kwargs


class Step(abc.ABC):
    """One provider of a plan, evaluated at most once per resolution.

    Attributes:
        key: The name the produced value is stored under.
        label: The key and the callable's name, for messages.
        arguments: What the provider is called with.
        inline: Whether `run` completes without ever suspending, so spawning
            a task for it would be wasted.
        task_bound: Whether `run` must happen in the task that later exits
            the stack: an async generator may hold, across its `yield`, a
            lock owned by the task that acquired it.
    """

    __slots__ = ("arguments", "inline", "key", "label", "task_bound")

    def __init__(
        self, key: str, label: str, arguments: Arguments, *, inline: bool, task_bound: bool = False
    ) -> None:
        self.key = key
        self.label = label
        self.arguments = arguments
        self.inline = inline
        self.task_bound = task_bound

    @abc.abstractmethod
    async def run(self, values: dict[str, Any], teardowns: list[Teardown[Any]]) -> None:
        """Produce the value into `values`, appending its teardown (if any) to `teardowns`."""


class _InlineCallStep(Step):
    """A sync provider run on the event loop: called here, with no wrapper coroutine."""

    __slots__ = ("dependency",)

    def __init__(self, key: str, label: str, arguments: Arguments, provide: Provide) -> None:
        super().__init__(key, label, arguments, inline=True)
        self.dependency = provide.dependency

    async def run(self, values: dict[str, Any], teardowns: list[Teardown[Any]]) -> None:
        values[self.key] = self.dependency(**self.arguments.build(values))


class _CallStep(Step):
    """An async provider, or a sync one run in a worker thread."""

    __slots__ = ("call",)

    def __init__(self, key: str, label: str, arguments: Arguments, provide: Provide) -> None:
        super().__init__(key, label, arguments, inline=False)
        self.call = to_async(provide.dependency, sync_to_thread=provide.sync_to_thread)

    async def run(self, values: dict[str, Any], teardowns: list[Teardown[Any]]) -> None:
        values[self.key] = await self.call(**self.arguments.build(values))


class _CachedCallStep(_CallStep):
    __slots__ = ("provide",)

    def __init__(self, key: str, label: str, arguments: Arguments, provide: Provide) -> None:
        super().__init__(key, label, arguments, provide)
        self.provide = provide

    async def run(self, values: dict[str, Any], teardowns: list[Teardown[Any]]) -> None:
        provide = self.provide
        if provide._cached is _UNSET:
            assert provide._lock is not None  # created with use_cache=True
            async with provide._lock:
                if provide._cached is _UNSET:
                    provide._cached = await self.call(**self.arguments.build(values))
        values[self.key] = provide._cached


class _AsyncGeneratorStep(Step):
    __slots__ = ("dependency",)

    def __init__(self, key: str, label: str, arguments: Arguments, provide: Provide) -> None:
        super().__init__(key, label, arguments, inline=False, task_bound=True)
        self.dependency = provide.dependency

    async def run(self, values: dict[str, Any], teardowns: list[Teardown[Any]]) -> None:
        agen: AsyncGenerator[Any, None] = self.dependency(**self.arguments.build(values))
        try:
            value = await agen.__anext__()
        except StopAsyncIteration:
            raise RuntimeError(f"dependency {self.label} did not yield") from None
        # Registered before any other await: once set up, it is always torn down.
        teardowns.append(Teardown(agen, self.label, _exit_async_generator))
        values[self.key] = value


class _SyncGeneratorStep(Step):
    __slots__ = ("dependency", "set_up", "tear_down")

    def __init__(self, key: str, label: str, arguments: Arguments, provide: Provide) -> None:
        super().__init__(key, label, arguments, inline=not provide.sync_to_thread)
        self.dependency = provide.dependency
        self.set_up = to_async(_enter_generator, sync_to_thread=provide.sync_to_thread)
        self.tear_down = to_async(_exit_generator, sync_to_thread=provide.sync_to_thread)

    async def run(self, values: dict[str, Any], teardowns: list[Teardown[Any]]) -> None:
        gen: Generator[Any, None, None] = self.dependency(**self.arguments.build(values))
        # A worker thread is waited for even when cancelled, and its result is
        # delivered: a finished set-up is always registered for teardown.
        value = await self.set_up(gen, self.label)
        teardowns.append(Teardown(gen, self.label, self.tear_down))
        values[self.key] = value


def make_step(key: str, provide: Provide, kind: CallKind, arguments: Arguments) -> Step:
    """Build the runtime step for one validated provider.

    Args:
        key: The provider's key.
        provide: The provider; its dependency must be callable, and must not be
            a generator function when `use_cache` is set (the planner checks).
        kind: `call_kind(provide.dependency)`, computed by the planner.
        arguments: The provider's planned arguments.

    Returns:
        The step evaluating the provider once per resolution.
    """
    dependency = provide.dependency
    label = f"{key!r} ({describe(dependency)})"
    if kind is CallKind.ASYNC_GENERATOR:
        return _AsyncGeneratorStep(key, label, arguments, provide)
    if kind is CallKind.GENERATOR:
        return _SyncGeneratorStep(key, label, arguments, provide)
    if provide.use_cache:
        return _CachedCallStep(key, label, arguments, provide)
    if kind is CallKind.SYNC and not provide.sync_to_thread:
        return _InlineCallStep(key, label, arguments, provide)
    return _CallStep(key, label, arguments, provide)


@dataclass(frozen=True, slots=True)
class Level:
    """Providers whose dependencies are all produced by earlier levels.

    Attributes:
        host: Steps run one after the other in the caller's task: those that
            never suspend, the task-bound ones, and, when that leaves the
            caller's task nothing to wait for, one other step (a task fewer
            to spawn).
        spawned: Steps run each in its own task, concurrently with `host`.
    """

    host: tuple[Step, ...]
    spawned: tuple[Step, ...]

    @classmethod
    def of(cls, steps: list[Step]) -> Level:
        """Place the steps of one level, keeping their order within each group."""
        host = [step for step in steps if step.inline or step.task_bound]
        spawned = [step for step in steps if not (step.inline or step.task_bound)]
        if spawned and all(step.inline for step in host):
            host.append(spawned.pop(0))
        return cls(tuple(host), tuple(spawned))


async def evaluate(
    levels: tuple[Level, ...], values: dict[str, Any], teardowns: list[Teardown[Any]]
) -> None:
    """Run every level in order, storing each produced value into `values`.

    Args:
        levels: The planned levels.
        values: The supplied values; produced values are added to it.
        teardowns: Where the teardowns of set-up generators are appended, in
            order of set-up completion, even when a later provider fails.

    Raises:
        BaseException: Whatever a provider raised. When several concurrent
            providers fail at once, their exception group.
    """
    for level in levels:
        if not level.spawned:
            for step in level.host:
                await step.run(values, teardowns)
            continue
        try:
            async with anyio.create_task_group() as group:
                for step in level.spawned:
                    group.start_soon(step.run, values, teardowns)
                for step in level.host:
                    await step.run(values, teardowns)
        except BaseExceptionGroup as failures:
            # One failure (the usual case) propagates as itself, so callers
            # can catch it by its class.
            if len(failures.exceptions) == 1:
                raise failures.exceptions[0] from None
            raise


class Teardown(Generic[G]):
    """The exit callback of one set-up generator (sync or async), logged when it fails.

    An `AsyncExitStack` exit callback. Unshielded: the stack holding it is
    exited inside a shielded scope, one for every teardown of a connection
    (see `DependencyPlan.resolve`).
    """

    __slots__ = ("finish", "gen", "label")

    gen: G
    label: str
    finish: Callable[[G, BaseException | None, str], Awaitable[bool]]

    def __init__(
        self,
        gen: G,
        label: str,
        finish: Callable[[G, BaseException | None, str], Awaitable[bool]],
    ) -> None:
        self.gen = gen
        self.label = label
        self.finish = finish

    async def __call__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> bool:
        """Finish the generator with `exc`; return whether it swallowed it."""
        try:
            return await self.finish(self.gen, exc, self.label)
        except Exception:
            logger.exception("teardown of dependency %s failed", self.label)
            raise

    # AsyncExitStack.push_async_exit looks for __aexit__ first and, for a plain
    # callback, raises and catches an AttributeError: ~3,500 instructions per
    # connection with a generator dependency (callgrind, bench:instructions).
    # With this alias the stack calls the same method, bound, without that.
    __aexit__ = __call__


async def shielded_exit(
    stack: AsyncExitStack,
    exc_type: type[BaseException] | None,
    exc: BaseException | None,
    traceback: TracebackType | None,
) -> bool:
    """Exit `stack` shielded from cancellation; return whether it swallowed `exc`."""
    with anyio.CancelScope(shield=True):
        swallowed = await stack.__aexit__(exc_type, exc, traceback)
    return bool(swallowed)


def _yielded_twice(label: str) -> RuntimeError:
    return RuntimeError(f"dependency {label} yielded more than once; it must yield exactly once")


def _reraised(error: BaseException, exc: BaseException) -> bool:
    # The generator let the thrown exception through, possibly converted to a
    # RuntimeError by PEP 479 when it was a StopIteration/StopAsyncIteration.
    return error is exc or (
        isinstance(exc, StopIteration | StopAsyncIteration) and error.__cause__ is exc
    )


async def _exit_async_generator(
    agen: AsyncGenerator[Any, None], exc: BaseException | None, label: str
) -> bool:
    """Finish a set-up async generator; return True when it swallowed `exc`."""
    try:
        if exc is None:
            await agen.__anext__()
        else:
            await agen.athrow(exc)
    except StopAsyncIteration as stop:
        return exc is not None and stop is not exc
    except BaseException as error:
        if exc is not None and _reraised(error, exc):
            return False
        raise
    misuse = _yielded_twice(label)
    try:
        await agen.aclose()
    except Exception as close_error:
        raise misuse from close_error
    raise misuse


def _enter_generator(gen: Generator[Any, None, None], label: str) -> Any:
    """Run a sync generator's set-up and return the value it yields."""
    try:
        return next(gen)
    except StopIteration:
        raise RuntimeError(f"dependency {label} did not yield") from None


def _exit_generator(gen: Generator[Any, None, None], exc: BaseException | None, label: str) -> bool:
    """Finish a set-up sync generator; return True when it swallowed `exc`."""
    try:
        if exc is None:
            next(gen)
        else:
            gen.throw(exc)
    except StopIteration as stop:
        return exc is not None and stop is not exc
    except BaseException as error:
        if exc is not None and _reraised(error, exc):
            return False
        raise
    misuse = _yielded_twice(label)
    try:
        gen.close()
    except Exception as close_error:
        raise misuse from close_error
    raise misuse
