"""The errors and close codes how-to (docs/examples/errors/)."""

import logging
from collections.abc import Callable
from types import ModuleType

import pytest

from ws_kit import WebSocketDisconnect
from ws_kit.testing import TestClient

Load = Callable[[str], ModuleType]


def closed_with(receive: Callable[[], object]) -> tuple[int, str]:
    with pytest.raises(WebSocketDisconnect) as closed:
        receive()
    return closed.value.code, closed.value.reason


def test_close_codes(load_example: Load, caplog: pytest.LogCaptureFixture) -> None:
    example = load_example("errors/close_codes.py")
    with TestClient(example.app) as client:
        with client.websocket_connect("/orders") as ws:
            ws.send_json({"item": "pen", "quantity": 2})
            assert ws.receive_json() == {"item": "pen", "quantity": 2}

        with client.websocket_connect("/orders") as ws:
            ws.send_json({"item": "pen", "quantity": 20})
            assert closed_with(ws.receive_json) == (4422, "at most 10 per order")

        with client.websocket_connect("/orders") as ws:
            ws.send_json({"item": "pen"})
            code, reason = closed_with(ws.receive_json)
            assert code == 1007
            assert "quantity" in reason

        with caplog.at_level(logging.ERROR), client.websocket_connect("/orders") as ws:
            ws.send_json({"item": "teapot", "quantity": 1})
            assert closed_with(ws.receive_json) == (1011, "Internal Server Error")

    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert len(errors) == 1
    assert errors[0].name == "ws_listener"
    assert errors[0].exc_info is not None
    assert "the teapot service is down" in str(errors[0].exc_info[1])


def test_exception_handlers_by_layer(load_example: Load) -> None:
    example = load_example("errors/handlers.py")
    with TestClient(example.app) as client:
        with client.websocket_connect("/shop/stock") as ws:
            ws.send_text("apple")
            assert ws.receive_json() == {"apple": 3}
            ws.send_text("kiwi")
            assert ws.receive_json() == {"error": "unknown item 'kiwi'"}
            ws.send_text("pear")  # the connection stayed open
            assert ws.receive_json() == {"pear": 0}

        with client.websocket_connect("/shop/buy") as ws:
            ws.send_text("apple")
            assert ws.receive_json() == {"bought": "apple"}
            ws.send_text("kiwi")  # LookupError: the app's handler answers, the connection lives
            assert ws.receive_json() == {"error": "unknown item 'kiwi'"}
            ws.send_text("pear")  # ValueError: the router's handler closes
            assert closed_with(ws.receive_json) == (4409, "pear is sold out")
