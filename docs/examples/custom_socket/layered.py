from ws_kit import App, Router, WebSocket, WebSocketMode, websocket_listener


class Labelled(WebSocket):
    """Prefixes every outgoing text frame with a label, to show which class served it."""

    label = "app"

    async def send_data(self, data: str | bytes, mode: WebSocketMode = "text") -> None:
        if isinstance(data, str):
            data = f"[{self.label}] {data}"
        await super().send_data(data, mode)


class RouterLabelled(Labelled):
    label = "router"


class HandlerLabelled(Labelled):
    label = "handler"


@websocket_listener("/echo")
async def echo(data: str) -> str:
    return data


@websocket_listener("/special", websocket_class=HandlerLabelled)
async def special(data: str) -> str:
    return data


admin = Router("/admin", [echo, special], websocket_class=RouterLabelled)
app = App([echo, admin], websocket_class=Labelled)
