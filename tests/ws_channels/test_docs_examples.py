"""The channels how-to pages' examples (docs/examples/channels/), each run as the page says."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

import anyio
import httpx
import pytest
from channels_support import settle

from ws_channels import ChannelsPlugin, MemoryChannelsBackend
from ws_core.testing import AsyncTestClient, WebSocketRejected

pytestmark = pytest.mark.anyio

Load = Callable[[str], ModuleType]
ROOT = Path(__file__).resolve().parents[2]


async def http(app: Any, method: str, path: str, json: Any = None) -> Any:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        response = await client.request(method, path, json=json)
        response.raise_for_status()
        return response.json()


async def test_broadcast_from_a_listener(load_example: Load) -> None:
    example = load_example("channels/broadcast_listener.py")
    async with (
        AsyncTestClient(example.app) as client,
        client.websocket_connect("/chat") as ada,
        client.websocket_connect("/chat") as bob,
    ):
        await ada.send_json({"name": "ada", "text": "hi all"})
        said = {"from": "ada", "text": "hi all"}
        assert await ada.receive_json() == said
        assert await bob.receive_json() == said


@pytest.mark.parametrize("anyio_backend", ["asyncio"])  # FastAPI and Starlette: one is enough
async def test_push_from_a_fastapi_view(load_example: Load, anyio_backend: str) -> None:
    example = load_example("channels/push_fastapi.py")
    async with (
        AsyncTestClient(example.api) as client,
        client.websocket_connect("/ws/alerts") as session,
    ):
        assert await http(example.api, "POST", "/alerts", {"level": "red"}) == {"status": "queued"}
        assert await session.receive_json() == {"level": "red"}


@pytest.mark.parametrize("anyio_backend", ["asyncio"])
async def test_push_from_a_starlette_endpoint(load_example: Load, anyio_backend: str) -> None:
    example = load_example("channels/push_starlette.py")
    async with (
        AsyncTestClient(example.app) as client,
        client.websocket_connect("/ws/orders") as session,
    ):
        answer = await http(example.app, "POST", "/orders/shipped", {"id": 7})
        assert answer == {"status": "published"}
        assert await session.receive_json() == {"shipped": 7}


async def test_a_worker_publishes_without_an_app(load_example: Load) -> None:
    example = load_example("channels/worker.py")
    backend = MemoryChannelsBackend(history=10)
    await example.work(backend, 3)
    history = await backend.get_history("jobs")
    assert history == [b'{"job":%d,"status":"done"}' % job for job in range(3)]
    script = ROOT / "docs/examples/channels/worker.py"
    await anyio.run_process([sys.executable, str(script)], check=True)


async def test_history_and_resume_through_the_route(load_example: Load) -> None:
    example = load_example("channels/resume_route.py")
    channels = example.channels
    async with AsyncTestClient(example.app) as client:
        for number in range(25):
            await channels.wait_published({"n": number}, "feed")
        async with client.websocket_connect("/feed") as session:
            first_visit = [await session.receive_json() for _ in range(20)]
        assert [message["data"]["n"] for message in first_visit] == list(range(5, 25))
        last = first_visit[-1]
        await channels.wait_published({"n": 25}, "feed")
        await channels.wait_published({"n": 26}, "feed")
        async with client.websocket_connect(f"/feed?since={last['epoch']}:{last['offset']}") as s:
            assert [(await s.receive_json())["data"]["n"] for _ in range(2)] == [25, 26]


async def test_resume_in_code_says_whether_it_recovered(load_example: Load) -> None:
    example = load_example("channels/resume_in_code.py")

    backend = MemoryChannelsBackend(history=3)
    async with ChannelsPlugin(backend, channels=["feed"]) as channels:
        for number in range(3):
            await channels.wait_published(number, "feed")
        await settle()
        epoch = backend.epoch
        assert await example.catch_up(channels, (epoch, 1)) == ([b"1", b"2"], True)
        for number in range(3, 8):
            await channels.wait_published(number, "feed")
        await settle()
        assert await example.catch_up(channels, (epoch, 2)) == ([b"5", b"6", b"7"], False)


async def test_presence_in_a_room(load_example: Load) -> None:
    example = load_example("channels/presence.py")
    tab = {"agent": ""}  # the test client sends no User-Agent
    async with (
        AsyncTestClient(example.app) as client,
        client.websocket_connect("/rooms/lobby?name=ada") as ada,
    ):
        assert await ada.receive_json() == {"joined": {"ada": [tab]}, "left": {}}
        async with client.websocket_connect("/rooms/lobby?name=bob") as bob:
            assert await bob.receive_json() == {"joined": {"ada": [tab], "bob": [tab]}, "left": {}}
            assert await ada.receive_json() == {"joined": {"bob": [tab]}, "left": {}}
        assert await ada.receive_json() == {"joined": {}, "left": {"bob": [tab]}}


async def test_backpressure_settings_and_stats(load_example: Load) -> None:
    example = load_example("channels/backpressure.py")
    channels = example.channels
    async with AsyncTestClient(example.app) as client:
        async with client.websocket_connect("/prices") as session:
            await channels.wait_published({"eur": 1.08}, "prices")
            assert await session.receive_json() == {"eur": 1.08}
            await settle()
            stats = await http(example.app, "GET", "/stats")
        assert stats["channels"]["prices"] == {
            "published": 1,
            "delivered": 1,
            "dropped": 0,
            "lost": 0,
            "subscribers": 1,
        }
        assert channels.subscriber_backlog_strategy == "dropleft"


async def test_generated_routes_with_history_and_a_guard(load_example: Load) -> None:
    example = load_example("channels/generated_routes.py")
    channels = example.channels
    async with AsyncTestClient(example.app) as client:
        for number in range(12):
            await channels.wait_published(number, "sport")
        with pytest.raises(WebSocketRejected) as refused:
            async with client.websocket_connect("/live/sport"):
                pass
        assert refused.value.status_code == 403
        headers = {"cookie": "session=valid"}
        async with client.websocket_connect("/live/sport", headers=headers) as session:
            assert [await session.receive_text() for _ in range(10)] == [
                str(n) for n in range(2, 12)
            ]
        async with client.websocket_connect("/live/news", headers=headers) as session:
            await channels.wait_published("breaking", "news")
            assert await session.receive_text() == "breaking"
