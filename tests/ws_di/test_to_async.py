import threading

import pytest

from ws_di import to_async

pytestmark = pytest.mark.anyio


async def coroutine_function(x: int) -> int:
    return x + 1


class AsyncCallable:
    async def __call__(self, x: int) -> int:
        return x * 2


def where(value: int, *, scale: int = 1) -> tuple[int, int]:
    return value * scale, threading.get_ident()


def fails() -> None:
    raise LookupError("from the callable")


def test_coroutine_functions_are_returned_unchanged() -> None:
    assert to_async(coroutine_function) is coroutine_function
    instance = AsyncCallable()
    assert to_async(instance) is instance


async def test_sync_callable_runs_in_a_worker_thread_with_kwargs() -> None:
    call = to_async(where)

    value, ident = await call(3, scale=2)

    assert value == 6
    assert ident != threading.get_ident()


async def test_sync_callable_runs_inline_when_asked() -> None:
    call = to_async(where, sync_to_thread=False)

    value, ident = await call(value=4)

    assert value == 4
    assert ident == threading.get_ident()


@pytest.mark.parametrize("sync_to_thread", [True, False])
async def test_exceptions_propagate_unchanged(sync_to_thread: bool) -> None:
    with pytest.raises(LookupError, match="from the callable"):
        await to_async(fails, sync_to_thread=sync_to_thread)()


def test_wrapper_keeps_the_name_of_the_callable() -> None:
    assert to_async(where).__name__ == "where"
