from typing import Any

from ws_kit import App, websocket_listener


@websocket_listener("/ingest", max_message_size=64 * 1024)
async def ingest(data: dict[str, Any]) -> dict[str, int]:
    return {"fields": len(data)}


app = App([ingest])
