from ws_core import App, WebSocket, websocket


@websocket("/upper")
async def upper(socket: WebSocket) -> None:
    await socket.accept()
    async for text in socket.iter_text():
        await socket.send_text(text.upper())


app = App([upper])
