from ws_kit import App, WebSocket, websocket


@websocket("/sum")
async def running_sum(socket: WebSocket) -> None:
    # Pick our subprotocol if the client offers it (socket.subprotocols is what it asked for).
    await socket.accept(subprotocol="sum.v1" if "sum.v1" in socket.subprotocols else None)
    total = 0
    async for number in socket.iter_json():  # ends quietly when the client goes away
        if not isinstance(number, int | float):
            await socket.close(code=1007, reason="send numbers only")
            return
        total += number
        await socket.send_json({"total": total})


app = App([running_sum])
