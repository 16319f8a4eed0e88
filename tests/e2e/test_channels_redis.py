"""Chat rooms across processes on Redis: 2 uvicorn workers and 1 hypercorn (trio) process.

The three processes serve ``e2e_channels_redis_app`` on one redis-server of
the test's own. 200 clients (``websockets``, asyncio) spread over them, 20 in
each of 10 rooms, and each sends 20 numbered messages to its room. Every
member must receive every message of its room (20 senders x 20 = 400), each
sender's in the order sent, none twice — counted, for both Redis backends.
Once every member has its 400, one member of each room sends an end marker:
anything a member receives before it is an extra (a duplicate, late).
"""

from __future__ import annotations

import asyncio
import json
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from e2e_client import open_ws, recv
from e2e_support import ServerFactory, ServerProcess, raise_nofile_limit, wait_for
from processes import redis_server
from websockets.asyncio.client import ClientConnection

APP = "e2e_channels_redis_app:app"
MEMBERS = 200
ROOMS = 10
MESSAGES = 20
PER_ROOM = MEMBERS // ROOMS * MESSAGES  # what each member must receive


@pytest.fixture
def redis_url(tmp_path: Path) -> Iterator[str]:
    """A redis-server of the test's own on a free port, stopped by its PID."""
    with redis_server(tmp_path) as url:
        yield url


@dataclass
class Member:
    """One client: where it is, and what it received."""

    index: int
    ws: ClientConnection
    pid: int
    received: Counter[tuple[int, int]] = field(default_factory=Counter)
    out_of_order: int = 0
    extra: int = 0

    @property
    def room(self) -> str:
        return f"room-{self.index % ROOMS}"


async def _join(index: int, url: str, gate: asyncio.Semaphore) -> Member:
    async with gate:
        ws = await open_ws(f"{url}/rooms/room-{index % ROOMS}", origin=None)
    hello = json.loads(await recv(ws, within=30))
    return Member(index, ws, hello["pid"])


async def _talk(member: Member) -> None:
    async def send() -> None:
        for number in range(MESSAGES):
            await member.ws.send(json.dumps({"s": member.index, "n": number}))

    async def read() -> None:
        last: dict[int, int] = {}
        while len(member.received) < PER_ROOM:
            message = json.loads(await recv(member.ws, within=60))
            key = (message["s"], message["n"])
            if not member.received[key] and key[1] != last.get(key[0], -1) + 1:
                member.out_of_order += 1
            member.received[key] += 1
            last[key[0]] = max(key[1], last.get(key[0], -1))

    await asyncio.gather(send(), read())


async def _finish(member: Member, sends_the_end: bool) -> None:
    if sends_the_end:
        await member.ws.send(json.dumps({"end": member.room}))
    while "end" not in json.loads(await recv(member.ws, within=60)):
        member.extra += 1
    await member.ws.close()


async def _chat(urls: list[str]) -> list[Member]:
    gate = asyncio.Semaphore(50)
    members = await asyncio.gather(
        *(_join(index, urls[0] if index % 3 else urls[1], gate) for index in range(MEMBERS))
    )
    await asyncio.gather(*(_talk(member) for member in members))
    first_of_room: dict[str, Member] = {}
    for member in members:
        first_of_room.setdefault(member.room, member)
    await asyncio.gather(
        *(_finish(member, first_of_room[member.room] is member) for member in members)
    )
    return members


def _pids_served(server: ServerProcess) -> set[int]:
    async def one() -> int:
        async with open_ws(f"{server.url}/rooms/probe", origin=None) as ws:
            return int(json.loads(await recv(ws))["pid"])

    return {asyncio.run(one()) for _ in range(8)}


@pytest.mark.parametrize("kind", ["stream", "pubsub"])
def test_every_member_gets_every_message_of_its_room_across_processes(
    kind: str,
    redis_url: str,
    own_server_factory: ServerFactory,
    record_property: Callable[[str, object], None],
) -> None:
    raise_nofile_limit()
    env = {"E2E_REDIS_URL": redis_url, "E2E_REDIS_BACKEND": kind}
    uvicorn = own_server_factory.start(
        "uvicorn-websockets", APP, env=env, extra_args=("--workers", "2")
    )
    hypercorn = own_server_factory.start("hypercorn-trio", APP, env=env)
    # Both uvicorn workers serve before the clients come (each answers a probe).
    seen: set[int] = set()

    def both_workers_answer() -> bool:
        seen.update(_pids_served(uvicorn))
        return len(seen) >= 2

    assert wait_for(both_workers_answer, 60), seen

    members = asyncio.run(_chat([uvicorn.url, hypercorn.url]))

    processes = {member.pid for member in members}
    assert len(processes) == 3, processes  # two uvicorn workers and hypercorn
    expected = {
        room: {(m.index, n) for m in members if m.room == room for n in range(MESSAGES)}
        for room in {m.room for m in members}
    }
    lost = sum(len(expected[m.room] - set(m.received)) for m in members)
    duplicated = sum(sum(m.received.values()) - len(m.received) for m in members)
    foreign = sum(len(set(m.received) - expected[m.room]) for m in members)
    out_of_order = sum(m.out_of_order for m in members)
    extra = sum(m.extra for m in members)
    delivered = sum(len(m.received) for m in members)
    record_property(f"e2e: {kind}: members x messages of their room", f"{MEMBERS} x {PER_ROOM}")
    record_property(
        f"e2e: {kind}: delivered, lost, duplicated", f"{delivered}, {lost}, {duplicated}"
    )
    assert (lost, duplicated, foreign, out_of_order, extra) == (0, 0, 0, 0, 0)
    assert delivered == MEMBERS * PER_ROOM == 80_000
