"""The ws-kit chat demo: rooms on channels, history, resume, presence, and a page.

Endpoints:

- ``GET /``: the HTML/JS page (served by ``serve_page``, a plain ASGI callable).
- ``/rooms/{room}?user=<name>&session=<id>[&since=<epoch>:<offset>]``: the chat.
  Send ``{"text": "..."}``. The server first sends a ``welcome`` (with the PID
  of the worker process serving the connection), then the room's messages,
  each wrapped with its position in the room's channel:
  ``{"channel", "offset", "epoch", "data": {"type": "message", ...}}``. A page
  that comes back with ``since=`` (the position of the last message it showed)
  gets exactly what it missed; a frame the server cannot read gets
  ``{"type": "error", "detail": ...}`` (the connection stays open).
- ``/rooms/{room}/presence``: a stream of ``{"type": "presence", "members": [...]}``,
  the room's member list, pushed whenever it changes.
- ``GET /asyncapi``: the AsyncAPI document of all this, rendered (and
  ``/asyncapi.json``, ``/asyncapi.yaml``), built from the handlers themselves.

A room is the channel ``room:<name>`` of a ``ChannelsPlugin``: in memory for
one process, or on Redis (Redis Streams) for several worker processes.
``create_app()`` builds a fresh application; ``app`` is one built with the
defaults, for ``uvicorn docs.examples.chat.app:app``; ``app_from_environment``
is the factory ``python -m docs.examples.chat`` gives uvicorn's workers.
"""

import os
import re
from collections import Counter
from collections.abc import AsyncGenerator, AsyncIterator, MutableMapping, Sequence
from contextlib import AsyncExitStack
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any, Literal

import anyio
import msgspec

from ws_codec import DecodeError, encoder_for
from ws_kit import (
    DTO,
    App,
    DTOConfig,
    Provide,
    State,
    WebSocket,
    WebSocketException,
    websocket_listener,
    websocket_stream,
)
from ws_kit.asyncapi import AsyncAPIConfig, AsyncAPIServer
from ws_kit.channels import (
    ChannelsBackend,
    ChannelsPlugin,
    MemoryChannelsBackend,
    Position,
    RedisChannelsStreamBackend,
    Subscriber,
)

DEFAULT_PORT = 8000
PAGE = Path(__file__).with_name("page.html").read_bytes()
MAX_NAME = 32
MAX_SESSION = 64
ROOM_NAME = re.compile(r"[A-Za-z0-9_-]{1,32}")
# Close codes of our own (4000-4999 are the application's), shown by the page.
BAD_REQUEST, NAME_TAKEN = 4400, 4409
HISTORY = 500  # messages each room keeps: what a reconnecting page can catch up on
HISTORY_ON_JOIN = 50  # what a page joining afresh is shown
# Seconds a member outlives a worker process that died without a word (on Redis).
PRESENCE_TTL = 10.0
# The environment variables app_from_environment() reads (python -m docs.examples.chat sets them).
PORT_VARIABLE = "CHAT_DEMO_PORT"
ORIGINS_VARIABLE = "CHAT_DEMO_ORIGINS"
REDIS_VARIABLE = "CHAT_DEMO_REDIS_URL"


# --- messages on the wire -------------------------------------------------------------


class Say(msgspec.Struct, forbid_unknown_fields=True):
    """What a member sends: ``{"text": "hello"}``."""

    text: Annotated[str, msgspec.Meta(min_length=1, max_length=500)]


class ChatMessage(msgspec.Struct, kw_only=True):
    """A message as the server makes it; ``sender_address`` is for the server's eyes only."""

    type: Literal["message"] = "message"
    room: str
    user: str
    text: str
    sent_at: datetime
    sender_address: str


class PublicMessage(DTO[ChatMessage]):
    """What members see of a message: no sender address, camelCase names (``sentAt``)."""

    config = DTOConfig(exclude={"sender_address"}, rename_strategy="camel")


class Welcome(msgspec.Struct, kw_only=True):
    """The first message on a chat connection.

    ``resumed`` is true when the messages that follow continue what the page
    shows (it asked for ``since`` and nothing it missed is gone); false, the
    page starts its list afresh: the room's latest messages follow.
    """

    type: Literal["welcome"] = "welcome"
    room: str
    user: str
    worker: int  # the PID of the process serving this connection
    resumed: bool


class Presence(msgspec.Struct, kw_only=True):
    """The member list of a room."""

    type: Literal["presence"] = "presence"
    room: str
    members: list[str]


class ErrorReply(msgspec.Struct, kw_only=True):
    """The answer to a frame the server could not read."""

    type: Literal["error"] = "error"
    detail: str


# Built once: every message is encoded once, then published to every member.
encode_public_message = encoder_for(ChatMessage, dto=PublicMessage)
encode_welcome = encoder_for(Welcome)
encode_error = encoder_for(ErrorReply)


def room_channel(room: str) -> str:
    """The channel carrying ``room``'s messages and presence."""
    return f"room:{room}"


# --- dependencies and error handling --------------------------------------------------


def user_name(user: str = "") -> str:
    """The member's name, from the query string: ``/rooms/lobby?user=alice``.

    It is checked once the connection is accepted (in ``membership``): a
    browser shows nothing of a refused handshake but code 1006, while a close
    reason reaches the page.
    """
    return user.strip()


async def reply_with_error(socket: WebSocket, exc: DecodeError) -> None:
    """Answer a malformed frame with an error message instead of closing (1007)."""
    await socket.send_data(encode_error(ErrorReply(detail=exc.short())))


# --- joining a room -----------------------------------------------------------------


def parse_since(since: str) -> Position:
    """``"<epoch>:<offset>"`` → ``(epoch, offset)``; a close with 4400 if it is not that."""
    epoch, colon, offset = since.rpartition(":")
    if not (colon and epoch and offset.isascii() and offset.isdigit()):
        raise WebSocketException(BAD_REQUEST, "since must be <epoch>:<offset>")
    return epoch, int(offset)


async def refuse_a_taken_name(channels: ChannelsPlugin, room: str, user: str, session: str) -> None:
    """Close with 4409 if someone else in ``room`` goes by ``user`` (case-insensitively).

    Entries of the member's own ``session`` do not count: a page reconnecting
    after its worker died comes back under its name, although the dead
    worker's entry lingers for up to ``PRESENCE_TTL`` seconds.
    """
    present = await channels.get_presence(room_channel(room))
    for name, metas in present.items():
        if name.casefold() == user.casefold() and any(
            meta != {"session": session} for meta in metas
        ):
            raise WebSocketException(NAME_TAKEN, f"{user} is already in {room}")


async def subscribe_member(
    channels: ChannelsPlugin, room: str, since: Position | None
) -> tuple[Subscriber, bool]:
    """Subscribe to ``room`` after ``since`` if all it missed is still there, else afresh.

    Returns the subscriber and whether it resumed (see :class:`Welcome`).
    """
    channel = room_channel(room)
    if since is not None:
        resuming = await channels.subscribe(channel, since={channel: since})
        if resuming.recovered[channel]:
            return resuming, True
        # Part of the gap is gone (or the history is another one): start over.
        await channels.unsubscribe(resuming)
    return await channels.subscribe(channel, history=HISTORY_ON_JOIN), False


async def membership(
    socket: WebSocket,
    room: str,
    user_name: str,
    channels: ChannelsPlugin,
    state: State,
    session: str = "",
    since: str = "",
) -> AsyncIterator[None]:
    """For the whole connection: present in the room, and its messages go out on the socket."""
    if not 1 <= len(user_name) <= MAX_NAME:
        raise WebSocketException(BAD_REQUEST, f"a name needs 1 to {MAX_NAME} characters")
    if not ROOM_NAME.fullmatch(room):
        raise WebSocketException(BAD_REQUEST, "a room name is 1 to 32 letters, digits, - or _")
    if len(session) > MAX_SESSION:
        raise WebSocketException(BAD_REQUEST, f"a session id has at most {MAX_SESSION} characters")
    position = parse_since(since) if since else None
    session = session or os.urandom(16).hex()  # a client without one cannot resume its name
    async with AsyncExitStack() as stack:
        # One join at a time in this process: two cannot both find a name free.
        async with state.joins:
            await refuse_a_taken_name(channels, room, user_name, session)
            await stack.enter_async_context(
                channels.track(room_channel(room), user_name, {"session": session})
            )
        subscriber, resumed = await subscribe_member(channels, room, position)
        stack.push_async_callback(channels.unsubscribe, subscriber)
        welcome = Welcome(room=room, user=user_name, worker=os.getpid(), resumed=resumed)
        await socket.send_data(encode_welcome(welcome))
        # Sends every message of the room (history first), each with its position.
        await stack.enter_async_context(subscriber.run_in_background(socket.send_data, join=False))
        yield


# --- handlers ---------------------------------------------------------------------------


@websocket_listener(
    "/rooms/{room:str}",
    dependencies={"user_name": Provide(user_name, sync_to_thread=False)},
    connection_lifespan=membership,
    exception_handlers={DecodeError: reply_with_error},
)
async def chat(
    data: Say, socket: WebSocket, room: str, user_name: str, channels: ChannelsPlugin
) -> None:
    """One member in one room: what it says is published to the room's channel.

    Every member, the sender included, receives it from the channel, wrapped
    with its position: ``{"channel", "offset", "epoch", "data": <message>}``.
    """
    message = ChatMessage(
        room=room,
        user=user_name,
        text=data.text,
        sent_at=datetime.now(UTC),
        sender_address=str(socket.client),
    )
    await channels.wait_published(encode_public_message(message), room_channel(room))


@websocket_stream("/rooms/{room:str}/presence")
async def presence(room: str, channels: ChannelsPlugin) -> AsyncGenerator[Presence, None]:
    """Push the member list of ``room`` now and whenever it changes."""
    entries: Counter[str] = Counter()  # a name may have several entries (a page reconnecting)
    members: list[str] | None = None
    async with channels.presence_events(room_channel(room)) as diffs:
        async for diff in diffs:  # first the whole room, then who came and went
            entries.update({name: len(metas) for name, metas in diff.joins.items()})
            entries.subtract({name: len(metas) for name, metas in diff.leaves.items()})
            now = sorted((name for name, count in entries.items() if count > 0), key=str.casefold)
            if now != members:
                members = now
                yield Presence(room=room, members=members)


# --- the page ---------------------------------------------------------------------------


async def serve_page(scope: MutableMapping[str, Any], receive: Any, send: Any) -> None:
    """A tiny ASGI app for the HTTP side: the page on ``GET /``, 404 elsewhere."""
    path = scope["path"][len(scope.get("root_path", "")) :] or "/"
    if path != "/":
        status, body, content_type = 404, b"Not Found", b"text/plain; charset=utf-8"
    elif scope["method"] not in ("GET", "HEAD"):
        status, body, content_type = 405, b"Method Not Allowed", b"text/plain; charset=utf-8"
    else:
        status, body, content_type = 200, PAGE, b"text/html; charset=utf-8"
    headers = [
        (b"content-type", content_type),
        (b"content-length", str(len(body)).encode()),
        (b"cache-control", b"no-store"),
    ]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": b"" if scope["method"] == "HEAD" else body})


# --- the application ----------------------------------------------------------------------


def default_origins(port: int) -> list[str]:
    """The origins of the page itself when the demo runs on ``port``."""
    return [f"http://127.0.0.1:{port}", f"http://localhost:{port}"]


def channels_backend(redis_url: str | None = None) -> ChannelsBackend:
    """Where rooms live: Redis Streams at ``redis_url``, shared by processes; else memory."""
    if redis_url is None:
        return MemoryChannelsBackend(history=HISTORY)
    return RedisChannelsStreamBackend(history=HISTORY, url=redis_url, key_prefix="ws-kit-chat")


def create_app(
    *,
    port: int = DEFAULT_PORT,
    allowed_origins: Sequence[str] | None = None,
    redis_url: str | None = None,
) -> App:
    """Build the chat application.

    Args:
        port: the port the demo is served on; the default ``allowed_origins`` follow it.
        allowed_origins: the browser origins allowed to connect (default: the demo's own page).
        redis_url: keep the rooms on this Redis, for several worker processes
            (default: in this process's memory).
    """
    origins = list(allowed_origins) if allowed_origins is not None else default_origins(port)
    channels = ChannelsPlugin(
        channels_backend(redis_url),
        arbitrary_channels_allowed=True,
        send_positions=True,  # each message goes out with its (epoch, offset)
        # A member too slow to keep up is closed with 1013 and resumes with since=,
        # rather than silently missing messages.
        subscriber_backlog_strategy="close",
        presence_ttl=PRESENCE_TTL,
    )
    return App(
        [chat, presence],
        allowed_origins=origins,
        # "is the name free? then take it", one join at a time (see membership)
        state=State({"joins": anyio.Lock()}),
        http_app=serve_page,
        plugins=[channels],
        asyncapi=AsyncAPIConfig(
            title="ws-kit chat demo",
            version="1.0.0",
            servers={"demo": AsyncAPIServer(host=f"127.0.0.1:{port}")},
        ),
    )


def app_from_environment() -> App:
    """Build the app from ``CHAT_DEMO_*`` variables: the factory uvicorn's workers call.

    ``CHAT_DEMO_PORT`` (default 8000), ``CHAT_DEMO_ORIGINS`` (comma-separated;
    default: the demo's own page) and ``CHAT_DEMO_REDIS_URL`` (default: none,
    rooms in memory) are the arguments of :func:`create_app`.
    """
    origins = os.environ.get(ORIGINS_VARIABLE)
    return create_app(
        port=int(os.environ.get(PORT_VARIABLE, DEFAULT_PORT)),
        allowed_origins=origins.split(",") if origins else None,
        redis_url=os.environ.get(REDIS_VARIABLE) or None,
    )


app = create_app()
