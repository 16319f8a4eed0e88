"""Every supported annotation kind, decoded, validated and encoded on every transport."""

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any, Literal
from uuid import UUID

import msgspec
import pytest
from codec_models import ORDER, Color, Movie, Order, Pair, Pet, Point, Tag
from decode_checks import check_located

from ws_codec import DecodeError, decoder_for, encoder_for

TRANSPORTS = [("text", "json"), ("binary", "json"), ("binary", "msgpack")]

# A str value is sent as it is (never as a JSON string), so the valid values
# here are not str: see test_passthrough.py for those.
# annotation, a valid value, an invalid payload (as a Python value), the failing path
CASES: list[tuple[Any, Any, Any, str]] = [
    (dict[str, int], {"a": 1, "b": 2}, {"a": "x"}, "$[...]"),
    (list[int], [1, 2, 3], [1, "x"], "$[1]"),
    (Any, {"a": [1, "b", None, True, 1.5]}, None, ""),
    (Point, Point(1, 2), {"x": 1, "y": "2"}, "$.y"),
    (Movie, {"title": "Heat", "year": 1995}, {"title": "Heat"}, "$.year"),
    (Pair, Pair(1, "a"), [1, 2], "$[1]"),
    (Pet, Pet("tom", "cat"), {"name": "tom", "kind": "cow"}, "$.kind"),
    (Tag, Tag("x", 2.5), {"label": 3}, "$.label"),
    (Color, Color.GREEN, "blue", "$"),
    (Literal[1, 2, "many"], 2, "c", "$"),
    (int | None, None, "x", "$"),
    (int | str, 7, [7], "$"),
    (datetime, datetime(2024, 1, 2, 3, 4, 5, 6000, tzinfo=UTC), "yesterday", "$"),
    (UUID, UUID("12345678-1234-5678-1234-567812345678"), "not-a-uuid", "$"),
    (Decimal, Decimal("1.25"), "one", "$"),
    (Order, ORDER, {**msgspec.to_builtins(ORDER), "points": [{"x": 1}]}, "$.points[0].y"),
    (list[Order], [ORDER, ORDER], [msgspec.to_builtins(ORDER), 5], "$[1]"),
]
CASE_IDS = [getattr(case[0], "__name__", None) or repr(case[0]) for case in CASES]


def payload(value: Any, mode: str, protocol: str) -> str | bytes:
    raw = msgspec.msgpack.encode(value) if protocol == "msgpack" else msgspec.json.encode(value)
    return raw.decode() if mode == "text" else raw


@pytest.mark.parametrize(("mode", "protocol"), TRANSPORTS)
@pytest.mark.parametrize(("annotation", "value", "bad", "path"), CASES, ids=CASE_IDS)
def test_round_trip(
    annotation: Any, value: Any, bad: Any, path: str, mode: Any, protocol: Any
) -> None:
    encoded = encoder_for(annotation, mode=mode, protocol=protocol)(value)
    assert isinstance(encoded, str if mode == "text" else bytes)
    decoded = decoder_for(annotation, mode=mode, protocol=protocol)(encoded)
    assert decoded == value
    assert type(decoded) is type(value)


@pytest.mark.parametrize(("mode", "protocol"), TRANSPORTS)
@pytest.mark.parametrize(
    ("annotation", "value", "bad", "path"),
    [c for c in CASES if c[3]],
    ids=CASE_IDS[:2] + CASE_IDS[3:],
)
def test_invalid_value_names_the_path(
    annotation: Any, value: Any, bad: Any, path: str, mode: Any, protocol: Any
) -> None:
    decode = decoder_for(annotation, mode=mode, protocol=protocol)
    with pytest.raises(DecodeError) as caught:
        decode(payload(bad, mode, protocol))
    check_located(caught.value, path)


@pytest.mark.parametrize(("mode", "protocol"), TRANSPORTS)
def test_text_payload_decodes_in_any_mode(mode: Any, protocol: Any) -> None:
    # A JSON decoder takes str as well as bytes, whichever channel it is built for.
    if protocol == "json":
        assert decoder_for(Point, mode=mode, protocol=protocol)('{"x":1,"y":2}') == Point(1, 2)
        assert decoder_for(Point, mode=mode, protocol=protocol)(b'{"x":1,"y":2}') == Point(1, 2)
    else:
        with pytest.raises(DecodeError, match="MessagePack payload must be bytes"):
            decoder_for(Point, mode=mode, protocol=protocol)('{"x":1,"y":2}')


def test_any_decodes_by_content() -> None:
    decode = decoder_for(Any)
    assert decode('{"a": [1, 2.5, "x", null, false]}') == {"a": [1, 2.5, "x", None, False]}
    assert decode("3") == 3


def test_any_encoder_encodes_by_runtime_type() -> None:
    encode = encoder_for(Any)
    assert encode(Point(1, 2)) == '{"x":1,"y":2}'
    assert encode(Pet("tom", "cat")) == '{"name":"tom","kind":"cat"}'
    assert encode(Tag("t")) == '{"label":"t","weight":1.0}'
    assert encode(Color.RED) == '"red"'
    assert encode(UUID(int=1)) == '"00000000-0000-0000-0000-000000000001"'
    assert encode(Decimal("1.5")) == '"1.5"'
    assert encode(Pair(1, "x")) == '[1,"x"]'
    assert encode(None) == "null"


def test_encoder_ignores_annotation_for_the_value_shape() -> None:
    # Encoders serialize what they are given; the annotation shapes DTOs only.
    assert encoder_for(int)({"a": 1}) == '{"a":1}'


def test_extra_fields_are_ignored_unless_forbidden() -> None:
    assert decoder_for(Point)('{"x": 1, "y": 2, "z": 3}') == Point(1, 2)
    assert decoder_for(Pet)('{"name": "a", "kind": "cat", "age": 3}') == Pet("a", "cat")


def test_missing_field_is_named() -> None:
    with pytest.raises(DecodeError) as caught:
        decoder_for(Order)('{"id": "12345678-1234-5678-1234-567812345678"}')
    assert caught.value.path == "$.placed"
    assert caught.value.message == "$.placed: required field is missing"


def test_msgpack_carries_datetimes_and_bytes_natively() -> None:
    value = {"when": datetime(2024, 1, 1, tzinfo=UTC), "blob": b"\x00\xff"}
    encoded = encoder_for(Any, mode="binary", protocol="msgpack")(value)
    assert decoder_for(Any, mode="binary", protocol="msgpack")(encoded) == value


@pytest.mark.parametrize(("mode", "protocol"), TRANSPORTS)
def test_str_valued_annotations_decode_strings_of_the_protocol(mode: Any, protocol: Any) -> None:
    # Only decoding is symmetric for these: an encoder sends a str value as it is.
    assert (
        decoder_for(Literal["a", "b"], mode=mode, protocol=protocol)(payload("a", mode, protocol))
        == "a"
    )
    assert (
        decoder_for(int | str, mode=mode, protocol=protocol)(payload("seven", mode, protocol))
        == "seven"
    )
