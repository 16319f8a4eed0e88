"""Redis going away, and coming back: each fault on both Redis backends, on asyncio and trio.

Every test runs its own redis-server (``redis_server``, on a free port) and
kills, freezes, restarts or reconfigures it. Two plugins stand for two
processes: a publisher and a subscriber, each with a backend (and so a
subscription and a pool of connections) of its own. Waits are bounded
(``eventually``), and what is asserted are counts, orders and states.
"""

from __future__ import annotations

import logging
import signal
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import anyio
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
from ws_core import App
from ws_core.testing import AsyncTestClient

pytestmark = pytest.mark.anyio

# Short enough that a fault is noticed at once, long enough for a loaded machine.
TIMEOUT = 2.0
PROBE_EVERY = 0.2


def backend(kind: str, url: str, **options: object) -> ChannelsBackend:
    options = {"timeout": TIMEOUT, "health_check_interval": PROBE_EVERY, **options}
    if kind == "pubsub":
        return RedisChannelsPubSubBackend(url=url, key_prefix="faults", **options)  # type: ignore[arg-type]
    return RedisChannelsStreamBackend(100, url=url, key_prefix="faults", **options)  # type: ignore[arg-type]


@asynccontextmanager
async def two_processes(
    kind: str, url: str, subscriber_url: str | None = None
) -> AsyncIterator[tuple[ChannelsPlugin, ChannelsPlugin]]:
    """A publishing plugin and a subscribing one, each with a backend of its own."""
    publisher = ChannelsPlugin(backend(kind, url), channels=["room"])
    listener = ChannelsPlugin(backend(kind, subscriber_url or url), channels=["room"])
    async with publisher, listener:
        yield publisher, listener


async def take(subscriber: Subscriber, count: int) -> list[ChannelEvent]:
    events: list[ChannelEvent] = []
    with anyio.fail_after(30):
        async for event in subscriber.iter_messages():
            events.append(event)
            if len(events) == count:
                break
    return events


async def publish_all(plugin: ChannelsPlugin, values: list[str]) -> None:
    for value in values:
        await plugin.wait_published(value, "room")


def data(events: list[ChannelEvent]) -> list[str]:
    return [event.data.decode() for event in events]


# -- start-up -------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["pubsub", "stream"])
async def test_unreachable_at_start_up_fails_the_lifespan_naming_the_url(
    kind: str, redis_server: RedisServer
) -> None:
    url = redis_server.url  # nothing listens there: the server is never started
    with pytest.raises(ConnectionError, match=f"cannot reach Redis at {url}"):
        async with ChannelsPlugin(backend(kind, url), channels=["room"]):
            pass
    app = App([], plugins=[ChannelsPlugin(backend(kind, url), channels=["room"])])
    with pytest.raises(RuntimeError, match=f"startup failed: .*cannot reach Redis at {url}"):
        async with AsyncTestClient(app):
            pass


@pytest.mark.parametrize("kind", ["pubsub", "stream"])
async def test_the_url_is_named_without_its_password(kind: str, redis_server: RedisServer) -> None:
    url = f"redis://user:s3cret@127.0.0.1:{redis_server.port}/0"
    with pytest.raises(ConnectionError) as refused:
        async with ChannelsPlugin(backend(kind, url), channels=["room"]):
            pass
    message = str(refused.value)
    assert f"redis://user:***@127.0.0.1:{redis_server.port}/0" in message
    assert "s3cret" not in message


# -- Redis killed, restarted ------------------------------------------------------------


@pytest.mark.parametrize("kind", ["pubsub", "stream"])
async def test_killed_mid_stream_and_restarted_subscribers_resume(
    kind: str, redis_server: RedisServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, "ws_channels")
    redis_server.start()
    async with two_processes(kind, redis_server.url) as (publisher, listener):
        subscriber = await listener.subscribe("room")
        await publish_all(publisher, ["1", "2", "3"])
        assert data(await take(subscriber, 3)) == ["1", "2", "3"]
        epoch = (await listener.backend.read_history("room")).epoch

        redis_server.stop(signal.SIGKILL)
        await eventually(lambda: not listener.stats()["connected"])
        publisher.publish("during the outage", "room")  # never raises into the caller
        redis_server.start()
        await eventually(lambda: listener.stats()["connected"] and publisher.stats()["connected"])

        await publish_all(publisher, ["after 1", "after 2"])
        received = data(await take(subscriber, 2))
        if received[0] == "during the outage":  # published after all, once Redis was back
            received = received[1:] + data(await take(subscriber, 1))
        assert received == ["after 1", "after 2"]
        # Nothing persisted: the history and the counter are gone, a new epoch begins.
        assert (await listener.backend.read_history("room")).epoch != epoch
        assert subscriber.recovered == {"room": False}
        assert listener.stats()["reconnects"] >= 1
    assert any("lost the subscription to Redis" in r.getMessage() for r in caplog.records)
    assert any("reconnected to Redis" in r.getMessage() for r in caplog.records)


@pytest.mark.parametrize("persistent", [True, False], ids=["appendonly", "not-persistent"])
@pytest.mark.parametrize("kind", ["pubsub", "stream"])
async def test_what_a_subscriber_missed_before_a_restart_is_delivered_after_it(
    kind: str, persistent: bool, tmp_path_factory: pytest.TempPathFactory
) -> None:
    # The subscriber connects as its own Redis user. Disabling that user cuts it off while
    # Redis keeps serving the publisher: the events published then reach it only through
    # the stream, after Redis restarted (from its append-only file, where it has one)
    # with the user enabled again by its configuration.
    server = RedisServer(
        tmp_path_factory.mktemp("redis"),
        persistent=persistent,
        options=["--user", "listener", "on", ">pw", "~*", "&*", "+@all"],
    )
    server.start()
    listener_url = f"redis://listener:pw@127.0.0.1:{server.port}/0"
    try:
        async with two_processes(kind, server.url, listener_url) as (publisher, listener):
            subscriber = await listener.subscribe("room")
            await publish_all(publisher, ["1", "2", "3"])
            assert data(await take(subscriber, 3)) == ["1", "2", "3"]

            await server.acli("ACL", "SETUSER", "listener", "off")
            await server.acli("CLIENT", "KILL", "USER", "listener")
            await eventually(lambda: not listener.stats()["connected"])
            await publish_all(publisher, ["4", "5", "6", "7", "8"])  # missed, for now
            assert subscriber.qsize == 0

            server.stop(signal.SIGTERM)
            server.start()
            await eventually(lambda: listener.stats()["connected"])
            await publish_all(publisher, ["9"])
            received = await take(subscriber, 6 if kind == "stream" and persistent else 1)
            stats = listener.stats()["channels"]["room"]
            if kind == "stream" and persistent:
                assert data(received) == ["4", "5", "6", "7", "8", "9"]
                assert [e.offset for e in received] == [4, 5, 6, 7, 8, 9]
                assert subscriber.recovered == {"room": True}
                assert stats["lost"] == 0
            elif persistent:  # pub/sub: at most once; the gap is seen, counted, reported
                assert data(received) == ["9"]
                assert subscriber.recovered == {"room": False}
                assert stats["lost"] == 5
            else:  # the data died with Redis: a new epoch
                assert data(received) == ["9"]
                assert received[0].offset == 1
                assert subscriber.recovered == {"room": False}
    finally:
        server.stop()


@pytest.mark.parametrize("kind", ["pubsub", "stream"])
async def test_a_frozen_redis_is_noticed_and_its_return_too(
    kind: str, redis_server: RedisServer
) -> None:
    # SIGSTOP: connections stay open and nothing answers, as behind a dead network link.
    redis_server.start()
    async with two_processes(kind, redis_server.url) as (publisher, listener):
        subscriber = await listener.subscribe("room")
        redis_server.send_signal(signal.SIGSTOP)
        try:
            await eventually(lambda: not listener.stats()["connected"])
            with pytest.raises(ConnectionError):
                await listener.backend.check_health()  # type: ignore[attr-defined]
        finally:
            redis_server.send_signal(signal.SIGCONT)
        await eventually(lambda: listener.stats()["connected"] and publisher.stats()["connected"])
        await listener.backend.check_health()  # type: ignore[attr-defined]
        await publish_all(publisher, ["after"])
        assert data(await take(subscriber, 1)) == ["after"]
        assert listener.stats()["reconnects"] >= 1


# -- publishing during an outage -----------------------------------------------------------


@pytest.mark.parametrize("kind", ["pubsub", "stream"])
async def test_wait_published_raises_within_its_bound_while_redis_stays_away(
    kind: str, redis_server: RedisServer
) -> None:
    redis_server.start()
    timeout = 0.5
    plugin = ChannelsPlugin(backend(kind, redis_server.url, timeout=timeout), channels=["room"])
    async with plugin as channels:
        redis_server.stop(signal.SIGKILL)
        await eventually(lambda: not channels.stats()["connected"])
        # The documented bound: 4 attempts of at most 2 x timeout each, 1.3 s between them.
        bound = 4 * 2 * timeout + 1.3
        with anyio.fail_after(bound + 5), pytest.raises(ConnectionError) as failed:
            await channels.wait_published("lost", "room")
        assert redis_server.url in str(failed.value)
        channels.publish("lost too", "room")  # never raises
        await eventually(lambda: channels.stats()["lost"] == 2)


@pytest.mark.parametrize("kind", ["pubsub", "stream"])
async def test_wait_published_succeeds_once_redis_is_back(
    kind: str, redis_server: RedisServer
) -> None:
    redis_server.start()
    async with two_processes(kind, redis_server.url) as (publisher, listener):
        redis_server.stop(signal.SIGKILL)
        await eventually(lambda: not publisher.stats()["connected"])
        async with anyio.create_task_group() as task_group:
            task_group.start_soon(publish_all, publisher, ["in the outage"])
            await anyio.wait_all_tasks_blocked()  # it waits for Redis
            redis_server.start()
        await eventually(lambda: listener.stats()["connected"])
        subscriber = await listener.subscribe("room", history=-1 if kind == "stream" else None)
        await publish_all(publisher, ["after"])
        expected = ["in the outage", "after"] if kind == "stream" else ["after"]
        assert data(await take(subscriber, len(expected))) == expected
        assert publisher.stats()["lost"] == 0


# -- Redis cutting a subscriber off -----------------------------------------------------------


@pytest.mark.parametrize("kind", ["pubsub", "stream"])
async def test_a_subscription_cut_by_the_output_buffer_limit_reconnects_and_recovers(
    kind: str, redis_server: RedisServer, caplog: pytest.LogCaptureFixture
) -> None:
    # Redis closes a subscriber whose pending output passes the pub/sub hard limit: here
    # one event bigger than the limit does it, as a burst to a slow reader would.
    redis_server.options = ("--client-output-buffer-limit", "pubsub", "64kb", "0", "0")
    redis_server.start()
    big = "x" * 256 * 1024
    async with two_processes(kind, redis_server.url) as (publisher, listener):
        subscriber = await listener.subscribe("room")
        await publish_all(publisher, ["before", big])
        await eventually(lambda: listener.stats()["reconnects"] >= 1)
        await eventually(lambda: listener.stats()["connected"])
        await publish_all(publisher, ["after"])
        expected = ["before", big, "after"] if kind == "stream" else ["before", "after"]
        assert data(await take(subscriber, len(expected))) == expected
        lost = listener.stats()["channels"]["room"]["lost"]
        if kind == "stream":  # replayed from the stream after the reconnection
            assert (subscriber.recovered, lost) == ({"room": True}, 0)
        else:  # at most once: the big one is gone, and counted
            assert (subscriber.recovered, lost) == ({"room": False}, 1)
    assert any("lost the subscription to Redis" in r.getMessage() for r in caplog.records)
