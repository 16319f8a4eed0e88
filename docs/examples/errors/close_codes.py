import msgspec

from ws_kit import App, WebSocketException, websocket_listener


class Order(msgspec.Struct):
    item: str
    quantity: int


@websocket_listener("/orders")
async def orders(data: Order) -> dict[str, str | int]:
    if data.quantity > 10:
        # An application close code (4000-4999) and a reason the client can show.
        raise WebSocketException(code=4422, reason="at most 10 per order")
    if data.item == "teapot":
        raise RuntimeError("the teapot service is down")  # unexpected: 1011 for the client
    return {"item": data.item, "quantity": data.quantity}


app = App([orders])
