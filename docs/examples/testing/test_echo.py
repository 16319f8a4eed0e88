from ws_kit import websocket_listener
from ws_kit.testing import create_test_client


@websocket_listener("/echo")
async def echo(data: str) -> str:
    return data


def test_echo() -> None:
    with create_test_client([echo]) as client, client.websocket_connect("/echo") as ws:
        ws.send_text("hello")
        assert ws.receive_text() == "hello"
