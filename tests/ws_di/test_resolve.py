import threading
from collections.abc import AsyncIterator, Callable, Iterator, Mapping
from contextlib import AsyncExitStack
from dataclasses import dataclass
from typing import Any

import anyio
import anyio.lowlevel
import pytest

from ws_di import DependencyPlan, Provide, merge_providers, plan_dependencies

pytestmark = pytest.mark.anyio


def plan(
    consumers: Mapping[str, Callable[..., Any]],
    providers: Mapping[str, Any],
    supplied: tuple[str, ...] = (),
    **options: Any,
) -> DependencyPlan:
    return plan_dependencies(
        consumers,
        providers=merge_providers(providers),
        supplied=supplied,
        owner="test handler",
        **options,
    )


@dataclass
class Repository:
    db: str
    prefix: str = "repo"


async def test_every_provider_kind_is_resolved_with_nested_and_supplied_names() -> None:
    def settings(socket: str) -> str:
        return f"settings for {socket}"

    async def db(settings: str) -> str:
        return f"db({settings})"

    def session(db: str) -> Iterator[str]:
        yield f"session({db})"

    async def connection(session: str) -> AsyncIterator[str]:
        yield f"connection({session})"

    def handler(repo: Repository, connection: str, socket: str) -> None: ...

    result = plan(
        {"handler": handler},
        {
            "settings": settings,
            "db": db,
            "session": session,
            "connection": connection,
            "repo": Repository,
        },
        supplied=("socket",),
    )
    async with AsyncExitStack() as stack:
        values = await result.resolve({"socket": "S", "unused": 1}, stack)

    assert values["unused"] == 1
    assert values["connection"] == "connection(session(db(settings for S)))"
    assert result.kwargs_for("handler", values) == {
        "repo": Repository("db(settings for S)"),
        "connection": "connection(session(db(settings for S)))",
        "socket": "S",
    }


async def test_a_shared_provider_runs_once_per_connection() -> None:
    calls: list[str] = []

    async def base() -> str:
        calls.append("base")
        return "base"

    async def left(base: str) -> str:
        return f"left({base})"

    async def right(base: str) -> str:
        return f"right({base})"

    result = plan(
        {"one": lambda left, base: None, "two": lambda right, base: None},
        {"base": base, "left": left, "right": right},
    )
    async with AsyncExitStack() as stack:
        values = await result.resolve({}, stack)

    assert calls == ["base"]
    assert result.kwargs_for("one", values) == {"left": "left(base)", "base": "base"}
    assert result.kwargs_for("two", values) == {"right": "right(base)", "base": "base"}


async def test_two_resolutions_share_no_state() -> None:
    entered: list[object] = []
    exited: list[object] = []

    async def resource() -> AsyncIterator[object]:
        token = object()
        entered.append(token)
        yield token
        exited.append(token)

    result = plan({"handler": lambda resource: None}, {"resource": resource})
    first_stack = AsyncExitStack()
    first = await result.resolve({}, first_stack)
    async with AsyncExitStack() as second_stack:
        second = await result.resolve({}, second_stack)
        assert first is not second
        assert first["resource"] is not second["resource"]
    assert exited == [second["resource"]]
    await first_stack.aclose()
    assert exited == [second["resource"], first["resource"]]
    assert entered == [first["resource"], second["resource"]]


async def test_use_cache_keeps_the_first_value_across_connections() -> None:
    calls = 0

    def client() -> object:
        nonlocal calls
        calls += 1
        return object()

    provide = Provide(client, use_cache=True)
    result = plan({"handler": lambda client: None}, {"client": provide})
    async with AsyncExitStack() as stack:
        first = await result.resolve({}, stack)
    async with AsyncExitStack() as stack:
        second = await result.resolve({}, stack)

    assert calls == 1
    assert first["client"] is second["client"]


async def test_use_cache_computes_once_when_connections_race() -> None:
    calls = 0
    release = anyio.Event()

    async def client() -> object:
        nonlocal calls
        calls += 1
        await release.wait()
        return object()

    result = plan({"handler": lambda client: None}, {"client": Provide(client, use_cache=True)})
    seen: list[object] = []

    async def connect() -> None:
        async with AsyncExitStack() as stack:
            seen.append((await result.resolve({}, stack))["client"])

    with anyio.fail_after(5):
        async with anyio.create_task_group() as group:
            group.start_soon(connect)
            group.start_soon(connect)
            await anyio.wait_all_tasks_blocked()
            release.set()

    assert calls == 1
    assert len(seen) == 2
    assert seen[0] is seen[1]


async def test_independent_async_providers_run_concurrently() -> None:
    a_started = anyio.Event()
    b_started = anyio.Event()

    # Each waits for the other to have started: only concurrent evaluation ends.
    async def a() -> str:
        a_started.set()
        await b_started.wait()
        return "a"

    async def b() -> str:
        b_started.set()
        await a_started.wait()
        return "b"

    result = plan({"handler": lambda a, b: None}, {"a": a, "b": b})
    with anyio.fail_after(5):
        async with AsyncExitStack() as stack:
            values = await result.resolve({}, stack)

    assert (values["a"], values["b"]) == ("a", "b")


async def test_sync_generators_in_worker_threads_set_up_concurrently() -> None:
    both_setting_up = threading.Barrier(2, timeout=5)
    log: list[str] = []

    def a() -> Iterator[str]:
        both_setting_up.wait()  # raises BrokenBarrierError unless `b` runs meanwhile
        yield "a"
        log.append("exit a")

    def b() -> Iterator[str]:
        both_setting_up.wait()
        yield "b"
        log.append("exit b")

    result = plan({"handler": lambda a, b: None}, {"a": a, "b": b})
    async with AsyncExitStack() as stack:
        values = await result.resolve({}, stack)

    assert (values["a"], values["b"]) == ("a", "b")
    assert sorted(log) == ["exit a", "exit b"]


async def test_async_generator_set_up_overlaps_the_rest_of_its_level() -> None:
    function_started = anyio.Event()
    gen_started = anyio.Event()

    async def function() -> str:
        function_started.set()
        await gen_started.wait()
        return "function"

    async def gen() -> AsyncIterator[str]:
        gen_started.set()
        await function_started.wait()
        yield "gen"

    result = plan({"handler": lambda function, gen: None}, {"function": function, "gen": gen})
    with anyio.fail_after(5):
        async with AsyncExitStack() as stack:
            values = await result.resolve({}, stack)

    assert (values["function"], values["gen"]) == ("function", "gen")


def current_thread() -> int:
    return threading.get_ident()


def generator_threads(log: list[int]) -> Iterator[int]:
    log.append(threading.get_ident())
    yield 0
    log.append(threading.get_ident())


@pytest.mark.parametrize("sync_to_thread", [True, False])
async def test_sync_providers_run_in_a_worker_thread_unless_inline(sync_to_thread: bool) -> None:
    log: list[int] = []

    class Built:
        def __init__(self) -> None:
            self.thread = threading.get_ident()

    def gen() -> Iterator[int]:
        yield from generator_threads(log)

    result = plan(
        {"handler": lambda plain, built, gen: None},
        {
            "plain": Provide(current_thread, sync_to_thread=sync_to_thread),
            "built": Provide(Built, sync_to_thread=sync_to_thread),
            "gen": Provide(gen, sync_to_thread=sync_to_thread),
        },
    )
    loop_thread = threading.get_ident()
    async with AsyncExitStack() as stack:
        values = await result.resolve({}, stack)

    threads = [values["plain"], values["built"].thread, *log]
    assert len(threads) == 4
    if sync_to_thread:
        assert loop_thread not in threads
    else:
        assert set(threads) == {loop_thread}


async def test_sync_generator_function_in_thread_sets_up_and_tears_down_off_the_loop() -> None:
    log: list[int] = []

    def gen() -> Iterator[int]:
        yield from generator_threads(log)

    result = plan({"handler": lambda gen: None}, {"gen": gen})
    async with AsyncExitStack() as stack:
        await result.resolve({}, stack)

    assert len(log) == 2
    assert threading.get_ident() not in log


async def test_unresolved_values_come_from_supplied_and_optional_ones_may_be_missing() -> None:
    def page_size(size: int = 20) -> int:
        return size

    def handler(room: str, page_size: int, verbose: bool = False) -> None: ...

    result = plan({"handler": handler}, {"page_size": page_size}, allow_unresolved=True)
    async with AsyncExitStack() as stack:
        values = await result.resolve({"room": "lobby"}, stack)

    assert values == {"room": "lobby", "page_size": 20}
    assert result.kwargs_for("handler", values) == {"room": "lobby", "page_size": 20}


async def test_missing_supplied_values_are_a_type_error() -> None:
    result = plan(
        {"handler": lambda socket, room, page=1: None},
        {},
        supplied=("socket",),
        allow_unresolved=True,
    )

    with pytest.raises(
        TypeError, match="test handler: resolve\\(\\) is missing supplied values for room, socket"
    ):
        await result.resolve({"page": 2}, AsyncExitStack())


async def test_bound_method_and_callable_instance_providers() -> None:
    class Counter:
        def __init__(self) -> None:
            self.step = 3

        async def next_value(self, start: int) -> int:
            return start + self.step

        def __call__(self, next_value: int) -> str:
            return f"#{next_value}"

    counter = Counter()
    result = plan(
        {"handler": lambda label: None},
        {"next_value": counter.next_value, "label": counter},
        supplied=("start",),
    )
    async with AsyncExitStack() as stack:
        values = await result.resolve({"start": 4}, stack)

    assert values["label"] == "#7"


async def test_levels_with_a_single_suspending_provider_spawn_no_task_group(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    async def first() -> int:
        await anyio.lowlevel.checkpoint()
        return 1

    async def second(first: int) -> AsyncIterator[int]:
        yield first + 1

    def inline(first: int) -> int:
        return first + 10

    result = plan(
        {"handler": lambda second, inline: None},
        {"first": first, "second": second, "inline": Provide(inline, sync_to_thread=False)},
    )

    def no_task_group() -> None:
        raise AssertionError("a task group was created")

    monkeypatch.setattr(anyio, "create_task_group", no_task_group)
    async with AsyncExitStack() as stack:
        values = await result.resolve({}, stack)

    assert (values["second"], values["inline"]) == (2, 11)
