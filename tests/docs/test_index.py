"""The home page's first application (docs/examples/quickstart/app.py)."""

from collections.abc import Callable
from types import ModuleType

from ws_kit.testing import TestClient


def test_quickstart_echo(load_example: Callable[[str], ModuleType]) -> None:
    quickstart = load_example("quickstart/app.py")
    with TestClient(quickstart.app) as client, client.websocket_connect("/echo") as ws:
        ws.send_text("hello")
        assert ws.receive_text() == "you said: hello"
        ws.send_text("")
        assert ws.receive_text() == "you said: "
