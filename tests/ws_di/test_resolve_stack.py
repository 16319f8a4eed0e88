"""`resolve`'s stack: not needed without generators; its shield may be left to the caller."""

from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import AsyncExitStack
from typing import Any

import anyio
import anyio.lowlevel
import pytest

from ws_di import DependencyPlan, merge_providers, plan_dependencies

pytestmark = pytest.mark.anyio


def plan(consumer: Callable[..., Any], providers: Mapping[str, Any]) -> DependencyPlan:
    return plan_dependencies(
        {"handler": consumer},
        providers=merge_providers(providers),
        supplied=(),
        owner="test handler",
    )


async def value() -> int:
    return 1


def test_tears_down_tells_whether_a_generator_is_planned() -> None:
    async def gen() -> AsyncIterator[int]:
        yield 1

    assert plan(lambda value: None, {"value": value}).tears_down is False
    assert plan(lambda value, gen: None, {"value": value, "gen": gen}).tears_down is True


async def test_a_plan_without_generators_needs_no_stack() -> None:
    assert await plan(lambda value: None, {"value": value}).resolve({}, None) == {"value": 1}


async def test_a_plan_with_generators_refuses_to_resolve_without_a_stack() -> None:
    async def gen() -> AsyncIterator[int]:
        raise AssertionError("set up without a stack to tear it down")
        yield 1

    with pytest.raises(TypeError, match="test handler: resolve\\(\\) needs a stack"):
        await plan(lambda gen: None, {"gen": gen}).resolve({}, None)


async def test_a_shielded_stack_leaves_the_teardown_shield_to_the_caller() -> None:
    log: list[str] = []

    async def gen() -> AsyncIterator[int]:
        yield 1
        await anyio.lowlevel.checkpoint()  # raises the cancellation unless shielded
        log.append("teardown complete")

    result = plan(lambda gen: None, {"gen": gen})
    with anyio.CancelScope() as scope:
        async with AsyncExitStack() as stack:
            await result.resolve({}, stack, stack_shielded=True)
            scope.cancel()
    assert log == []  # the caller broke its promise: nothing shielded the teardown

    with anyio.CancelScope() as scope:
        stack = AsyncExitStack()
        await result.resolve({}, stack, stack_shielded=True)
        scope.cancel()
        with anyio.CancelScope(shield=True):
            await stack.aclose()
    assert log == ["teardown complete"]


async def test_a_set_up_failure_is_torn_down_shielded_even_with_a_shielded_stack() -> None:
    log: list[str] = []
    waiting = anyio.Event()

    async def gen() -> AsyncIterator[int]:
        try:
            yield 1
        finally:  # the cancellation is thrown in at the yield
            await anyio.lowlevel.checkpoint()  # raises it again unless shielded
            log.append("teardown complete")

    async def slow(gen: int) -> int:
        waiting.set()
        await anyio.sleep_forever()
        raise AssertionError("unreachable")

    result = plan(lambda slow: None, {"gen": gen, "slow": slow})
    stack = AsyncExitStack()
    with anyio.fail_after(5):
        async with anyio.create_task_group() as group:
            group.start_soon(lambda: result.resolve({}, stack, stack_shielded=True))
            await waiting.wait()
            group.cancel_scope.cancel()
    assert log == ["teardown complete"]
    await stack.aclose()
    assert log == ["teardown complete"]


async def test_teardowns_on_a_shielded_stack_run_in_reverse_order_with_the_exception() -> None:
    log: list[str] = []

    async def first() -> AsyncIterator[str]:
        try:
            yield "first"
        except LookupError as exc:
            log.append(f"first saw {exc}")
            raise

    async def second(first: str) -> AsyncIterator[str]:
        try:
            yield "second"
        except LookupError as exc:
            log.append(f"second saw {exc}")
            raise

    result = plan(lambda second: None, {"first": first, "second": second})
    stack = AsyncExitStack()
    await result.resolve({}, stack, stack_shielded=True)
    error = LookupError("boom")
    assert await stack.__aexit__(LookupError, error, None) is False  # not swallowed
    assert log == ["second saw boom", "first saw boom"]
