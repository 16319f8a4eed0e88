"""Bad input gives a DecodeError with a useful message; unencodable values an EncodeError."""

import dataclasses
from typing import Annotated, Any
from uuid import UUID

import attrs
import msgspec
import pytest
from codec_models import ORDER, Movie, Order, Pet, Point, StrictPet
from decode_checks import check_located

from ws_codec import DTO, DecodeError, DTOConfig, EncodeError, decoder_for, encoder_for

ORDER_WITHOUT_A_POINTS_Y = msgspec.json.encode(
    {**msgspec.to_builtins(ORDER), "points": [{"x": 1}]}
).decode()


def decode_error(annotation: Any, data: str | bytes, **options: Any) -> DecodeError:
    with pytest.raises(DecodeError) as caught:
        decoder_for(annotation, **options)(data)
    return caught.value


# Failures whose problem is ours to word: the whole message is checked.
@pytest.mark.parametrize(
    ("annotation", "data", "message"),
    [
        (Point, "", "$: empty message"),
        (Point, b"", "$: empty message"),
        (Any, '{"a": 1', "$: malformed JSON"),
        (Any, "{'a': 1}", "$: malformed JSON"),
        (Any, '{"a": 1} trailing', "$: malformed JSON"),
        (Point, '{"x": 1}', "$.y: required field is missing"),
        (list[Point], '[{"x": 1, "y": 2}, {"y": 2}]', "$[1].x: required field is missing"),
        (Movie, '{"year": 1}', "$.title: required field is missing"),
        (Order, ORDER_WITHOUT_A_POINTS_Y, "$.points[0].y: required field is missing"),
        (StrictPet, '{"name": "a", "age": 3}', "$: unknown field 'age'"),
        (str, b'"\xff"', "$: invalid UTF-8 in input"),
        (dict[str, str], b'{"a": "\xff"}', "$: invalid UTF-8 in input"),
        (Any, b"\xff", "$: invalid UTF-8 in input"),
        (Any, "[" * 100_000 + "]" * 100_000, "$: input is nested too deeply"),
    ],
)
def test_json_failures(annotation: Any, data: str | bytes, message: str) -> None:
    error = decode_error(annotation, data)
    assert error.message == message
    assert str(error) == message
    assert error.path == message.split(": ")[0]


@pytest.mark.parametrize(
    ("annotation", "data", "message"),
    [
        (Point, b"", "$: empty message"),
        (Any, b"\xc1", "$: malformed MessagePack"),
        (Any, b"\x92\x01", "$: malformed MessagePack"),
        (Point, msgspec.msgpack.encode({"x": 1}), "$.y: required field is missing"),
        (Any, b"\x91" * 100_000 + b"\xc0", "$: input is nested too deeply"),
        (Any, "\x90", "$: MessagePack payload must be bytes, got str"),
    ],
)
def test_msgpack_failures(annotation: Any, data: str | bytes, message: str) -> None:
    assert decode_error(annotation, data, mode="binary", protocol="msgpack").message == message


# Failures msgspec describes: its words (which change between releases) are
# passed on, so only the path and the message's layout are checked.
INVALID_VALUES: list[tuple[Any, str, str]] = [
    (Point, '{"x": 1, "y": "2"}', "$.y"),
    (Point, "[1, 2]", "$"),
    (list[Point], '[{"x": 1, "y": 2}, {"x": 1, "y": []}]', "$[1].y"),
    (Pet, '{"name": "a", "kind": "cow"}', "$.kind"),
    (list[Annotated[int, msgspec.Meta(ge=0)]], "[1, -1]", "$[1]"),
    (UUID, '"nope"', "$"),
    (msgspec.Struct, "1", "$"),
]


@pytest.mark.parametrize(
    ("annotation", "data", "path"),
    [*INVALID_VALUES, (int, "1" * 5000, "$"), (float, "1e999", "$")],
)
def test_invalid_json_values_are_located(annotation: Any, data: str, path: str) -> None:
    check_located(decode_error(annotation, data), path)


@pytest.mark.parametrize(("annotation", "data", "path"), INVALID_VALUES)
def test_invalid_msgpack_values_are_located(annotation: Any, data: str, path: str) -> None:
    payload = msgspec.msgpack.encode(msgspec.json.decode(data))
    error = decode_error(annotation, payload, mode="binary", protocol="msgpack")
    check_located(error, path)


def test_msgspecs_description_is_passed_on() -> None:
    error = decode_error(Point, '{"x": 1, "y": "2"}')
    described = str(error.__cause__).replace("`", "")
    # Its words are msgspec's: each of them is in ours, its location excepted.
    assert set(error.message.lower().split()) >= set(described.lower().split()) - {
        "-",
        "at",
        "$.y",
    }


def test_decode_error_is_a_value_error_chained_to_its_cause() -> None:
    error = decode_error(Point, "{")
    assert isinstance(error, ValueError)
    assert isinstance(error.__cause__, msgspec.DecodeError)


class Positive(msgspec.Struct):
    n: int

    def __post_init__(self) -> None:
        if self.n < 0:
            raise ValueError(f"n must be positive, db-password=hunter2, got {self.n}")
        if self.n == 0:
            self.n = None + 1  # type: ignore[operator]  # a genuine bug in model code
        if self.n == 1:
            raise DecodeError("n must not be 1")
        if self.n == 2:
            raise msgspec.ValidationError("n must not be 2")
        if self.n == 3:
            raise KeyError("n")
        if self.n == 4:
            self.__post_init__()  # runaway recursion


@dataclasses.dataclass
class PositiveData:
    n: int

    def __post_init__(self) -> None:
        if self.n < 0:
            raise TypeError("n must be positive")


@attrs.define
class PositiveAttrs:
    n: int = attrs.field(validator=attrs.validators.ge(0))


class TestModelCode:
    """What model code raises while a payload is decoded is not a DecodeError."""

    @pytest.mark.parametrize(
        ("annotation", "data", "raised"),
        [
            (Positive, '{"n": -1}', ValueError),
            (Positive, '{"n": 0}', TypeError),
            (list[Positive], '[{"n": 5}, {"n": -1}]', ValueError),
            (dict[str, Positive], '{"a": {"n": 0}}', TypeError),
            (PositiveData, '{"n": -1}', TypeError),
            (PositiveAttrs, '{"n": -1}', ValueError),
            (Positive, '{"n": 2}', msgspec.ValidationError),
            (Positive, '{"n": 3}', KeyError),
            (Positive, '{"n": 4}', RecursionError),
        ],
    )
    @pytest.mark.parametrize(("mode", "protocol"), [("text", "json"), ("binary", "msgpack")])
    def test_propagates_as_raised(
        self, annotation: Any, data: str, raised: type[Exception], mode: Any, protocol: Any
    ) -> None:
        payload = data if protocol == "json" else msgspec.msgpack.encode(msgspec.json.decode(data))
        with pytest.raises(raised) as caught:
            decoder_for(annotation, mode=mode, protocol=protocol)(payload)
        assert type(caught.value) is raised
        assert not isinstance(caught.value, DecodeError)

    def test_the_model_frame_is_in_the_traceback(self) -> None:
        with pytest.raises(ValueError, match="db-password") as caught:
            decoder_for(Positive)('{"n": -1}')
        assert caught.traceback[-1].name == "__post_init__"
        # Raised as it was, with none of ws_codec's handling chained to it.
        assert caught.value.__context__ is None

    def test_a_decode_error_raised_on_purpose_reaches_the_peer(self) -> None:
        error = decode_error(Positive, '{"n": 1}')
        assert error.message == "$: n must not be 1"

    def test_a_dto_models_init_is_model_code(self) -> None:
        @dataclasses.dataclass
        class Account:
            balance: int

            def __post_init__(self) -> None:
                if self.balance < 0:
                    raise ValueError("secret balance rule")

        class AccountIn(DTO[Account]):
            config = DTOConfig(rename_strategy="camel")

        decode = decoder_for(Account, dto=AccountIn)
        with pytest.raises(ValueError, match="secret balance rule") as caught:
            decode('{"balance": -5}')
        assert not isinstance(caught.value, DecodeError)
        with pytest.raises(DecodeError):
            decode('{"balance": "x"}')


class TestShort:
    def test_fits_unchanged(self) -> None:
        error = DecodeError("expected int, got str", "$.a")
        assert error.short() == "$.a: expected int, got str"

    def test_default_limit_is_a_close_reason(self) -> None:
        error = DecodeError("x" * 500)
        assert len(error.short().encode()) == 123
        assert error.message.startswith(error.short())

    def test_cuts_on_a_character_boundary(self) -> None:
        error = DecodeError("é" * 100)  # "$: " then two bytes per character
        short = error.short(10)
        assert short == "$: ééé"
        assert len(short.encode()) == 9

    def test_limit_zero(self) -> None:
        assert DecodeError("anything").short(0) == ""

    def test_negative_limit_is_refused(self) -> None:
        with pytest.raises(ValueError, match="limit"):
            DecodeError("x").short(-1)

    def test_surrogates_never_break_it(self) -> None:
        short = DecodeError("bad \ud800 value").short()
        assert short == "$: bad ? value"

    def test_huge_unknown_field_name(self) -> None:
        error = decode_error(StrictPet, '{"name": "a", "' + "z" * 10_000 + '": 1}')
        assert len(error.message) > 10_000
        assert len(error.short().encode()) <= 123
        assert error.short().startswith("$: unknown field 'zzz")


class TestEncodeErrors:
    @pytest.mark.parametrize(("mode", "protocol"), [("text", "json"), ("binary", "msgpack")])
    def test_unsupported_type_is_named(self, mode: Any, protocol: Any) -> None:
        with pytest.raises(EncodeError, match=r"cannot encode object as .*: .*object") as caught:
            encoder_for(Any, mode=mode, protocol=protocol)(object())
        assert isinstance(caught.value, TypeError)

    def test_nested_unsupported_value(self) -> None:
        with pytest.raises(EncodeError, match=r"cannot encode dict as JSON: .*complex"):
            encoder_for(Any)({"a": {1: {3j}}})

    def test_user_type_is_named_with_its_module(self) -> None:
        class Opaque:
            pass

        with pytest.raises(EncodeError, match=r"cannot encode \S*test_errors\.\S*Opaque as JSON"):
            encoder_for(Any)(Opaque())

    def test_integer_beyond_64_bits_in_msgpack(self) -> None:
        with pytest.raises(EncodeError, match="cannot encode int as MessagePack"):
            encoder_for(int, mode="binary", protocol="msgpack")(2**70)
        # JSON has no such limit on the way out.
        assert encoder_for(int)(2**70) == str(2**70)

    def test_lone_surrogate_inside_a_value(self) -> None:
        with pytest.raises(EncodeError, match="cannot encode list as JSON"):
            encoder_for(list[str])(["\ud800"])

    def test_encoding_a_typed_order_value_works(self) -> None:
        # Guard against over-eager errors: a rich nested value encodes fine.
        encoded = encoder_for(Order, mode="binary")(ORDER)
        assert isinstance(encoded, bytes)
        assert encoded.startswith(b'{"id":')


def test_decode_error_survives_pickling() -> None:
    import pickle

    error = pickle.loads(pickle.dumps(decode_error(Point, '{"x": 1}')))
    assert (error.path, error.message) == ("$.y", "$.y: required field is missing")
