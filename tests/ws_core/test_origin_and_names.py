"""The origin is checked first and must be unique; path parameters may not shadow injected names."""

from __future__ import annotations

import pytest

from ws_core import App, ConfigurationError, WebSocket, websocket
from ws_core.testing import AsyncTestClient, WebSocketRejected

pytestmark = pytest.mark.anyio


@websocket("/known")
async def known(socket: WebSocket) -> None:
    await socket.accept()
    await socket.send_text("ok")


async def status_of(app: App, path: str, headers: list[tuple[str, str]]) -> int:
    async with AsyncTestClient(app) as client:
        with pytest.raises(WebSocketRejected) as rejected:
            async with client.websocket_connect(path, headers=headers):
                pass
    return rejected.value.status_code


async def test_a_foreign_origin_cannot_map_the_routes() -> None:
    app = App([known], allowed_origins=["https://chat.example"])
    foreign = [("origin", "https://evil.example")]
    # Known and unknown paths are refused alike: the answer tells nothing of the routes.
    assert await status_of(app, "/known", foreign) == 403
    assert await status_of(app, "/unknown", foreign) == 403
    assert await status_of(app, "/unknown", [("origin", "https://chat.example")]) == 404


async def test_more_than_one_origin_header_is_refused() -> None:
    app = App([known], allowed_origins=["https://chat.example"])
    both = [("origin", "https://chat.example"), ("origin", "https://evil.example")]
    assert await status_of(app, "/known", both) == 403
    # The allowed one alone passes.
    async with (
        AsyncTestClient(app) as client,
        client.websocket_connect("/known", headers=[("origin", "https://chat.example")]) as session,
    ):
        assert await session.receive_text() == "ok"


# SPEC §2 "Injected names".
@pytest.mark.parametrize(
    "name", ["socket", "state", "scope", "headers", "query", "cookies", "data"]
)
def test_a_path_parameter_may_not_shadow_an_injected_name(name: str) -> None:
    @websocket(f"/rooms/{{{name}:str}}", name="rooms")
    async def handler(socket: WebSocket) -> None: ...

    with pytest.raises(ConfigurationError) as raised:
        App([handler])
    message = str(raised.value)
    assert message.startswith("WebSocketRouteHandler 'rooms' at '/rooms/{")
    assert f"path parameter {name!r} would replace the value injected as {name!r}" in message
