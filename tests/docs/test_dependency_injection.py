"""The dependency injection how-to (docs/examples/di/)."""

from collections.abc import Callable
from types import ModuleType

from ws_kit.testing import TestClient, WebSocketRejected

Refused = Callable[..., WebSocketRejected]  # the `refused` fixture of tests/conftest.py
Load = Callable[[str], ModuleType]


def test_layers_merge_and_the_closest_wins(load_example: Load) -> None:
    example = load_example("di/layers.py")
    with TestClient(example.app) as client:
        with client.websocket_connect("/v1/greet") as ws:
            ws.send_text("ada")
            assert ws.receive_text() == "HELLO, ada!"
            ws.send_text("bob")
            assert ws.receive_text() == "HELLO, bob!"
        with client.websocket_connect("/v1/formal") as ws:
            ws.send_text("ada")
            assert ws.receive_text() == "GOOD MORNING, ada!"


def test_generator_dependency_once_per_connection_then_torn_down(load_example: Load) -> None:
    example = load_example("di/per_connection.py")
    log = example.app.state.log
    with TestClient(example.app) as client:
        with client.websocket_connect("/count") as ws:
            ws.send_text("a")
            assert ws.receive_json() == {"session": 1, "messages": 1}
            ws.send_text("b")
            assert ws.receive_json() == {"session": 1, "messages": 2}
            assert log == ["session 1 opened"]
        # leaving the block waits for the server side: teardown has run
        assert log == ["session 1 opened", "session 1 closed after 2 messages"]

        with client.websocket_connect("/count") as ws:
            ws.send_text("c")
            assert ws.receive_json() == {"session": 2, "messages": 1}
        assert log[-1] == "session 2 closed after 1 messages"


def test_query_parameters_by_name(load_example: Load, refused: Refused) -> None:
    example = load_example("di/query_and_headers.py")
    with TestClient(example.app) as client:
        with client.websocket_connect("/search?limit=5", headers={"user-agent": "docs"}) as ws:
            ws.send_text("cats")
            assert ws.receive_json() == {"query": "cats", "limit": 5, "lang": "en", "agent": "docs"}
        with client.websocket_connect("/search?limit=2&lang=fr") as ws:
            ws.send_text("chats")
            reply = ws.receive_json()
            assert (reply["limit"], reply["lang"]) == (2, "fr")

        for path in ("/search", "/search?limit=five"):
            rejected = refused(client, path)
            assert rejected.status_code == 400
            assert "limit" in rejected.body.decode()
