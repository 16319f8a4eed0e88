"""Every stream example of the guide, run from docs/examples/streams over the ASGI protocol.

The examples sleep between frames (0.5 s, 1 s); each test swaps the example
module's ``asyncio`` for a stand-in whose ``sleep`` is 100 times shorter and
which records the tasks it creates. The examples use asyncio, so they run
under the asyncio backend only.
"""

import asyncio
import importlib.util
import logging
import types
from collections.abc import Coroutine
from pathlib import Path
from typing import Any, Literal

import anyio
import pytest

from ws_core.testing import AsyncTestClient

EXAMPLES = Path(__file__).resolve().parents[2] / "docs" / "examples" / "streams"

pytestmark = pytest.mark.anyio


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


def load_example(name: str, monkeypatch: pytest.MonkeyPatch) -> Any:
    """Import the example file ``name`` afresh, with a faster ``asyncio``."""
    path = EXAMPLES / f"{name}.py"
    spec = importlib.util.spec_from_file_location(f"streams_example_{name}", path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)

    public = (name for name in dir(asyncio) if not name.startswith("_"))
    fast = types.SimpleNamespace(**{name: getattr(asyncio, name) for name in public})
    fast.created_tasks = []

    async def sleep(delay: float) -> None:
        await asyncio.sleep(delay / 100)

    def create_task(coroutine: Coroutine[Any, Any, Any]) -> asyncio.Task[Any]:
        task = asyncio.create_task(coroutine)
        fast.created_tasks.append(task)
        return task

    fast.sleep = sleep
    fast.create_task = create_task
    monkeypatch.setattr(module, "asyncio", fast)
    return module


def error_records(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [record for record in caplog.records if record.levelno >= logging.ERROR]


@pytest.mark.parametrize("name", ["ping_typing", "ping_collections"])
async def test_ping_streams_timestamps(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    module = load_example(name, monkeypatch)
    async with AsyncTestClient(module.app) as client, client.websocket_connect("/") as ws:
        stamps = [await ws.receive_json() for _ in range(3)]
    assert all(isinstance(stamp, float) and stamp > 1e9 for stamp in stamps)
    assert stamps == sorted(stamps)


class ContendedLock(asyncio.Lock):
    """An ``asyncio.Lock`` that tells when a task starts waiting for it.

    (The stream ticks every 10 ms, so ``wait_all_tasks_blocked`` may never see
    every task idle at once.)
    """

    def __init__(self) -> None:
        super().__init__()
        self.contended = anyio.Event()

    async def acquire(self) -> Literal[True]:
        if self.locked():
            self.contended.set()
        return await super().acquire()


@pytest.mark.parametrize("name", ["lock_dependency_typing", "lock_dependency_collections"])
async def test_lock_dependency_is_held_for_the_whole_connection(
    name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    module = load_example(name, monkeypatch)
    lock = ContendedLock()
    monkeypatch.setattr(module, "RESOURCE_LOCK", lock)
    second_accepted = anyio.Event()
    second_frames: list[Any] = []

    async with AsyncTestClient(module.app) as client:

        async def second_client() -> None:
            async with client.websocket_connect("/") as second:
                second_accepted.set()
                second_frames.append(await second.receive_json())

        async with client.websocket_connect("/") as first:
            assert await first.receive_json() is True
            assert await first.receive_json() is True
            assert module.RESOURCE_LOCK.locked()
            async with anyio.create_task_group() as task_group:
                task_group.start_soon(second_client)
                with anyio.fail_after(5):
                    await lock.contended.wait()
                # The second handshake waits for the lock the first connection holds.
                assert not second_accepted.is_set()
                await first.close()
    assert second_frames == [True]
    assert not module.RESOURCE_LOCK.locked()


@pytest.mark.parametrize("name", ["lock_in_generator_typing", "lock_in_generator_collections"])
async def test_lock_inside_the_generator_lets_connections_stream_side_by_side(
    name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    module = load_example(name, monkeypatch)
    async with (
        AsyncTestClient(module.app) as client,
        client.websocket_connect("/") as first,
        client.websocket_connect("/") as second,
    ):
        frames = [await ws.receive_json() for _ in range(2) for ws in (first, second)]
    assert frames == [True, True, True, True]
    assert not module.RESOURCE_LOCK.locked()


@pytest.mark.parametrize("name", ["socket_client_typing", "socket_client_collections"])
async def test_injected_socket_gives_the_client_address(
    name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    module = load_example(name, monkeypatch)
    async with AsyncTestClient(module.app) as client, client.websocket_connect("/") as ws:
        frames = [await ws.receive_json() for _ in range(2)]
    for frame in frames:
        assert frame.keys() == {"time", "client"}
        assert isinstance(frame["time"], float)
        assert frame["client"] == ["testclient", 50000]


@pytest.mark.parametrize("name", ["combined_listener_typing", "combined_listener_collections"])
async def test_listener_lifespan_streams_while_the_listener_receives(
    name: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    module = load_example(name, monkeypatch)
    async with AsyncTestClient(module.app) as client, client.websocket_connect("/") as ws:
        frames = [await ws.receive_json() for _ in range(2)]
        await ws.send_json({"hello": "world"})
        assert (await ws.receive_json()).keys() == {"time"}
    # Leaving the block waited for the connection to end, and so for the stream task: the
    # lifespan cancelled it, or (on a slow machine, its half-second sleep over first) its
    # next send found the client gone and it returned False.
    assert all(frame.keys() == {"time"} for frame in frames)
    (task,) = module.asyncio.created_tasks
    assert task.done()
    assert task.cancelled() or task.result() is False
    assert "{'hello': 'world'}" in capsys.readouterr().out
    assert error_records(caplog) == []


@pytest.mark.parametrize("name", ["combined_task_group_typing", "combined_task_group_collections"])
async def test_task_group_streams_while_reading_json(
    name: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    module = load_example(name, monkeypatch)
    async with AsyncTestClient(module.app) as client, client.websocket_connect("/") as ws:
        frames = [await ws.receive_json() for _ in range(2)]
        await ws.send_json({"hello": "world"})
        assert (await ws.receive_json()).keys() == {"time"}
    # Leaving the block waited for the handler: the stream stopped once the client was gone.
    assert all(frame.keys() == {"time"} for frame in frames)
    assert "{'hello': 'world'}" in capsys.readouterr().out
    assert error_records(caplog) == []
