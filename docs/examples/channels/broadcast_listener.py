from collections.abc import AsyncIterator

from ws_kit import App, WebSocket, websocket_listener
from ws_kit.channels import ChannelsPlugin

channels = ChannelsPlugin(channels=["chat"])


async def subscribed(socket: WebSocket, channels: ChannelsPlugin) -> AsyncIterator[None]:
    """For the whole connection: every event of "chat" goes out on this socket."""
    async with (
        channels.start_subscription("chat") as subscriber,
        subscriber.run_in_background(socket.send_data),
    ):
        yield


@websocket_listener("/chat", connection_lifespan=subscribed)
async def chat(data: dict[str, str], channels: ChannelsPlugin) -> None:
    # Encoded once, queued, and sent to every member: the sender never waits for them.
    channels.publish({"from": data["name"], "text": data["text"]}, "chat")


app = App([chat], plugins=[channels])
