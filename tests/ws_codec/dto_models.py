"""The same user model as a dataclass, a msgspec Struct and an attrs class."""

import dataclasses
from types import SimpleNamespace

import attrs
import msgspec


@dataclasses.dataclass
class DGeo:
    lat: float = 0.0
    lng: float = 0.0


@dataclasses.dataclass
class DAddress:
    street_name: str
    city: str = "Paris"
    geo: DGeo | None = None


@dataclasses.dataclass
class DUser:
    user_id: int
    full_name: str
    password: str = "hunter2"
    address: DAddress | None = None
    past_addresses: list[DAddress] = dataclasses.field(default_factory=list)


class SGeo(msgspec.Struct):
    lat: float = 0.0
    lng: float = 0.0


class SAddress(msgspec.Struct):
    street_name: str
    city: str = "Paris"
    geo: SGeo | None = None


class SUser(msgspec.Struct):
    user_id: int
    full_name: str
    password: str = "hunter2"
    address: SAddress | None = None
    past_addresses: list[SAddress] = []


@attrs.define
class AGeo:
    lat: float = 0.0
    lng: float = 0.0


@attrs.define
class AAddress:
    street_name: str
    city: str = "Paris"
    geo: AGeo | None = None


@attrs.define
class AUser:
    user_id: int
    full_name: str
    password: str = "hunter2"
    address: AAddress | None = None
    past_addresses: list[AAddress] = attrs.Factory(list)


FAMILIES = {
    "dataclass": SimpleNamespace(User=DUser, Address=DAddress, Geo=DGeo),
    "struct": SimpleNamespace(User=SUser, Address=SAddress, Geo=SGeo),
    "attrs": SimpleNamespace(User=AUser, Address=AAddress, Geo=AGeo),
}
