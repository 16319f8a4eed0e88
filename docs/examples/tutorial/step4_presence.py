from collections.abc import AsyncGenerator
from datetime import UTC, datetime

import anyio
import msgspec

from ws_kit import App, Provide, State, WebSocket, WebsocketListener, websocket_stream


class Say(msgspec.Struct):
    text: str


class Said(msgspec.Struct):
    room: str
    user: str
    text: str
    sent_at: datetime


class Room:
    """The members of one room and an event that fires when they change."""

    def __init__(self) -> None:
        self.members: list[tuple[str, WebSocket]] = []
        self.changed = anyio.Event()

    def names(self) -> list[str]:
        return sorted(name for name, _ in self.members)

    def join(self, name: str, socket: WebSocket) -> None:
        self.members.append((name, socket))
        self._notify()

    def leave(self, socket: WebSocket) -> None:
        self.members = [(n, s) for n, s in self.members if s is not socket]
        self._notify()

    def _notify(self) -> None:
        self.changed.set()  # wake everyone waiting on the old event...
        self.changed = anyio.Event()  # ...and give the next change a fresh one

    async def send_to_others(self, sender: WebSocket, said: Said) -> None:
        payload = msgspec.json.encode(said).decode()
        for _, socket in self.members:
            if socket is not sender:
                await socket.send_text(payload)


class Rooms(dict[str, Room]):
    def __missing__(self, name: str) -> Room:
        self[name] = room = Room()
        return room


def get_rooms(state: State) -> Rooms:
    rooms: Rooms = state.rooms
    return rooms


def user_name(user: str) -> str:
    return user.strip() or "anonymous"


class ChatRoom(WebsocketListener):
    path = "/rooms/{room:str}"
    dependencies = {"user_name": Provide(user_name)}

    async def on_accept(self, socket: WebSocket, room: str, user_name: str, rooms: Rooms) -> None:
        rooms[room].join(user_name, socket)

    async def on_disconnect(self, socket: WebSocket, room: str, rooms: Rooms) -> None:
        rooms[room].leave(socket)

    async def on_receive(
        self, data: Say, socket: WebSocket, room: str, user_name: str, rooms: Rooms
    ) -> Said:
        said = Said(room=room, user=user_name, text=data.text, sent_at=datetime.now(UTC))
        await rooms[room].send_to_others(socket, said)
        return said


@websocket_stream("/rooms/{room:str}/presence")
async def presence(room: str, rooms: Rooms) -> AsyncGenerator[list[str], None]:
    while True:
        changed = rooms[room].changed
        yield rooms[room].names()
        await changed.wait()


app = App(
    [ChatRoom, presence],
    dependencies={"rooms": Provide(get_rooms)},
    state=State({"rooms": Rooms()}),
)
