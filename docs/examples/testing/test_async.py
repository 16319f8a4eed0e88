import pytest

from ws_kit import App, websocket_listener
from ws_kit.testing import AsyncTestClient


@websocket_listener("/double")
async def double(data: dict[str, int]) -> dict[str, int]:
    return {key: value * 2 for key, value in data.items()}


app = App([double])


@pytest.mark.anyio
async def test_double() -> None:
    async with AsyncTestClient(app) as client, client.websocket_connect("/double") as ws:
        await ws.send_json({"a": 1, "b": 21})
        assert await ws.receive_json() == {"a": 2, "b": 42}
