"""Planning: turn consumers and providers into a `DependencyPlan`, once, at start-up."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from contextlib import AsyncExitStack
from dataclasses import replace
from functools import partial
from typing import Any

from ws_di.callables import ParameterInfo, read_parameters
from ws_di.errors import DependencyError, describe
from ws_di.kinds import CallKind, call_kind
from ws_di.provide import Provide
from ws_di.resolve import Arguments, Level, Step, Teardown, evaluate, make_step, shielded_exit

__all__ = ["DependencyPlan", "plan_dependencies"]

_GENERATORS = (CallKind.GENERATOR, CallKind.ASYNC_GENERATOR)


class DependencyPlan:
    """How to produce the injected values of one group of consumers.

    Built by `plan_dependencies` at start-up; immutable and shared by every
    connection. Each `resolve` call works on its own state.

    Attributes:
        unresolved: Parameters nothing satisfies, left to the caller (only when
            planned with `allow_unresolved=True`), one per name, in the order
            first met; providers' own parameters included. The caller supplies
            every required one at resolution; optional ones may be left out.
        supplied_used: The supplied names (given to `plan_dependencies`) that
            a consumer or a needed provider asks for; `resolve` reads no other
            supplied name, so the caller may leave the rest out.
        tears_down: Whether a generator provider is planned, so that `resolve`
            registers teardowns on its stack. When false, `resolve` needs no
            stack (pass `None`).
    """

    __slots__ = (
        "_consumers",
        "_levels",
        "_owner",
        "_required",
        "supplied_used",
        "tears_down",
        "unresolved",
    )

    def __init__(
        self,
        *,
        owner: str,
        levels: tuple[Level, ...],
        consumers: Mapping[str, Arguments],
        unresolved: tuple[ParameterInfo, ...],
        supplied_used: frozenset[str],
        required: frozenset[str],
        has_generators: bool,
    ) -> None:
        self._owner = owner
        self._levels = levels
        self._consumers = dict(consumers)
        self._required = required
        self.tears_down = has_generators
        self.unresolved = unresolved
        self.supplied_used = supplied_used

    def __repr__(self) -> str:
        keys = [step.key for level in self._levels for step in level.host + level.spawned]
        return f"<DependencyPlan for {self._owner}: providers {keys}>"

    async def resolve(
        self,
        supplied: Mapping[str, Any],
        stack: AsyncExitStack | None,
        *,
        stack_shielded: bool = False,
    ) -> dict[str, Any]:
        """Produce every injected value for one connection.

        Each provider runs at most once, after the providers it depends on;
        the providers of one dependency level run concurrently, except that
        async generators are set up one after another in the calling task.

        Generator providers are set up now and their teardown is registered on
        `stack`: when the stack exits they finish in reverse order of set-up
        completion, exactly once, shielded from cancellation, with the
        exception that ended the scope thrown into them. A generator may
        swallow that exception, as with `contextlib.asynccontextmanager`. A
        teardown that raises is logged on the `ws_di` logger and its error
        propagates once the remaining teardowns ran, chained to the original
        exception.

        Because set-up and teardown happen in the calling task, an async
        generator may hold a task-owned lock across its `yield`. It must not
        keep a cancel scope or task group open across it: the shielding scope
        around its teardown would break their nesting.

        Args:
            supplied: A value for every supplied name the plan uses and for
                every required unresolved parameter; optional unresolved ones
                may be left out.
            stack: The connection's exit stack; exit it when the connection's
                scope ends, in the task that called `resolve`. May be `None`
                when `tears_down` is false.
            stack_shielded: The caller exits `stack` inside a cancel scope
                shielded from cancellation (as ws_core does), so the teardowns
                need no shield of their own: one anyio cancel scope costs about
                30,000 instructions on asyncio. A failure during set-up is
                still torn down shielded, by `resolve` itself.

        Returns:
            A new dict holding the supplied values and every provided value.

        Raises:
            TypeError: `supplied` lacks a name the plan needs, or `stack` is
                `None` while `tears_down` is true.
            RuntimeError: A generator provider finished without yielding.
            BaseException: Whatever a provider raised (several concurrent
                failures arrive as an exception group). Generators already set
                up by this call are torn down before it propagates, even when
                one of them swallows it.
        """
        if not supplied.keys() >= self._required:
            missing = ", ".join(sorted(self._required - supplied.keys()))
            raise TypeError(f"{self._owner}: resolve() is missing supplied values for {missing}")
        values = dict(supplied)
        teardowns: list[Teardown[Any]] = []
        if not self.tears_down:
            if self._levels:
                await evaluate(self._levels, values, teardowns)
            return values
        if stack is None:
            raise TypeError(f"{self._owner}: resolve() needs a stack for generator dependencies")
        try:
            await evaluate(self._levels, values, teardowns)
        except BaseException as exc:
            await shielded_exit(_stack_of(teardowns), type(exc), exc, exc.__traceback__)
            raise
        if stack_shielded:
            # Straight onto the caller's stack: the same order and exceptions
            # as through a stack of our own, one AsyncExitStack fewer.
            for teardown in teardowns:
                stack.push_async_exit(teardown)
        else:
            stack.push_async_exit(partial(shielded_exit, _stack_of(teardowns)))
        return values

    def kwargs_for(self, consumer: str, values: Mapping[str, Any]) -> dict[str, Any]:
        """Return the keyword arguments for one consumer.

        Reserved names are never included, nor optional unresolved names the
        caller left out (the consumer's default applies). Call it once per
        connection and reuse the dict for every call of the consumer.

        Args:
            consumer: A key of the `consumers` mapping given to
                `plan_dependencies`.
            values: The mapping returned by `resolve`.

        Returns:
            A new dict of parameter name to value.

        Raises:
            KeyError: `consumer` was not planned.
        """
        return self._consumers[consumer].build(values)


def plan_dependencies(
    consumers: Mapping[str, Callable[..., Any]],
    *,
    providers: Mapping[str, Provide],
    supplied: Iterable[str],
    reserved: Iterable[str] = (),
    allow_unresolved: bool = False,
    owner: str,
) -> DependencyPlan:
    """Plan the injection of every consumer's parameters, once, at start-up.

    Every provider is checked; the ones the consumers need, directly or through
    other providers, are read and ordered into dependency levels.

    Args:
        consumers: Name to callable, for every callable served by one
            resolution; a provider they share is evaluated once.
        providers: Name to `Provide` (see `merge_providers`).
        supplied: Names whose values the caller passes to `resolve`.
        reserved: Names the caller passes to consumers itself at call time
            (such as `data` or `self`); never resolved, never returned by
            `kwargs_for`, and not available to providers.
        allow_unresolved: Collect parameters that nothing satisfies into
            `DependencyPlan.unresolved` instead of failing.
        owner: A human name for the consumers' owner, starting every message.

    Returns:
        The plan.

    Raises:
        DependencyError: A provider is not callable, is a generator with
            `use_cache=True`, or has a key equal to a supplied or reserved
            name; a consumer or a needed provider has an unreadable signature
            or a parameter that cannot be passed by name; a provider asks for a
            reserved name; a required parameter is satisfied by nothing (when
            `allow_unresolved` is false); providers form a cycle; two
            unresolved parameters of one name have different annotations.
    """
    planner = _Planner(
        providers=providers,
        supplied=frozenset(supplied),
        reserved=frozenset(reserved),
        allow_unresolved=allow_unresolved,
        owner=owner,
    )
    consumer_arguments: dict[str, Arguments] = {}
    for name, fn in consumers.items():
        try:
            parameters = read_parameters(fn)
        except DependencyError as exc:
            raise planner.error(f"consumer {name!r}: {exc}") from None
        consumer_arguments[name], _ = planner.arguments(
            parameters, f"consumer {name!r} ({describe(fn)})", path=None
        )
    return planner.build(consumer_arguments)


class _Planner:
    def __init__(
        self,
        *,
        providers: Mapping[str, Provide],
        supplied: frozenset[str],
        reserved: frozenset[str],
        allow_unresolved: bool,
        owner: str,
    ) -> None:
        self.providers = providers
        self.supplied = supplied
        self.reserved = reserved
        self.allow_unresolved = allow_unresolved
        self.owner = owner
        self.kinds = {key: self._check(key, provide) for key, provide in providers.items()}
        self.levels: dict[str, int] = {}
        self.steps: list[tuple[int, Step]] = []
        self.unresolved: dict[str, tuple[ParameterInfo, str]] = {}
        self.supplied_used: set[str] = set()

    def error(self, message: str) -> DependencyError:
        return DependencyError(f"{self.owner}: {message}")

    def _check(self, key: str, provide: Provide) -> CallKind:
        dependency = provide.dependency
        if key in self.supplied:
            raise self.error(f"dependency key {key!r} collides with the supplied name {key!r}")
        if key in self.reserved:
            raise self.error(f"dependency key {key!r} collides with the reserved name {key!r}")
        if not callable(dependency):
            raise self.error(
                f"dependency {key!r} is not callable: {dependency!r} ({type(dependency).__name__})"
            )
        kind = call_kind(dependency)
        if provide.use_cache and kind in _GENERATORS:
            raise self.error(
                f"dependency {key!r} ({describe(dependency)}) is a generator and cannot use "
                "use_cache=True: its teardown runs when each connection ends"
            )
        return kind

    def arguments(
        self, parameters: tuple[ParameterInfo, ...], where: str, path: list[str] | None
    ) -> tuple[Arguments, int]:
        """Classify a callable's parameters; `path` is None for a consumer.

        Returns the arguments and the level the callable can run at.
        """
        required: list[str] = []
        optional: list[str] = []
        level = 0
        for parameter in parameters:
            name = parameter.name
            if name in self.reserved:
                if path is None:
                    continue
                raise self.error(
                    f"{where} asks for {name!r}, a reserved name that only consumers receive"
                )
            if name in self.providers:
                level = max(level, self._visit(name, [] if path is None else path) + 1)
                required.append(name)
            elif name in self.supplied:
                self.supplied_used.add(name)
                required.append(name)
            elif self.allow_unresolved:
                self._add_unresolved(parameter, where)
                (optional if parameter.has_default else required).append(name)
            elif not parameter.has_default:
                raise self.error(
                    f"{where} asks for {name!r}, which is neither a dependency "
                    f"({_names(self.providers)}) nor a supplied name ({_names(self.supplied)})"
                )
        return Arguments(tuple(required), tuple(optional)), level

    def _visit(self, key: str, path: list[str]) -> int:
        """Plan provider `key` (once) and return its level."""
        if key in self.levels:
            return self.levels[key]
        if key in path:
            cycle = [*path[path.index(key) :], key]
            raise self.error(f"dependency cycle: {' -> '.join(cycle)}")
        provide = self.providers[key]
        try:
            parameters = read_parameters(provide.dependency)
        except DependencyError as exc:
            raise self.error(f"dependency {key!r}: {exc}") from None
        path.append(key)
        arguments, level = self.arguments(
            parameters, f"dependency {key!r} ({describe(provide.dependency)})", path
        )
        path.pop()
        self.levels[key] = level
        self.steps.append((level, make_step(key, provide, self.kinds[key], arguments)))
        return level

    def _add_unresolved(self, parameter: ParameterInfo, where: str) -> None:
        name = parameter.name
        if name not in self.unresolved:
            self.unresolved[name] = (parameter, where)
            return
        first, first_where = self.unresolved[name]
        if _untyped(parameter) or _same_type(first, parameter):
            typed = first
        elif _untyped(first):
            typed = parameter
        else:
            raise self.error(
                f"parameter {name!r} is left to the caller but annotated "
                f"{_show(first.annotation)} in {first_where} and "
                f"{_show(parameter.annotation)} in {where}"
            )
        strictest = parameter if first.has_default and not parameter.has_default else first
        merged = replace(strictest, annotation=typed.annotation, metadata=typed.metadata)
        self.unresolved[name] = (merged, first_where)

    def build(self, consumers: Mapping[str, Arguments]) -> DependencyPlan:
        by_level: dict[int, list[Step]] = {}
        for level, step in self.steps:
            by_level.setdefault(level, []).append(step)
        levels = tuple(Level.of(steps) for _, steps in sorted(by_level.items()))
        unresolved = tuple(parameter for parameter, _ in self.unresolved.values())
        required = self.supplied_used | {p.name for p in unresolved if not p.has_default}
        return DependencyPlan(
            owner=self.owner,
            levels=levels,
            consumers=consumers,
            unresolved=unresolved,
            supplied_used=frozenset(self.supplied_used),
            required=frozenset(required),
            has_generators=any(self.kinds[key] in _GENERATORS for key in self.levels),
        )


def _stack_of(teardowns: list[Teardown[Any]]) -> AsyncExitStack:
    stack = AsyncExitStack()
    for teardown in teardowns:
        stack.push_async_exit(teardown)
    return stack


def _untyped(parameter: ParameterInfo) -> bool:
    return parameter.annotation is Any and not parameter.metadata


def _same_type(a: ParameterInfo, b: ParameterInfo) -> bool:
    return bool(a.annotation == b.annotation and a.metadata == b.metadata)


def _show(annotation: Any) -> str:
    return annotation.__qualname__ if isinstance(annotation, type) else repr(annotation)


def _names(names: Iterable[str]) -> str:
    listed = ", ".join(sorted(names))
    return listed or "none"
