import inspect
import logging
import threading
from collections.abc import AsyncIterator, Callable, Iterator, Mapping
from contextlib import AsyncExitStack
from typing import Any

import anyio
import anyio.lowlevel
import pytest

from ws_di import DependencyPlan, Provide, merge_providers, plan_dependencies

pytestmark = pytest.mark.anyio

FLAVOURS = ["async", "thread", "inline"]


def plan(
    consumers: Mapping[str, Callable[..., Any]], providers: Mapping[str, Any]
) -> DependencyPlan:
    return plan_dependencies(
        consumers, providers=merge_providers(providers), supplied=(), owner="test handler"
    )


def recorder(
    flavour: str,
    name: str,
    log: list[str],
    *,
    swallow: bool = False,
    teardown_error: Exception | None = None,
    yields: int = 1,
    after: str | None = None,
) -> Provide:
    """A generator provider of the given flavour that logs its set-up and teardown.

    With `after`, the provider depends on the provider of that name, which orders
    their set-up.
    """

    def exited(exc: BaseException | None) -> None:
        log.append(f"exit {name}" + (f": {type(exc).__name__}" if exc else ""))
        if teardown_error is not None:
            raise teardown_error

    if flavour == "async":

        async def agen(**_: Any) -> AsyncIterator[str]:
            log.append(f"enter {name}")
            try:
                for _round in range(yields):
                    yield name
            except BaseException as exc:
                exited(exc)
                if not swallow:
                    raise
            else:
                exited(None)
            finally:
                log.append(f"closed {name}")

        return Provide(_depending_on(agen, after))

    def gen(**_: Any) -> Iterator[str]:
        log.append(f"enter {name}")
        try:
            for _round in range(yields):
                yield name
        except BaseException as exc:
            exited(exc)
            if not swallow:
                raise
        else:
            exited(None)
        finally:
            log.append(f"closed {name}")

    return Provide(_depending_on(gen, after), sync_to_thread=flavour == "thread")


async def connection_ending_with(result: DependencyPlan, error: Exception) -> None:
    async with AsyncExitStack() as stack:
        await result.resolve({}, stack)
        raise error


def _depending_on(fn: Callable[..., Any], after: str | None) -> Callable[..., Any]:
    # Give the `**_` function the one parameter it should be planned with.
    params = [] if after is None else [inspect.Parameter(after, inspect.Parameter.KEYWORD_ONLY)]
    fn.__signature__ = inspect.Signature(params)  # type: ignore[attr-defined]
    return fn


async def test_teardown_runs_in_reverse_order_of_set_up_for_every_flavour() -> None:
    log: list[str] = []

    async def first() -> AsyncIterator[int]:
        log.append("enter first")
        yield 1
        log.append("exit first")

    def second(first: int) -> Iterator[int]:
        log.append("enter second")
        yield first + 1
        log.append("exit second")

    def third(second: int) -> Iterator[int]:
        log.append("enter third")
        yield second + 1
        log.append("exit third")

    result = plan(
        {"handler": lambda third: None},
        {"first": first, "second": second, "third": Provide(third, sync_to_thread=False)},
    )
    async with AsyncExitStack() as stack:
        values = await result.resolve({}, stack)
        assert values["third"] == 3
        log.append("connection")

    assert log == [
        "enter first",
        "enter second",
        "enter third",
        "connection",
        "exit third",
        "exit second",
        "exit first",
    ]


async def test_reverse_order_follows_set_up_completion_not_declaration() -> None:
    log: list[str] = []

    def declared_first() -> Iterator[None]:
        log.append("enter declared_first")
        yield
        log.append("exit declared_first")

    async def declared_second() -> AsyncIterator[None]:
        log.append("enter declared_second")
        yield
        log.append("exit declared_second")

    # One level: async generators are set up before the level's other providers.
    result = plan(
        {"handler": lambda declared_first, declared_second: None},
        {"declared_first": declared_first, "declared_second": declared_second},
    )
    async with AsyncExitStack() as stack:
        await result.resolve({}, stack)

    assert log == [
        "enter declared_second",
        "enter declared_first",
        "exit declared_first",
        "exit declared_second",
    ]


async def test_async_generators_may_hold_a_task_owned_lock_across_yield() -> None:
    lock = anyio.Lock()  # released only by the task that acquired it

    async def other() -> None:
        await anyio.lowlevel.checkpoint()

    async def first() -> AsyncIterator[None]:
        async with lock:
            yield

    async def second() -> AsyncIterator[None]:
        await anyio.lowlevel.checkpoint()
        yield

    # Declared after `other`, with which they share a level.
    result = plan(
        {"handler": lambda other, first, second: None},
        {"other": other, "first": first, "second": second},
    )
    async with AsyncExitStack() as stack:
        await result.resolve({}, stack)
        assert lock.locked()

    assert not lock.locked()


@pytest.mark.parametrize("flavour", FLAVOURS)
async def test_the_exception_ending_the_scope_is_thrown_into_the_generator(flavour: str) -> None:
    log: list[str] = []
    result = plan({"handler": lambda g: None}, {"g": recorder(flavour, "g", log)})

    with pytest.raises(KeyError, match="boom"):
        await connection_ending_with(result, KeyError("boom"))

    assert log == ["enter g", "exit g: KeyError", "closed g"]


@pytest.mark.parametrize("flavour", FLAVOURS)
async def test_a_generator_may_swallow_the_exception(flavour: str) -> None:
    log: list[str] = []
    result = plan({"handler": lambda g: None}, {"g": recorder(flavour, "g", log, swallow=True)})

    await connection_ending_with(result, KeyError("swallowed"))

    assert log == ["enter g", "exit g: KeyError", "closed g"]


@pytest.mark.parametrize("flavour", FLAVOURS)
async def test_set_up_failure_tears_down_entered_generators_and_propagates(flavour: str) -> None:
    log: list[str] = []

    def broken(second: str) -> str:
        raise ValueError("set-up failed")

    result = plan(
        {"handler": lambda broken: None},
        {
            "first": recorder(flavour, "first", log),
            "second": recorder(flavour, "second", log, after="first"),
            "broken": broken,
        },
    )
    stack = AsyncExitStack()  # never exited: resolve itself cleans up what it entered

    with pytest.raises(ValueError, match="set-up failed"):
        await result.resolve({}, stack)

    expected = [
        "enter first",
        "enter second",
        "exit second: ValueError",
        "closed second",
        "exit first: ValueError",
        "closed first",
    ]
    assert log == expected
    await stack.aclose()
    assert log == expected


async def test_set_up_failure_is_not_hidden_by_a_generator_that_swallows_it() -> None:
    log: list[str] = []

    async def broken(g: str) -> str:
        raise ValueError("set-up failed")

    result = plan(
        {"handler": lambda broken: None},
        {"g": recorder("async", "g", log, swallow=True), "broken": broken},
    )

    with pytest.raises(ValueError, match="set-up failed"):
        async with AsyncExitStack() as stack:
            await result.resolve({}, stack)

    assert log == ["enter g", "exit g: ValueError", "closed g"]


@pytest.mark.parametrize("failing_first", [True, False])
async def test_failure_in_a_concurrent_level_propagates_as_itself(failing_first: bool) -> None:
    log: list[str] = []
    entered = anyio.Event()

    async def g() -> AsyncIterator[None]:
        log.append("enter g")
        entered.set()
        try:
            yield
        except BaseException as exc:
            log.append(f"exit g: {type(exc).__name__}")
            raise

    async def broken() -> None:
        await entered.wait()
        raise LookupError("no such user")

    # Declaration order decides which step the level's host task runs itself.
    providers = {"broken": broken, "g": g} if failing_first else {"g": g, "broken": broken}
    result = plan({"handler": lambda g, broken: None}, providers)

    with anyio.fail_after(5), pytest.raises(LookupError, match="no such user"):
        async with AsyncExitStack() as stack:
            await result.resolve({}, stack)

    assert log == ["enter g", "exit g: LookupError"]


async def test_simultaneous_failures_arrive_as_an_exception_group() -> None:
    both_running = threading.Barrier(2, timeout=5)

    # Sync providers in worker threads: both fail even after the first failure
    # cancels the level, since a running thread is waited for.
    def a() -> None:
        both_running.wait()
        raise ValueError("a")

    def b() -> None:
        both_running.wait()
        raise KeyError("b")

    result = plan({"handler": lambda a, b: None}, {"a": a, "b": b})

    with pytest.RaisesGroup(ValueError, KeyError):
        await result.resolve({}, AsyncExitStack())


@pytest.mark.parametrize("flavour", FLAVOURS)
async def test_failure_inside_a_generator_set_up_tears_down_the_earlier_ones(flavour: str) -> None:
    log: list[str] = []

    async def failing(first: str) -> AsyncIterator[str]:
        raise OSError("cannot connect")
        yield first  # pragma: no cover - never reached

    result = plan(
        {"handler": lambda failing: None},
        {"first": recorder(flavour, "first", log), "failing": failing},
    )

    with pytest.raises(OSError, match="cannot connect"):
        async with AsyncExitStack() as stack:
            await result.resolve({}, stack)

    assert log == ["enter first", "exit first: OSError", "closed first"]


@pytest.mark.parametrize("flavour", FLAVOURS)
async def test_a_generator_that_does_not_yield_is_a_runtime_error(flavour: str) -> None:
    log: list[str] = []
    result = plan({"handler": lambda g: None}, {"g": recorder(flavour, "g", log, yields=0)})

    with pytest.raises(RuntimeError, match=r"dependency 'g' \(.*\) did not yield"):
        await result.resolve({}, AsyncExitStack())

    assert log == ["enter g", "exit g", "closed g"]


@pytest.mark.parametrize("flavour", FLAVOURS)
async def test_a_generator_yielding_twice_fails_at_teardown_and_the_rest_is_torn_down(
    flavour: str, caplog: pytest.LogCaptureFixture
) -> None:
    log: list[str] = []

    async def outer() -> AsyncIterator[None]:
        try:
            yield
        finally:
            log.append("exit outer")

    result = plan(
        {"handler": lambda outer, twice: None},
        {"outer": outer, "twice": recorder(flavour, "twice", log, yields=2, after="outer")},
    )

    with pytest.raises(RuntimeError, match=r"dependency 'twice' \(.*\) yielded more than once"):
        async with AsyncExitStack() as stack:
            await result.resolve({}, stack)

    # The misbehaving generator is closed (its `finally` runs), then the rest.
    assert log == ["enter twice", "exit twice: GeneratorExit", "closed twice", "exit outer"]
    assert any("'twice'" in record.getMessage() for record in caplog.records)


@pytest.mark.parametrize("flavour", FLAVOURS)
async def test_a_failing_teardown_is_logged_chained_and_raised_after_the_others(
    flavour: str, caplog: pytest.LogCaptureFixture
) -> None:
    log: list[str] = []
    result = plan(
        {"handler": lambda third: None},
        {
            "first": recorder("async", "first", log),
            "second": recorder(
                flavour, "second", log, after="first", teardown_error=ValueError("x")
            ),
            "third": recorder(flavour, "third", log, after="second"),
        },
    )

    with pytest.raises(ValueError, match="x") as info:
        await connection_ending_with(result, KeyError("original"))

    assert log == [
        "enter first",
        "enter second",
        "enter third",
        "exit third: KeyError",
        "closed third",
        "exit second: KeyError",
        "closed second",
        "exit first: ValueError",  # contextlib semantics: the newer error is thrown in
        "closed first",
    ]
    assert isinstance(info.value.__context__, KeyError)
    [record] = [r for r in caplog.records if r.name == "ws_di"]
    assert record.levelno == logging.ERROR
    assert "'second'" in record.getMessage()
    assert record.exc_info is not None
    assert record.exc_info[1] is info.value


async def test_cancellation_during_set_up_tears_down_what_was_entered() -> None:
    log: list[str] = []
    waiting = anyio.Event()

    async def slow(g: str) -> str:
        waiting.set()
        await anyio.sleep_forever()
        raise AssertionError("unreachable")

    result = plan({"handler": lambda slow: None}, {"g": recorder("async", "g", log), "slow": slow})
    stack = AsyncExitStack()

    with anyio.fail_after(5):
        async with anyio.create_task_group() as group:
            group.start_soon(result.resolve, {}, stack)
            await waiting.wait()
            group.cancel_scope.cancel()

    cancelled = anyio.get_cancelled_exc_class().__name__
    assert log == ["enter g", f"exit g: {cancelled}", "closed g"]
    await stack.aclose()
    assert len(log) == 3


@pytest.mark.parametrize("flavour", FLAVOURS)
async def test_move_on_after_around_resolve_and_stack_exit(flavour: str) -> None:
    log: list[str] = []

    async def forever(g: str) -> None:
        await anyio.sleep_forever()

    # Two of them: the cancellation also crosses a level's task group.
    result = plan(
        {"handler": lambda forever, also_forever: None},
        {"g": recorder(flavour, "g", log), "forever": forever, "also_forever": forever},
    )

    with anyio.move_on_after(0.01) as scope:
        async with AsyncExitStack() as stack:
            await result.resolve({}, stack)

    assert scope.cancelled_caught
    cancelled = anyio.get_cancelled_exc_class().__name__
    assert log == ["enter g", f"exit g: {cancelled}", "closed g"]


async def test_cancellation_in_the_middle_of_teardown_lets_it_complete() -> None:
    log: list[str] = []
    tearing_down = anyio.Event()
    release = anyio.Event()

    async def g() -> AsyncIterator[None]:
        yield
        tearing_down.set()
        await release.wait()
        await anyio.lowlevel.checkpoint()
        log.append("teardown complete")

    result = plan({"handler": lambda g: None}, {"g": g})

    async def connection(scope: anyio.CancelScope) -> None:
        with scope:
            async with AsyncExitStack() as stack:
                await result.resolve({}, stack)
        log.append("connection over")

    scope = anyio.CancelScope()
    with anyio.fail_after(5):
        async with anyio.create_task_group() as group:
            group.start_soon(connection, scope)
            await tearing_down.wait()
            scope.cancel()
            await anyio.wait_all_tasks_blocked()
            release.set()

    assert log == ["teardown complete", "connection over"]


@pytest.mark.parametrize("flavour", FLAVOURS)
async def test_teardown_under_an_already_cancelled_scope_still_runs(flavour: str) -> None:
    log: list[str] = []

    async def checkpointing(g: str) -> AsyncIterator[None]:
        yield
        await anyio.lowlevel.checkpoint()  # would raise the cancellation if not shielded
        log.append("async teardown complete")

    result = plan(
        {"handler": lambda g, checkpointing: None},
        {"g": recorder(flavour, "g", log), "checkpointing": checkpointing},
    )

    with anyio.CancelScope() as scope:
        async with AsyncExitStack() as stack:
            await result.resolve({}, stack)
            scope.cancel()

    assert log == ["enter g", "async teardown complete", "exit g", "closed g"]


async def test_cancelled_while_a_sync_generator_sets_up_in_a_thread() -> None:
    log: list[str] = []
    in_thread = anyio.Event()
    release = threading.Event()

    def blocking() -> Iterator[str]:
        anyio.from_thread.run_sync(in_thread.set)
        release.wait(5)
        log.append("set up")
        try:
            yield "value"
        except BaseException as exc:
            log.append(f"torn down: {type(exc).__name__}")
            raise

    async def next_level(blocking: str) -> str:
        await anyio.lowlevel.checkpoint()
        log.append("next level ran")
        return blocking

    result = plan(
        {"handler": lambda next_level: None}, {"blocking": blocking, "next_level": next_level}
    )
    stack = AsyncExitStack()

    with anyio.fail_after(5):
        async with anyio.create_task_group() as group:
            group.start_soon(result.resolve, {}, stack)
            await in_thread.wait()
            group.cancel_scope.cancel()
            release.set()

    # The thread finished the set-up; the cancellation then ended the
    # resolution, which tore the generator down itself.
    cancelled = anyio.get_cancelled_exc_class().__name__
    assert log == ["set up", f"torn down: {cancelled}"]
    await stack.aclose()
    assert len(log) == 2
