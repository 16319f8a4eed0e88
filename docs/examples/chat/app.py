"""The ws-kit chat demo: rooms, typed messages, presence, and a page for the browser.

Endpoints:

- ``GET /``: the HTML/JS page (served by ``serve_page``, a plain ASGI callable).
- ``/rooms/{room}?user=<name>``: the chat. Send ``{"text": "..."}``; receive every
  message of the room as ``{"type": "message", ...}`` and, for a frame the server
  cannot read, ``{"type": "error", "detail": ...}`` (the connection stays open).
- ``/rooms/{room}/presence``: a stream of ``{"type": "presence", "members": [...]}``,
  pushed whenever someone joins or leaves the room.
- ``GET /asyncapi``: the AsyncAPI document of all this, rendered (and
  ``/asyncapi.json``, ``/asyncapi.yaml``), built from the handlers themselves.

``create_app()`` builds a fresh application (with its own rooms); ``app`` is one built
with the defaults, for ``uvicorn docs.examples.chat.app:app``.
"""

import itertools
from collections.abc import AsyncGenerator, Sequence
from dataclasses import dataclass, field
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
    WebSocketDisconnect,
    WebSocketException,
    WebsocketListener,
    websocket_stream,
)
from ws_kit.asyncapi import AsyncAPIConfig, AsyncAPIServer

DEFAULT_PORT = 8000
PAGE = Path(__file__).with_name("page.html").read_bytes()
MAX_NAME = 32
# Close codes of our own (4000-4999 are the application's), shown by the page.
BAD_NAME, NAME_TAKEN = 4400, 4409


# --- messages on the wire -------------------------------------------------------------


class Say(msgspec.Struct, forbid_unknown_fields=True):
    """What a member sends: ``{"text": "hello"}``."""

    text: Annotated[str, msgspec.Meta(min_length=1, max_length=500)]


class ChatMessage(msgspec.Struct, kw_only=True):
    """A message as the server keeps it; ``sender_address`` is for the server's eyes only."""

    type: Literal["message"] = "message"
    room: str
    user: str
    text: str
    sent_at: datetime
    sender_address: str


class PublicMessage(DTO[ChatMessage]):
    """What members see of a message: no sender address, camelCase names (``sentAt``)."""

    config = DTOConfig(exclude={"sender_address"}, rename_strategy="camel")


class Presence(msgspec.Struct, kw_only=True):
    """The member list of a room."""

    type: Literal["presence"] = "presence"
    room: str
    members: list[str]


class ErrorReply(msgspec.Struct, kw_only=True):
    """The answer to a frame the server could not read."""

    type: Literal["error"] = "error"
    detail: str


# Built once, used for every broadcast and every error reply.
encode_public_message = encoder_for(ChatMessage, dto=PublicMessage)
encode_error = encoder_for(ErrorReply)


# --- rooms ------------------------------------------------------------------------------


@dataclass
class Room:
    """The members of one room, and an event that fires whenever they change."""

    name: str
    members: dict[int, tuple[str, WebSocket]] = field(default_factory=dict)
    changed: anyio.Event = field(default_factory=anyio.Event)

    def names(self) -> list[str]:
        return sorted((name for name, _ in self.members.values()), key=str.casefold)

    def has_member(self, user: str) -> bool:
        """Whether someone in the room goes by ``user`` (case-insensitively)."""
        return any(name.casefold() == user.casefold() for name, _ in self.members.values())

    def add(self, member_id: int, user: str, socket: WebSocket) -> None:
        self.members[member_id] = (user, socket)
        self._notify()

    def remove(self, member_id: int) -> None:
        if self.members.pop(member_id, None) is not None:
            self._notify()

    def _notify(self) -> None:
        # An anyio.Event fires once: wake the current waiters, then start a new one.
        self.changed.set()
        self.changed = anyio.Event()

    async def broadcast(self, payload: str | bytes, *, skip: int) -> None:
        """Send ``payload`` to every member but ``skip``; drop members who have gone."""
        for member_id, (_, socket) in list(self.members.items()):
            if member_id == skip:
                continue
            try:
                await socket.send_data(payload)
            except WebSocketDisconnect:
                self.remove(member_id)


class ChatHub:
    """Every room of one application. Rooms are created on first use (inside the event loop)."""

    def __init__(self) -> None:
        self.rooms: dict[str, Room] = {}
        self._ids = itertools.count(1)

    def room(self, name: str) -> Room:
        if name not in self.rooms:
            self.rooms[name] = Room(name)
        return self.rooms[name]

    def new_member_id(self) -> int:
        return next(self._ids)


# --- dependencies and error handling --------------------------------------------------


def chat_hub(state: State) -> ChatHub:
    """The application's rooms, kept in the app state."""
    hub: ChatHub = state.hub
    return hub


def user_name(user: str = "") -> str:
    """The member's name, from the query string: ``/rooms/lobby?user=alice``.

    It is checked once the connection is accepted (``ChatRoom.on_accept``): a
    browser shows nothing of a refused handshake but code 1006, while a close
    reason reaches the page.
    """
    return user.strip()


async def reply_with_error(socket: WebSocket, exc: DecodeError) -> None:
    """Answer a malformed frame with an error message instead of closing (1007)."""
    await socket.send_data(encode_error(ErrorReply(detail=exc.short())))


# --- handlers ---------------------------------------------------------------------------


class ChatRoom(WebsocketListener):
    """One member in one room. A new instance serves each connection."""

    path = "/rooms/{room:str}"
    dependencies = {"user_name": Provide(user_name)}
    exception_handlers = {DecodeError: reply_with_error}
    return_dto = PublicMessage

    room: Room | None = None
    member_id = 0

    async def on_accept(self, socket: WebSocket, room: str, user_name: str, hub: ChatHub) -> None:
        if not 1 <= len(user_name) <= MAX_NAME:
            raise WebSocketException(BAD_NAME, f"a name needs 1 to {MAX_NAME} characters")
        joined = hub.room(room)
        # No await between the check and add: two joins cannot both take a name.
        if joined.has_member(user_name):
            raise WebSocketException(NAME_TAKEN, f"{user_name} is already in {room}")
        self.room = joined
        self.member_id = hub.new_member_id()
        self.room.add(self.member_id, user_name, socket)

    async def on_disconnect(self) -> None:
        if self.room is not None:
            self.room.remove(self.member_id)

    async def on_receive(self, data: Say, socket: WebSocket, user_name: str) -> ChatMessage:
        assert self.room is not None  # on_accept ran before any message
        message = ChatMessage(
            room=self.room.name,
            user=user_name,
            text=data.text,
            sent_at=datetime.now(UTC),
            sender_address=str(socket.client),
        )
        await self.room.broadcast(encode_public_message(message), skip=self.member_id)
        return message  # the sender gets its own message back, shaped by return_dto


@websocket_stream("/rooms/{room:str}/presence")
async def presence(room: str, hub: ChatHub) -> AsyncGenerator[Presence, None]:
    """Push the member list of ``room`` now and after every change."""
    watched = hub.room(room)
    while True:
        changed = watched.changed  # take the event before the snapshot: no change is missed
        yield Presence(room=room, members=watched.names())
        await changed.wait()


# --- the page ---------------------------------------------------------------------------


async def serve_page(scope: dict[str, Any], receive: Any, send: Any) -> None:
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


def create_app(*, port: int = DEFAULT_PORT, allowed_origins: Sequence[str] | None = None) -> App:
    """Build the chat application.

    Args:
        port: the port the demo is served on; the default ``allowed_origins`` follow it.
        allowed_origins: the browser origins allowed to connect (default: the demo's own page).
    """
    origins = list(allowed_origins) if allowed_origins is not None else default_origins(port)
    return App(
        [ChatRoom, presence],
        dependencies={"hub": Provide(chat_hub)},
        allowed_origins=origins,
        state=State({"hub": ChatHub()}),
        http_app=serve_page,
        asyncapi=AsyncAPIConfig(
            title="ws-kit chat demo",
            version="1.0.0",
            servers={"demo": AsyncAPIServer(host=f"127.0.0.1:{port}")},
        ),
    )


app = create_app()
