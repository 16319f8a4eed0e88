"""The chat demo in-process, through ws_kit.testing: rooms, presence, error replies, origins."""

from collections.abc import Callable
from datetime import datetime
from types import ModuleType
from typing import Any, Literal

import httpx
import pytest

from ws_kit import WebSocketDisconnect
from ws_kit.testing import TestClient, WebSocketRejected

# The parameter of conftest.py's ``backend`` fixture.
Backend = Literal["asyncio", "trio"]

CHAT_APP = "chat/app.py"
Refused = Callable[..., WebSocketRejected]  # the `refused` fixture of tests/conftest.py
ORIGIN = {"origin": "http://127.0.0.1:8000"}  # the demo's own page, on the default port


@pytest.fixture
def chat(load_example: Callable[[str], ModuleType]) -> ModuleType:
    """docs/examples/chat/app.py, imported afresh by its path."""
    return load_example(CHAT_APP)


def said(ws: Any) -> tuple[str, str, str]:
    message = ws.receive_json()
    assert message["type"] == "message"
    return message["room"], message["user"], message["text"]


def test_two_members_see_each_others_messages(chat: ModuleType, backend: Backend) -> None:
    with (
        TestClient(chat.create_app(), backend=backend) as client,
        client.websocket_connect("/rooms/lobby?user=alice", headers=ORIGIN) as alice,
        client.websocket_connect("/rooms/attic?user=carol", headers=ORIGIN) as carol,
    ):
        alice.send_json({"text": "hello?"})
        own = alice.receive_json()
        # the DTO: no sender address, camelCase names
        assert set(own) == {"type", "room", "user", "text", "sentAt"}
        assert (own["room"], own["user"], own["text"]) == ("lobby", "alice", "hello?")
        assert datetime.fromisoformat(own["sentAt"]).tzinfo is not None

        with client.websocket_connect("/rooms/lobby?user=bob", headers=ORIGIN) as bob:
            bob.send_json({"text": "hi alice"})
            assert said(bob) == ("lobby", "bob", "hi alice")
            assert said(alice) == ("lobby", "bob", "hi alice")

            alice.send_json({"text": "hi bob"})
            assert said(alice) == ("lobby", "alice", "hi bob")
            copy = bob.receive_json()
            assert set(copy) == {"type", "room", "user", "text", "sentAt"}
            assert (copy["user"], copy["text"]) == ("alice", "hi bob")

        # carol, in another room, saw none of it: her first message is her own
        carol.send_json({"text": "anyone?"})
        assert said(carol) == ("attic", "carol", "anyone?")


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
                ws.send_json({"text": "hi"})
                assert said(ws) == ("lobby", "ada", "hi")


def test_allowed_origins_follow_the_port_or_the_setting(chat: ModuleType, refused: Refused) -> None:
    with TestClient(chat.create_app(port=5555)) as client:
        with client.websocket_connect(
            "/rooms/x?user=a", headers={"origin": "http://localhost:5555"}
        ):
            pass
        rejected = refused(client, "/rooms/x?user=a", headers=ORIGIN)
        assert rejected.status_code == 403

    app = chat.create_app(allowed_origins=["https://chat.example.com"])
    with TestClient(app) as client:
        with client.websocket_connect(
            "/rooms/x?user=a", headers={"origin": "https://chat.example.com"}
        ):
            pass
        rejected = refused(client, "/rooms/x?user=a", headers=ORIGIN)
        assert rejected.status_code == 403


def closed_on_join(client: TestClient, path: str) -> WebSocketDisconnect:
    with (
        client.websocket_connect(path, headers=ORIGIN) as ws,
        pytest.raises(WebSocketDisconnect) as closed,
    ):
        ws.receive_json()
    return closed.value


def test_a_name_is_required_and_the_page_is_told_why(chat: ModuleType) -> None:
    # Accepted, then closed with a reason: a browser shows nothing of a refused
    # handshake but 1006.
    with TestClient(chat.create_app()) as client:
        for query in ("", "?user=", "?user=%20%20%20", "?user=" + "x" * 33):
            closed = closed_on_join(client, f"/rooms/lobby{query}")
            assert (closed.code, closed.reason) == (4400, "a name needs 1 to 32 characters"), query


def test_names_are_unique_in_a_room(chat: ModuleType, backend: Backend) -> None:
    with (
        TestClient(chat.create_app(), backend=backend) as client,
        client.websocket_connect("/rooms/lobby/presence", headers=ORIGIN) as watcher,
        client.websocket_connect("/rooms/lobby?user=alice", headers=ORIGIN) as alice,
    ):
        assert presence(watcher) == []
        assert presence(watcher) == ["alice"]
        for taken in ("alice", "ALICE", "%20alice%20"):
            closed = closed_on_join(client, f"/rooms/lobby?user={taken}")
            assert closed.code == 4409, taken
            assert closed.reason == f"{taken.replace('%20', '').strip()} is already in lobby"
        # the first alice is still there, and alone under that name
        alice.send_json({"text": "still here"})
        assert said(alice) == ("lobby", "alice", "still here")
        # another room has its own names
        with client.websocket_connect("/rooms/attic?user=alice", headers=ORIGIN) as other:
            other.send_json({"text": "hi"})
            assert said(other) == ("attic", "alice", "hi")
        alice.close()
        assert presence(watcher) == []
        # a name is free again once its member has left
        with client.websocket_connect("/rooms/lobby?user=alice", headers=ORIGIN) as again:
            again.send_json({"text": "back"})
            assert said(again) == ("lobby", "alice", "back")


@pytest.mark.anyio
@pytest.mark.parametrize("anyio_backend", ["asyncio"])
async def test_the_page_is_served_over_http(chat: ModuleType, anyio_backend: Backend) -> None:
    transport = httpx.ASGITransport(app=chat.create_app())
    async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1:8000") as http:
        page = await http.get("/")
        assert page.status_code == 200
        assert page.headers["content-type"] == "text/html; charset=utf-8"
        assert "new WebSocket(" in page.text
        assert (await http.get("/favicon.ico")).status_code == 404
        assert (await http.post("/")).status_code == 405
