"""The app of tests/e2e/test_channels_redis.py: chat rooms on ws-channels, across processes.

``/rooms/{room}``: the connection joins the room's channel and says which
process serves it (``{"pid": ...}``, sent once the subscription is
effective); every text it sends is published to the room, and it receives
everything published there, from whichever process. ``E2E_REDIS_URL``,
``E2E_REDIS_BACKEND`` (``stream`` or ``pubsub``) and ``E2E_REDIS_PREFIX``
choose the backend. Public names only; asyncio and trio alike.
"""

import json
import os

from ws_kit import App, WebSocket, websocket
from ws_kit.channels import ChannelsPlugin, RedisChannelsPubSubBackend, RedisChannelsStreamBackend

_URL = os.environ["E2E_REDIS_URL"]
_PREFIX = os.environ.get("E2E_REDIS_PREFIX", "e2e")
backend = (
    RedisChannelsPubSubBackend(url=_URL, key_prefix=_PREFIX)
    if os.environ.get("E2E_REDIS_BACKEND") == "pubsub"
    else RedisChannelsStreamBackend(url=_URL, key_prefix=_PREFIX)
)
channels = ChannelsPlugin(backend, arbitrary_channels_allowed=True, subscriber_max_backlog=1000)


@websocket("/rooms/{room:str}")
async def room(socket: WebSocket, room: str, channels: ChannelsPlugin) -> None:
    """Join ``room``: what the client sends goes to everyone in it, in every process."""
    await socket.accept()
    async with channels.start_subscription(room) as subscriber:
        await socket.send_text(json.dumps({"pid": os.getpid()}))
        async with subscriber.run_in_background(socket.send_data):
            async for text in socket.iter_text():
                channels.publish(text, room)


app = App([room], plugins=[channels])
