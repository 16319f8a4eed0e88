from ws_kit import App, WebSocket, WebSocketMode, websocket_listener


class TrimmingWebSocket(WebSocket):
    """Strips surrounding whitespace from every text frame before anyone sees it."""

    async def receive_data(self, mode: WebSocketMode) -> str | bytes:
        data = await super().receive_data(mode)
        return data.strip() if isinstance(data, str) else data


@websocket_listener("/echo")
async def echo(data: str) -> str:
    return f"<{data}>"


app = App([echo], websocket_class=TrimmingWebSocket)
