"""The chat demo in-process, through ws_kit.testing, on the memory backend.

Rooms are channels: messages, history on join, resume with ``since``, presence,
names, error replies, origins; and the entry point's refusal of workers without Redis.
"""

import os
import subprocess
import sys
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from types import ModuleType
from typing import Any, Literal

import httpx
import pytest

from ws_kit import WebSocketDisconnect
from ws_kit.channels import RedisChannelsStreamBackend
from ws_kit.testing import TestClient, WebSocketRejected

# The parameter of conftest.py's ``backend`` fixture.
Backend = Literal["asyncio", "trio"]

ROOT = Path(__file__).resolve().parents[2]
CHAT_APP = "chat/app.py"
Refused = Callable[..., WebSocketRejected]  # the `refused` fixture of tests/conftest.py
ORIGIN = {"origin": "http://127.0.0.1:8000"}  # the demo's own page, on the default port
PUBLIC_FIELDS = {"type", "room", "user", "text", "sentAt"}


@pytest.fixture
def chat(load_example: Callable[[str], ModuleType]) -> ModuleType:
    """docs/examples/chat/app.py, imported afresh by its path."""
    return load_example(CHAT_APP)


def welcome(ws: Any, *, resumed: bool = False) -> dict[str, Any]:
    """The first message of a chat connection, checked."""
    message: dict[str, Any] = ws.receive_json()
    assert message["type"] == "welcome", message
    assert message["worker"] == os.getpid()  # in-process: this process serves it
    assert message["resumed"] is resumed
    return message


def event(ws: Any) -> dict[str, Any]:
    """The next message of the room: ``{"channel", "offset", "epoch", "data"}``."""
    wrapped: dict[str, Any] = ws.receive_json()
    assert set(wrapped) == {"channel", "offset", "epoch", "data"}, wrapped
    assert wrapped["data"]["type"] == "message"
    return wrapped


def said(ws: Any) -> tuple[str, str, str]:
    data = event(ws)["data"]
    return data["room"], data["user"], data["text"]


def texts(ws: Any, count: int) -> list[tuple[int, str]]:
    """The offsets and texts of the next ``count`` messages."""
    return [(e["offset"], e["data"]["text"]) for e in (event(ws) for _ in range(count))]


def test_two_members_see_each_others_messages(chat: ModuleType, backend: Backend) -> None:
    with (
        TestClient(chat.create_app(), backend=backend) as client,
        client.websocket_connect("/rooms/lobby?user=alice", headers=ORIGIN) as alice,
        client.websocket_connect("/rooms/attic?user=carol", headers=ORIGIN) as carol,
    ):
        assert welcome(alice) == {
            "type": "welcome",
            "room": "lobby",
            "user": "alice",
            "worker": os.getpid(),
            "resumed": False,
        }
        welcome(carol)
        alice.send_json({"text": "hello?"})
        own = event(alice)
        assert (own["channel"], own["offset"]) == ("room:lobby", 1)
        # the DTO: no sender address, camelCase names
        assert set(own["data"]) == PUBLIC_FIELDS
        assert (own["data"]["room"], own["data"]["user"], own["data"]["text"]) == (
            "lobby",
            "alice",
            "hello?",
        )
        assert datetime.fromisoformat(own["data"]["sentAt"]).tzinfo is not None

        with client.websocket_connect("/rooms/lobby?user=bob", headers=ORIGIN) as bob:
            welcome(bob)
            assert event(bob) == own  # the history a new member is shown
            bob.send_json({"text": "hi alice"})
            assert said(bob) == ("lobby", "bob", "hi alice")
            assert said(alice) == ("lobby", "bob", "hi alice")

            alice.send_json({"text": "hi bob"})
            assert texts(alice, 1) == [(3, "hi bob")]
            copy = event(bob)
            assert set(copy["data"]) == PUBLIC_FIELDS
            assert (copy["offset"], copy["epoch"]) == (3, own["epoch"])
            assert (copy["data"]["user"], copy["data"]["text"]) == ("alice", "hi bob")

        # carol, in another room, saw none of it: her first message is her own
        carol.send_json({"text": "anyone?"})
        first = event(carol)
        assert (first["channel"], first["offset"]) == ("room:attic", 1)
        assert first["data"]["text"] == "anyone?"


def test_a_new_member_is_shown_the_latest_messages(chat: ModuleType, backend: Backend) -> None:
    sent = chat.HISTORY_ON_JOIN + 5
    with (
        TestClient(chat.create_app(), backend=backend) as client,
        client.websocket_connect("/rooms/lobby?user=alice", headers=ORIGIN) as alice,
    ):
        welcome(alice)
        for number in range(1, sent + 1):
            alice.send_json({"text": f"m{number}"})
        assert texts(alice, sent)[-1] == (sent, f"m{sent}")

        with client.websocket_connect("/rooms/lobby?user=bob", headers=ORIGIN) as bob:
            welcome(bob)
            shown = list(range(sent - chat.HISTORY_ON_JOIN + 1, sent + 1))
            assert texts(bob, len(shown)) == [(n, f"m{n}") for n in shown]
            # then the live messages, with nothing in between
            alice.send_json({"text": "live"})
            assert texts(bob, 1) == [(sent + 1, "live")]


def test_a_member_coming_back_with_since_gets_exactly_what_it_missed(
    chat: ModuleType, backend: Backend
) -> None:
    with (
        TestClient(chat.create_app(), backend=backend) as client,
        client.websocket_connect("/rooms/lobby?user=bob", headers=ORIGIN) as bob,
    ):
        welcome(bob)
        with client.websocket_connect(
            "/rooms/lobby?user=alice&session=s1", headers=ORIGIN
        ) as alice:
            welcome(alice)
            alice.send_json({"text": "one"})
            last = event(alice)
        assert texts(bob, 1) == [(1, "one")]
        bob.send_json({"text": "two"})
        bob.send_json({"text": "three"})
        assert texts(bob, 2) == [(2, "two"), (3, "three")]

        since = f"{last['epoch']}:{last['offset']}"
        with client.websocket_connect(
            f"/rooms/lobby?user=alice&session=s1&since={since}", headers=ORIGIN
        ) as alice:
            welcome(alice, resumed=True)
            assert texts(alice, 2) == [(2, "two"), (3, "three")]  # not "one" again
            bob.send_json({"text": "four"})
            assert texts(alice, 1) == [(4, "four")]
        assert texts(bob, 1) == [(4, "four")]

        # A position the room cannot resume from (another history, or one it never
        # reached): the page starts afresh with the latest messages.
        for foreign in ("another-epoch:3", f"{last['epoch']}:99"):
            with client.websocket_connect(
                f"/rooms/lobby?user=alice&since={foreign}", headers=ORIGIN
            ) as alice:
                welcome(alice, resumed=False)
                assert [text for _, text in texts(alice, 4)] == ["one", "two", "three", "four"]


def test_a_malformed_since_is_refused_with_a_reason(chat: ModuleType) -> None:
    with TestClient(chat.create_app()) as client:
        for since in ("3", "epoch:", ":3", "epoch:-1", "epoch:x"):
            closed = closed_on_join(client, f"/rooms/lobby?user=ada&since={since}")
            assert (closed.code, closed.reason) == (4400, "since must be <epoch>:<offset>"), since


def presence(ws: Any) -> list[str]:
    update = ws.receive_json()
    assert update["type"] == "presence"
    assert update["room"] == "lobby"
    members: list[str] = update["members"]
    return members


def test_presence_stream_follows_joins_and_leaves(chat: ModuleType, backend: Backend) -> None:
    with (
        TestClient(chat.create_app(), backend=backend) as client,
        client.websocket_connect("/rooms/lobby/presence", headers=ORIGIN) as seen,
    ):
        assert presence(seen) == []
        with client.websocket_connect("/rooms/lobby?user=bob", headers=ORIGIN):
            assert presence(seen) == ["bob"]
            with client.websocket_connect("/rooms/lobby?user=Alice", headers=ORIGIN):
                assert presence(seen) == ["Alice", "bob"]  # sorted, ignoring case
                with client.websocket_connect("/rooms/attic?user=carol", headers=ORIGIN):
                    pass  # another room: no update for the lobby
            assert presence(seen) == ["bob"]
        assert presence(seen) == []


def test_malformed_messages_get_error_replies_and_the_connection_stays_open(
    chat: ModuleType, backend: Backend
) -> None:
    with (
        TestClient(chat.create_app(), backend=backend) as client,
        client.websocket_connect("/rooms/lobby?user=ada", headers=ORIGIN) as ada,
    ):
        welcome(ada)
        # ws-kit's own phrases in full; where msgspec describes the value, the path.
        bad_frames = {
            "not json": "$: malformed JSON",
            '{"text": 42}': "$.text: ",
            '{"text": ""}': "$.text: ",
            '{"text": "hi", "admin": true}': "$: unknown field 'admin'",
            "{}": "$.text: required field is missing",
        }
        for frame, detail in bad_frames.items():
            ada.send_text(frame)
            reply = ada.receive_json()
            assert reply["type"] == "error", frame
            assert reply["detail"].startswith(detail), (frame, reply)
        ada.send_json({"text": "still here"})
        assert said(ada) == ("lobby", "ada", "still here")


def test_a_foreign_origin_is_rejected(chat: ModuleType, refused: Refused) -> None:
    with TestClient(chat.create_app()) as client:
        for origin in ("https://evil.example", "http://127.0.0.1:9999", "http://localhost:80"):
            rejected = refused(client, "/rooms/lobby?user=eve", headers={"origin": origin})
            assert rejected.status_code == 403, origin
            rejected = refused(client, "/rooms/lobby/presence", headers={"origin": origin})
            assert rejected.status_code == 403, origin

        for origin in ("http://127.0.0.1:8000", "http://localhost:8000"):
            with client.websocket_connect(
                "/rooms/lobby?user=ada", headers={"origin": origin}
            ) as ws:
                welcome(ws)
                ws.send_json({"text": "hi"})
                assert said(ws) == ("lobby", "ada", "hi")


def test_allowed_origins_follow_the_port_or_the_setting(chat: ModuleType, refused: Refused) -> None:
    with TestClient(chat.create_app(port=5555)) as client:
        with client.websocket_connect(
            "/rooms/x?user=a", headers={"origin": "http://localhost:5555"}
        ) as ws:
            welcome(ws)
        rejected = refused(client, "/rooms/x?user=a", headers=ORIGIN)
        assert rejected.status_code == 403

    app = chat.create_app(allowed_origins=["https://chat.example.com"])
    with TestClient(app) as client:
        with client.websocket_connect(
            "/rooms/x?user=a", headers={"origin": "https://chat.example.com"}
        ) as ws:
            welcome(ws)
        rejected = refused(client, "/rooms/x?user=a", headers=ORIGIN)
        assert rejected.status_code == 403


def test_the_environment_configures_the_workers_app(
    chat: ModuleType, refused: Refused, monkeypatch: pytest.MonkeyPatch
) -> None:
    # What python -m docs.examples.chat sets for uvicorn's workers (see __main__.py).
    monkeypatch.setenv("CHAT_DEMO_PORT", "5555")
    monkeypatch.delenv("CHAT_DEMO_ORIGINS", raising=False)
    monkeypatch.delenv("CHAT_DEMO_REDIS_URL", raising=False)
    with TestClient(chat.app_from_environment()) as client:
        with client.websocket_connect(
            "/rooms/x?user=a", headers={"origin": "http://127.0.0.1:5555"}
        ) as ws:
            welcome(ws)
        assert refused(client, "/rooms/x?user=a", headers=ORIGIN).status_code == 403

    monkeypatch.setenv("CHAT_DEMO_ORIGINS", "https://a.example,https://b.example")
    with TestClient(chat.app_from_environment()) as client:
        for origin in ("https://a.example", "https://b.example"):
            with client.websocket_connect("/rooms/x?user=a", headers={"origin": origin}) as ws:
                welcome(ws)
        assert refused(client, "/rooms/x?user=a", headers=ORIGIN).status_code == 403

    # With a Redis URL the rooms live in Redis Streams (the app is not started here:
    # the browser test runs it on a real Redis).
    monkeypatch.setenv("CHAT_DEMO_REDIS_URL", "redis://127.0.0.1:6390/0")
    (channels,) = chat.app_from_environment().plugins
    assert isinstance(channels.backend, RedisChannelsStreamBackend)
    assert channels.backend.target == "redis://127.0.0.1:6390/0"


def closed_on_join(client: TestClient, path: str) -> WebSocketDisconnect:
    with (
        client.websocket_connect(path, headers=ORIGIN) as ws,
        pytest.raises(WebSocketDisconnect) as closed,
    ):
        ws.receive_json()
    return closed.value


def test_names_and_rooms_are_checked_and_the_page_is_told_why(chat: ModuleType) -> None:
    # Accepted, then closed with a reason: a browser shows nothing of a refused
    # handshake but 1006.
    with TestClient(chat.create_app()) as client:
        for query in ("", "?user=", "?user=%20%20%20", "?user=" + "x" * 33):
            closed = closed_on_join(client, f"/rooms/lobby{query}")
            assert (closed.code, closed.reason) == (4400, "a name needs 1 to 32 characters"), query
        for room in ("a%20b", "x" * 33, "caf%C3%A9"):
            closed = closed_on_join(client, f"/rooms/{room}?user=ada")
            assert (closed.code, closed.reason) == (
                4400,
                "a room name is 1 to 32 letters, digits, - or _",
            ), room
        closed = closed_on_join(client, "/rooms/lobby?user=ada&session=" + "s" * 65)
        assert (closed.code, closed.reason) == (4400, "a session id has at most 64 characters")


def test_names_are_unique_in_a_room(chat: ModuleType, backend: Backend) -> None:
    with (
        TestClient(chat.create_app(), backend=backend) as client,
        client.websocket_connect("/rooms/lobby/presence", headers=ORIGIN) as watcher,
        client.websocket_connect("/rooms/lobby?user=alice&session=s1", headers=ORIGIN) as alice,
    ):
        welcome(alice)
        assert presence(watcher) == []
        assert presence(watcher) == ["alice"]
        for taken in ("alice", "ALICE", "%20alice%20", "alice&session=s2"):
            closed = closed_on_join(client, f"/rooms/lobby?user={taken}")
            assert closed.code == 4409, taken
            name = taken.partition("&")[0].replace("%20", "")
            assert closed.reason == f"{name} is already in lobby"
        # the first alice is still there, and alone under that name
        alice.send_json({"text": "still here"})
        assert said(alice) == ("lobby", "alice", "still here")

        # alice's own session comes back (a page reconnecting before its old
        # connection is gone): accepted, and still one member in the list
        with client.websocket_connect(
            "/rooms/lobby?user=alice&session=s1", headers=ORIGIN
        ) as again:
            welcome(again)
            assert said(again)[2] == "still here"  # shown on joining
            again.send_json({"text": "me again"})
            assert said(again)[2] == "me again"
            assert said(alice)[2] == "me again"
        # another room has its own names
        with client.websocket_connect("/rooms/attic?user=alice", headers=ORIGIN) as other:
            welcome(other)
        alice.close()
        assert presence(watcher) == []
        # a name is free again once its member has left
        with client.websocket_connect("/rooms/lobby?user=alice", headers=ORIGIN) as new:
            welcome(new)
            assert presence(watcher) == ["alice"]


@pytest.mark.anyio
@pytest.mark.parametrize("anyio_backend", ["asyncio"])
async def test_the_page_and_the_asyncapi_document_are_served_over_http(
    chat: ModuleType, anyio_backend: Backend
) -> None:
    transport = httpx.ASGITransport(app=chat.create_app())
    async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1:8000") as http:
        page = await http.get("/")
        assert page.status_code == 200
        assert page.headers["content-type"] == "text/html; charset=utf-8"
        assert "new WebSocket(" in page.text
        assert (await http.get("/favicon.ico")).status_code == 404
        assert (await http.post("/")).status_code == 405
        document = await http.get("/asyncapi.json")
        assert document.status_code == 200
        addresses = {channel["address"] for channel in document.json()["channels"].values()}
        assert addresses == {"/rooms/{room}", "/rooms/{room}/presence"}


def run_demo(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "docs.examples.chat", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_more_than_one_worker_needs_redis() -> None:
    refused = run_demo("--workers", "2")
    assert refused.returncode == 2  # argparse's usage error
    assert "--workers above 1 needs --redis URL: the workers share nothing but Redis" in (
        refused.stderr
    )
    assert "ws-kit chat demo: open" not in refused.stdout  # nothing was started
    assert run_demo("--workers", "0").returncode == 2
