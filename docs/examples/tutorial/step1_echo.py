from ws_kit import App, websocket_listener


@websocket_listener("/chat")
async def chat(data: str) -> str:
    return data


app = App([chat])
