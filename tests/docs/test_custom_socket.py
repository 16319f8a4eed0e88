"""The custom WebSocket classes how-to (docs/examples/custom_socket/)."""

from collections.abc import Callable
from types import ModuleType

from ws_kit.testing import TestClient

Load = Callable[[str], ModuleType]


def test_app_level_class_sees_every_frame_first(load_example: Load) -> None:
    example = load_example("custom_socket/app_level.py")
    with TestClient(example.app) as client, client.websocket_connect("/echo") as ws:
        ws.send_text("  hi  ")
        assert ws.receive_text() == "<hi>"
        ws.send_text("\tpadded\n")
        assert ws.receive_text() == "<padded>"


def test_the_closest_layer_chooses_the_class(load_example: Load) -> None:
    example = load_example("custom_socket/layered.py")
    expected = {"/echo": "[app] hi", "/admin/echo": "[router] hi", "/admin/special": "[handler] hi"}
    with TestClient(example.app) as client:
        for path, reply in expected.items():
            with client.websocket_connect(path) as ws:
                ws.send_text("hi")
                assert ws.receive_text() == reply
