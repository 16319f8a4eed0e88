from __future__ import annotations

from ws_kit import App, WebSocket, WebSocketMode, websocket_listener


class CustomWebSocket(WebSocket):
    async def receive_data(self, mode: WebSocketMode) -> str | bytes:
        """Return fixed response for every websocket message."""
        await super().receive_data(mode=mode)
        return "Fixed response"


@websocket_listener("/")
async def handler(data: str) -> str:
    return data


app = App([handler], websocket_class=CustomWebSocket)
