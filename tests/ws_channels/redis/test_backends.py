"""What is particular to the Redis backends: names, positions, history, bad input, configuration.

On the session's redis-server, each test on a key prefix of its own; on
asyncio and trio. What the memory suite checks in a way only one process can
(the identity of the publisher's object, one epoch for all channels) is
checked here the way it holds on Redis.
"""

from __future__ import annotations

import logging
import subprocess
import sys
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import coredis
import pytest
from redis_support import RedisServer, eventually

from ws_channels import (
    ChannelEvent,
    ChannelsBackend,
    ChannelsPlugin,
    RedisChannelsPubSubBackend,
    RedisChannelsStreamBackend,
    Subscriber,
)
from ws_core import ConfigurationError

pytestmark = pytest.mark.anyio

KINDS = ["pubsub", "stream"]


RedisBackend = RedisChannelsPubSubBackend | RedisChannelsStreamBackend


def make(kind: str, server: RedisServer, history: int = 100, **options: object) -> RedisBackend:
    prefix = f"test-{uuid.uuid4().hex[:12]}"
    if kind == "pubsub":
        return RedisChannelsPubSubBackend(url=server.url, key_prefix=prefix, **options)  # type: ignore[arg-type]
    return RedisChannelsStreamBackend(history, url=server.url, key_prefix=prefix, **options)  # type: ignore[arg-type]


@asynccontextmanager
async def running(backend: ChannelsBackend, **options: object) -> AsyncIterator[ChannelsPlugin]:
    async with ChannelsPlugin(backend, arbitrary_channels_allowed=True, **options) as plugin:  # type: ignore[arg-type]
        yield plugin


async def take(subscriber: Subscriber, count: int) -> list[ChannelEvent]:
    events: list[ChannelEvent] = []
    async for event in subscriber.iter_messages():
        events.append(event)
        if len(events) == count:
            break
    return events


# -- what the memory suite checks in one process ---------------------------------------------


@pytest.mark.parametrize("kind", KINDS)
async def test_every_subscriber_of_a_process_gets_one_shared_object(
    kind: str, shared_redis: RedisServer
) -> None:
    async with running(make(kind, shared_redis)) as channels:
        first, second = await channels.subscribe("room"), await channels.subscribe("room")
        await channels.wait_published(b"\x00raw", "room")
        await channels.wait_published({"n": [1]}, "room")
        got_first, got_second = await take(first, 2), await take(second, 2)
    assert [event.data for event in got_first] == [b"\x00raw", b'{"n":[1]}']
    assert all(a.data is b.data for a, b in zip(got_first, got_second, strict=True))


@pytest.mark.parametrize("kind", KINDS)
async def test_each_channel_counts_its_offsets_in_an_epoch_of_its_own(
    kind: str, shared_redis: RedisServer
) -> None:
    async with running(make(kind, shared_redis)) as channels:
        subscriber = await channels.subscribe(["room", "hall"])
        for number in range(3):
            await channels.wait_published(number, ["room", "hall"])
        await channels.wait_published("only the room", "room")
        events = await take(subscriber, 7)
    for name, count in (("room", 4), ("hall", 3)):
        mine = [event for event in events if event.channel == name]
        assert [event.offset for event in mine] == list(range(1, count + 1))
        assert len({event.epoch for event in mine}) == 1


# -- names -----------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", KINDS)
async def test_one_redis_channel_per_channel_with_its_name_as_it_is(
    kind: str, shared_redis: RedisServer
) -> None:
    backend = make(kind, shared_redis)
    names = ["Room", "room", "a}b{c"]
    async with running(backend) as channels:
        subscribers = {name: await channels.subscribe(name) for name in names}
        listened = set(
            (await shared_redis.acli("PUBSUB", "CHANNELS", f"{backend.key_prefix}:*")).split()
        )
        assert {f"{backend.key_prefix}:{{{name}}}:events" for name in names} <= listened
        for name in names:
            await channels.wait_published(f"to {name}", name)
        for name, subscriber in subscribers.items():
            (event,) = await take(subscriber, 1)
            assert (event.channel, event.data) == (name, f"to {name}".encode())
            assert subscriber.qsize == 0
        await channels.unsubscribe(subscribers["Room"])
        listened = set(
            (await shared_redis.acli("PUBSUB", "CHANNELS", f"{backend.key_prefix}:*")).split()
        )
        assert f"{backend.key_prefix}:{{Room}}:events" not in listened
    if kind == "stream":
        keys = set((await shared_redis.acli("KEYS", f"{backend.key_prefix}:*")).split())
        assert keys == {
            f"{backend.key_prefix}:{{{name}}}:{suffix}"
            for name in names
            for suffix in ("meta", "stream")
        }


# -- history ---------------------------------------------------------------------------------


async def test_history_is_the_newest_offsets_compared_as_numbers(shared_redis: RedisServer) -> None:
    backend = make("stream", shared_redis, history=10)
    async with running(backend) as channels:
        for number in range(1, 26):
            await channels.wait_published(number, "room")

        async def offsets(**query: int | None) -> list[int]:
            history = await backend.read_history("room", **query)
            assert history.head == 25
            return [event.offset for event in history.events]

        assert await offsets() == list(range(16, 26))
        assert await offsets(after=9) == list(range(16, 26))  # "9" > "25" as strings
        assert await offsets(after=20) == list(range(21, 26))
        assert await offsets(limit=3) == [23, 24, 25]
        assert await offsets(after=21, limit=2) == [24, 25]
        assert await offsets(after=25) == []
        assert await offsets(limit=0) == []
        assert await channels.get_channel_history("room", 2) == [b"24", b"25"]
        # MAXLEN ~ trims whole blocks of the stream: it holds at least the 10, not all 25...
        length = int(await shared_redis.acli("XLEN", f"{backend.key_prefix}:{{room}}:stream"))
        assert 10 <= length <= 25


async def test_the_epoch_outlives_the_stream(shared_redis: RedisServer) -> None:
    backend = RedisChannelsStreamBackend(
        5, url=shared_redis.url, key_prefix=f"test-{uuid.uuid4().hex[:12]}", stream_ttl=60
    )
    async with running(backend) as channels:
        await channels.wait_published("x", "room")
        stream_ttl = int(await shared_redis.acli("PTTL", f"{backend.key_prefix}:{{room}}:stream"))
        meta_ttl = int(await shared_redis.acli("PTTL", f"{backend.key_prefix}:{{room}}:meta"))
        assert 0 < stream_ttl <= 60_000
        assert meta_ttl > stream_ttl + 6 * 24 * 3600 * 1000
        before = await backend.read_history("room")
        # The stream expired (deleted here): its epoch and head remain, so a client at
        # the head still resumes as having missed nothing.
        await shared_redis.acli("DEL", f"{backend.key_prefix}:{{room}}:stream")
        after = await backend.read_history("room")
        assert (after.epoch, after.head, after.events) == (before.epoch, 1, [])
        resumed = await channels.subscribe("room", since={"room": (after.epoch, 1)})
        assert resumed.recovered == {"room": True}


async def test_flush_all_starts_a_new_epoch_for_every_channel(shared_redis: RedisServer) -> None:
    backend = make("stream", shared_redis)
    assert isinstance(backend, RedisChannelsStreamBackend)
    async with running(backend) as channels:
        subscriber = await channels.subscribe("room")
        for name in ("room", "hall"):
            await channels.wait_published("before", name)
        (before,) = await take(subscriber, 1)
        epoch = before.epoch
        assert await backend.flush_all() == 2
        assert await channels.get_channel_history("hall") == []
        await channels.wait_published("after", "room")
        (event,) = await take(subscriber, 1)
        assert (event.data, event.offset) == (b"after", 1)
        assert event.epoch != epoch
        assert subscriber.recovered == {"room": False}


@pytest.mark.parametrize("kind", KINDS)
async def test_without_history_only_positions_are_kept(
    kind: str, shared_redis: RedisServer
) -> None:
    backend = make(kind, shared_redis, history=0)
    async with running(backend) as channels:
        await channels.wait_published("a", "room")
        history = await backend.read_history("room")
        assert (history.head, history.events) == (1, [])
        assert await channels.get_channel_history("room") == []
    keys = (await shared_redis.acli("KEYS", f"{backend.key_prefix}:*")).split()
    assert keys == [f"{backend.key_prefix}:{{room}}:meta"]


# -- what other programs write ------------------------------------------------------------------


async def test_malformed_stream_entries_are_skipped_counted_and_logged(
    shared_redis: RedisServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, "ws_channels")
    backend = make("stream", shared_redis, health_check_interval=0.2)
    stream = f"{backend.key_prefix}:{{room}}:stream"
    async with running(backend) as channels:
        await channels.wait_published("a", "room")
        await shared_redis.acli("XADD", stream, "*", "foo", "bar")
        await channels.wait_published("b", "room")
        await shared_redis.acli("XADD", stream, "*", "o", "not-a-number", "d", "x")
        await shared_redis.acli("XADD", stream, "*", "o", "2", "d", "again")  # a second offset 2
        await channels.wait_published("c", "room")
        everything = await channels.subscribe("room", history=-1)
        assert [event.data for event in await take(everything, 3)] == [b"a", b"b", b"c"]
        assert backend.malformed == 3

        # After a reconnection the replay reads past them too, and live events go on.
        live = await channels.subscribe("room")
        await shared_redis.acli("CLIENT", "KILL", "TYPE", "pubsub")
        await eventually(
            lambda: channels.stats()["reconnects"] >= 1 and channels.stats()["connected"]
        )
        await channels.wait_published("d", "room")
        assert [event.data for event in await take(live, 1)] == [b"d"]
    assert any("malformed Redis" in r.getMessage() for r in caplog.records)


@pytest.mark.parametrize("kind", KINDS)
async def test_malformed_messages_are_skipped_counted_and_logged(
    kind: str, shared_redis: RedisServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, "ws_channels")
    backend = make(kind, shared_redis)
    prefix = backend.key_prefix
    async with running(backend) as channels:
        subscriber = await channels.subscribe("room")
        async with channels.presence_events("room") as diffs:
            await anext(diffs)
            for garbage in ("no position", "x 1 data", "7"):
                await shared_redis.acli("PUBLISH", f"{prefix}:{{room}}:events", garbage)
            for garbage in ("+", "-1 [1]", "?3 []"):
                await shared_redis.acli("PUBLISH", f"{prefix}:{{room}}:presence-changes", garbage)
            await channels.wait_published("good", "room")
            assert [event.data for event in await take(subscriber, 1)] == [b"good"]
            async with channels.track("room", "ada"):
                assert (await anext(diffs)).joins == {"ada": [None]}
        await backend.check_health()
        assert backend.malformed == 6
    assert any("malformed Redis" in r.getMessage() for r in caplog.records)


# -- state and health --------------------------------------------------------------------------


@pytest.mark.parametrize("kind", KINDS)
async def test_state_and_health(kind: str, shared_redis: RedisServer) -> None:
    backend = make(kind, shared_redis)
    assert not backend.connected
    async with running(backend) as channels:
        assert channels.stats()["connected"] is True
        assert channels.stats()["reconnects"] == 0
        await backend.check_health()
    assert not backend.connected
    with pytest.raises(ConnectionError, match="not connected"):
        await backend.check_health()
    async with running(backend) as channels:  # started again
        assert channels.stats()["connected"] is True


@pytest.mark.parametrize("kind", KINDS)
async def test_a_client_of_the_applications_own(kind: str, shared_redis: RedisServer) -> None:
    client = coredis.Redis(host="127.0.0.1", port=shared_redis.port)
    prefix = f"test-{uuid.uuid4().hex[:12]}"
    backend: RedisBackend = (
        RedisChannelsPubSubBackend(redis=client, key_prefix=prefix)
        if kind == "pubsub"
        else RedisChannelsStreamBackend(redis=client, key_prefix=prefix)
    )
    assert backend.target == f"redis://127.0.0.1:{shared_redis.port}/0"
    async with running(backend) as channels:
        subscriber = await channels.subscribe("room")
        await channels.wait_published("mine", "room")
        assert [event.data for event in await take(subscriber, 1)] == [b"mine"]


# -- configuration -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("options", "problem"),
    [
        ({}, "pass either redis=<coredis client> or url="),
        (
            {"url": "redis://h/0", "redis": coredis.Redis()},
            "pass either redis=<coredis client> or url=",
        ),
        ({"url": "http://h/0"}, "url must be a redis://"),
        ({"redis": "redis://h/0"}, "redis must be a coredis.Redis client"),
        (
            {"redis": coredis.Redis(decode_responses=True)},
            "the coredis client must not decode responses",
        ),
        ({"url": "redis://h/0", "key_prefix": ""}, "key_prefix must be a non-empty str"),
        ({"url": "redis://h/0", "timeout": 0}, "timeout must be a number above 0"),
        ({"url": "redis://h/0", "health_check_interval": True}, "health_check_interval must be"),
    ],
)
@pytest.mark.parametrize("kind", [RedisChannelsPubSubBackend, RedisChannelsStreamBackend])
def test_a_misconfiguration_is_refused_at_construction(
    kind: type[ChannelsBackend], options: dict[str, object], problem: str
) -> None:
    with pytest.raises(ConfigurationError, match=f"{kind.__name__}: {problem}"):
        kind(**options)


@pytest.mark.parametrize(
    ("options", "problem"),
    [
        ({"history": -1}, "history must be an int >= 0"),
        ({"history": 1.5}, "history must be an int >= 0"),
        ({"stream_ttl": 0}, "stream_ttl must be a number of seconds above 0 or a timedelta"),
        ({"stream_ttl": "1h"}, "stream_ttl must be a number of seconds above 0 or a timedelta"),
    ],
)
def test_a_stream_misconfiguration_is_refused(options: dict[str, object], problem: str) -> None:
    with pytest.raises(ConfigurationError, match=problem):
        RedisChannelsStreamBackend(url="redis://h/0", **options)  # type: ignore[arg-type]


def test_without_coredis_ws_channels_imports_and_the_error_names_the_extra() -> None:
    script = (
        "import sys; sys.modules['coredis'] = None\n"
        "import ws_channels\n"
        "from ws_channels import RedisChannelsStreamBackend, RedisChannelsPubSubBackend\n"
        "for kind in (RedisChannelsStreamBackend, RedisChannelsPubSubBackend):\n"
        "    try:\n"
        "        kind(url='redis://127.0.0.1:6379/0')\n"
        "    except ImportError as exc:\n"
        "        print(exc)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, timeout=60
    )
    assert (
        result.stdout.splitlines()
        == ["the Redis backends of ws-channels need coredis: pip install 'ws-channels[redis]'"] * 2
    )
