"""Subscriber: bounded backlogs and their policies, iterators, background delivery."""

from __future__ import annotations

import logging
import re
import time

import anyio
import pytest
from channels_support import drain, settle
from conftest import MakeBackend

from ws_channels import ChannelEvent, ChannelsPlugin, Subscriber
from ws_core import ConfigurationError, WebSocketDisconnect

DROPPED = re.compile(r"dropped (\d+) event\(s\)")

pytestmark = pytest.mark.anyio


def plugin(make_backend: MakeBackend, **options: object) -> ChannelsPlugin:
    return ChannelsPlugin(make_backend(), channels=["room", "hall"], **options)  # type: ignore[arg-type]


async def publish_all(channels: ChannelsPlugin, count: int, channel: str = "room") -> None:
    for number in range(count):
        await channels.wait_published(number, channel)
    await settle()


def numbers(received: list[bytes]) -> list[int]:
    return [int(data) for data in received]


async def test_iterators_end_after_unsubscribe_once_the_backlog_is_consumed(
    make_backend: MakeBackend,
) -> None:
    async with plugin(make_backend) as channels:
        subscriber = await channels.subscribe(["room", "hall"])
        await publish_all(channels, 3)
        await channels.unsubscribe(subscriber, "room")
        assert subscriber.channels == {"hall"}
        await channels.wait_published("still here", "hall")
        await settle()
        await channels.unsubscribe(subscriber)
        received = [data async for data in subscriber.iter_events()]
        assert received == [b"0", b"1", b"2", b"still here"]
        assert channels.stats()["subscribers"] == 0


async def test_iter_messages_gives_the_event_with_its_channel_and_position(
    make_backend: MakeBackend,
) -> None:
    async with plugin(make_backend) as channels:
        subscriber = await channels.subscribe("room")
        await channels.wait_published("a", "room")
        await channels.wait_published("b", "room")
        await settle()
        await channels.unsubscribe(subscriber)
        first, second = [event async for event in subscriber.iter_messages()]
    assert (first.channel, first.data, second.data) == ("room", b"a", b"b")
    assert second.offset == first.offset + 1
    assert second.epoch == first.epoch
    assert second.position == (second.epoch, second.offset)


async def test_put_nowait_follows_litestar(make_backend: MakeBackend) -> None:
    channels = plugin(make_backend)
    subscriber = Subscriber(channels, max_backlog=2)
    assert subscriber.max_backlog == 2
    assert subscriber.put_nowait(b"one")
    assert subscriber.put_nowait(ChannelEvent("room", b"two", 7, "e"))
    assert subscriber.qsize == 2
    assert not subscriber.put_nowait(b"three")  # full, backoff: the new one is dropped
    assert subscriber.dropped == 1
    assert subscriber.put_nowait(None)  # ends the stream after what is queued
    assert [event async for event in subscriber.iter_messages()] == [
        ChannelEvent("", b"one"),
        ChannelEvent("room", b"two", 7, "e"),
    ]
    assert not subscriber.put_nowait(b"after the end")


def test_a_subscriber_takes_the_plugins_backlog_by_default(make_backend: MakeBackend) -> None:
    channels = plugin(make_backend, subscriber_max_backlog=5)
    assert Subscriber(channels).max_backlog == 5
    assert Subscriber(channels).backlog_strategy == "backoff"
    with pytest.raises(ConfigurationError, match="max_backlog"):
        Subscriber(channels, max_backlog=0)
    with pytest.raises(ConfigurationError, match="backlog_strategy"):
        Subscriber(channels, backlog_strategy="drop")  # type: ignore[arg-type]


async def test_backoff_keeps_the_oldest_and_counts_the_rest(make_backend: MakeBackend) -> None:
    async with plugin(make_backend, subscriber_max_backlog=10) as channels:
        subscriber = await channels.subscribe("room")
        await publish_all(channels, 25)
        assert subscriber.qsize == 10
        assert subscriber.dropped == 15
        assert numbers(await drain(subscriber, 10)) == list(range(10))
        stats = channels.stats()
        assert stats["dropped"] == stats["channels"]["room"]["dropped"] == 15


async def test_dropleft_keeps_the_newest_and_counts_the_rest(make_backend: MakeBackend) -> None:
    async with plugin(
        make_backend, subscriber_max_backlog=10, subscriber_backlog_strategy="dropleft"
    ) as channels:
        subscriber = await channels.subscribe("room")
        await publish_all(channels, 25)
        assert subscriber.qsize == 10
        assert subscriber.dropped == 15
        assert numbers(await drain(subscriber, 10)) == list(range(15, 25))


async def test_close_stops_the_subscriber_and_discards_its_backlog(
    make_backend: MakeBackend,
) -> None:
    async with plugin(
        make_backend, subscriber_max_backlog=10, subscriber_backlog_strategy="close"
    ) as channels:
        subscriber = await channels.subscribe("room")
        other = await channels.subscribe("room")
        await publish_all(channels, 25)
        # Stopped at the 11th event: it and the 10 queued are discarded; the
        # later ones never reached it.
        assert subscriber.dropped == 11
        assert subscriber.qsize == 0
        assert subscriber.channels == set()
        assert [data async for data in subscriber.iter_events()] == []
        assert other.dropped == 11  # the other one is just as stuck: nobody reads it
        assert channels.stats()["subscribers"] == 0


async def test_drops_are_logged_at_most_once_a_second_per_subscriber(
    make_backend: MakeBackend, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, "ws_channels")
    async with plugin(make_backend, subscriber_max_backlog=1) as channels:
        subscriber = await channels.subscribe("room")
        started = time.monotonic()
        await publish_all(channels, 50)
        seconds = time.monotonic() - started
        lines = [r.getMessage() for r in caplog.records]
        # The first drop at once; then at most a line a second (a loaded
        # machine may take more than a second to publish 50 events).
        assert lines[0] == (
            "dropped 1 event(s) of a subscriber of ['room'] (1 in all): "
            "backlog full, the new event dropped ('backoff')"
        )
        assert len(lines) <= 1 + int(seconds)
        await channels.unsubscribe(subscriber)
        # What was counted since is written when the subscriber ends: never silent.
        lines = [r.getMessage() for r in caplog.records]
        assert lines[-1].endswith("(49 in all): counted since the last report")
        counts = [int(match[1]) for line in lines if (match := DROPPED.match(line))]
        assert len(counts) == len(lines)
        assert sum(counts) == 49
        assert all(r.levelno == logging.WARNING for r in caplog.records)


async def test_run_in_background_hands_events_one_at_a_time_in_order(
    make_backend: MakeBackend,
) -> None:
    received: list[bytes] = []
    busy = 0
    async with plugin(make_backend) as channels:
        subscriber = await channels.subscribe("room")

        async def on_event(data: bytes) -> None:
            nonlocal busy
            busy += 1
            assert busy == 1, "on_event ran concurrently with itself"
            await anyio.lowlevel.checkpoint()
            received.append(data)
            busy -= 1

        async with subscriber.run_in_background(on_event):
            assert subscriber.is_running
            await publish_all(channels, 100)
        # join=True: leaving waited for every queued event.
        assert not subscriber.is_running
    assert numbers(received) == list(range(100))


async def test_run_in_background_without_join_stops_at_once(make_backend: MakeBackend) -> None:
    blocked = anyio.Event()
    async with plugin(make_backend) as channels:
        subscriber = await channels.subscribe("room")

        async def on_event(data: bytes) -> None:
            blocked.set()
            await anyio.sleep_forever()

        with anyio.fail_after(5):
            async with subscriber.run_in_background(on_event, join=False):
                await publish_all(channels, 3)
                await blocked.wait()
        assert not subscriber.is_running
        assert subscriber.qsize == 2  # left for another consumer


async def test_stop_with_and_without_join(make_backend: MakeBackend) -> None:
    received: list[bytes] = []

    async def on_event(data: bytes) -> None:
        received.append(data)

    async with plugin(make_backend) as channels:
        subscriber = await channels.subscribe("room")
        await subscriber.stop()  # nothing runs: a no-op
        async with subscriber.run_in_background(on_event):
            await publish_all(channels, 3)
            await subscriber.stop(join=True)
            assert not subscriber.is_running
            assert numbers(received) == [0, 1, 2]
        second = await channels.subscribe("room")
        async with second.run_in_background(on_event):
            await second.stop()
            await publish_all(channels, 1)
        assert second.qsize == 1


async def test_an_error_of_on_event_propagates_out_of_the_block(make_backend: MakeBackend) -> None:
    async def on_event(data: bytes) -> None:
        raise ValueError(data)

    async with plugin(make_backend) as channels:
        subscriber = await channels.subscribe("room")
        background = subscriber.run_in_background(on_event)
        with pytest.raises(ValueError, match="boom"):  # noqa: PT012 (raised out of the block)
            async with background:
                await channels.wait_published("boom", "room")
                await anyio.sleep_forever()


async def test_a_consumer_that_has_gone_unsubscribes_quietly(
    make_backend: MakeBackend, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, "ws_channels")

    async def on_event(data: bytes) -> None:
        raise WebSocketDisconnect(1001)

    async with plugin(make_backend) as channels:
        subscriber = await channels.subscribe("room")
        async with subscriber.run_in_background(on_event):
            await channels.wait_published("x", "room")
            await settle()
        assert subscriber.channels == set()
        assert channels.stats()["subscribers"] == 0
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


async def test_only_one_background_task_per_subscriber(make_backend: MakeBackend) -> None:
    async def on_event(data: bytes) -> None: ...

    async with plugin(make_backend) as channels:
        subscriber = await channels.subscribe("room")
        async with subscriber.run_in_background(on_event):
            with pytest.raises(RuntimeError, match="already runs"):
                async with subscriber.run_in_background(on_event):
                    pass
