"""publish / wait_published: encode once, in order, never blocking, any thread, backend errors."""

from __future__ import annotations

import logging
import threading

import anyio
import pytest
from channels_support import FailingBackend, drain
from conftest import MakeBackend

import ws_channels.publisher
from ws_channels import ChannelsException, ChannelsPlugin, MemoryChannelsBackend
from ws_codec import EncodeError

pytestmark = pytest.mark.anyio


async def test_str_bytes_and_values_are_encoded_once_and_shared(make_backend: MakeBackend) -> None:
    payload = b"\x00raw"
    async with ChannelsPlugin(make_backend(), channels=["room"]) as channels:
        first, second = await channels.subscribe("room"), await channels.subscribe("room")
        await channels.wait_published("héllo", "room")
        await channels.wait_published(payload, "room")
        await channels.wait_published({"n": [1, 2]}, "room")
        got_first, got_second = await drain(first, 3), await drain(second, 3)
    assert got_first == [b"h\xc3\xa9llo", b"\x00raw", b'{"n":[1,2]}']
    assert got_first[1] is payload  # bytes go out as they are
    assert all(a is b for a, b in zip(got_first, got_second, strict=True))  # one object for all


async def test_an_unencodable_value_raises_at_once_and_nothing_is_sent(
    make_backend: MakeBackend,
) -> None:
    async with ChannelsPlugin(make_backend(), channels=["room"]) as channels:
        subscriber = await channels.subscribe("room")
        with pytest.raises(EncodeError):
            channels.publish(object(), "room")
        with pytest.raises(EncodeError):
            await channels.wait_published({"when": object()}, "room")
        await channels.wait_published("next", "room")
        assert await drain(subscriber, 1) == [b"next"]
        assert channels.stats()["published"] == 1


async def test_an_undeclared_channel_is_refused_by_name(make_backend: MakeBackend) -> None:
    async with ChannelsPlugin(make_backend(), channels=["room"]) as channels:
        with pytest.raises(ChannelsException, match="'hall'"):
            channels.publish("x", ["room", "hall"])
        with pytest.raises(ChannelsException, match="'hall'"):
            await channels.wait_published("x", "hall")
        with pytest.raises(ChannelsException, match="'hall'"):
            await channels.subscribe(["hall"])
        with pytest.raises(ChannelsException, match="'hall'"):
            await channels.get_channel_history("hall")
        assert channels.stats()["published"] == 0


async def test_arbitrary_channels_are_served_when_allowed(make_backend: MakeBackend) -> None:
    async with ChannelsPlugin(make_backend(), arbitrary_channels_allowed=True) as channels:
        subscriber = await channels.subscribe("any-name")
        await channels.wait_published("x", "any-name")
        assert await drain(subscriber, 1) == [b"x"]


async def test_publish_before_start_raises_while_subscribe_works(make_backend: MakeBackend) -> None:
    channels = ChannelsPlugin(make_backend(), channels=["room"])
    with pytest.raises(RuntimeError, match="not running"):
        channels.publish("early", "room")
    subscriber = await channels.subscribe("room")
    async with channels:
        await channels.wait_published("on time", "room")
        assert await drain(subscriber, 1) == [b"on time"]
    with pytest.raises(RuntimeError, match="not running"):
        channels.publish("late", "room")
    with pytest.raises(RuntimeError, match="not running"):
        await channels.wait_published("late", "room")


async def test_events_of_one_publisher_keep_their_order(make_backend: MakeBackend) -> None:
    async with ChannelsPlugin(make_backend(), channels=["room"]) as channels:
        subscriber = await channels.subscribe("room")
        for number in range(200):
            if number % 3:
                channels.publish(number, "room")
            else:
                await channels.wait_published(number, "room")
        received = await drain(subscriber, 200)
    assert received == [str(number).encode() for number in range(200)]


async def test_publish_from_another_thread_is_handed_over(make_backend: MakeBackend) -> None:
    async with ChannelsPlugin(make_backend(), channels=["room"]) as channels:
        subscriber = await channels.subscribe("room")

        def from_a_thread() -> str:
            for number in range(50):
                channels.publish(number, "room")
            return threading.current_thread().name

        thread_name = await anyio.to_thread.run_sync(from_a_thread)
        assert thread_name != threading.current_thread().name
        assert await drain(subscriber, 50) == [str(number).encode() for number in range(50)]


async def test_a_full_queue_counts_and_logs_the_loss_without_blocking(
    make_backend: MakeBackend, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, "ws_channels")
    over = 7
    async with ChannelsPlugin(make_backend(), channels=["room"]) as channels:
        subscriber = await channels.subscribe("room")
        # No await in between: the worker cannot empty the queue meanwhile.
        for number in range(ws_channels.publisher.QUEUE_SIZE + over):
            channels.publish(number, "room")
        # The idle worker took the first event straight from publish(): one more fits.
        lost = over - 1
        stats = channels.stats()
        assert stats["lost"] == lost
        assert stats["channels"]["room"]["lost"] == lost
        received = await drain(subscriber, 1000)
        assert received[0] == b"0"
    losses = [r.getMessage() for r in caplog.records if "published event" in r.getMessage()]
    # One line at once, the rest in one line when the plugin stops: never one per event.
    assert losses == [
        "lost 1 published event(s): the publish queue is full (10000 events)",
        f"lost {lost - 1} published event(s): counted since the last report",
    ]


async def test_backend_errors_are_retried(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ws_channels.publisher, "RETRY_DELAYS", (0, 0, 0))
    backend = FailingBackend(failures=2)
    async with ChannelsPlugin(backend, channels=["room"]) as channels:
        subscriber = await channels.subscribe("room")
        channels.publish("persistent", "room")
        assert await drain(subscriber, 1) == [b"persistent"]
        assert backend.attempts == 3
        assert channels.stats()["lost"] == 0


async def test_a_backend_that_keeps_failing_loses_the_event_and_the_worker_lives_on(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr(ws_channels.publisher, "RETRY_DELAYS", (0, 0, 0))
    backend = FailingBackend(failures=4)
    async with ChannelsPlugin(backend, channels=["room"]) as channels:
        subscriber = await channels.subscribe("room")
        channels.publish("lost", "room")
        channels.publish("kept", "room")
        assert await drain(subscriber, 1) == [b"kept"]
        assert channels.stats()["lost"] == 1
        assert channels.stats()["published"] == 1
    (error,) = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert "failed 4 times on channel 'room'" in error.getMessage()
    assert error.exc_info is not None


async def test_wait_published_raises_the_backend_error_after_the_retries(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(ws_channels.publisher, "RETRY_DELAYS", (0, 0))
    async with ChannelsPlugin(FailingBackend(failures=3), channels=["room"]) as channels:
        with pytest.raises(ConnectionError, match="away"):
            await channels.wait_published("x", "room")
        await channels.wait_published("y", "room")


async def test_shutdown_flushes_what_was_scheduled(make_backend: MakeBackend) -> None:
    backend = make_backend(history=100)
    channels = ChannelsPlugin(backend, channels=["room"])
    async with channels:
        for number in range(100):
            channels.publish(number, "room")
    async with channels:  # started again, to read what the backend kept
        history = await channels.get_channel_history("room")
    assert history == [str(number).encode() for number in range(100)]


class _StuckBackend(MemoryChannelsBackend):
    async def publish(self, data: bytes, channels: object) -> None:
        await anyio.sleep_forever()


async def test_shutdown_never_hangs_on_a_stuck_backend(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr(ws_channels.publisher, "FLUSH_TIMEOUT", 0.05)
    caplog.set_level(logging.WARNING, "ws_channels")
    channels = ChannelsPlugin(_StuckBackend(), channels=["room"])
    with anyio.fail_after(5):
        async with channels:
            for number in range(3):
                channels.publish(number, "room")
    # The one the worker was publishing is lost with the two still queued.
    assert channels.stats()["lost"] == 2
    assert any("within 0.05 s of shutdown" in r.getMessage() for r in caplog.records)
