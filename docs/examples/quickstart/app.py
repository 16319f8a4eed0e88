from ws_kit import App, websocket_listener


@websocket_listener("/echo")
async def echo(data: str) -> str:
    return f"you said: {data}"


app = App([echo])
