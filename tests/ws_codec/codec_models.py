"""Models used across the ws_codec tests (one of each kind the codec supports)."""

import dataclasses
import enum
from datetime import UTC, datetime
from decimal import Decimal
from typing import Literal, NamedTuple, TypedDict
from uuid import UUID

import attrs
import msgspec


@dataclasses.dataclass
class Point:
    x: int
    y: int


class Pet(msgspec.Struct):
    name: str
    kind: Literal["cat", "dog"]


class StrictPet(msgspec.Struct, forbid_unknown_fields=True):
    name: str


@attrs.define
class Tag:
    label: str
    weight: float = 1.0


class Movie(TypedDict):
    title: str
    year: int


class Pair(NamedTuple):
    left: int
    right: str


class Color(enum.Enum):
    RED = "red"
    GREEN = "green"


@dataclasses.dataclass
class Order:
    id: UUID
    placed: datetime
    total: Decimal
    points: list[Point]
    tags: dict[str, Tag]
    pet: Pet | None = None


ORDER = Order(
    id=UUID("12345678-1234-5678-1234-567812345678"),
    placed=datetime(2024, 5, 1, 12, 30, tzinfo=UTC),
    total=Decimal("19.99"),
    points=[Point(1, 2), Point(3, 4)],
    tags={"a": Tag("first"), "b": Tag("second", 0.5)},
    pet=Pet("rex", "dog"),
)
