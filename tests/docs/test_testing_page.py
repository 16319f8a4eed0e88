"""The testing how-to: its example tests (docs/examples/testing/) are run from here."""

from collections.abc import Callable
from types import ModuleType

import pytest

Load = Callable[[str], ModuleType]


def test_echo_example(load_example: Load) -> None:
    load_example("testing/test_echo.py").test_echo()


@pytest.mark.anyio
async def test_async_example_under_both_backends(load_example: Load) -> None:
    await load_example("testing/test_async.py").test_double()


def test_failures_examples(load_example: Load) -> None:
    example = load_example("testing/test_failures.py")
    example.test_a_guard_rejects_the_handshake()
    example.test_no_reply_fails_after_the_timeout()
    example.test_the_server_closes()
