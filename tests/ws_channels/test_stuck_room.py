"""The demonstration of issue 16: one stuck socket among 500 in a room never holds the others up.

500 clients of one generated channel route, one of which stops reading (its
sends never return, as when its TCP window is full); 1,000 events are
published. The 499 others receive all 1,000 in order while the stuck one's
backlog holds at most ``subscriber_max_backlog``, and its drop count is
exactly what its policy discarded. The backlog is 100 here, so that 1,000
events overflow it, and events are published in bursts of 50 (the next once
the healthy sockets have the last), as fast as those sockets take them.
"""

from __future__ import annotations

from contextlib import AsyncExitStack

import pytest
from channels_support import StuckSends, settle
from conftest import MakeBackend

from ws_channels import BacklogStrategy, ChannelsPlugin
from ws_core import App, WebSocketDisconnect
from ws_core.testing import AsyncTestClient, AsyncWebSocketTestSession

pytestmark = pytest.mark.anyio

MEMBERS = 500
EVENTS = 1000
BACKLOG = 100
BURST = 50


async def receive_until(session: AsyncWebSocketTestSession, last: str) -> list[str]:
    received: list[str] = []
    while not received or received[-1] != last:
        received.append(await session.receive_text())
    return received[:-1]


# 500,000 deliveries through the in-process client cost about 20 s of CPU per
# run, nearly all of it the client's receives: each policy runs here on one
# backend and the default on both (test_subscriber and test_sockets run every
# policy on both, in smaller rooms).
@pytest.mark.parametrize(
    ("anyio_backend", "strategy"),
    [("asyncio", "backoff"), ("trio", "backoff"), ("asyncio", "dropleft"), ("trio", "close")],
)
async def test_one_stuck_socket_among_500_holds_nobody_up(
    make_backend: MakeBackend, anyio_backend: str, strategy: BacklogStrategy
) -> None:
    channels = ChannelsPlugin(
        make_backend(),
        channels=["room"],
        create_ws_route_handlers=True,
        subscriber_max_backlog=BACKLOG,
        subscriber_backlog_strategy=strategy,
    )
    stuck = StuckSends(App([], plugins=[channels]))
    published = [str(number) for number in range(EVENTS)]
    async with AsyncTestClient(stuck, timeout=30) as client, AsyncExitStack() as stack:
        slow = await stack.enter_async_context(client.websocket_connect("/room?stuck=1"))
        members = [
            await stack.enter_async_context(client.websocket_connect("/room"))
            for _ in range(MEMBERS - 1)
        ]
        assert channels.stats()["subscribers"] == MEMBERS
        # Published as fast as healthy sockets take them (a burst bigger than
        # the backlog would overflow every backlog, by design), so that only
        # the stuck one falls behind.
        received_by: list[list[str]] = [[] for _ in members]
        for start in range(0, EVENTS, BURST):
            for value in published[start : start + BURST]:
                channels.publish(value, "room")
            for member, received in zip(members, received_by, strict=True):
                received.extend([await member.receive_text() for _ in range(BURST)])
        assert all(received == published for received in received_by)
        stats = channels.stats()["channels"]["room"]
        assert stats["delivered"] == (MEMBERS - 1) * EVENTS
        assert stuck.attempts == 1  # its first event, stuck in send ever since
        dropped = stats["dropped"]

        if strategy == "close":
            # Stopped when the 101st event found its backlog full: that one and the 100
            # queued are discarded; it was unsubscribed, so no later event counts.
            assert dropped == BACKLOG + 1
            stuck.release()
            with pytest.raises(WebSocketDisconnect) as closed:
                await receive_until(slow, "never")
            assert closed.value.code == 1013
            assert channels.stats()["subscribers"] == MEMBERS - 1
            return

        stuck.release()
        await settle()  # it sent what it held and waits: "end" finds room in its backlog
        channels.publish("end", "room")
        received = await receive_until(slow, "end")
        # What it got: the one in flight, then its backlog — at most BACKLOG.
        assert len(received) - 1 <= BACKLOG
        assert dropped == EVENTS - len(received)
        assert received == sorted(received, key=int)  # in order, whatever was dropped
        if strategy == "backoff":
            assert received[:BACKLOG] == published[:BACKLOG]  # the oldest are kept
        else:
            assert received[-BACKLOG:] == published[-BACKLOG:]  # the newest are kept
