"""The mounting how-to (docs/examples/mounting/): ws-kit inside Starlette and FastAPI.

The host apps are driven in-process: WebSocket connections with ws-kit's own test
client (it speaks plain ASGI to any app), HTTP requests with httpx's ASGI transport.
"""

from collections.abc import Callable
from types import ModuleType
from typing import Any

import httpx
import pytest

from ws_kit.testing import AsyncTestClient

Load = Callable[[str], ModuleType]


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"  # Starlette and FastAPI run on either; one backend is enough here


async def http_get(app: Any, path: str) -> Any:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        response = await client.get(path)
        response.raise_for_status()
        return response.json()


@pytest.mark.anyio
async def test_mounted_in_starlette(load_example: Load) -> None:
    example = load_example("mounting/starlette_mount.py")
    assert await http_get(example.app, "/") == {"hello": "from Starlette"}
    async with AsyncTestClient(example.app) as client, client.websocket_connect("/ws/echo") as ws:
        await ws.send_text("hi")
        assert await ws.receive_json() == {"echo": "hi", "path": "/ws/echo", "root_path": "/ws"}


@pytest.mark.anyio
async def test_mounted_in_fastapi(load_example: Load) -> None:
    example = load_example("mounting/fastapi_mount.py")
    assert await http_get(example.api, "/status") == {"status": "ok"}
    async with (
        AsyncTestClient(example.api) as client,
        client.websocket_connect("/realtime/echo") as ws,
    ):
        await ws.send_text("hi")
        assert await ws.receive_text() == "ws-kit says: hi"
