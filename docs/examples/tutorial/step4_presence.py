from collections.abc import AsyncGenerator, AsyncIterator
from datetime import UTC, datetime

import msgspec

from ws_kit import App, HandshakeRejected, Provide, WebSocket, websocket_listener, websocket_stream
from ws_kit.channels import ChannelsPlugin, MemoryChannelsBackend, Position, PresenceDiff

channels = ChannelsPlugin(
    MemoryChannelsBackend(history=100),  # how far back a returning page can catch up
    arbitrary_channels_allowed=True,
    subscriber_max_backlog=100,  # live messages a slow member may fall behind
    send_positions=True,  # each message: {"channel", "offset", "epoch", "data"}
)


class Say(msgspec.Struct):
    text: str


class Said(msgspec.Struct):
    room: str
    user: str
    text: str
    sent_at: datetime


def user_name(user: str) -> str:
    return user.strip() or "anonymous"


def last_seen(since: str = "") -> Position | None:
    """``?since=<epoch>:<offset>``: the position of the last message a returning page got."""
    if not since:
        return None
    epoch, _, offset = since.rpartition(":")
    if not epoch or not offset.isdecimal():
        raise HandshakeRejected(status_code=400, detail="since must be <epoch>:<offset>")
    return (epoch, int(offset))


async def member(
    socket: WebSocket,
    room: str,
    user_name: str,
    last_seen: Position | None,
    channels: ChannelsPlugin,
) -> AsyncIterator[None]:
    """Present in the room, and sent what is said there, for as long as the connection lasts."""
    resume = None if last_seen is None else {room: last_seen}
    async with (
        channels.track(room, user_name),
        # A returning page gets exactly what it missed; a new one the last 20 messages.
        channels.start_subscription(room, history=20, since=resume) as subscriber,
        subscriber.run_in_background(socket),
    ):
        yield


@websocket_listener(
    "/rooms/{room:str}",
    dependencies={"user_name": Provide(user_name), "last_seen": Provide(last_seen)},
    connection_lifespan=member,
)
async def chat(data: Say, room: str, user_name: str, channels: ChannelsPlugin) -> None:
    said = Said(room=room, user=user_name, text=data.text, sent_at=datetime.now(UTC))
    channels.publish(said, room)


@websocket_stream("/rooms/{room:str}/presence")
async def presence(room: str, channels: ChannelsPlugin) -> AsyncGenerator[PresenceDiff, None]:
    async with channels.presence_events(room) as changes:
        async for change in changes:  # first everyone in the room, then who came and went
            yield change


app = App([chat, presence], plugins=[channels])
