"""The codec's rules as a listener's client sees them (ws_kit's public API)."""

import logging

import msgspec
import pytest

from ws_codec import DecodeError
from ws_kit import WebSocketDisconnect, websocket_listener
from ws_kit.testing import create_test_client


class Order(msgspec.Struct):
    quantity: int

    def __post_init__(self) -> None:
        if self.quantity < 0:
            raise ValueError("struct check failed with db-password=hunter2")
        if self.quantity == 0:
            self.quantity = None + 1  # type: ignore[operator]  # a genuine bug
        if self.quantity == 13:
            raise DecodeError("13 is not sold")


@websocket_listener("/orders")
def take(data: Order) -> dict[str, int]:
    return {"ordered": data.quantity}


def close_of(message: str, *, debug: bool = False) -> WebSocketDisconnect:
    with (
        create_test_client([take], debug=debug) as client,
        client.websocket_connect("/orders") as ws,
    ):
        ws.send_text(message)
        with pytest.raises(WebSocketDisconnect) as closed:
            ws.receive_text()
    return closed.value


def test_a_listener_taking_dict_str_object_builds_and_receives_the_value() -> None:
    @websocket_listener("/any")
    def echo(data: dict[str, object]) -> dict[str, object]:
        return {"got": data, "types": sorted(type(v).__name__ for v in data.values())}

    with create_test_client([echo]) as client, client.websocket_connect("/any") as ws:
        ws.send_json({"a": 1, "b": [True, None], "c": {"d": "e"}})
        assert ws.receive_json() == {
            "got": {"a": 1, "b": [True, None], "c": {"d": "e"}},
            "types": ["dict", "int", "list"],
        }


def test_a_constraint_of_msgspec_closes_1007_naming_the_field() -> None:
    closed = close_of('{"quantity": "many"}')
    assert closed.code == 1007
    assert closed.reason.startswith("$.quantity: ")


def test_model_code_text_never_reaches_the_client(caplog: pytest.LogCaptureFixture) -> None:
    closed = close_of('{"quantity": -1}')
    assert (closed.code, closed.reason) == (1011, "Internal Server Error")
    assert "db-password" not in closed.reason
    logged = [r for r in caplog.records if r.levelno >= logging.ERROR and r.exc_info]
    assert len(logged) == 1
    assert isinstance(logged[0].exc_info[1], ValueError)  # type: ignore[index]


def test_a_bug_in_model_code_is_a_logged_server_error(caplog: pytest.LogCaptureFixture) -> None:
    closed = close_of('{"quantity": 0}')
    assert (closed.code, closed.reason) == (1011, "Internal Server Error")
    logged = [r for r in caplog.records if r.levelno >= logging.ERROR and r.exc_info]
    assert [type(r.exc_info[1]) for r in logged] == [TypeError]  # type: ignore[index]


def test_with_debug_the_model_codes_text_is_the_reason() -> None:
    closed = close_of('{"quantity": -1}', debug=True)
    assert closed.code == 1011
    assert "struct check failed" in closed.reason


def test_model_code_rejects_on_purpose_with_a_decode_error() -> None:
    closed = close_of('{"quantity": 13}')
    assert (closed.code, closed.reason) == (1007, "$: 13 is not sold")
