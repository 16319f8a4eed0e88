"""Bad input gives a DecodeError with a useful message; unencodable values an EncodeError."""

from typing import Any

import msgspec
import pytest
from codec_models import ORDER, Order, Pet, Point, StrictPet

from ws_codec import DecodeError, EncodeError, decoder_for, encoder_for


def decode_error(annotation: Any, data: str | bytes, **options: Any) -> DecodeError:
    with pytest.raises(DecodeError) as caught:
        decoder_for(annotation, **options)(data)
    return caught.value


@pytest.mark.parametrize(
    ("annotation", "data", "message"),
    [
        (Point, "", "$: empty message"),
        (Point, b"", "$: empty message"),
        (Any, '{"a": 1', "$: truncated JSON"),
        (Any, "{'a': 1}", "$: malformed JSON: object keys must be strings (byte 1)"),
        (Any, '{"a": 1} trailing', "$: malformed JSON: trailing characters (byte 10)"),
        (Point, '{"x": 1, "y": "2"}', "$.y: expected int, got str"),
        (Point, '{"x": 1}', "$.y: required field is missing"),
        (Point, "[1, 2]", "$: expected object, got array"),
        (list[Point], '[{"x": 1, "y": 2}, {"x": 1, "y": []}]', "$[1].y: expected int, got array"),
        (StrictPet, '{"name": "a", "age": 3}', "$: unknown field 'age'"),
        (Pet, '{"name": "a", "kind": "cow"}', "$.kind: invalid enum value 'cow'"),
        (int, "1" * 5000, "$: integer value out of range"),
        (float, "1e999", "$: number out of range"),
        (str, b'"\xff"', "$: invalid UTF-8 in input"),
        (Any, b"\xff", "$: malformed JSON: invalid character (byte 0)"),
        (Any, "[" * 100_000 + "]" * 100_000, "$: input is nested too deeply"),
    ],
)
def test_json_failures(annotation: Any, data: str | bytes, message: str):
    error = decode_error(annotation, data)
    assert error.message == message
    assert str(error) == message
    assert error.path == message.split(": ")[0]


def test_str_annotation_inside_json_rejects_invalid_utf8():
    # str inside a structure is decoded by msgspec, not passed through.
    assert decode_error(dict[str, str], b'{"a": "\xff"}').message == "$: invalid UTF-8 in input"


@pytest.mark.parametrize(
    ("annotation", "data", "message"),
    [
        (Point, b"", "$: empty message"),
        (Any, b"\xc1", "$: malformed MessagePack: invalid opcode '\\xc1' (byte 0)"),
        (Any, b"\x92\x01", "$: truncated MessagePack"),
        (Point, msgspec.msgpack.encode({"x": "1", "y": 2}), "$.x: expected int, got str"),
        (Point, msgspec.msgpack.encode([1, 2]), "$: expected object, got array"),
        (Any, b"\x91" * 100_000 + b"\xc0", "$: input is nested too deeply"),
    ],
)
def test_msgpack_failures(annotation: Any, data: bytes, message: str):
    assert decode_error(annotation, data, mode="binary", protocol="msgpack").message == message


def test_decode_error_is_a_value_error_chained_to_its_cause():
    error = decode_error(Point, "{")
    assert isinstance(error, ValueError)
    assert isinstance(error.__cause__, msgspec.DecodeError)


def test_model_init_rejections_are_decode_errors():
    import dataclasses

    @dataclasses.dataclass
    class Positive:
        n: int

        def __post_init__(self) -> None:
            if self.n <= 0:
                raise ValueError("n must be positive")

    assert decode_error(Positive, '{"n": -1}').message == "$: n must be positive"


def test_constraint_failures_read_naturally():
    from typing import Annotated

    annotation = Annotated[int, msgspec.Meta(ge=0)]
    assert decode_error(list[annotation], "[1, -1]").message == "$[1]: expected int >= 0"
    assert decode_error(msgspec.Struct, "1").message == "$: expected object, got int"


def test_uuid_acronym_keeps_its_case():
    from uuid import UUID

    assert decode_error(UUID, '"nope"').message == "$: invalid UUID"


class TestShort:
    def test_fits_unchanged(self):
        error = DecodeError("expected int, got str", "$.a")
        assert error.short() == "$.a: expected int, got str"

    def test_default_limit_is_a_close_reason(self):
        error = DecodeError("x" * 500)
        assert len(error.short().encode()) == 123
        assert error.message.startswith(error.short())

    def test_cuts_on_a_character_boundary(self):
        error = DecodeError("é" * 100)  # "$: " then two bytes per character
        short = error.short(10)
        assert short == "$: ééé"
        assert len(short.encode()) == 9

    def test_limit_zero(self):
        assert DecodeError("anything").short(0) == ""

    def test_negative_limit_is_refused(self):
        with pytest.raises(ValueError, match="limit"):
            DecodeError("x").short(-1)

    def test_surrogates_never_break_it(self):
        short = DecodeError("bad \ud800 value").short()
        assert short == "$: bad ? value"

    def test_huge_unknown_field_name(self):
        error = decode_error(StrictPet, '{"name": "a", "' + "z" * 10_000 + '": 1}')
        assert len(error.message) > 10_000
        assert len(error.short().encode()) <= 123
        assert error.short().startswith("$: unknown field 'zzz")


class TestEncodeErrors:
    @pytest.mark.parametrize(("mode", "protocol"), [("text", "json"), ("binary", "msgpack")])
    def test_unsupported_type_is_named(self, mode: Any, protocol: Any):
        with pytest.raises(EncodeError, match=r"cannot encode object as .*: .*object") as caught:
            encoder_for(Any, mode=mode, protocol=protocol)(object())
        assert isinstance(caught.value, TypeError)

    def test_nested_unsupported_value(self):
        with pytest.raises(EncodeError, match=r"cannot encode dict as JSON: .*complex"):
            encoder_for(Any)({"a": {1: {3j}}})

    def test_user_type_is_named_with_its_module(self):
        class Opaque:
            pass

        with pytest.raises(EncodeError, match=r"cannot encode \S*test_errors\.\S*Opaque as JSON"):
            encoder_for(Any)(Opaque())

    def test_integer_beyond_64_bits_in_msgpack(self):
        with pytest.raises(EncodeError, match="cannot encode int as MessagePack"):
            encoder_for(int, mode="binary", protocol="msgpack")(2**70)
        # JSON has no such limit on the way out.
        assert encoder_for(int)(2**70) == str(2**70)

    def test_lone_surrogate_inside_a_value(self):
        with pytest.raises(EncodeError, match="cannot encode list as JSON"):
            encoder_for(list[str])(["\ud800"])

    def test_encoding_a_typed_order_value_works(self):
        # Guard against over-eager errors: a rich nested value encodes fine.
        assert encoder_for(Order, mode="binary")(ORDER).startswith(b'{"id":')


def test_decode_error_survives_pickling():
    import pickle

    error = pickle.loads(pickle.dumps(decode_error(Point, '{"x": 1}')))
    assert (error.path, error.message) == ("$.y", "$.y: required field is missing")
