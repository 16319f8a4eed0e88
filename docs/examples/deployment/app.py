import logging
from typing import Any

from ws_kit import App, websocket_listener

logger = logging.getLogger("chat")


async def health(scope: dict[str, Any], receive: Any, send: Any) -> None:
    """Plain HTTP for the load balancer: GET /health answers 200, anything else 404."""
    ok = scope["path"] == "/health"
    await send({"type": "http.response.start", "status": 200 if ok else 404, "headers": []})
    await send({"type": "http.response.body", "body": b"ok" if ok else b"not found"})


def started() -> None:
    logger.info("ready for connections")


@websocket_listener("/echo")
async def echo(data: str) -> str:
    return data


app = App([echo], http_app=health, on_startup=[started])
