"""The codec and DTO how-to (docs/examples/codec/)."""

import uuid
from collections.abc import Callable
from decimal import Decimal
from types import ModuleType

import pytest

from ws_kit import WebSocketDisconnect
from ws_kit.testing import TestClient

Load = Callable[[str], ModuleType]


def test_typed_messages_are_validated(load_example: Load) -> None:
    example = load_example("codec/typed.py")
    with TestClient(example.app) as client:
        with client.websocket_connect("/orders") as ws:
            ws.send_json({"item": "apple", "quantity": 3, "side": "buy"})
            receipt = ws.receive_json()
            assert uuid.UUID(receipt["order_id"])
            assert (receipt["item"], Decimal(receipt["total"])) == ("apple", Decimal("1.20"))
            ws.send_json(
                {"item": "pear", "quantity": 2, "side": "sell", "deliver_on": "2030-01-31"}
            )
            assert Decimal(ws.receive_json()["total"]) == Decimal("1.10")

        for bad, where in [
            ({"item": "apple", "quantity": "3", "side": "buy"}, "$.quantity: "),
            ({"item": "apple", "quantity": 3, "side": "hold"}, "$.side"),
            ({"item": "apple", "quantity": 3, "side": "buy", "deliver_on": "soon"}, "$.deliver_on"),
        ]:
            with client.websocket_connect("/orders") as ws:
                ws.send_json(bad)
                with pytest.raises(WebSocketDisconnect) as closed:
                    ws.receive_json()
                assert closed.value.code == 1007
                assert where in closed.value.reason

        with client.websocket_connect("/baskets") as ws:
            orders = [
                {"item": "apple", "quantity": 3, "side": "buy"},
                {"item": "pear", "quantity": 1, "side": "buy"},
            ]
            ws.send_json({"orders": orders})
            assert ws.receive_json() == {"orders": 2, "items": 4}
            ws.send_json({"orders": [{"item": "apple", "side": "buy"}]})
            with pytest.raises(WebSocketDisconnect) as closed:
                ws.receive_json()
            assert closed.value.code == 1007
            assert "$.orders[0].quantity" in closed.value.reason


def test_msgpack_over_binary_frames(load_example: Load) -> None:
    example = load_example("codec/msgpack.py")
    with TestClient(example.app) as client, client.websocket_connect("/readings") as ws:
        ws.send_msgpack({"sensor": "t1", "values": [1.0, 2.0, 4.5]})
        assert ws.receive_msgpack() == {"sensor": "t1", "mean": 2.5}
        ws.send_text('{"sensor": "t1", "values": [1.0]}')  # a text frame: not for this listener
        ws.send_msgpack({"sensor": "t2", "values": [3.0]})
        assert ws.receive_msgpack() == {"sensor": "t2", "mean": 3.0}


def test_dtos_shape_the_wire(load_example: Load) -> None:
    example = load_example("codec/dto.py")
    with TestClient(example.app) as client, client.websocket_connect("/register") as ws:
        ws.send_json({"name": "ada", "emailAddress": "ada@example.com", "password": "s3cret"})
        assert ws.receive_json() == {"name": "ada", "emailAddress": "ada@example.com", "id": 1}
        stored = example.USERS[1]
        assert (stored.email_address, stored.password_hash) == ("ada@example.com", "hashed:s3cret")

        # an id sent by the client is ignored: the server picks it
        ws.send_json({"name": "bob", "emailAddress": "b@example.com", "password": "x", "id": 99})
        assert ws.receive_json() == {"name": "bob", "emailAddress": "b@example.com", "id": 2}

        ws.send_json(
            {"name": "eve", "email_address": "e@example.com"}
        )  # Python names: not the wire's
        with pytest.raises(WebSocketDisconnect) as closed:
            ws.receive_json()
        assert closed.value.code == 1007
        assert "emailAddress" in closed.value.reason
