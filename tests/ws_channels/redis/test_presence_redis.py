"""Presence on Redis: shared by every process; a dead process's entries vanish; no storm.

Processes are plugins with backends of their own, or (to die for real) a
subprocess, ``presence_holder.py``, killed with SIGKILL. Where a test must
cut one process off from Redis and not the other, each connects as a Redis
user of its own, disabled and killed (``ACL SETUSER``, ``CLIENT KILL USER``).
"""

from __future__ import annotations

import signal
import subprocess
import sys
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import anyio
import pytest
from anyio.abc import Process
from redis_support import RedisServer, eventually

from ws_channels import (
    ChannelsPlugin,
    PresenceDiff,
    RedisChannelsPubSubBackend,
    RedisChannelsStreamBackend,
)

pytestmark = pytest.mark.anyio

HOLDER = Path(__file__).with_name("presence_holder.py")
USERS = [
    "--user",
    "a",
    "on",
    ">pw",
    "~*",
    "&*",
    "+@all",
    "--user",
    "b",
    "on",
    ">pw",
    "~*",
    "&*",
    "+@all",
]


@asynccontextmanager
async def process(
    kind: str, url: str, prefix: str, presence_ttl: float = 30.0
) -> AsyncIterator[ChannelsPlugin]:
    options = {"url": url, "key_prefix": prefix, "timeout": 2.0, "health_check_interval": 0.2}
    backend = (
        RedisChannelsPubSubBackend(**options)  # type: ignore[arg-type]
        if kind == "pubsub"
        else RedisChannelsStreamBackend(**options)  # type: ignore[arg-type]
    )
    async with ChannelsPlugin(backend, channels=["room"], presence_ttl=presence_ttl) as plugin:
        yield plugin


@asynccontextmanager
async def holder(server: RedisServer, prefix: str, ttl: float, key: str) -> AsyncIterator[Process]:
    """A subprocess tracking ``key`` in ``room`` until it is killed."""
    proc = await anyio.open_process(
        [sys.executable, str(HOLDER), server.url, prefix, str(ttl), key],
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        assert proc.stdout is not None
        printed = b""
        with anyio.fail_after(60):
            while not printed.endswith(b"\n"):
                printed += await proc.stdout.receive()
        assert printed == b"tracking\n", printed
        yield proc
    finally:
        if proc.returncode is None:
            proc.kill()
        with anyio.CancelScope(shield=True):
            await proc.wait()
            await proc.aclose()


def user_url(server: RedisServer, user: str) -> str:
    return f"redis://{user}:pw@127.0.0.1:{server.port}/0"


@pytest.mark.parametrize("kind", ["pubsub", "stream"])
async def test_presence_is_shared_by_every_process(kind: str, shared_redis: RedisServer) -> None:
    prefix = f"test-{uuid.uuid4().hex[:12]}"
    async with (
        process(kind, shared_redis.url, prefix) as here,
        process(kind, shared_redis.url, prefix) as there,
    ):
        async with here.track("room", "ada", {"tab": 1}), here.track("room", "ada", {"tab": 2}):
            assert await there.get_presence("room") == {"ada": [{"tab": 1}, {"tab": 2}]}
            async with there.presence_events("room") as diffs:
                assert await anext(diffs) == PresenceDiff(joins={"ada": [{"tab": 1}, {"tab": 2}]})
                async with here.track("room", "bob"):
                    assert await anext(diffs) == PresenceDiff(joins={"bob": [None]})
                assert await anext(diffs) == PresenceDiff(leaves={"bob": [None]})
        assert await there.get_presence("room") == {}


async def test_the_entries_of_a_dead_process_vanish_within_presence_ttl(
    shared_redis: RedisServer,
) -> None:
    prefix, ttl = f"test-{uuid.uuid4().hex[:12]}", 1.5
    async with process("stream", shared_redis.url, prefix, presence_ttl=ttl) as watcher:
        async with watcher.presence_events("room") as diffs:
            assert await anext(diffs) == PresenceDiff()
            async with holder(shared_redis, prefix, ttl, "ada") as dying:
                (meta,) = (await anext(diffs)).joins["ada"]
                assert meta == {"pid": dying.pid}
                # Its deadline, in Redis time, is at most two thirds of the ttl away.
                deadline = float(
                    (
                        await shared_redis.acli(
                            "ZRANGE", f"{prefix}:{{room}}:presence-until", "0", "0", "WITHSCORES"
                        )
                    ).split()[1]
                )
                seconds, micros = (await shared_redis.acli("TIME")).split()
                assert deadline - (int(seconds) * 1000 + int(micros) / 1000) <= ttl * 2 / 3 * 1000
                dying.send_signal(signal.SIGKILL)
                await dying.wait()
            with anyio.fail_after(ttl * 4):  # a guard: it comes at the deadline
                assert await anext(diffs) == PresenceDiff(leaves={"ada": [meta]})
        assert await watcher.get_presence("room") == {}


@pytest.mark.parametrize("kind", ["pubsub", "stream"])
async def test_no_leave_and_join_when_presence_was_lost_and_is_put_back(
    kind: str, tmp_path: Path
) -> None:
    # Redis loses the entries (as when it restarts empty) while the watcher is away: it
    # comes back first, finds the entry missing, and must not announce a leave the
    # holder's return (a moment later) would contradict.
    server = RedisServer(tmp_path, options=USERS).start()
    prefix = f"test-{uuid.uuid4().hex[:12]}"
    try:
        async with (
            process(kind, user_url(server, "a"), prefix) as holding,
            process(kind, user_url(server, "b"), prefix) as watching,
            holding.track("room", "ada"),
            watching.presence_events("room") as diffs,
        ):
            assert await anext(diffs) == PresenceDiff(joins={"ada": [None]})
            await server.acli(
                "DEL", f"{prefix}:{{room}}:presence", f"{prefix}:{{room}}:presence-until"
            )
            await server.acli("CLIENT", "KILL", "USER", "b")
            await eventually(
                lambda: watching.stats()["reconnects"] == 1 and watching.stats()["connected"]
            )
            await server.acli("CLIENT", "KILL", "USER", "a")
            await eventually(
                lambda: holding.stats()["reconnects"] == 1 and holding.stats()["connected"]
            )
            assert await watching.get_presence("room") == {"ada": [None]}  # put back
            async with holding.track("room", "bob"):
                assert await anext(diffs) == PresenceDiff(joins={"bob": [None]})
    finally:
        server.stop()


@pytest.mark.parametrize("kind", ["pubsub", "stream"])
async def test_an_entry_that_left_while_a_watcher_was_away_is_announced_after_its_check(
    kind: str, tmp_path: Path
) -> None:
    server = RedisServer(tmp_path, options=USERS).start()
    prefix, ttl = f"test-{uuid.uuid4().hex[:12]}", 1.5
    try:
        async with (
            process(kind, user_url(server, "a"), prefix, presence_ttl=ttl) as holding,
            process(kind, user_url(server, "b"), prefix, presence_ttl=ttl) as watching,
            watching.presence_events("room") as diffs,
        ):
            assert await anext(diffs) == PresenceDiff()
            async with holding.track("room", "ada"):
                assert await anext(diffs) == PresenceDiff(joins={"ada": [None]})
                await server.acli("ACL", "SETUSER", "b", "off")
                await server.acli("CLIENT", "KILL", "USER", "b")
                await eventually(lambda: not watching.stats()["connected"])
            # ada left; the watcher did not hear it.
            await server.acli("ACL", "SETUSER", "b", "on")
            await eventually(lambda: watching.stats()["connected"])
            with anyio.fail_after(ttl * 4):  # a guard: it comes once the check is due
                assert await anext(diffs) == PresenceDiff(leaves={"ada": [None]})
    finally:
        server.stop()
