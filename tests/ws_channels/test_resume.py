"""Positions, history and resume: (epoch, offset) on every event, since=, recovered, gaps."""

from __future__ import annotations

import logging
from collections.abc import Iterable

import anyio
import msgspec
import pytest
from channels_support import SkippingBackend, settle
from conftest import MakeBackend

from ws_channels import (
    ChannelEvent,
    ChannelHistory,
    ChannelsPlugin,
    MemoryChannelsBackend,
    Subscriber,
)

pytestmark = pytest.mark.anyio


def plugin(backend: MemoryChannelsBackend | object, **options: object) -> ChannelsPlugin:
    return ChannelsPlugin(backend, channels=["room", "hall"], **options)  # type: ignore[arg-type]


async def publish(
    channels: ChannelsPlugin, values: Iterable[object], channel: str = "room"
) -> None:
    for value in values:
        await channels.wait_published(value, channel)
    await settle()  # fanned out: nothing still on its way to subscribers


async def take(subscriber: Subscriber, count: int) -> list[ChannelEvent]:
    events: list[ChannelEvent] = []
    if count:
        async for event in subscriber.iter_messages():
            events.append(event)
            if len(events) == count:
                break
    return events


async def position_of_last(channels: ChannelsPlugin, channel: str = "room") -> tuple[str, int]:
    """The position of the newest event of ``channel``, as a client would have it."""
    subscriber = await channels.subscribe(channel, history=1)
    (event,) = await take(subscriber, 1)
    await channels.unsubscribe(subscriber)
    return event.position


async def test_offsets_count_up_by_one_per_channel_in_one_epoch(make_backend: MakeBackend) -> None:
    async with plugin(make_backend()) as channels:
        subscriber = await channels.subscribe(["room", "hall"])
        for number in range(3):
            await channels.wait_published(number, ["room", "hall"])
        await channels.wait_published("only the room", "room")
        events = await take(subscriber, 7)
    by_channel = {
        name: [event.offset for event in events if event.channel == name]
        for name in ("room", "hall")
    }
    start = by_channel["room"][0]
    assert by_channel["room"] == [start, start + 1, start + 2, start + 3]
    assert by_channel["hall"] == [by_channel["hall"][0] + n for n in range(3)]
    assert len({event.epoch for event in events}) == 1


async def test_history_then_live_in_order(make_backend: MakeBackend) -> None:
    async with plugin(make_backend(history=10)) as channels:
        await publish(channels, range(5))
        subscriber = await channels.subscribe("room", history=3)
        await publish(channels, range(5, 7))
        assert [int(e.data) for e in await take(subscriber, 5)] == [2, 3, 4, 5, 6]
        everything = await channels.subscribe("room", history=-1)
        assert [int(e.data) for e in await take(everything, 7)] == list(range(7))


async def test_since_delivers_exactly_what_followed_then_live(make_backend: MakeBackend) -> None:
    async with plugin(make_backend(history=10)) as channels:
        await publish(channels, ["a", "b"])
        position = await position_of_last(channels)
        await publish(channels, ["c", "d"])
        subscriber = await channels.subscribe("room", since={"room": position})
        await publish(channels, ["e"])
        events = await take(subscriber, 3)
        assert [e.data for e in events] == [b"c", b"d", b"e"]
        assert [e.offset for e in events] == [position[1] + n for n in (1, 2, 3)]
        assert subscriber.recovered == {"room": True}


async def test_since_the_newest_position_replays_nothing_and_recovers(
    make_backend: MakeBackend,
) -> None:
    async with plugin(make_backend(history=10)) as channels:
        await publish(channels, ["a"])
        position = await position_of_last(channels)
        subscriber = await channels.subscribe("room", since={"room": position})
        assert subscriber.qsize == 0
        assert subscriber.recovered == {"room": True}
        await publish(channels, ["live"])
        assert [e.data for e in await take(subscriber, 1)] == [b"live"]


async def test_a_gap_partly_gone_from_history_is_not_passed_off_as_recovered(
    make_backend: MakeBackend,
) -> None:
    async with plugin(make_backend(history=3)) as channels:
        await publish(channels, ["first"])
        epoch, offset = await position_of_last(channels)
        await publish(channels, range(10))  # history keeps (about) the last 3
        subscriber = await channels.subscribe("room", since={"room": (epoch, offset)})
        replayed = await take(subscriber, subscriber.qsize)
        assert replayed, "what history still holds is delivered"
        offsets = [e.offset for e in replayed]
        assert offsets == list(range(offsets[0], offset + 11))  # in order, up to the newest
        assert subscriber.recovered["room"] is (offsets[0] == offset + 1)
        assert subscriber.recovered["room"] is False
        await publish(channels, ["live"])
        assert [e.data for e in await take(subscriber, 1)] == [b"live"]


@pytest.mark.parametrize("foreign", ["another-epoch", "past-the-end"])
async def test_a_position_that_cannot_be_resumed_recovers_nothing_and_live_flows(
    make_backend: MakeBackend, foreign: str
) -> None:
    async with plugin(make_backend(history=10)) as channels:
        await publish(channels, ["a", "b"])
        epoch, offset = await position_of_last(channels)
        since = ("not-" + epoch, 1) if foreign == "another-epoch" else (epoch, offset + 5)
        subscriber = await channels.subscribe("room", since={"room": since})
        assert subscriber.qsize == 0
        assert subscriber.recovered == {"room": False}
        await publish(channels, ["live"])
        assert [e.data for e in await take(subscriber, 1)] == [b"live"]


@pytest.mark.parametrize("strategy", ["backoff", "dropleft", "close"])
async def test_a_resume_longer_than_the_backlog_is_delivered_whole(
    make_backend: MakeBackend, strategy: str
) -> None:
    async with plugin(
        make_backend(history=20), subscriber_max_backlog=3, subscriber_backlog_strategy=strategy
    ) as channels:
        await publish(channels, ["first"])
        position = await position_of_last(channels)
        await publish(channels, range(8))  # more than the backlog holds
        subscriber = await channels.subscribe("room", since={"room": position})
        assert subscriber.qsize == 8
        assert subscriber.recovered == {"room": True}
        await publish(channels, ["live", "live"])  # the backlog's room is on top of the catch-up
        events = await take(subscriber, 10)
        assert [e.offset for e in events] == [position[1] + n for n in range(1, 11)]
        assert subscriber.dropped == 0
        # Read to the end, the backlog holds max_backlog again.
        await publish(channels, range(5))
        if strategy == "close":  # stopped at the 4th: 3 queued and that one discarded
            assert (subscriber.qsize, subscriber.dropped, subscriber.channels) == (0, 4, set())
        else:
            assert (subscriber.qsize, subscriber.dropped) == (3, 2)


async def test_start_subscription_resumes_too(make_backend: MakeBackend) -> None:
    async with plugin(make_backend(history=10)) as channels:
        await publish(channels, ["a"])
        position = await position_of_last(channels)
        await publish(channels, ["b"])
        async with channels.start_subscription(["room"], since={"room": position}) as subscriber:
            assert [e.data for e in await take(subscriber, 1)] == [b"b"]
            assert subscriber.recovered["room"]
        assert subscriber.channels == set()


async def test_no_gap_and_no_duplicate_at_the_seam_while_publishing(
    make_backend: MakeBackend,
) -> None:
    total = 300
    async with plugin(make_backend(history=total)) as channels:
        await publish(channels, ["zero"])
        start = await position_of_last(channels)
        resumed: list[Subscriber] = []
        async with anyio.create_task_group() as task_group:

            async def keep_publishing() -> None:
                await publish(channels, range(total - 1))

            task_group.start_soon(keep_publishing)
            for _ in range(5):
                # Subscribe at different moments of the stream, each from the same position.
                await anyio.lowlevel.checkpoint()
                resumed.append(await channels.subscribe("room", since={"room": start}))
        for subscriber in resumed:
            events = await take(subscriber, total - 1)
            assert [int(e.data) for e in events] == list(range(total - 1))
            assert subscriber.recovered == {"room": True}
            assert subscriber.qsize == 0


class _SlowHistory(MemoryChannelsBackend):
    """Reading history waits for ``gate``: events published meanwhile reach the subscriber live."""

    def __init__(self, history: int) -> None:
        super().__init__(history=history)
        self.gate = anyio.Event()
        self.reading = anyio.Event()

    async def read_history(
        self, channel: str, *, after: int | None = None, limit: int | None = None
    ) -> ChannelHistory:
        self.reading.set()
        await self.gate.wait()
        return await super().read_history(channel, after=after, limit=limit)


@pytest.mark.parametrize("resume", [True, False])
async def test_live_events_during_the_history_read_are_held_and_deduplicated(resume: bool) -> None:
    backend = _SlowHistory(history=100)
    async with plugin(backend) as channels:
        await publish(channels, ["a", "b"])
        subscribed: list[Subscriber] = []
        async with anyio.create_task_group() as task_group:

            async def subscribe() -> None:
                since = {"room": (backend.epoch, 1)} if resume else None
                subscribed.append(
                    await channels.subscribe("room", history=None if resume else 10, since=since)
                )

            task_group.start_soon(subscribe)
            await backend.reading.wait()
            await publish(channels, ["c", "d"])  # live and in history
            await settle()
            backend.gate.set()
        (subscriber,) = subscribed
        events = await take(subscriber, subscriber.qsize)
    expected = [b"b", b"c", b"d"] if resume else [b"a", b"b", b"c", b"d"]
    assert [e.data for e in events] == expected
    first = events[0].offset
    assert [e.offset for e in events] == list(range(first, first + len(events)))


async def test_a_gap_in_what_the_backend_delivers_is_reported(
    caplog: pytest.LogCaptureFixture,
) -> None:
    backend = SkippingBackend()
    async with plugin(backend) as channels:
        subscriber = await channels.subscribe("room")
        await publish(channels, ["before"])
        backend.lose("room", 3)
        await publish(channels, ["after"])
        await settle()
        assert [e.data for e in await take(subscriber, 2)] == [b"before", b"after"]
        assert subscriber.recovered == {"room": False}
        stats = channels.stats()
        assert stats["lost"] == stats["channels"]["room"]["lost"] == 3
    assert any("3 event(s) lost before offset 5" in r.getMessage() for r in caplog.records)
    assert all(r.levelno == logging.WARNING for r in caplog.records)


def test_a_new_memory_backend_is_a_new_epoch() -> None:
    assert MemoryChannelsBackend().epoch != MemoryChannelsBackend().epoch


def test_positioned_form_embeds_json_and_quotes_the_rest() -> None:
    def wrapped(data: bytes) -> object:
        return msgspec.json.decode(ChannelEvent("room", data, 4, "e1").positioned_data)

    assert wrapped(b'{"a":[1]}') == {
        "channel": "room",
        "offset": 4,
        "epoch": "e1",
        "data": {"a": [1]},
    }
    assert wrapped(b"plain words") == {
        "channel": "room",
        "offset": 4,
        "epoch": "e1",
        "data": "plain words",
    }
    not_text = wrapped(b"\xff\x00")
    assert isinstance(not_text, dict)
    assert not_text["data"] == "/wA="  # base64 of what is not UTF-8
    event = ChannelEvent("room", b'"caf\xc3\xa9"', 1, "e")
    assert event.positioned_text is event.positioned_text  # one str for every text socket
    assert event.text is event.text
