"""Data shared by every benchmark app: the wire payload, models, stream items, dependencies."""

import dataclasses
from collections.abc import AsyncGenerator

import msgspec

#: One message on the wire (camelCase keys, as a browser client would send them).
BASE_MESSAGE = {
    "seq": 0,
    "userName": "alice",
    "room": "general",
    "text": "hello from the benchmark client",
    "sentAt": 1_700_000_000.25,
}


def message(seq: int) -> dict[str, object]:
    """Return the payload with sequence number ``seq`` (distinct per frame, checkable)."""
    return {**BASE_MESSAGE, "seq": seq, "sentAt": 1_700_000_000.25 + seq}


def message_text(seq: int) -> str:
    """The JSON text of :func:`message`."""
    return msgspec.json.encode(message(seq)).decode()


class Message(msgspec.Struct, rename="camel"):
    """The typed (validated) model: msgspec renames to the camelCase wire names."""

    seq: int
    user_name: str
    room: str
    text: str
    sent_at: float


class SnakeMessage(msgspec.Struct):
    """The same model with Python names only; a DTO maps it to the wire."""

    seq: int
    user_name: str
    room: str
    text: str
    sent_at: float


@dataclasses.dataclass
class MessageData:
    """The same model as a dataclass, for DTOs over dataclasses."""

    seq: int
    user_name: str
    room: str
    text: str
    sent_at: float


class _StreamSpec:
    """What the ``/stream`` routes send; the driver sets ``items`` before each run."""

    def __init__(self) -> None:
        self.items: list[dict[str, object]] = [message(i) for i in range(10)]


STREAM = _StreamSpec()


class _Teardowns:
    """Counts how many ``dep_c`` generators were torn down (a correctness check)."""

    def __init__(self) -> None:
        self.count = 0


TEARDOWNS = _Teardowns()


def dep_a() -> int:
    """First dependency: a plain value from a sync function (inline, or on a worker thread)."""
    return 41


async def dep_b(a: int) -> int:
    """Second dependency: depends on the first."""
    return a + 1


async def dep_c() -> AsyncGenerator[dict[str, int], None]:
    """Third dependency: a generator with teardown."""
    resource = {"open": 1}
    try:
        yield resource
    finally:
        TEARDOWNS.count += 1
