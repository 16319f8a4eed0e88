"""Generated route handlers, over the ASGI protocol: history, since, guards, 404/400, pings."""

from __future__ import annotations

import pytest
from channels_support import settle
from conftest import MakeBackend

from ws_channels import ChannelsPlugin
from ws_core import App, WebSocket
from ws_core.testing import AsyncTestClient, WebSocketRejected

pytestmark = pytest.mark.anyio


def app_with(make_backend: MakeBackend, history: int = 10, **options: object) -> ChannelsPlugin:
    options.setdefault("channels", ["lobby", "news"])
    return ChannelsPlugin(
        make_backend(history=history),
        create_ws_route_handlers=True,
        **options,  # type: ignore[arg-type]
    )


async def test_one_route_per_declared_channel_sends_its_events(make_backend: MakeBackend) -> None:
    channels = app_with(make_backend)
    assert [handler.paths for handler in channels.route_handlers] == [("/lobby",), ("/news",)]
    async with (
        AsyncTestClient(App([], plugins=[channels])) as client,
        client.websocket_connect("/lobby") as lobby,
        client.websocket_connect("/news") as news,
    ):
        await channels.wait_published({"hello": "lobby"}, "lobby")
        await channels.wait_published("extra!", "news")
        assert await lobby.receive_json() == {"hello": "lobby"}
        assert await news.receive_text() == "extra!"


async def test_history_is_sent_on_connect(make_backend: MakeBackend) -> None:
    some = app_with(make_backend, ws_handler_send_history=2)
    async with AsyncTestClient(App([], plugins=[some])) as client:
        for number in range(4):
            await some.wait_published(number, "lobby")
        async with client.websocket_connect("/lobby") as session:
            assert [await session.receive_text() for _ in range(2)] == ["2", "3"]
            await some.wait_published("live", "lobby")
            assert await session.receive_text() == "live"
    every = app_with(make_backend, ws_handler_send_history=-1)
    async with AsyncTestClient(App([], plugins=[every])) as client:
        for number in range(4):
            await every.wait_published(number, "lobby")
        async with client.websocket_connect("/lobby") as session:
            assert [await session.receive_text() for _ in range(4)] == ["0", "1", "2", "3"]


async def test_positions_are_sent_and_since_resumes(make_backend: MakeBackend) -> None:
    channels = app_with(make_backend, send_positions=True)
    async with AsyncTestClient(App([], plugins=[channels])) as client:
        async with client.websocket_connect("/lobby") as session:
            await channels.wait_published({"n": 1}, "lobby")
            first = await session.receive_json()
        assert set(first) == {"channel", "offset", "epoch", "data"}
        assert (first["channel"], first["data"]) == ("lobby", {"n": 1})
        await channels.wait_published("two", "lobby")
        await channels.wait_published(b"three", "lobby")
        since = f"{first['epoch']}:{first['offset']}"
        async with client.websocket_connect(f"/lobby?since={since}") as session:
            second, third = await session.receive_json(), await session.receive_json()
        assert [second["data"], third["data"]] == ["two", "three"]
        assert [second["offset"], third["offset"]] == [first["offset"] + 1, first["offset"] + 2]


async def test_binary_mode_sends_binary_frames(make_backend: MakeBackend) -> None:
    channels = app_with(make_backend, ws_send_mode="binary")
    async with (
        AsyncTestClient(App([], plugins=[channels])) as client,
        client.websocket_connect("/lobby") as session,
    ):
        await channels.wait_published(b"\x00\x01", "lobby")
        assert await session.receive_bytes() == b"\x00\x01"


@pytest.mark.parametrize("since", ["nope", "epoch:", ":3", "e:-1", "e:1.5", "e:²"])
async def test_a_malformed_since_is_refused_with_400_naming_it(
    make_backend: MakeBackend, since: str
) -> None:
    channels = app_with(make_backend)
    async with AsyncTestClient(App([], plugins=[channels])) as client:
        with pytest.raises(WebSocketRejected) as rejected:
            async with client.websocket_connect(f"/lobby?since={since}"):
                pass
        assert rejected.value.status_code == 400
        assert "'since'" in rejected.value.json()["detail"]
        with pytest.raises(WebSocketRejected) as twice:
            async with client.websocket_connect("/lobby?since=e:1&since=e:2"):
                pass
        assert twice.value.status_code == 400
        assert channels.stats()["subscribers"] == 0


async def test_an_undeclared_channel_is_404(make_backend: MakeBackend) -> None:
    channels = app_with(make_backend)
    async with AsyncTestClient(App([], plugins=[channels])) as client:
        with pytest.raises(WebSocketRejected) as rejected:
            async with client.websocket_connect("/elsewhere"):
                pass
        assert rejected.value.status_code == 404


async def test_arbitrary_channels_get_one_route_with_the_name_in_the_path(
    make_backend: MakeBackend,
) -> None:
    channels = app_with(
        make_backend, channels=None, arbitrary_channels_allowed=True, ws_handler_base_path="/ws/"
    )
    assert [handler.paths for handler in channels.route_handlers] == [("/ws/{channel_name:str}",)]
    async with (
        AsyncTestClient(App([], plugins=[channels])) as client,
        client.websocket_connect("/ws/room-7") as session,
    ):
        await channels.wait_published("for room 7", "room-7")
        assert await session.receive_text() == "for room 7"
        assert channels.stats()["channels"]["room-7"]["subscribers"] == 1


async def test_guards_guard_the_generated_routes(make_backend: MakeBackend) -> None:
    def members_only(socket: WebSocket) -> bool:
        return socket.query_params.get("token") == "member"

    channels = app_with(make_backend, ws_handler_guards=[members_only])
    async with AsyncTestClient(App([], plugins=[channels])) as client:
        with pytest.raises(WebSocketRejected) as rejected:
            async with client.websocket_connect("/lobby"):
                pass
        assert rejected.value.status_code == 403
        async with client.websocket_connect("/lobby?token=member") as session:
            await channels.wait_published("welcome", "lobby")
            assert await session.receive_text() == "welcome"


async def test_client_data_is_ignored_and_only_its_disconnect_ends_the_subscription(
    make_backend: MakeBackend,
) -> None:
    channels = app_with(make_backend)
    async with AsyncTestClient(App([], plugins=[channels])) as client:
        async with client.websocket_connect("/lobby") as session:
            await session.send_text("ping")
            await session.send_bytes(b"\x00")
            await session.send_json({"type": "keep-alive"})
            await channels.wait_published("still subscribed", "lobby")
            assert await session.receive_text() == "still subscribed"
            assert channels.stats()["subscribers"] == 1
        await settle()
        stats = channels.stats()
        assert stats["subscribers"] == 0
        assert stats["delivered"] == 1


async def test_the_server_shutdown_closes_the_generated_connections(
    make_backend: MakeBackend,
) -> None:
    channels = app_with(make_backend)
    client = AsyncTestClient(App([], plugins=[channels]))
    async with client:
        session_cm = client.websocket_connect("/lobby")
        session = await session_cm.__aenter__()
    message = await session.receive()
    assert message["type"] == "websocket.close"
    assert message["code"] == 1001
    await session_cm.__aexit__(None, None, None)
    assert not channels.is_running
