"""The listener page's examples on lifespans with task groups, message sizes and DTO replies."""

from __future__ import annotations

from collections.abc import Callable
from types import ModuleType

import pytest

from ws_kit import WebSocketDisconnect
from ws_kit.testing import AsyncTestClient

pytestmark = pytest.mark.anyio

Load = Callable[[str], ModuleType]


@pytest.fixture(params=["asyncio", "trio"])
def anyio_backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


async def test_a_lifespan_runs_a_task_group_beside_the_listener(load_example: Load) -> None:
    app = load_example("listener_options/lifespan_task_group.py").app
    async with AsyncTestClient(app) as client, client.websocket_connect("/echo") as ws:
        assert await ws.receive_json() == {"heartbeat": 0}
        await ws.send_text("hello")
        assert await ws.receive_text() == "hello"


async def test_a_message_over_the_limit_closes_with_1009(load_example: Load) -> None:
    app = load_example("listener_options/max_message_size.py").app
    async with AsyncTestClient(app) as client, client.websocket_connect("/ingest") as ws:
        await ws.send_json({"a": 1, "b": 2})
        assert await ws.receive_json() == {"fields": 2}
        await ws.send_json({"blob": "x" * 70_000})
        with pytest.raises(WebSocketDisconnect) as closed:
            await ws.receive_text()
    assert closed.value.code == 1009


async def test_the_dto_shapes_the_reply(load_example: Load) -> None:
    app = load_example("listener_options/dto_replies.py").app
    async with AsyncTestClient(app) as client, client.websocket_connect("/accounts") as ws:
        await ws.send_json({"name": "ada lovelace", "password": "ignored"})
        assert await ws.receive_json() == {"name": "Ada Lovelace"}
