"""Presence: track, get_presence, presence_events (whole state first, then diffs)."""

from __future__ import annotations

from contextlib import AsyncExitStack

import anyio
import pytest
from channels_support import settle
from conftest import MakeBackend

from ws_channels import ChannelsException, ChannelsPlugin, PresenceDiff
from ws_codec import EncodeError

pytestmark = pytest.mark.anyio


def plugin(make_backend: MakeBackend) -> ChannelsPlugin:
    return ChannelsPlugin(make_backend(), channels=["room", "hall"])


async def test_track_marks_a_key_present_while_the_block_runs(make_backend: MakeBackend) -> None:
    async with plugin(make_backend) as channels:
        assert await channels.get_presence("room") == {}
        async with channels.track("room", "ada", {"tab": 1}):
            async with channels.track("room", "ada", {"tab": 2}), channels.track("room", "bob"):
                assert await channels.get_presence("room") == {
                    "ada": [{"tab": 1}, {"tab": 2}],
                    "bob": [None],
                }
                assert await channels.get_presence("hall") == {}
            assert await channels.get_presence("room") == {"ada": [{"tab": 1}]}
        assert await channels.get_presence("room") == {}


async def test_presence_events_start_with_the_whole_state_then_diffs(
    make_backend: MakeBackend,
) -> None:
    async with plugin(make_backend) as channels, AsyncExitStack() as stack:
        await stack.enter_async_context(channels.track("room", "ada", "first tab"))
        diffs = await stack.enter_async_context(channels.presence_events("room"))
        assert await anext(diffs) == PresenceDiff(joins={"ada": ["first tab"]})
        async with channels.track("room", "bob", "phone"):
            assert await anext(diffs) == PresenceDiff(joins={"bob": ["phone"]})
        assert await anext(diffs) == PresenceDiff(leaves={"bob": ["phone"]})


async def test_an_empty_channel_starts_with_an_empty_diff(make_backend: MakeBackend) -> None:
    async with plugin(make_backend) as channels, channels.presence_events("room") as diffs:
        assert await anext(diffs) == PresenceDiff()


async def test_a_slow_watcher_gets_the_changes_merged(make_backend: MakeBackend) -> None:
    async with plugin(make_backend) as channels, channels.presence_events("room") as diffs:
        assert await anext(diffs) == PresenceDiff()
        async with channels.track("room", "ada", 1):
            async with channels.track("room", "eve", 2):
                await settle()
            async with channels.track("room", "bob", 3):
                await settle()
                # Eve came and went unseen; Ada and Bob are there: one diff.
                assert await anext(diffs) == PresenceDiff(joins={"ada": [1], "bob": [3]})
        await settle()
        assert await anext(diffs) == PresenceDiff(leaves={"ada": [1], "bob": [3]})


async def test_watchers_of_one_channel_are_independent(make_backend: MakeBackend) -> None:
    async with plugin(make_backend) as channels, AsyncExitStack() as stack:
        first = await stack.enter_async_context(channels.presence_events("room"))
        async with channels.presence_events("room") as second:
            assert await anext(first) == await anext(second) == PresenceDiff()
            async with channels.track("room", "ada"):
                assert await anext(first) == await anext(second) == PresenceDiff({"ada": [None]})
        assert await anext(first) == PresenceDiff(leaves={"ada": [None]})
        async with channels.track("room", "bob"):
            assert await anext(first) == PresenceDiff(joins={"bob": [None]})


async def test_presence_events_end_when_the_plugin_stops(make_backend: MakeBackend) -> None:
    seen: list[PresenceDiff] = []
    with anyio.fail_after(5):
        # The plugin is left before the task group: that ends the watcher's iteration.
        async with anyio.create_task_group() as task_group, plugin(make_backend) as channels:

            async def watch() -> None:
                async with channels.presence_events("room") as diffs:
                    seen.extend([diff async for diff in diffs])

            task_group.start_soon(watch)
            await settle()
    assert seen == [PresenceDiff()]


async def test_presence_refuses_what_it_cannot_serve(make_backend: MakeBackend) -> None:
    channels = plugin(make_backend)
    with pytest.raises(RuntimeError, match="running"):
        async with channels.presence_events("room"):
            pass
    async with channels:
        with pytest.raises(ChannelsException, match="'elsewhere'"):
            async with channels.track("elsewhere", "ada"):
                pass
        with pytest.raises(ChannelsException, match="'elsewhere'"):
            await channels.get_presence("elsewhere")
        with pytest.raises(EncodeError):
            async with channels.track("room", "ada", meta=object()):
                pass
        with pytest.raises(TypeError, match="key"):
            async with channels.track("room", 7):  # type: ignore[arg-type]
                pass
        assert await channels.get_presence("room") == {}


async def test_a_cancelled_block_leaves_no_entry_behind(make_backend: MakeBackend) -> None:
    async with plugin(make_backend) as channels:
        with anyio.move_on_after(0):
            async with channels.track("room", "ada"):
                await anyio.sleep_forever()
        assert await channels.get_presence("room") == {}
