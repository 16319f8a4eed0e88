"""Per-connection cost of ws_di: `plan.resolve` plus the exit of the connection's stack.

Run: python benchmarks/bench_di.py   (needs ws-di and trio installed)

Each scenario is planned once; a "connection" is one `resolve` inside a fresh
`AsyncExitStack` and the exit of that stack. The table shows the median over
several repetitions, in microseconds per connection, on both anyio backends.
"""

from __future__ import annotations

import inspect
import statistics
import time
from collections.abc import AsyncIterator, Callable
from contextlib import AsyncExitStack
from typing import Any

import anyio

from ws_di import DependencyPlan, merge_providers, plan_dependencies

CONNECTIONS = 2_000
REPETITIONS = 7


def with_parameters(fn: Callable[..., Any], names: list[str]) -> Callable[..., Any]:
    """Give a `**kwargs` function the named parameters it should be planned with."""
    kind = inspect.Parameter.KEYWORD_ONLY
    fn.__signature__ = inspect.Signature([inspect.Parameter(n, kind) for n in names])  # type: ignore[attr-defined]
    return fn


def async_dependency(value: int) -> Callable[..., Any]:
    async def dependency(**_: Any) -> int:
        return value

    return dependency


async def generator_dependency() -> AsyncIterator[int]:
    yield 1


def scenario(count: int, *, generator: bool = False, chained: bool = False) -> DependencyPlan:
    providers: dict[str, Callable[..., Any]] = {}
    for i in range(count):
        previous = [f"d{i - 1}"] if chained and i else []
        providers[f"d{i}"] = with_parameters(async_dependency(i), previous)
    if generator:
        providers[f"d{count - 1}"] = generator_dependency
    consumer = with_parameters(lambda **_: None, list(providers))
    return plan_dependencies(
        {"handler": consumer},
        providers=merge_providers(providers),
        supplied=("socket",),
        owner="benchmark",
    )


async def per_connection_us(plan: DependencyPlan) -> float:
    supplied = {"socket": object()}
    timings = []
    for _ in range(REPETITIONS):
        start = time.perf_counter()
        for _ in range(CONNECTIONS):
            async with AsyncExitStack() as stack:
                await plan.resolve(supplied, stack)
        timings.append((time.perf_counter() - start) / CONNECTIONS * 1e6)
    return statistics.median(timings)


SCENARIOS = {
    "0 dependencies": scenario(0),
    "3 async functions": scenario(3),
    "3 async functions, chained": scenario(3, chained=True),
    "3, one an async generator": scenario(3, generator=True),
    "10 async functions": scenario(10),
}


def main() -> None:
    results = {
        backend: {
            name: anyio.run(per_connection_us, plan, backend=backend)
            for name, plan in SCENARIOS.items()
        }
        for backend in ("asyncio", "trio")
    }
    width = max(map(len, SCENARIOS))
    print(
        f"ws_di resolve + stack exit, µs per connection (median of {REPETITIONS} x {CONNECTIONS})"
    )
    print(f"{'scenario':<{width}}  {'asyncio':>8}  {'trio':>8}")
    for name in SCENARIOS:
        print(f"{name:<{width}}  {results['asyncio'][name]:>8.1f}  {results['trio'][name]:>8.1f}")


if __name__ == "__main__":
    main()
