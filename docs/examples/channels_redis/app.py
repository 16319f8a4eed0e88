"""Chat rooms served by several workers, or machines, sharing one Redis."""

import os
from collections.abc import MutableMapping
from typing import Any

from ws_kit import App, websocket_listener
from ws_kit.channels import ChannelsPlugin, RedisChannelsStreamBackend

REDIS_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")

channels = ChannelsPlugin(
    RedisChannelsStreamBackend(history=100, url=REDIS_URL, key_prefix="chat"),
    arbitrary_channels_allowed=True,
    # ws://…/rooms/<room>: the room's last 20 events, then the live ones, each as
    # {"channel", "offset", "epoch", "data"}; ?since=<epoch>:<offset> resumes after one.
    create_ws_route_handlers=True,
    ws_handler_base_path="/rooms/",
    ws_handler_send_history=20,
    send_positions=True,
)


@websocket_listener("/say/{room:str}")
async def say(data: str, room: str, channels: ChannelsPlugin) -> None:
    """Whatever a client sends here reaches the room in every worker."""
    channels.publish(data, room)


async def ready(scope: MutableMapping[str, Any], receive: Any, send: Any) -> None:
    """GET /ready, for the load balancer: 200 while this worker's Redis subscription delivers."""
    ok = scope["path"] == "/ready" and channels.stats()["connected"]
    await send({"type": "http.response.start", "status": 200 if ok else 503, "headers": []})
    await send({"type": "http.response.body", "body": b"ready" if ok else b"not ready"})


app = App([say], plugins=[channels], http_app=ready)
