import pytest

from ws_kit import WebSocket, WebSocketDisconnect, WebSocketException, websocket_listener
from ws_kit.testing import WebSocketRejected, create_test_client

MEMBER = {"cookie": "member=yes"}


def members_only(socket: WebSocket) -> bool:
    return "member" in socket.cookies


@websocket_listener("/lounge", guards=[members_only])
async def lounge(data: str) -> None:
    if data == "leave":
        raise WebSocketException(code=4000, reason="see you")
    # Returning None sends nothing back.


def test_a_guard_rejects_the_handshake() -> None:
    with (
        create_test_client([lounge]) as client,
        pytest.raises(WebSocketRejected) as rejected,
        client.websocket_connect("/lounge"),
    ):
        pass
    assert rejected.value.status_code == 403


def test_no_reply_fails_after_the_timeout() -> None:
    with (
        create_test_client([lounge]) as client,
        client.websocket_connect("/lounge", headers=MEMBER) as ws,
    ):
        ws.send_text("hello")
        with pytest.raises(TimeoutError):
            ws.receive_text(timeout=0.2)  # instead of waiting forever for a reply that never comes


def test_the_server_closes() -> None:
    with (
        create_test_client([lounge]) as client,
        client.websocket_connect("/lounge", headers=MEMBER) as ws,
    ):
        ws.send_text("leave")
        with pytest.raises(WebSocketDisconnect) as closed:
            ws.receive_text()
        assert (closed.value.code, closed.value.reason) == (4000, "see you")
