"""Apps whose AsyncAPI documents the tests read: every annotation kind of SPEC §2, DTOs, modes.

``every_kind_app()`` has one echoing listener per annotation kind, at
``/kinds/<kind>``, plus a DTO listener, a stream, a class-based listener, a
MessagePack listener, a low-level handler and typed path and query parameters.
"""

import dataclasses
import datetime
import decimal
import enum
import uuid
from collections.abc import AsyncGenerator
from typing import Annotated, Any, Literal, NamedTuple, TypedDict

import attrs
import msgspec

from ws_kit import (
    DTO,
    App,
    DTOConfig,
    Router,
    WebSocket,
    WebsocketListener,
    websocket,
    websocket_listener,
    websocket_stream,
)
from ws_kit.asyncapi import AsyncAPIConfig, AsyncAPIServer


class Color(enum.Enum):
    """A colour, by name."""

    RED = "red"
    GREEN = "green"


class Point(NamedTuple):
    x: int
    y: int


class Options(TypedDict):
    loud: bool


@attrs.define
class Tag:
    label: str


@dataclasses.dataclass
class Reading:
    """One measurement."""

    taken_at: datetime.datetime
    sensor: uuid.UUID
    value: decimal.Decimal


class Join(msgspec.Struct, tag="join"):
    """Enter a room."""

    room: str


class Say(msgspec.Struct, tag="say"):
    """Say something."""

    text: Annotated[str, msgspec.Meta(min_length=1)]


class Account(msgspec.Struct):
    """An account as the server keeps it."""

    user_name: str
    email: str
    password_hash: str = ""


class PublicAccount(DTO[Account]):
    """What clients see of an account: no password hash, camelCase names."""

    config = DTOConfig(exclude={"password_hash"}, rename_strategy="camel")


KINDS: dict[str, Any] = {
    "dict": dict[str, int],
    "list": list[str],
    "dataclass": Reading,
    "typeddict": Options,
    "namedtuple": Point,
    "struct": Account,
    "attrs": Tag,
    "enum": Color,
    "literal": Literal["on", "off"],
    "union": int | str,
    "tagged_union": Join | Say,
    "datetime": datetime.datetime,
    "uuid": uuid.UUID,
    "decimal": decimal.Decimal,
    "object": object,
}
"""Annotation kind (SPEC §2) -> an annotation of that kind."""


def echo_listener(kind: str, annotation: Any) -> Any:
    """A listener at /kinds/<kind> receiving and replying ``annotation``."""

    async def echo(data: Any) -> Any:
        return data

    echo.__annotations__ = {"data": annotation, "return": annotation}
    return websocket_listener(f"/kinds/{kind}", name=f"echo_{kind}")(echo)


@websocket_listener("/accounts", dto=PublicAccount)
async def accounts(data: Account) -> Account:
    """Sign up: the reply is the account as clients see it."""
    return data


@websocket_stream("/sensors/{sensor:uuid}/readings")
async def readings(sensor: uuid.UUID, every: float = 1.0) -> AsyncGenerator[Reading, None]:
    """Every reading of one sensor, as it is taken."""
    yield Reading(datetime.datetime.now(datetime.UTC), sensor, decimal.Decimal("1.5"))


class Shout(WebsocketListener):
    """Replies in capitals."""

    path = "/shout"

    def on_receive(self, data: str) -> str:
        """Shout ``data`` back."""
        return data.upper()


@websocket_listener("/packed", receive_mode="binary", send_mode="binary", protocol="msgpack")
async def packed(data: list[int]) -> None:
    """Takes MessagePack, replies nothing."""


@websocket("/raw/{rest:path}")
async def raw(socket: WebSocket, rest: str) -> None:
    """Whatever the client and the server agree on."""
    await socket.accept()


@websocket_listener("/items/{item:int}/prices/{ratio:float}")
async def prices(data: decimal.Decimal, item: int, ratio: float, page: int, tag: str = "") -> None:
    """Price updates for one item."""


def every_kind_app() -> App:
    """One App with every annotation kind, DTOs, streams, classes, MessagePack and parameters."""
    kinds = [echo_listener(kind, annotation) for kind, annotation in KINDS.items()]
    return App(
        [*kinds, accounts, readings, Shout, packed, raw, Router("/v2", [prices])],
        asyncapi=AsyncAPIConfig(
            title="Every kind",
            version="2.1.0",
            description="An App covering every annotation kind ws-kit reads.",
            servers={"local": AsyncAPIServer(host="localhost:8000", description="A dev server.")},
        ),
    )
