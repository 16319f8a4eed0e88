from ws_kit import App, Router, WebSocket, websocket_listener

STOCK = {"apple": 3, "pear": 0}


async def not_found(socket: WebSocket, exc: LookupError) -> None:
    """App layer: answer and keep the connection; the listener serves the next message."""
    await socket.send_json({"error": f"unknown item {exc}"})


async def sold_out(socket: WebSocket, exc: ValueError) -> None:
    """Router layer: this one ends the conversation."""
    await socket.close(code=4409, reason=str(exc))


@websocket_listener("/stock")
async def stock(data: str) -> dict[str, int]:
    return {data: STOCK[data]}  # KeyError is a LookupError


@websocket_listener("/buy")
async def buy(data: str) -> dict[str, str]:
    if STOCK[data] == 0:
        raise ValueError(f"{data} is sold out")
    return {"bought": data}


shop = Router("/shop", [stock, buy], exception_handlers={ValueError: sold_out})
app = App([shop], exception_handlers={LookupError: not_found})
