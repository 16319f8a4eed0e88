from datetime import UTC, datetime

import msgspec

from ws_kit import App, Provide, State, WebSocket, WebsocketListener


class Say(msgspec.Struct):
    text: str


class Said(msgspec.Struct):
    room: str
    user: str
    text: str
    sent_at: datetime


class Rooms:
    """Which sockets are in which room."""

    def __init__(self) -> None:
        self.sockets: dict[str, list[WebSocket]] = {}

    def join(self, room: str, socket: WebSocket) -> None:
        self.sockets.setdefault(room, []).append(socket)

    def leave(self, room: str, socket: WebSocket) -> None:
        self.sockets[room] = [s for s in self.sockets.get(room, []) if s is not socket]

    async def send_to_others(self, room: str, sender: WebSocket, said: Said) -> None:
        payload = msgspec.json.encode(said).decode()
        for socket in self.sockets.get(room, []):
            if socket is not sender:
                await socket.send_text(payload)


def get_rooms(state: State) -> Rooms:
    rooms: Rooms = state.rooms
    return rooms


def user_name(user: str) -> str:
    return user.strip() or "anonymous"


class ChatRoom(WebsocketListener):
    path = "/rooms/{room:str}"
    dependencies = {"rooms": Provide(get_rooms), "user_name": Provide(user_name)}

    async def on_accept(self, socket: WebSocket, room: str, rooms: Rooms) -> None:
        rooms.join(room, socket)

    async def on_disconnect(self, socket: WebSocket, room: str, rooms: Rooms) -> None:
        rooms.leave(room, socket)

    async def on_receive(
        self, data: Say, socket: WebSocket, room: str, user_name: str, rooms: Rooms
    ) -> Said:
        said = Said(room=room, user=user_name, text=data.text, sent_at=datetime.now(UTC))
        await rooms.send_to_others(room, socket, said)
        return said


app = App([ChatRoom], state=State({"rooms": Rooms()}))
