"""Property-based tests: decoders raise only DecodeError; encode -> decode round-trips."""

import dataclasses
import json
from datetime import UTC
from typing import Any, Literal
from uuid import UUID

import msgspec
from codec_models import Color, Movie, Order, Pair, Pet, Point, Tag
from dto_models import DAddress, DGeo, DUser
from hypothesis import given, settings
from hypothesis import strategies as st

from ws_codec import DTO, DecodeError, DTOConfig, decoder_for, encoder_for

SETTINGS = settings(max_examples=300, deadline=None)
TRANSPORTS = [("text", "json"), ("binary", "json"), ("binary", "msgpack")]


class UserDTO(DTO[DUser]):
    config = DTOConfig(exclude={"password"}, rename_strategy="camel")


# name -> (annotation, dto)
FUZZED: dict[str, tuple[Any, Any]] = {
    "struct": (Pet, None),
    "dataclass": (Point, None),
    "dict": (dict[str, int], None),
    "uuids": (list[UUID], None),
    "literal": (Literal["a", "b", 1], None),
    "union": (int | list[str] | None, None),
    "dto": (list[DUser], UserDTO),
}
FUZZ_TARGETS = st.sampled_from([FUZZED[name] for name in sorted(FUZZED)])

INT64 = st.integers(-(2**63), 2**63 - 1)
FLOATS = st.floats(allow_nan=False, allow_infinity=False)
KEYS = st.sampled_from(["name", "kind", "x", "y", "userId", "fullName", "address"]) | st.text(
    max_size=8
)


def json_values(integers: st.SearchStrategy[int]) -> st.SearchStrategy[Any]:
    scalars = st.none() | st.booleans() | integers | FLOATS | st.text(max_size=20)
    scalars |= st.sampled_from(["cat", "dog", "a", "b", str(UUID(int=7))])
    return st.recursive(
        scalars,
        lambda inner: st.lists(inner, max_size=4) | st.dictionaries(KEYS, inner, max_size=4),
        max_leaves=12,
    )


def check_failure(error: DecodeError) -> None:
    assert error.path.startswith("$")
    assert error.message.startswith(f"{error.path}: ")
    assert len(error.short().encode()) <= 123


@SETTINGS
@given(fuzzed=FUZZ_TARGETS, transport=st.sampled_from(TRANSPORTS), data=st.binary(max_size=64))
def test_random_bytes_raise_only_decode_error(
    fuzzed: tuple[Any, Any], transport: tuple[Any, Any], data: bytes
) -> None:
    (annotation, dto), (mode, protocol) = fuzzed, transport
    decode = decoder_for(annotation, mode=mode, protocol=protocol, dto=dto)
    try:
        decode(data)
    except DecodeError as error:
        check_failure(error)


@SETTINGS
@given(fuzzed=FUZZ_TARGETS, data=st.text(max_size=64))
def test_random_text_raises_only_decode_error(fuzzed: tuple[Any, Any], data: str) -> None:
    annotation, dto = fuzzed
    try:
        decoder_for(annotation, dto=dto)(data)
    except DecodeError as error:
        check_failure(error)


@SETTINGS
@given(fuzzed=FUZZ_TARGETS, value=json_values(st.integers()))
def test_random_json_agrees_with_a_reference(fuzzed: tuple[Any, Any], value: Any) -> None:
    annotation, dto = fuzzed
    # Reference: the standard library's parser, then msgspec's validation.
    try:
        expected = msgspec.convert(value, annotation if dto is None else list[UserWire])
    except msgspec.ValidationError:
        expected = DecodeError
    try:
        decoded = decoder_for(annotation, dto=dto)(json.dumps(value))
    except DecodeError as error:
        check_failure(error)
        assert expected is DecodeError
    else:
        if dto is not None:
            decoded = [UserWire.from_user(user) for user in decoded]
        assert decoded == expected


@SETTINGS
@given(fuzzed=FUZZ_TARGETS, value=json_values(INT64))
def test_random_msgpack_values_raise_only_decode_error(fuzzed: tuple[Any, Any], value: Any) -> None:
    annotation, dto = fuzzed
    decode = decoder_for(annotation, mode="binary", protocol="msgpack", dto=dto)
    try:
        decode(msgspec.msgpack.encode(value))
    except DecodeError as error:
        check_failure(error)


class UserWire(msgspec.Struct, rename="camel"):
    """What UserDTO puts on the wire, written out by hand as the reference."""

    user_id: int
    full_name: str
    address: "AddressWire | None" = None
    past_addresses: "list[AddressWire]" = []

    @classmethod
    def from_user(cls, user: DUser) -> "UserWire":
        def address(a: DAddress) -> AddressWire:
            return AddressWire(a.street_name, a.city)

        return cls(
            user.user_id,
            user.full_name,
            None if user.address is None else address(user.address),
            [address(a) for a in user.past_addresses],
        )


class AddressWire(msgspec.Struct, rename="camel"):
    street_name: str
    city: str = "Paris"


TEXT = st.text(max_size=20)
GEO = st.none() | st.builds(DGeo, FLOATS, FLOATS)
ADDRESS = st.builds(DAddress, TEXT, TEXT, GEO)
USER = st.builds(DUser, INT64, TEXT, TEXT, st.none() | ADDRESS, st.lists(ADDRESS, max_size=3))
POINT = st.builds(Point, INT64, INT64)
PET = st.builds(Pet, TEXT, st.sampled_from(["cat", "dog"]))
TAG = st.builds(Tag, TEXT, FLOATS)
ORDER = st.builds(
    Order,
    st.uuids(),
    st.datetimes(timezones=st.just(UTC)),
    st.decimals(allow_nan=False, allow_infinity=False),
    st.lists(POINT, max_size=3),
    st.dictionaries(TEXT, TAG, max_size=3),
    st.none() | PET,
)

# name -> (annotation, strategy of valid values). No bare str values: those
# are sent as they are, not as JSON strings (see test_passthrough.py).
ROUND_TRIPS: dict[str, tuple[Any, st.SearchStrategy[Any]]] = {
    "struct": (Pet, PET),
    "dataclass": (Point, POINT),
    "attrs": (Tag, TAG),
    "typeddict": (Movie, st.fixed_dictionaries({"title": TEXT, "year": INT64})),
    "namedtuple": (Pair, st.builds(Pair, INT64, TEXT)),
    "dict": (dict[str, int], st.dictionaries(TEXT, INT64, max_size=5)),
    "uuids": (list[UUID], st.lists(st.uuids(), max_size=5)),
    "literal": (Literal["a", "b", 1], st.just(1)),
    "enum": (Color, st.sampled_from(Color)),
    "union": (int | list[str] | None, st.none() | INT64 | st.lists(TEXT, max_size=3)),
    "nested": (list[Order], st.lists(ORDER, max_size=3)),
}


@SETTINGS
@given(
    name=st.sampled_from(sorted(ROUND_TRIPS)), transport=st.sampled_from(TRANSPORTS), data=st.data()
)
def test_round_trip(name: str, transport: tuple[Any, Any], data: st.DataObject) -> None:
    (annotation, values), (mode, protocol) = ROUND_TRIPS[name], transport
    value = data.draw(values)
    encoded = encoder_for(annotation, mode=mode, protocol=protocol)(value)
    assert decoder_for(annotation, mode=mode, protocol=protocol)(encoded) == value


@SETTINGS
@given(transport=st.sampled_from(TRANSPORTS), users=st.lists(USER, max_size=3))
def test_dto_round_trip(transport: tuple[Any, Any], users: list[DUser]) -> None:
    mode, protocol = transport
    encoded = encoder_for(list[DUser], mode=mode, protocol=protocol, dto=UserDTO)(users)
    decoded = decoder_for(list[DUser], mode=mode, protocol=protocol, dto=UserDTO)(encoded)

    # Off the wire: the password (back to its default) and the second nesting level.
    def shaped(a: DAddress) -> DAddress:
        return dataclasses.replace(a, geo=None)

    assert decoded == [
        dataclasses.replace(
            u,
            password="hunter2",
            address=None if u.address is None else shaped(u.address),
            past_addresses=[shaped(a) for a in u.past_addresses],
        )
        for u in users
    ]


@SETTINGS
@given(problem=st.text(max_size=200), limit=st.integers(0, 300))
def test_short_fits_the_limit(problem: str, limit: int) -> None:
    error = DecodeError(problem)
    short = error.short(limit)
    assert len(short.encode()) <= limit
    assert error.message.startswith(short)
    if len(error.message.encode()) <= limit:
        assert short == error.message
    else:
        # Nothing more than a partial character is cut.
        assert len(short.encode()) > limit - 4
