"""Subscribers feeding sockets, over the ASGI protocol: shared payloads, modes, gone peers, 1013."""

from __future__ import annotations

import logging
from contextlib import AsyncExitStack
from typing import Any

import anyio
import pytest
from channels_support import StuckSends, recording_socket_class, settle
from conftest import MakeBackend

from ws_channels import ChannelsPlugin
from ws_core import App, WebSocket, WebSocketDisconnect, websocket
from ws_core.testing import AsyncTestClient

pytestmark = pytest.mark.anyio


def feeding_app(channels: ChannelsPlugin, **app_options: Any) -> tuple[App, anyio.Event]:
    """An app whose ``/feed?via=...`` connections run a subscriber in the background.

    ``via`` names what ``run_in_background`` is given: ``socket``, ``send_data``,
    ``send_text`` or ``send_bytes``. The handler then waits for the returned
    event, without reading the socket.
    """
    release = anyio.Event()

    @websocket("/feed")
    async def feed(socket: WebSocket, channels: ChannelsPlugin, via: str) -> None:
        await socket.accept()
        on_event = socket if via == "socket" else getattr(socket, via)
        async with (
            channels.start_subscription("room") as subscriber,
            subscriber.run_in_background(on_event, join=False),
        ):
            await socket.send_text("subscribed")
            await release.wait()

    return App([feed], plugins=[channels], **app_options), release


async def test_text_sockets_share_one_str_and_binary_sockets_one_bytes(
    make_backend: MakeBackend,
) -> None:
    recording = recording_socket_class()
    channels = ChannelsPlugin(make_backend(), channels=["room"])
    app, release = feeding_app(channels, websocket_class=recording)
    vias = ["send_text", "send_text", "socket", "send_bytes", "send_bytes", "send_data"]
    async with AsyncTestClient(app) as client, AsyncExitStack() as stack:
        sessions = []
        for via in vias:
            sessions.append(
                await stack.enter_async_context(client.websocket_connect(f"/feed?via={via}"))
            )
            assert await sessions[-1].receive_text() == "subscribed"
        await channels.wait_published({"said": "hi"}, "room")
        said = '{"said":"hi"}'
        assert [await session.receive_text() for session in sessions[:3]] == [said] * 3
        assert [await session.receive_bytes() for session in sessions[3:5]] == [said.encode()] * 2
        assert await sessions[5].receive_text() == '{"said":"hi"}'  # send_data: ws_send_mode
        release.set()
    sent = [(data, mode) for data, mode in recording.sent if data != "subscribed"]
    texts = [data for data, mode in sent if mode == "text"]
    binaries = [data for data, mode in sent if mode == "binary"]
    assert len(texts) == 4
    assert len(binaries) == 2
    assert all(text is texts[0] for text in texts)  # decoded once, for every text socket
    assert all(data is binaries[0] for data in binaries)


async def test_binary_send_mode_applies_to_the_socket_and_its_send_data(
    make_backend: MakeBackend,
) -> None:
    channels = ChannelsPlugin(make_backend(), channels=["room"], ws_send_mode="binary")
    app, release = feeding_app(channels)
    async with (
        AsyncTestClient(app) as client,
        client.websocket_connect("/feed?via=socket") as first,
        client.websocket_connect("/feed?via=send_data") as second,
    ):
        for session in (first, second):
            assert await session.receive_text() == "subscribed"
        await channels.wait_published("x", "room")
        assert await first.receive_bytes() == b"x"
        assert await second.receive_bytes() == b"x"
        release.set()


async def test_a_payload_that_is_not_text_is_dropped_for_text_sockets_and_counted(
    make_backend: MakeBackend, caplog: pytest.LogCaptureFixture
) -> None:
    channels = ChannelsPlugin(make_backend(), channels=["room"])
    app, release = feeding_app(channels)
    async with (
        AsyncTestClient(app) as client,
        client.websocket_connect("/feed?via=send_text") as text,
        client.websocket_connect("/feed?via=send_bytes") as binary,
    ):
        for session in (text, binary):
            assert await session.receive_text() == "subscribed"
        await channels.wait_published(b"\xff\xfe", "room")
        await channels.wait_published("fine", "room")
        assert await text.receive_text() == "fine"
        assert await binary.receive_bytes() == b"\xff\xfe"
        assert await binary.receive_bytes() == b"fine"
        assert channels.stats()["dropped"] == 1
        release.set()
    assert any("not UTF-8" in r.getMessage() for r in caplog.records)


async def test_a_socket_whose_peer_left_is_unsubscribed_quietly(
    make_backend: MakeBackend, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    channels = ChannelsPlugin(make_backend(), channels=["room"])
    app, release = feeding_app(channels)
    async with (
        AsyncTestClient(app) as client,
        client.websocket_connect("/feed?via=send_text") as leaving,
        client.websocket_connect("/feed?via=send_text") as staying,
    ):
        for session in (leaving, staying):
            assert await session.receive_text() == "subscribed"
        await leaving.close()
        await channels.wait_published("after", "room")
        assert await staying.receive_text() == "after"
        await settle()
        assert channels.stats()["subscribers"] == 1
        release.set()
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


async def test_close_policy_closes_a_stuck_socket_with_1013(make_backend: MakeBackend) -> None:
    channels = ChannelsPlugin(
        make_backend(),
        channels=["room"],
        subscriber_max_backlog=5,
        subscriber_backlog_strategy="close",
    )
    app, release = feeding_app(channels)
    stuck = StuckSends(app, pass_first=1)  # "subscribed" goes through
    async with (
        AsyncTestClient(stuck) as client,
        client.websocket_connect("/feed?via=send_text&stuck=1") as slow,
        client.websocket_connect("/feed?via=send_text") as fast,
    ):
        for session in (slow, fast):
            assert await session.receive_text() == "subscribed"
        for number in range(20):
            await channels.wait_published(number, "room")
        assert [await fast.receive_text() for _ in range(20)] == [str(n) for n in range(20)]
        with pytest.raises(WebSocketDisconnect) as closed:
            await slow.receive_text()
        assert closed.value.code == 1013
        assert stuck.attempts == 1  # the first event, stuck in send
        release.set()
        stuck.release()
    # The 5 queued behind the first event and the one that did not fit.
    assert channels.stats()["dropped"] == 6


async def test_a_subscriber_closed_before_its_drain_started_still_closes_with_1013(
    make_backend: MakeBackend,
) -> None:
    channels = ChannelsPlugin(
        make_backend(),
        channels=["room"],
        subscriber_max_backlog=2,
        subscriber_backlog_strategy="close",
    )

    @websocket("/late")
    async def late(socket: WebSocket, channels: ChannelsPlugin) -> None:
        await socket.accept()
        async with channels.start_subscription("room") as subscriber:
            await socket.send_text("subscribed")
            assert await socket.receive_text() == "published"  # the backlog overflowed meanwhile
            async with subscriber.run_in_background(socket, join=False):
                await socket.receive_text()  # until the close

    async with (
        AsyncTestClient(App([late], plugins=[channels])) as client,
        client.websocket_connect("/late") as session,
    ):
        assert await session.receive_text() == "subscribed"
        for number in range(3):
            await channels.wait_published(number, "room")
        await settle()
        await session.send_text("published")
        with pytest.raises(WebSocketDisconnect) as closed:
            await session.receive_text()
        assert closed.value.code == 1013
    assert channels.stats()["dropped"] == 3
