"""The tutorial's steps (docs/examples/tutorial/), each driven with real messages."""

from collections.abc import Callable
from datetime import datetime
from types import ModuleType
from typing import Any

import pytest

from ws_kit import WebSocketDisconnect
from ws_kit.testing import TestClient, WebSocketRejected

Refused = Callable[..., WebSocketRejected]  # the `refused` fixture of tests/conftest.py
Load = Callable[[str], ModuleType]


def test_step1_echoes_text(load_example: Load) -> None:
    step = load_example("tutorial/step1_echo.py")
    with TestClient(step.app) as client, client.websocket_connect("/chat") as ws:
        ws.send_text("hello")
        assert ws.receive_text() == "hello"
        ws.send_text("again")
        assert ws.receive_text() == "again"


def test_step2_decodes_validates_and_encodes(load_example: Load) -> None:
    step = load_example("tutorial/step2_typed.py")
    with TestClient(step.app) as client:
        with client.websocket_connect("/chat") as ws:
            ws.send_json({"text": "hi"})
            reply = ws.receive_json()
            assert reply["text"] == "hi"
            assert datetime.fromisoformat(reply["sent_at"]).tzinfo is not None

        with client.websocket_connect("/chat") as ws:
            ws.send_json({"txt": "hi"})
            with pytest.raises(WebSocketDisconnect) as closed:
                ws.receive_json()
            assert closed.value.code == 1007
            assert "text" in closed.value.reason


def said(ws: Any) -> tuple[str, str, str]:
    message = ws.receive_json()
    return message["room"], message["user"], message["text"]


def test_step3_rooms_and_names(load_example: Load, refused: Refused) -> None:
    step = load_example("tutorial/step3_rooms.py")
    with TestClient(step.app) as client:
        with (
            client.websocket_connect("/rooms/lobby?user=alice") as alice,
            client.websocket_connect("/rooms/attic?user=carol") as carol,
        ):
            alice.send_json({"text": "a1"})
            assert said(alice) == ("lobby", "alice", "a1")  # alice has joined

            with client.websocket_connect("/rooms/lobby?user=bob") as bob:
                bob.send_json({"text": "b1"})
                assert said(bob) == ("lobby", "bob", "b1")
                assert said(alice) == ("lobby", "bob", "b1")

                alice.send_json({"text": "a2"})
                assert said(alice) == ("lobby", "alice", "a2")
                assert said(bob) == ("lobby", "alice", "a2")

            # carol, in another room, got none of it: her first message is her own
            carol.send_json({"text": "c1"})
            assert said(carol) == ("attic", "carol", "c1")

        rejected = refused(client, "/rooms/lobby")  # no ?user=
        assert rejected.status_code == 400


def test_step4_presence_follows_joins_and_leaves(load_example: Load) -> None:
    step = load_example("tutorial/step4_presence.py")
    with TestClient(step.app) as client, client.websocket_connect("/rooms/lobby/presence") as seen:
        assert seen.receive_json() == []
        with client.websocket_connect("/rooms/lobby?user=bob") as bob:
            assert seen.receive_json() == ["bob"]
            with client.websocket_connect("/rooms/lobby?user=alice") as alice:
                assert seen.receive_json() == ["alice", "bob"]
                alice.send_json({"text": "hi"})
                assert said(bob) == ("lobby", "alice", "hi")
            assert seen.receive_json() == ["bob"]
            bob.send_json({"text": "alone"})
            assert said(bob) == ("lobby", "bob", "alone")
        assert seen.receive_json() == []


def test_step5_error_replies_names_and_origins(load_example: Load, refused: Refused) -> None:
    step = load_example("tutorial/step5_errors.py")
    with TestClient(step.app) as client:
        with client.websocket_connect("/rooms/lobby?user=ada") as ada:
            ada.send_text("not json")
            assert "malformed JSON" in ada.receive_json()["error"]
            ada.send_json({"text": 42})
            assert ada.receive_json() == {"error": "$.text: expected str, got int"}
            ada.send_json({"text": "still here"})  # the connection stayed open
            assert said(ada) == ("lobby", "ada", "still here")

        for path in ("/rooms/lobby", "/rooms/lobby?user=%20"):
            rejected = refused(client, path)
            assert rejected.status_code == 400

        rejected = refused(
            client, "/rooms/lobby?user=eve", headers={"origin": "https://evil.example"}
        )
        assert rejected.status_code == 403

        with client.websocket_connect(
            "/rooms/lobby?user=ada", headers={"origin": "https://chat.example.com"}
        ) as ada:
            ada.send_json({"text": "from the real site"})
            assert said(ada) == ("lobby", "ada", "from the real site")
