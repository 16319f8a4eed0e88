from collections.abc import AsyncIterator
from datetime import UTC, datetime

import msgspec

from ws_kit import App, Provide, WebSocket, websocket_listener
from ws_kit.channels import ChannelsPlugin

# One channel per room, made when first used; each member may fall 100 messages behind.
channels = ChannelsPlugin(arbitrary_channels_allowed=True, subscriber_max_backlog=100)


class Say(msgspec.Struct):
    text: str


class Said(msgspec.Struct):
    room: str
    user: str
    text: str
    sent_at: datetime


def user_name(user: str) -> str:
    return user.strip() or "anonymous"


async def member(socket: WebSocket, room: str, channels: ChannelsPlugin) -> AsyncIterator[None]:
    """For as long as the connection lasts, what is said in the room goes out on this socket."""
    async with (
        channels.start_subscription(room, history=20) as subscriber,  # the last 20 first
        subscriber.run_in_background(socket),
    ):
        yield  # the listener below serves the connection here


@websocket_listener(
    "/rooms/{room:str}", dependencies={"user_name": Provide(user_name)}, connection_lifespan=member
)
async def chat(data: Say, room: str, user_name: str, channels: ChannelsPlugin) -> None:
    said = Said(room=room, user=user_name, text=data.text, sent_at=datetime.now(UTC))
    channels.publish(said, room)  # to every member, the sender included; never waits


app = App([chat], plugins=[channels])
