"""The same rooms with Redis Sentinel: the backend follows the primary Sentinel names."""

import os

import coredis
from coredis.connection import TCPLocation

from ws_kit import App, websocket_listener
from ws_kit.channels import ChannelsPlugin, RedisChannelsStreamBackend

SENTINELS = [
    TCPLocation(host, int(port))
    for host, port in (
        address.split(":")
        for address in os.environ.get("REDIS_SENTINELS", "127.0.0.1:26379").split(",")
    )
]

sentinel = coredis.Sentinel(SENTINELS)
channels = ChannelsPlugin(
    RedisChannelsStreamBackend(redis=sentinel.primary_for("mymaster"), key_prefix="chat"),
    arbitrary_channels_allowed=True,
    create_ws_route_handlers=True,
    ws_handler_base_path="/rooms/",
)


@websocket_listener("/say/{room:str}")
async def say(data: str, room: str, channels: ChannelsPlugin) -> None:
    """Whatever a client sends here reaches the room in every worker."""
    channels.publish(data, room)


# The Sentinel client is entered first (lifespan items run before the plugins').
app = App([say], plugins=[channels], lifespan=[sentinel])
