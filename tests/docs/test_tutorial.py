"""The tutorial's steps (docs/examples/tutorial/), each driven with real messages.

Every claim the tutorial makes about its rooms is checked here over the ASGI
protocol, on asyncio and trio: members of a room see each other's messages,
a newcomer first gets the room's recent history, a member who stops reading
holds nobody up (and its backlog stays bounded), presence comes as the whole
room then changes, and a page that comes back with ``since`` gets exactly what
it missed.
"""

import json
import re
import textwrap
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from types import ModuleType
from typing import Any

import anyio
import pytest

from ws_core.testing import AsyncWebSocketTestSession
from ws_core.types import Message, Receive, Scope, Send
from ws_kit import WebSocketDisconnect
from ws_kit.testing import AsyncTestClient, WebSocketRejected

pytestmark = pytest.mark.anyio

Load = Callable[[str], ModuleType]
ROOT = Path(__file__).resolve().parents[2]


async def refused(client: AsyncTestClient, path: str, **headers: str) -> int:
    """The HTTP status of a handshake expected to be refused."""
    with pytest.raises(WebSocketRejected) as rejected:
        async with client.websocket_connect(path, headers=headers):
            pass
    return rejected.value.status_code


def said(message: dict[str, Any]) -> tuple[str, str, str]:
    return message["room"], message["user"], message["text"]


async def texts(ws: AsyncWebSocketTestSession, count: int) -> list[str]:
    """The texts of the next ``count`` chat messages (as step 3 sends them)."""
    return [(await ws.receive_json())["text"] for _ in range(count)]


class StopsReading:
    """ASGI middleware: connections with ``stalled`` in their query stop taking messages.

    Their data sends wait until :meth:`resume`, as a server's sends do once a
    client that stopped reading has filled the network buffers; everything else
    passes. :attr:`held` counts the sends that had to wait.
    """

    def __init__(self, app: Any) -> None:
        self.app = app
        self.held = 0
        self._resumed = anyio.Event()

    def resume(self) -> None:
        self._resumed.set()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if b"stalled" not in scope.get("query_string", b""):
            await self.app(scope, receive, send)
            return

        async def stalled_send(message: Message) -> None:
            if message["type"] == "websocket.send" and not self._resumed.is_set():
                self.held += 1
                await self._resumed.wait()
            await send(message)

        await self.app(scope, receive, stalled_send)


async def test_step1_echoes_text(load_example: Load) -> None:
    step = load_example("tutorial/step1_echo.py")
    async with AsyncTestClient(step.app) as client, client.websocket_connect("/chat") as ws:
        await ws.send_text("hello")
        assert await ws.receive_text() == "hello"
        await ws.send_text("again")
        assert await ws.receive_text() == "again"


async def test_step2_decodes_validates_and_encodes(load_example: Load) -> None:
    step = load_example("tutorial/step2_typed.py")
    async with AsyncTestClient(step.app) as client:
        async with client.websocket_connect("/chat") as ws:
            await ws.send_json({"text": "hi"})
            reply = await ws.receive_json()
            assert reply["text"] == "hi"
            assert datetime.fromisoformat(reply["sent_at"]).tzinfo is not None

        async with client.websocket_connect("/chat") as ws:
            await ws.send_json({"txt": "hi"})
            with pytest.raises(WebSocketDisconnect) as closed:
                await ws.receive_json()
            assert closed.value.code == 1007
            assert "text" in closed.value.reason


async def test_step3_rooms_and_names(load_example: Load) -> None:
    step = load_example("tutorial/step3_rooms.py")
    async with AsyncTestClient(step.app) as client:
        async with (
            client.websocket_connect("/rooms/lobby?user=alice") as alice,
            client.websocket_connect("/rooms/attic?user=carol") as carol,
        ):
            await alice.send_json({"text": "a1"})
            assert said(await alice.receive_json()) == ("lobby", "alice", "a1")

            async with client.websocket_connect("/rooms/lobby?user=bob") as bob:
                # what was said before bob came, then the room as it goes on
                assert said(await bob.receive_json()) == ("lobby", "alice", "a1")
                await bob.send_json({"text": "b1"})
                assert said(await bob.receive_json()) == ("lobby", "bob", "b1")
                assert said(await alice.receive_json()) == ("lobby", "bob", "b1")

                await alice.send_json({"text": "a2"})
                assert said(await alice.receive_json()) == ("lobby", "alice", "a2")
                assert said(await bob.receive_json()) == ("lobby", "alice", "a2")

            # bob has left: alice talks on, undisturbed
            await alice.send_json({"text": "a3"})
            assert said(await alice.receive_json()) == ("lobby", "alice", "a3")

            # carol, in another room, got none of it: her first message is her own
            await carol.send_json({"text": "c1"})
            assert said(await carol.receive_json()) == ("attic", "carol", "c1")

        assert await refused(client, "/rooms/lobby") == 400  # no ?user=


async def test_step3_history_on_join_is_the_last_20_then_live(load_example: Load) -> None:
    step = load_example("tutorial/step3_rooms.py")
    sent = [f"m{number}" for number in range(25)]
    async with (
        AsyncTestClient(step.app) as client,
        client.websocket_connect("/rooms/lobby?user=alice") as alice,
    ):
        for text in sent:
            await alice.send_json({"text": text})
        assert await texts(alice, 25) == sent
        async with client.websocket_connect("/rooms/lobby?user=bob") as bob:
            await alice.send_json({"text": "live"})
            assert await texts(bob, 21) == [*sent[-20:], "live"]


async def test_step3_a_member_who_stops_reading_holds_nobody_up(load_example: Load) -> None:
    step = load_example("tutorial/step3_rooms.py")
    backlog = step.channels.subscriber_max_backlog
    sent = [f"m{number}" for number in range(backlog + 50)]  # more than alice can hold
    room = StopsReading(step.app)
    async with (
        AsyncTestClient(room) as client,
        client.websocket_connect("/rooms/lobby?user=alice&stalled") as alice,
        client.websocket_connect("/rooms/lobby?user=bob") as bob,
        client.websocket_connect("/rooms/lobby?user=carol") as carol,
    ):
        for text in sent:
            await bob.send_json({"text": text})
        # Every receive waits at most the client's timeout: a room stalled
        # behind alice would fail here instead of passing slowly.
        assert await texts(bob, len(sent)) == sent
        assert await texts(carol, len(sent)) == sent
        assert room.held == 1  # alice's first message, stuck ever since
        dropped = step.channels.stats()["channels"]["lobby"]["dropped"]
        assert dropped > 0  # her backlog filled up: the room went on without her

        room.resume()
        await anyio.wait_all_tasks_blocked()  # she has what she held; her backlog is empty
        await bob.send_json({"text": "end"})
        got: list[str] = []
        while not got or got[-1] != "end":
            got.append((await alice.receive_json())["text"])
        got.pop()
        # The one in flight and at most a backlog's worth, in order, each drop
        # counted; "backoff" kept what was queued, so she got the oldest.
        assert 1 + backlog >= len(got) == len(sent) - dropped
        assert got == sorted(got, key=sent.index)
        assert got[:backlog] == sent[:backlog]


async def test_step4_presence_is_the_whole_room_then_changes(load_example: Load) -> None:
    step = load_example("tutorial/step4_presence.py")
    async with (
        AsyncTestClient(step.app) as client,
        client.websocket_connect("/rooms/lobby/presence") as watcher,
    ):
        assert await watcher.receive_json() == {"joins": {}, "leaves": {}}
        async with client.websocket_connect("/rooms/lobby?user=alice") as alice:
            assert await watcher.receive_json() == {"joins": {"alice": [None]}, "leaves": {}}
            async with client.websocket_connect("/rooms/lobby/presence") as latecomer:
                assert await latecomer.receive_json() == {
                    "joins": {"alice": [None]},
                    "leaves": {},
                }
                async with client.websocket_connect("/rooms/lobby?user=bob") as bob:
                    joined = {"joins": {"bob": [None]}, "leaves": {}}
                    assert await watcher.receive_json() == joined
                    assert await latecomer.receive_json() == joined

                    await alice.send_json({"text": "hi"})
                    for member in (alice, bob):
                        message = await member.receive_json()
                        assert said(message["data"]) == ("lobby", "alice", "hi")
                left = {"joins": {}, "leaves": {"bob": [None]}}
                assert await watcher.receive_json() == left
                assert await latecomer.receive_json() == left
            await alice.send_json({"text": "alone"})
            assert said((await alice.receive_json())["data"]) == ("lobby", "alice", "alone")
        assert await watcher.receive_json() == {"joins": {}, "leaves": {"alice": [None]}}


def presence_shown_on_the_page() -> list[Any]:
    """The presence messages that the tutorial's step 4 shows, parsed."""
    page = (ROOT / "docs" / "tutorial.md").read_text()
    step4 = page.split("## Step 4", 1)[1].split("\n## ", 1)[0]
    (block,) = re.findall(r"```json\n(.*?)```", step4, re.DOTALL)
    return [json.loads(line) for line in textwrap.dedent(block).splitlines()]


async def test_step4_the_page_shows_what_a_watcher_receives(load_example: Load) -> None:
    step = load_example("tutorial/step4_presence.py")
    async with (
        AsyncTestClient(step.app) as client,
        client.websocket_connect("/rooms/lobby?user=alice") as alice,
    ):
        await alice.send_json({"text": "hi"})
        await alice.receive_json()  # she is in the room
        async with client.websocket_connect("/rooms/lobby?user=bob") as bob:
            await bob.receive_json()  # "hi" from history: he is in the room too
            async with client.websocket_connect("/rooms/lobby/presence") as watcher:
                seen = [await watcher.receive_json()]
                async with client.websocket_connect("/rooms/lobby?user=carol"):
                    seen.append(await watcher.receive_json())
                    await bob.close()
                    seen.append(await watcher.receive_json())
    assert seen == presence_shown_on_the_page()


async def test_step4_a_returning_page_gets_exactly_what_it_missed(load_example: Load) -> None:
    step = load_example("tutorial/step4_presence.py")
    async with (
        AsyncTestClient(step.app) as client,
        client.websocket_connect("/rooms/lobby?user=bob") as bob,
    ):
        await bob.send_json({"text": "b1"})
        async with client.websocket_connect("/rooms/lobby?user=alice") as alice:
            last = await alice.receive_json()  # b1, from history
            assert last["data"]["text"] == "b1"
            await bob.send_json({"text": "b2"})
            last = await alice.receive_json()
            assert last["data"]["text"] == "b2"
        # alice's page lost its connection; the room went on
        for text in ("b3", "b4"):
            await bob.send_json({"text": text})
        assert [(await bob.receive_json())["data"]["text"] for _ in range(4)] == [
            "b1",
            "b2",
            "b3",
            "b4",
        ]

        since = f"{last['epoch']}:{last['offset']}"
        async with client.websocket_connect(f"/rooms/lobby?user=alice&since={since}") as alice:
            await bob.send_json({"text": "b5"})
            back = [await alice.receive_json() for _ in range(3)]
            # b3 and b4, which she missed, then b5 live: no gap, no repeat of b1 or b2
            assert [message["data"]["text"] for message in back] == ["b3", "b4", "b5"]
            offsets = [message["offset"] for message in back]
            assert offsets == [last["offset"] + 1, last["offset"] + 2, last["offset"] + 3]
            assert {message["epoch"] for message in back} == {last["epoch"]}

        # without since, a page gets the recent history instead
        async with client.websocket_connect("/rooms/lobby?user=carol") as carol:
            fresh = [(await carol.receive_json())["data"]["text"] for _ in range(5)]
            assert fresh == ["b1", "b2", "b3", "b4", "b5"]

        for malformed in ("nope", "e:x", ":3", "e:-1", "e:%C2%B2"):  # %C2%B2: "²"
            assert await refused(client, f"/rooms/lobby?user=alice&since={malformed}") == 400


async def test_step4_a_page_away_too_long_sees_what_it_missed(load_example: Load) -> None:
    step = load_example("tutorial/step4_presence.py")
    kept = 100  # MemoryChannelsBackend(history=100)
    async with (
        AsyncTestClient(step.app) as client,
        client.websocket_connect("/rooms/lobby?user=bob") as bob,
    ):
        await bob.send_json({"text": "before"})
        last = await bob.receive_json()
        for number in range(kept + 50):  # more than the room keeps
            await bob.send_json({"text": f"m{number}"})
        for _ in range(kept + 50):
            await bob.receive_json()

        since = f"{last['epoch']}:{last['offset']}"
        async with client.websocket_connect(f"/rooms/lobby?user=alice&since={since}") as alice:
            await bob.send_json({"text": "live"})
            back = [await alice.receive_json() for _ in range(kept + 1)]
        # the last 100, then the live one: the first offset is not one past hers
        assert [message["data"]["text"] for message in back] == [
            *(f"m{number}" for number in range(50, kept + 50)),
            "live",
        ]
        assert back[0]["offset"] == last["offset"] + 51
        assert [message["offset"] for message in back] == list(
            range(back[0]["offset"], back[0]["offset"] + kept + 1)
        )

        # a position from another epoch (a server since restarted): only live messages
        async with client.websocket_connect("/rooms/lobby?user=alice&since=gone:3") as alice:
            await bob.send_json({"text": "after"})
            message = await alice.receive_json()
            assert (message["data"]["text"], message["epoch"]) == ("after", last["epoch"])


async def test_step5_error_replies_names_and_origins(load_example: Load) -> None:
    step = load_example("tutorial/step5_errors.py")
    async with AsyncTestClient(step.app) as client:
        async with client.websocket_connect("/rooms/lobby?user=ada") as ada:
            await ada.send_text("not json")
            assert "malformed JSON" in (await ada.receive_json())["error"]
            await ada.send_json({"text": 42})
            assert await ada.receive_json() == {"error": "$.text: expected str, got int"}
            await ada.send_json({"text": "still here"})  # the connection stayed open
            assert said((await ada.receive_json())["data"]) == ("lobby", "ada", "still here")

        for path in ("/rooms/lobby", "/rooms/lobby?user=%20"):
            assert await refused(client, path) == 400

        evil = await refused(client, "/rooms/lobby?user=eve", origin="https://evil.example")
        assert evil == 403

        async with client.websocket_connect(
            "/rooms/lobby?user=ada", headers={"origin": "https://chat.example.com"}
        ) as ada:
            history = await ada.receive_json()  # sent once she is in the room
            assert said(history["data"]) == ("lobby", "ada", "still here")
            async with client.websocket_connect("/rooms/lobby/presence") as watcher:
                assert await watcher.receive_json() == {"joins": {"ada": [None]}, "leaves": {}}
            await ada.send_json({"text": "from the real site"})
            message = await ada.receive_json()
            assert said(message["data"]) == ("lobby", "ada", "from the real site")
