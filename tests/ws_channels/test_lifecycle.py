"""The plugin's life: configuration, joining an App, running alone, stopping, stats, the backend."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import anyio
import pytest
from channels_support import drain, settle
from conftest import MakeBackend

from ws_channels import ChannelEvent, ChannelsBackend, ChannelsPlugin, MemoryChannelsBackend
from ws_core import App, ConfigurationError, WebSocket, websocket
from ws_core.testing import AsyncTestClient
from ws_di import Provide

pytestmark = pytest.mark.anyio


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({}, "declare the channels served"),
        ({"channels": "lobby"}, "not the str 'lobby'"),
        ({"channels": ["lobby", ""]}, "non-empty str"),
        ({"channels": ["a"], "subscriber_max_backlog": 0}, "subscriber_max_backlog"),
        ({"channels": ["a"], "subscriber_backlog_strategy": "drop"}, "subscriber_backlog_strategy"),
        ({"channels": ["a"], "ws_send_mode": "json"}, "ws_send_mode"),
        ({"channels": ["a"], "ws_handler_send_history": -2}, "ws_handler_send_history"),
        ({"channels": ["a"], "presence_ttl": 0}, "presence_ttl"),
        (
            {"channels": ["a"], "create_ws_route_handlers": True, "ws_handler_base_path": "ws"},
            "ws_handler_base_path",
        ),
        ({"channels": ["a"], "backend": object()}, "ChannelsBackend"),
    ],
)
def test_misconfiguration_is_refused_at_construction(options: dict[str, Any], message: str) -> None:
    with pytest.raises(ConfigurationError, match=message):
        ChannelsPlugin(**options)


def test_the_default_backend_is_memory_with_history() -> None:
    channels = ChannelsPlugin(channels=["lobby"])
    assert isinstance(channels.backend, MemoryChannelsBackend)
    assert channels.backend.history == 100


async def test_channels_is_injected_by_name(make_backend: MakeBackend) -> None:
    channels = ChannelsPlugin(make_backend(), channels=["lobby"])

    @websocket("/say")
    async def say(socket: WebSocket, channels: ChannelsPlugin) -> None:
        await socket.accept()
        async for text in socket.iter_text():
            await channels.wait_published(text, "lobby")

    async with AsyncTestClient(App([say], plugins=[channels])) as client:
        assert channels.is_running
        subscriber = await channels.subscribe("lobby")
        async with client.websocket_connect("/say") as session:
            await session.send_text("hello")
            assert await drain(subscriber, 1) == [b"hello"]
    assert not channels.is_running


def test_an_app_dependency_named_channels_is_a_conflict(make_backend: MakeBackend) -> None:
    channels = ChannelsPlugin(make_backend(), channels=["lobby"])
    with pytest.raises(ConfigurationError, match="'channels'"):
        App([], dependencies={"channels": Provide(lambda: None)}, plugins=[channels])


async def test_a_worker_runs_the_plugin_without_an_app(make_backend: MakeBackend) -> None:
    channels = ChannelsPlugin(make_backend(history=5), channels=["jobs"])
    async with channels as running:
        assert running is channels
        with pytest.raises(RuntimeError, match="already running"):
            await channels.__aenter__()
        await channels.wait_published({"job": 1}, "jobs")
        assert await channels.get_channel_history("jobs") == [b'{"job":1}']
    async with channels:  # and again: a plugin can be restarted
        await channels.wait_published({"job": 2}, "jobs")
        assert len(await channels.get_channel_history("jobs", limit=1)) == 1


async def test_stopping_ends_iterators_and_background_tasks(make_backend: MakeBackend) -> None:
    channels = ChannelsPlugin(make_backend(), channels=["lobby"])
    ended: list[str] = []
    stopped = anyio.Event()
    with anyio.fail_after(5):
        async with anyio.create_task_group() as task_group:
            async with channels:
                iterated = await channels.subscribe("lobby")
                background = await channels.subscribe("lobby")

                async def iterate() -> None:
                    async for _ in iterated.iter_events():
                        pass
                    ended.append("iterator")

                async def on_event(data: bytes) -> None:
                    await anyio.sleep_forever()  # a consumer stuck for good

                async def run_background() -> None:
                    async with background.run_in_background(on_event):
                        await stopped.wait()
                        ended.append(f"background running: {background.is_running}")

                task_group.start_soon(iterate)
                task_group.start_soon(run_background)
                await channels.wait_published("x", "lobby")
                await settle()
            stopped.set()
    assert ended == ["iterator", "background running: False"]
    assert channels.stats()["subscribers"] == 0


async def test_stats_report_totals_channels_and_the_backends_state(
    make_backend: MakeBackend,
) -> None:
    async with ChannelsPlugin(
        make_backend(), channels=["lobby", "news"], subscriber_max_backlog=1
    ) as channels:
        first, second = await channels.subscribe("lobby"), await channels.subscribe("lobby")
        await channels.wait_published("one", "lobby")
        await channels.wait_published("two", "lobby")
        await channels.wait_published("three", "news")
        await settle()
        assert await drain(first, 1) == [b"one"]
        stats = channels.stats()
    assert stats == {
        "connected": True,
        "reconnects": 0,
        "published": 3,
        "delivered": 1,
        "dropped": 2,  # "two", once per subscriber: each backlog holds one
        "lost": 0,
        "subscribers": 2,
        "channels": {
            "lobby": {"published": 2, "delivered": 1, "dropped": 2, "lost": 0, "subscribers": 2},
            "news": {"published": 1, "delivered": 0, "dropped": 0, "lost": 0, "subscribers": 0},
        },
    }
    assert second.dropped == 1


async def test_an_arbitrary_channel_leaves_the_stats_with_its_last_subscriber(
    make_backend: MakeBackend,
) -> None:
    async with ChannelsPlugin(make_backend(), arbitrary_channels_allowed=True) as channels:
        async with channels.start_subscription("room-1"):
            await channels.wait_published("x", "room-1")
            assert "room-1" in channels.stats()["channels"]
        stats = channels.stats()
        assert stats["channels"] == {}
        assert stats["published"] == 1


async def test_litestar_names_work_as_in_litestar(make_backend: MakeBackend) -> None:
    backend = make_backend(history=10)
    async with ChannelsPlugin(backend, channels=["lobby"]) as channels:
        subscriber = await channels.subscribe(["lobby"])
        await channels.wait_published(b"a", ["lobby"])
        await channels.wait_published(b"b", ["lobby"])
        assert await drain(subscriber, 2) == [b"a", b"b"]
        await channels.put_subscriber_history(subscriber, ["lobby"], limit=1)
        assert await drain(subscriber, 1) == [b"b"]
        assert await backend.get_history("lobby") == [b"a", b"b"]
        assert await backend.get_history("lobby", 1) == [b"b"]
        assert await channels.get_channel_history("lobby", limit=1) == [b"b"]
        await channels.unsubscribe(subscriber)


async def test_the_litestar_view_of_a_backend_stream_is_channel_and_bytes() -> None:
    backend = MemoryChannelsBackend()
    await backend.on_startup()
    await backend.subscribe(["lobby"])
    await backend.publish(b"hello", ["lobby", "elsewhere"])
    events = backend.stream_events()
    assert await anext(events) == ("lobby", b"hello")
    await backend.on_shutdown()
    assert [pair async for pair in events] == []


class _FlakyStream(MemoryChannelsBackend):
    """Its event stream raises once, as a broken broker connection would."""

    def __init__(self) -> None:
        super().__init__()
        self.broken = True

    def stream_channel_events(self) -> AsyncIterator[ChannelEvent]:
        if self.broken:
            self.broken = False
            return self._broken()
        return super().stream_channel_events()

    async def _broken(self) -> AsyncIterator[ChannelEvent]:
        raise ConnectionError("the broker hung up")
        yield  # pragma: no cover  (makes this an async generator)


async def test_the_fan_out_outlives_a_failing_backend_stream(
    caplog: pytest.LogCaptureFixture,
) -> None:
    backend: ChannelsBackend = _FlakyStream()
    async with ChannelsPlugin(backend, channels=["lobby"]) as channels:
        subscriber = await channels.subscribe("lobby")
        await channels.wait_published("after the failure", "lobby")
        assert await drain(subscriber, 1) == [b"after the failure"]
    (failure,) = [r for r in caplog.records if "event stream failed" in r.getMessage()]
    assert failure.exc_info is not None
