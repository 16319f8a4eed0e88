"""What a listener receives and sends: annotations, modes, protocols, DTOs."""

import enum
import uuid
from dataclasses import dataclass
from typing import Any, Literal, NamedTuple, TypedDict

import attrs
import msgspec
import pytest

from ws_codec import DTO, DTOConfig, EncodeError
from ws_core import App, WebSocket, WebSocketDisconnect, WebSocketMode
from ws_core.testing import AsyncTestClient
from ws_listener import websocket_listener

pytestmark = pytest.mark.anyio


class Point(msgspec.Struct):
    x: int
    y: int


@dataclass
class Item:
    name: str
    qty: int


class Movie(TypedDict):
    title: str
    year: int


class Pair(NamedTuple):
    left: int
    right: int


@attrs.define
class Tag:
    label: str


class Colour(enum.Enum):
    RED = "red"
    BLUE = "blue"


@websocket_listener("/raw-text")
async def raw_text(data: str) -> str:
    return f"{type(data).__name__}:{data}"


@websocket_listener("/raw-bytes", receive_mode="binary")
async def raw_bytes(data: bytes) -> str:
    return f"{type(data).__name__}:{data.hex()}"


@websocket_listener("/unannotated")
async def unannotated(data) -> Any:  # type: ignore[no-untyped-def]  # unannotated on purpose
    return {"type": type(data).__name__, "value": data}


@websocket_listener("/any")
def any_value(data: Any) -> dict[str, Any]:
    return {"type": type(data).__name__, "value": data}


@websocket_listener("/struct")
async def struct(data: Point) -> Point:
    assert type(data) is Point
    return Point(x=data.x * 10, y=data.y * 10)


@websocket_listener("/dataclass")
async def dataclass_in(data: Item) -> dict[str, Any]:
    assert type(data) is Item
    return {"name": data.name, "qty": data.qty + 1}


@websocket_listener("/typeddict")
async def typeddict_in(data: Movie) -> Movie:
    return Movie(title=data["title"].upper(), year=data["year"])


@websocket_listener("/list")
async def list_in(data: list[int]) -> int:
    return sum(data)


@websocket_listener("/literal")
async def literal_in(data: Literal["ping", "pong"]) -> str:
    return "pong" if data == "ping" else "ping"


@websocket_listener("/namedtuple")
async def namedtuple_in(data: Pair) -> Pair:
    assert type(data) is Pair
    return Pair(data.right, data.left)


@websocket_listener("/attrs")
async def attrs_in(data: Tag) -> Tag:
    assert type(data) is Tag
    return Tag(label=data.label * 2)


@websocket_listener("/enum")
async def enum_in(data: Colour) -> Colour:
    return Colour.BLUE if data is Colour.RED else Colour.RED


@websocket_listener("/uuid")
async def uuid_in(data: uuid.UUID) -> str:
    return str(data.version)


@websocket_listener("/union")
async def union_in(data: int | list[str]) -> str:
    return type(data).__name__


APP = App(
    [
        raw_text,
        raw_bytes,
        unannotated,
        any_value,
        struct,
        dataclass_in,
        typeddict_in,
        list_in,
        literal_in,
        namedtuple_in,
        attrs_in,
        enum_in,
        uuid_in,
        union_in,
    ]
)


@pytest.mark.parametrize(
    ("path", "sent", "expected"),
    [
        ("/raw-text", '{"not": "parsed"}', 'str:{"not": "parsed"}'),
        ("/unannotated", '{"a": [1, 2]}', '{"type":"dict","value":{"a":[1,2]}}'),
        ("/any", "[1, 2.5]", '{"type":"list","value":[1,2.5]}'),
        ("/any", '"text"', '{"type":"str","value":"text"}'),
        ("/struct", '{"x": 1, "y": 2}', '{"x":10,"y":20}'),
        ("/dataclass", '{"name": "pen", "qty": 1}', '{"name":"pen","qty":2}'),
        ("/typeddict", '{"title": "alien", "year": 1979}', '{"title":"ALIEN","year":1979}'),
        ("/list", "[1, 2, 3]", "6"),
        ("/literal", '"ping"', "pong"),
        ("/namedtuple", "[1, 2]", "[2,1]"),
        ("/attrs", '{"label": "ab"}', '{"label":"abab"}'),
        ("/enum", '"red"', '"blue"'),
        ("/uuid", '"6ba7b810-9dad-41d1-80b4-00c04fd430c8"', "4"),
        ("/union", "3", "int"),
        ("/union", '["a"]', "list"),
    ],
)
async def test_data_is_converted_by_its_annotation(path: str, sent: str, expected: str) -> None:
    async with AsyncTestClient(APP) as client, client.websocket_connect(path) as ws:
        await ws.send_text(sent)
        assert await ws.receive_text() == expected


async def test_bytes_annotation_receives_the_raw_frame() -> None:
    async with AsyncTestClient(APP) as client, client.websocket_connect("/raw-bytes") as ws:
        await ws.send_bytes(b"\x00\xff{")
        assert await ws.receive_text() == "bytes:00ff7b"


@pytest.mark.parametrize(
    ("path", "sent", "fragment"),
    [
        ("/struct", '{"x": "one", "y": 2}', "$.x"),
        ("/struct", '{"x": 1}', "y"),
        ("/dataclass", '{"name": "pen", "qty": "many"}', "$.qty"),
        ("/typeddict", '{"title": "alien"}', "year"),
        ("/list", '[1, "two"]', "$[1]"),
        ("/literal", '"pang"', "pang"),
        ("/enum", '"green"', "green"),
        ("/any", "{not json", "JSON"),
    ],
)
async def test_invalid_message_closes_1007_naming_the_problem(
    path: str, sent: str, fragment: str
) -> None:
    async with AsyncTestClient(APP) as client, client.websocket_connect(path) as ws:
        await ws.send_text(sent)
        with pytest.raises(WebSocketDisconnect) as info:
            await ws.receive_text()
    assert info.value.code == 1007
    assert fragment in info.value.reason
    assert len(info.value.reason.encode()) <= 123


async def test_a_valid_message_after_none_is_still_served() -> None:
    async with AsyncTestClient(APP) as client, client.websocket_connect("/list") as ws:
        for numbers, total in (("[1]", "1"), ("[]", "0"), ("[5, 5]", "10")):
            await ws.send_text(numbers)
            assert await ws.receive_text() == total


async def test_frames_on_the_other_channel_are_ignored() -> None:
    seen: list[Any] = []

    @websocket_listener("/text")
    async def text_listener(data: Any) -> str:
        seen.append(data)
        return f"text:{data}"

    @websocket_listener("/binary", receive_mode="binary")
    async def binary_listener(data: str) -> str:
        seen.append(data)
        return f"binary:{data}"

    app = App([text_listener, binary_listener])
    async with AsyncTestClient(app) as client:
        async with client.websocket_connect("/text") as ws:
            await ws.send_bytes(b'"dropped"')
            await ws.send_text('"kept"')
            assert await ws.receive_text() == "text:kept"
        async with client.websocket_connect("/binary") as ws:
            await ws.send_text("dropped")
            await ws.send_bytes(b"kept")
            assert await ws.receive_text() == "binary:kept"
    assert seen == ["kept", "kept"]


async def test_returned_values_follow_send_mode() -> None:
    @websocket_listener("/text-out")
    async def text_out(data: str) -> bytes:
        return data.encode() + b"!"

    @websocket_listener("/binary-out", send_mode="binary")
    async def binary_out(data: str) -> str:
        return data + "!"

    @websocket_listener("/binary-json", send_mode="binary")
    async def binary_json(data: str) -> dict[str, str]:
        return {"got": data}

    app = App([text_out, binary_out, binary_json])
    async with AsyncTestClient(app) as client:
        async with client.websocket_connect("/text-out") as ws:
            await ws.send_text("héllo")
            assert await ws.receive_text() == "héllo!"
        async with client.websocket_connect("/binary-out") as ws:
            await ws.send_text("héllo")
            assert await ws.receive_bytes() == "héllo!".encode()
        async with client.websocket_connect("/binary-json") as ws:
            await ws.send_text("x")
            assert msgspec.json.decode(await ws.receive_bytes()) == {"got": "x"}


async def test_none_sends_nothing() -> None:
    @websocket_listener("/quiet")
    async def quiet(data: str) -> str | None:
        return None if data == "hush" else data

    async with AsyncTestClient(App([quiet])) as client, client.websocket_connect("/quiet") as ws:
        await ws.send_text("hush")
        await ws.send_text("speak")
        assert await ws.receive_text() == "speak"


async def test_without_return_annotation_the_runtime_type_is_encoded() -> None:
    @websocket_listener("/runtime")
    async def runtime(data: str):  # type: ignore[no-untyped-def]  # no return annotation on purpose
        return Point(x=len(data), y=0)

    async with (
        AsyncTestClient(App([runtime])) as client,
        client.websocket_connect("/runtime") as ws,
    ):
        await ws.send_text("abc")
        assert await ws.receive_json() == {"x": 3, "y": 0}


async def test_msgpack_in_binary_modes() -> None:
    @websocket_listener("/mp", receive_mode="binary", send_mode="binary", protocol="msgpack")
    async def mp(data: Point) -> dict[str, int]:
        return {"sum": data.x + data.y}

    async with AsyncTestClient(App([mp])) as client, client.websocket_connect("/mp") as ws:
        await ws.send_bytes(msgspec.msgpack.encode({"x": 2, "y": 3}))
        assert msgspec.msgpack.decode(await ws.receive_bytes()) == {"sum": 5}
        await ws.send_bytes(msgspec.msgpack.encode({"x": "2", "y": 3}))
        with pytest.raises(WebSocketDisconnect) as info:
            await ws.receive_bytes()
    assert info.value.code == 1007
    assert "$.x" in info.value.reason


@dataclass
class User:
    name: str
    password: str


class UserIn(DTO[User]):
    config = DTOConfig(rename_fields={"name": "userName"})


class UserOut(DTO[User]):
    config = DTOConfig(exclude={"password"})


async def test_dto_shapes_incoming_and_outgoing_data() -> None:
    received: list[User] = []

    @websocket_listener("/users", dto=UserIn, return_dto=UserOut)
    async def users(data: User) -> User:
        received.append(data)
        return User(name=data.name.title(), password=data.password)

    async with AsyncTestClient(App([users])) as client, client.websocket_connect("/users") as ws:
        await ws.send_json({"userName": "ada", "password": "secret"})
        assert await ws.receive_json() == {"name": "Ada"}
    assert received == [User(name="ada", password="secret")]


class SwappedChannels(WebSocket):
    """Hands every frame over as the other Python type than its channel's."""

    async def receive_data(self, mode: WebSocketMode) -> str | bytes:
        data = await super().receive_data(mode)
        return data.encode() if isinstance(data, str) else data.decode()


async def test_str_and_bytes_data_are_converted_whatever_the_socket_hands_over() -> None:
    @websocket_listener("/text", websocket_class=SwappedChannels)
    async def text(data: str) -> str:
        return f"{type(data).__name__}:{data}"

    @websocket_listener("/binary", receive_mode="binary", websocket_class=SwappedChannels)
    async def binary(data: bytes) -> str:
        return f"{type(data).__name__}:{data.hex()}"

    async with AsyncTestClient(App([text, binary])) as client:
        async with client.websocket_connect("/text") as ws:
            await ws.send_text("hé")
            assert await ws.receive_text() == "str:hé"
        async with client.websocket_connect("/binary") as ws:
            await ws.send_bytes(b"ok")
            assert await ws.receive_text() == "bytes:6f6b"


async def test_only_exact_str_and_bytes_replies_go_out_unencoded() -> None:
    class Shade(enum.StrEnum):
        RED = "red"

    caught: list[Exception] = []

    async def on_encode_error(socket: WebSocket, exc: Exception) -> None:
        caught.append(exc)
        await socket.close(4000, "cannot encode")

    @websocket_listener("/text", exception_handlers={EncodeError: on_encode_error})
    async def text(data: str) -> Any:
        return {"enum": Shade.RED, "bytes": b"ok", "bad": b"\xff"}[data]

    @websocket_listener("/binary", send_mode="binary")
    async def binary(data: str) -> Any:
        return {"enum": Shade.RED, "str": "é"}[data]

    async with AsyncTestClient(App([text, binary])) as client:
        async with client.websocket_connect("/text") as ws:
            for sent, expected in (("enum", '"red"'), ("bytes", "ok")):
                await ws.send_text(sent)
                assert await ws.receive_text() == expected
            await ws.send_text("bad")
            with pytest.raises(WebSocketDisconnect) as info:
                await ws.receive_text()
            assert info.value.code == 4000
        async with client.websocket_connect("/binary") as ws:
            for sent, expected_bytes in (("enum", b'"red"'), ("str", "é".encode())):
                await ws.send_text(sent)
                assert await ws.receive_bytes() == expected_bytes
    assert [type(exc) for exc in caught] == [EncodeError]
