"""10,000 subscribe/unsubscribe cycles, cancelled at random points, leave nothing behind."""

from __future__ import annotations

import gc
import os
import random
import tracemalloc
from contextlib import AsyncExitStack

import anyio
import pytest
from channels_support import settle
from conftest import MakeBackend

from ws_channels import ChannelsPlugin, Subscriber

pytestmark = pytest.mark.anyio

CYCLES = 10_000
WARM_UP = 500
# Bytes still allocated after the cycles that count as nothing left behind: a
# leak of one small object per cycle would show (10,000 x 100 bytes = 1 MB).
LEAK_BUDGET = 256 * 1024


def resident_bytes() -> int:
    """This process's resident set size (Linux)."""
    with open(f"/proc/{os.getpid()}/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


async def one_cycle(channels: ChannelsPlugin, rng: random.Random) -> None:
    """A subscription used one of the ways an application uses it."""
    since = {"a": ("no-such-epoch", 1)} if rng.random() < 0.2 else None
    history = rng.choice([None, 2, -1])
    async with AsyncExitStack() as stack:
        subscriber: Subscriber = await stack.enter_async_context(
            channels.start_subscription(["a", "b"], history=history, since=since)
        )
        way = rng.randrange(4)
        if way == 0:
            # Published first, so that an event comes even when history holds
            # none (a new channel, or a backend without history).
            await channels.wait_published(rng.randrange(100), "a")
            async for _ in subscriber.iter_events():
                break

        async def on_event(data: bytes) -> None:
            await anyio.lowlevel.checkpoint()

        if way == 1:
            await stack.enter_async_context(subscriber.run_in_background(on_event, join=False))
            await anyio.lowlevel.checkpoint()
        elif way == 2:
            async with channels.track("a", "me"), channels.presence_events("a") as diffs:
                await anext(diffs)
        await channels.wait_published(rng.randrange(100), "a")


async def test_random_cancellations_leave_no_subscriber_task_or_memory_behind(
    make_backend: MakeBackend,
) -> None:
    rng = random.Random(16)
    async with ChannelsPlugin(make_backend(history=5), channels=["a", "b"]) as channels:

        async def cycles(count: int) -> None:
            for _ in range(count):
                with anyio.CancelScope() as scope:
                    async with anyio.create_task_group() as task_group:
                        task_group.start_soon(one_cycle, channels, rng)
                        if rng.random() < 0.05:
                            continue  # one in twenty runs to its end
                        # Cancelled after a random number of turns: anywhere in the
                        # cycle, or not at all if it finished first.
                        for _ in range(rng.randrange(12)):
                            await anyio.lowlevel.checkpoint()
                        scope.cancel()

        await cycles(WARM_UP)
        await settle()
        gc.collect()
        tasks_before = len(anyio.get_running_tasks())
        rss_before = resident_bytes()
        tracemalloc.start()
        traced_before = tracemalloc.get_traced_memory()[0]

        await cycles(CYCLES)
        await settle()
        gc.collect()

        traced_growth = tracemalloc.get_traced_memory()[0] - traced_before
        tracemalloc.stop()
        rss_growth = resident_bytes() - rss_before
        stats = channels.stats()
        assert stats["subscribers"] == 0
        assert all(channel["subscribers"] == 0 for channel in stats["channels"].values())
        assert await channels.get_presence("a") == {}
        assert len(anyio.get_running_tasks()) == tasks_before
        assert traced_growth < LEAK_BUDGET, f"{traced_growth} bytes still allocated"
        assert rss_growth < 16 * 1024 * 1024, f"RSS grew by {rss_growth} bytes"
        assert stats["published"] >= CYCLES // 40  # the uncancelled ones ran to their end
