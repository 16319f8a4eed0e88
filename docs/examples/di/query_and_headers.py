from typing import Any

from ws_kit import App, WebSocket, websocket_listener


@websocket_listener("/search")
async def search(data: str, socket: WebSocket, limit: int, lang: str = "en") -> dict[str, Any]:
    return {
        "query": data,
        "limit": limit,  # ?limit=5 arrives as the int 5; ?limit=five rejects the handshake
        "lang": lang,  # optional: the default applies when ?lang= is absent
        "agent": socket.headers.get("user-agent"),
    }


app = App([search])
