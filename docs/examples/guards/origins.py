from ws_kit import App, websocket_listener


@websocket_listener("/feed")
async def feed(data: str) -> str:
    return data


app = App(
    [feed],
    allowed_origins=["https://app.example.com", "http://localhost:5173"],
)
