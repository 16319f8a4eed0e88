"""DTOs: exclude, include, rename, partial, nesting and lists, in both directions."""

import dataclasses
import json
import re
from types import SimpleNamespace
from typing import Annotated, Any, Literal

import attrs
import msgspec
import pytest
from decode_checks import rejected_at
from dto_models import FAMILIES

from ws_codec import (
    DTO,
    UNSET,
    CodecConfigurationError,
    DecodeError,
    DTOConfig,
    EncodeError,
    decoder_for,
    encoder_for,
    schema_for,
)


def make_dto(model: Any, **options: Any) -> Any:
    class Shaped(DTO[model]):
        config = DTOConfig(**options)

    return Shaped


@pytest.fixture(params=sorted(FAMILIES))
def family(request: pytest.FixtureRequest) -> SimpleNamespace:
    return FAMILIES[request.param]


def sample(f: SimpleNamespace) -> Any:
    return f.User(
        user_id=7,
        full_name="Ada Lovelace",
        password="s3cret",
        address=f.Address("Main St", "Lyon", f.Geo(1.5, 2.5)),
        past_addresses=[f.Address("Old St"), f.Address("Older St", "Nice")],
    )


def encode(annotation: Any, dto: Any, value: Any, **options: Any) -> Any:
    return json.loads(encoder_for(annotation, dto=dto, **options)(value))


def decode(annotation: Any, dto: Any, wire: Any, **options: Any) -> Any:
    return decoder_for(annotation, dto=dto, **options)(json.dumps(wire))


class TestShaping:
    def test_without_options_only_depth_limits(self, family: SimpleNamespace) -> None:
        full = make_dto(family.User, max_nested_depth=2)
        user = sample(family)
        assert encode(family.User, full, user) == json.loads(msgspec.json.encode(user))
        assert decode(family.User, full, encode(family.User, full, user)) == user

    def test_exclude(self, family: SimpleNamespace) -> None:
        shaped = make_dto(family.User, exclude={"password", "address.city"})
        wire = encode(family.User, shaped, sample(family))
        assert wire == {
            "user_id": 7,
            "full_name": "Ada Lovelace",
            "address": {"street_name": "Main St"},
            # "address.city" is one path; "past_addresses.city" is another.
            "past_addresses": [
                {"street_name": "Old St", "city": "Paris"},
                {"street_name": "Older St", "city": "Nice"},
            ],
        }
        back = decode(family.User, shaped, {**wire, "password": "ignored"})
        assert back == family.User(
            7,
            "Ada Lovelace",
            address=family.Address("Main St"),
            past_addresses=[family.Address("Old St"), family.Address("Older St", "Nice")],
        )
        assert type(back) is family.User
        assert type(back.address) is family.Address
        assert all(type(a) is family.Address for a in back.past_addresses)

    def test_include(self, family: SimpleNamespace) -> None:
        shaped = make_dto(family.User, include={"user_id", "full_name", "address.street_name"})
        wire = encode(family.User, shaped, sample(family))
        assert wire == {
            "user_id": 7,
            "full_name": "Ada Lovelace",
            "address": {"street_name": "Main St"},
        }
        assert decode(family.User, shaped, wire) == family.User(
            7, "Ada Lovelace", address=family.Address("Main St")
        )

    def test_including_a_nested_model_includes_its_fields(self, family: SimpleNamespace) -> None:
        shaped = make_dto(family.User, include={"user_id", "full_name", "address"})
        wire = encode(family.User, shaped, sample(family))
        assert wire["address"] == {"street_name": "Main St", "city": "Lyon"}
        assert set(wire) == {"user_id", "full_name", "address"}

    def test_rename_fields_win_over_the_strategy(self, family: SimpleNamespace) -> None:
        shaped = make_dto(
            family.User,
            rename_fields={"user_id": "id", "address.street_name": "street"},
            rename_strategy="camel",
            exclude={"past_addresses"},
        )
        wire = encode(family.User, shaped, sample(family))
        assert wire == {
            "id": 7,
            "fullName": "Ada Lovelace",
            "password": "s3cret",
            "address": {"street": "Main St", "city": "Lyon"},
        }
        user = decode(family.User, shaped, wire)
        assert user.user_id == 7
        assert user.address == family.Address("Main St", "Lyon")

    @pytest.mark.parametrize(
        ("strategy", "keys"),
        [
            ("camel", ["userId", "fullName", "password", "address", "pastAddresses", "streetName"]),
            (
                "pascal",
                ["UserId", "FullName", "Password", "Address", "PastAddresses", "StreetName"],
            ),
            (
                "kebab",
                ["user-id", "full-name", "password", "address", "past-addresses", "street-name"],
            ),
            (
                "upper",
                ["USER_ID", "FULL_NAME", "PASSWORD", "ADDRESS", "PAST_ADDRESSES", "STREET_NAME"],
            ),
            (
                "lower",
                ["user_id", "full_name", "password", "address", "past_addresses", "street_name"],
            ),
        ],
    )
    def test_rename_strategies(
        self, family: SimpleNamespace, strategy: str, keys: list[str]
    ) -> None:
        shaped = make_dto(family.User, rename_strategy=strategy)
        user = sample(family)
        wire = encode(family.User, shaped, user)
        assert list(wire) == keys[:5]
        assert next(iter(wire[keys[3]])) == keys[5]
        back = decode(family.User, shaped, wire)
        assert back.full_name == user.full_name
        assert back.address.street_name == "Main St"

    def test_errors_name_wire_fields(self, family: SimpleNamespace) -> None:
        shaped = make_dto(family.User, rename_strategy="camel")
        with rejected_at("$.address.streetName"):
            decode(
                family.User, shaped, {"userId": 1, "fullName": "x", "address": {"streetName": 5}}
            )
        with pytest.raises(DecodeError) as caught:
            decode(family.User, shaped, {"user_id": 1, "full_name": "x"})
        assert caught.value.message == "$.userId: required field is missing"

    def test_lists_of_models(self, family: SimpleNamespace) -> None:
        shaped = make_dto(family.User, exclude={"password"}, rename_strategy="camel")
        users = [sample(family), family.User(8, "Grace Hopper")]
        wire = encode(list[family.User], shaped, users)  # type: ignore[name-defined]
        assert [u["userId"] for u in wire] == [7, 8]
        assert all("password" not in u for u in wire)
        back = decode(list[family.User], shaped, wire)  # type: ignore[name-defined]
        assert [u.full_name for u in back] == ["Ada Lovelace", "Grace Hopper"]
        assert all(type(u) is family.User and u.password == "hunter2" for u in back)

    def test_optional_model_annotation(self, family: SimpleNamespace) -> None:
        shaped = make_dto(family.User, rename_strategy="camel")
        assert decoder_for(family.User | None, dto=shaped)("null") is None
        assert encoder_for(family.User | None, dto=shaped)(None) == "null"
        user = decoder_for(family.User | None, dto=shaped)('{"userId": 1, "fullName": "x"}')
        assert user == family.User(1, "x")

    @pytest.mark.parametrize(("mode", "protocol"), [("binary", "json"), ("binary", "msgpack")])
    def test_binary_transports(self, family: SimpleNamespace, mode: Any, protocol: Any) -> None:
        shaped = make_dto(family.User, exclude={"password"}, rename_strategy="kebab")
        user = sample(family)
        payload = encoder_for(family.User, dto=shaped, mode=mode, protocol=protocol)(user)
        assert isinstance(payload, bytes)
        back = decoder_for(family.User, dto=shaped, mode=mode, protocol=protocol)(payload)
        assert back.full_name == user.full_name
        assert back.password == "hunter2"
        decoded_wire = (
            msgspec.msgpack.decode(payload) if protocol == "msgpack" else json.loads(payload)
        )
        assert "full-name" in decoded_wire

    def test_str_and_bytes_still_pass_through(self, family: SimpleNamespace) -> None:
        shaped = make_dto(family.User)
        assert encoder_for(family.User, dto=shaped)("raw") == "raw"
        assert encoder_for(family.User, dto=shaped, mode="binary")("raw") == b"raw"

    def test_encoding_another_type_is_an_encode_error(self, family: SimpleNamespace) -> None:
        shaped = make_dto(family.User)
        with pytest.raises(EncodeError, match="cannot encode dict as JSON"):
            encoder_for(family.User, dto=shaped)({"user_id": 1})


class TestPartial:
    def test_absent_fields_are_unset(self, family: SimpleNamespace) -> None:
        shaped = make_dto(family.User, partial=True, rename_strategy="camel")
        user = decode(family.User, shaped, {"fullName": "Ada", "address": {"city": "Lyon"}})
        assert type(user) is family.User
        assert user.full_name == "Ada"
        assert user.user_id is UNSET
        assert user.password is UNSET  # absent, even though the model has a default
        assert user.past_addresses is UNSET
        assert type(user.address) is family.Address
        assert user.address.street_name is UNSET
        assert user.address.city == "Lyon"

    def test_present_fields_are_validated(self, family: SimpleNamespace) -> None:
        shaped = make_dto(family.User, partial=True)
        with rejected_at("$.user_id"):
            decode(family.User, shaped, {"user_id": "x"})

    def test_encoding_leaves_unset_fields_out(self, family: SimpleNamespace) -> None:
        shaped = make_dto(family.User, partial=True, rename_strategy="camel")
        user = decode(family.User, shaped, {"userId": 3, "pastAddresses": [{"city": "Nice"}]})
        assert encode(family.User, shaped, user) == {
            "userId": 3,
            "pastAddresses": [{"city": "Nice"}],
        }

    def test_empty_object(self, family: SimpleNamespace) -> None:
        user = decode(family.User, make_dto(family.User, partial=True), {})
        assert all(
            getattr(user, name) is UNSET
            for name in ("user_id", "full_name", "password", "address", "past_addresses")
        )

    def test_schema_requires_nothing(self, family: SimpleNamespace) -> None:
        schema = schema_for(family.User, dto=make_dto(family.User, partial=True))
        # One object per path: the user, its address and its past addresses.
        assert [d.get("required", []) for d in schema["$defs"].values()] == [[], [], []]


class TestNesting:
    def test_depth_zero_keeps_only_own_fields(self, family: SimpleNamespace) -> None:
        shaped = make_dto(family.User, max_nested_depth=0)
        wire = encode(family.User, shaped, sample(family))
        assert wire == {"user_id": 7, "full_name": "Ada Lovelace", "password": "s3cret"}
        back = decode(family.User, shaped, {**wire, "address": {"street_name": "ignored"}})
        assert back.address is None

    def test_depth_one_drops_the_second_level(self, family: SimpleNamespace) -> None:
        shaped = make_dto(family.User)
        wire = encode(family.User, shaped, sample(family))
        assert wire["address"] == {"street_name": "Main St", "city": "Lyon"}
        assert decode(family.User, shaped, wire).address.geo is None

    def test_depth_two_keeps_the_second_level(self, family: SimpleNamespace) -> None:
        shaped = make_dto(family.User, max_nested_depth=2, rename_strategy="upper")
        wire = encode(family.User, shaped, sample(family))
        assert wire["ADDRESS"]["GEO"] == {"LAT": 1.5, "LNG": 2.5}
        assert decode(family.User, shaped, wire).address.geo == family.Geo(1.5, 2.5)

    def test_paths_beyond_the_depth_are_refused(self, family: SimpleNamespace) -> None:
        shaped = make_dto(family.User, exclude={"address.geo.lat"})
        with pytest.raises(
            CodecConfigurationError, match=re.escape("'address.geo.lat' does not name a field")
        ):
            encoder_for(family.User, dto=shaped)


# Field shapes the DTO follows besides Optional and list: mappings, variadic
# tuples, unions of tagged Structs; and one it does not: fixed-length tuples.
class Cat(msgspec.Struct, tag=True):
    indoor_only: bool


class Dog(msgspec.Struct, tag=True):
    good_boy: bool = True


class Household(msgspec.Struct):
    pets_by_name: dict[str, Cat | Dog]
    pet_line: tuple[Cat | Dog, ...] = ()
    favourite: tuple[Dog, int] | None = None


class TestShapes:
    household = Household(
        {"tom": Cat(True), "rex": Dog()}, (Dog(False), Cat(False)), favourite=(Dog(), 1)
    )

    def test_round_trip(self) -> None:
        shaped = make_dto(Household, rename_strategy="camel")
        wire = encode(Household, shaped, self.household)
        assert wire == {
            "petsByName": {
                "tom": {"type": "Cat", "indoorOnly": True},
                "rex": {"type": "Dog", "goodBoy": True},
            },
            "petLine": [{"type": "Dog", "goodBoy": False}, {"type": "Cat", "indoorOnly": False}],
            # Models inside fixed-length tuples are transferred as they are.
            "favourite": [{"type": "Dog", "good_boy": True}, 1],
        }
        back = decode(Household, shaped, wire)
        assert back == self.household
        assert type(back.pet_line) is tuple

    def test_union_member_is_validated(self) -> None:
        shaped = make_dto(Household)
        with rejected_at("$.pets_by_name[...].type"):
            decode(Household, shaped, {"pets_by_name": {"x": {"type": "Fish"}}})


class TestConstructors:
    def test_keyword_only_and_skipped_defaults(self) -> None:
        @dataclasses.dataclass
        class Settings:
            a: int
            b: int = 0
            c: int = 1
            d: int = dataclasses.field(default=5, kw_only=True)

        shaped = make_dto(Settings, exclude={"b"})
        assert decode(Settings, shaped, {"a": 1, "c": 2, "d": 3}) == Settings(1, 0, 2, d=3)
        assert decode(Settings, shaped, {"a": 1}) == Settings(1)
        assert encode(Settings, shaped, Settings(1, 9, 2, d=3)) == {"a": 1, "c": 2, "d": 3}

    def test_attrs_private_attribute(self) -> None:
        @attrs.define
        class Secretive:
            _token: str
            name: str = "n"

        shaped = make_dto(Secretive, rename_fields={"_token": "token"})
        value = decode(Secretive, shaped, {"token": "t", "name": "x"})
        assert value == Secretive(token="t", name="x")
        assert encode(Secretive, shaped, value) == {"token": "t", "name": "x"}

    def test_field_outside_init_must_be_excluded_to_decode(self) -> None:
        @dataclasses.dataclass
        class Computed:
            a: int
            double: int = dataclasses.field(init=False, default=0)

            def __post_init__(self) -> None:
                self.double = 2 * self.a

        with pytest.raises(
            CodecConfigurationError, match="'double': it is not an __init__ parameter"
        ):
            decoder_for(Computed, dto=make_dto(Computed))
        assert encode(Computed, make_dto(Computed), Computed(2)) == {"a": 2, "double": 4}
        assert decode(Computed, make_dto(Computed, exclude={"double"}), {"a": 3}) == Computed(3)

    def test_required_init_parameter_that_is_no_field(self) -> None:
        @dataclasses.dataclass(init=False)
        class Seeded:
            a: int

            def __init__(self, a: int, seed: int) -> None:
                self.a = a + seed

        with pytest.raises(
            CodecConfigurationError, match="__init__ parameter 'seed' is not a field"
        ):
            decoder_for(Seeded, dto=make_dto(Seeded))

    def test_model_validation_runs_on_decode_and_is_not_a_decode_error(self) -> None:
        # The model's own code rejects the value: its exception is not the peer's
        # fault, so it propagates as raised (a listener answers 1011, not 1007).
        @attrs.define
        class Bounded:
            n: int = attrs.field(validator=attrs.validators.ge(0))

        with pytest.raises(ValueError, match="'n' must be >= 0") as caught:
            decode(Bounded, make_dto(Bounded), {"n": -1})
        assert not isinstance(caught.value, DecodeError)

    def test_struct_options_are_kept(self) -> None:
        class Strict(msgspec.Struct, forbid_unknown_fields=True, rename="camel"):
            user_id: int

        shaped = make_dto(Strict)
        assert encode(Strict, shaped, Strict(1)) == {"userId": 1}
        with pytest.raises(DecodeError, match="unknown field 'extra'"):
            decode(Strict, shaped, {"userId": 1, "extra": 2})


class TestBuildErrors:
    def test_excluding_a_required_field_breaks_decoding_only(self, family: SimpleNamespace) -> None:
        shaped = make_dto(family.User, exclude={"full_name"})
        with pytest.raises(
            CodecConfigurationError, match="required field 'full_name' is not on the wire"
        ):
            decoder_for(family.User, dto=shaped)
        assert "full_name" not in encode(family.User, shaped, sample(family))

    def test_excluding_a_required_nested_field(self, family: SimpleNamespace) -> None:
        shaped = make_dto(family.User, exclude={"address.street_name"})
        with pytest.raises(CodecConfigurationError, match=re.escape("'address.street_name'")):
            decoder_for(family.User, dto=shaped)

    def test_unknown_paths(self, family: SimpleNamespace) -> None:
        shaped = make_dto(family.User, rename_fields={"adress.city": "town", "nope": "x"})
        with pytest.raises(
            CodecConfigurationError, match=re.escape("'adress.city', 'nope' do not name a field")
        ):
            decoder_for(family.User, dto=shaped)

    def test_wire_name_collision(self, family: SimpleNamespace) -> None:
        shaped = make_dto(
            family.User, rename_fields={"user_id": "fullName"}, rename_strategy="camel"
        )
        with pytest.raises(CodecConfigurationError, match="share the wire name 'fullName'"):
            encoder_for(family.User, dto=shaped)

    def test_collision_with_a_tag_field(self) -> None:
        shaped = make_dto(Dog, rename_fields={"good_boy": "type"})
        with pytest.raises(CodecConfigurationError, match="share the wire name 'type'"):
            encoder_for(Dog, dto=shaped)

    @pytest.mark.parametrize("annotation", [dict[str, int], Any, int])
    def test_annotation_without_the_model(self, family: SimpleNamespace, annotation: Any) -> None:
        shaped = make_dto(family.User)
        with pytest.raises(CodecConfigurationError, match="holds no"):
            decoder_for(annotation, dto=shaped)

    def test_annotation_with_another_model(self, family: SimpleNamespace) -> None:
        shaped = make_dto(family.User)
        with pytest.raises(
            CodecConfigurationError, match=f"shapes {family.User.__qualname__}, not"
        ):
            encoder_for(family.Address, dto=shaped)

    @pytest.mark.parametrize("not_a_dto", [dict, DTO, "UserDTO"])
    def test_dto_must_be_a_dto_subclass_with_a_model(self, not_a_dto: Any) -> None:
        with pytest.raises(CodecConfigurationError, match="is not a DTO subclass"):
            decoder_for(int, dto=not_a_dto)

    def test_model_must_be_supported(self) -> None:
        with pytest.raises(
            CodecConfigurationError,
            match=re.escape("needs a dataclass, an attrs class or a msgspec.Struct"),
        ):

            class Bad(DTO[dict]):  # type: ignore[type-arg]
                pass

    def test_config_must_be_a_dto_config(self, family: SimpleNamespace) -> None:
        with pytest.raises(CodecConfigurationError, match="config must be a DTOConfig"):

            class Bad(DTO[family.User]):  # type: ignore[name-defined]
                config = ("exclude", "password")  # type: ignore[assignment]


class TestDTOClass:
    def test_subclass_keeps_the_model(self, family: SimpleNamespace) -> None:
        base = make_dto(family.User)

        class Narrower(base):  # type: ignore[misc, valid-type]
            config = DTOConfig(exclude={"password"})

        assert Narrower.model is family.User
        assert "password" not in encode(family.User, Narrower, sample(family))

    def test_generic_intermediate_base(self, family: SimpleNamespace) -> None:
        from typing import TypeVar

        T = TypeVar("T")

        class Shared(DTO[T]):
            config = DTOConfig(rename_strategy="camel")

        assert not hasattr(Shared, "model")
        with pytest.raises(CodecConfigurationError, match="is not a DTO subclass with a model"):
            decoder_for(family.User, dto=Shared)

    def test_codecs_are_cached_per_dto(self, family: SimpleNamespace) -> None:
        shaped = make_dto(family.User)
        other = make_dto(family.User)
        assert decoder_for(family.User, dto=shaped) is decoder_for(family.User, dto=shaped)
        assert encoder_for(family.User, dto=shaped) is encoder_for(family.User, dto=shaped)
        assert decoder_for(family.User, dto=shaped) is not decoder_for(family.User, dto=other)
        assert decoder_for(family.User, dto=shaped) is not decoder_for(family.User)


class TestConfig:
    def test_defaults(self) -> None:
        config = DTOConfig()
        assert config.exclude == frozenset()
        assert config.include is None
        assert dict(config.rename_fields) == {}
        assert (config.rename_strategy, config.partial, config.max_nested_depth) == (None, False, 1)

    def test_frozen_normalised_and_hashable(self) -> None:
        renames = {"a": "b"}
        config = DTOConfig(exclude={"x"}, rename_fields=renames)
        renames["c"] = "d"
        assert config.exclude == frozenset({"x"})
        assert dict(config.rename_fields) == {"a": "b"}
        # Lists and tuples are accepted too, though the annotation asks for a set.
        assert config == DTOConfig(exclude=["x"], rename_fields={"a": "b"})  # type: ignore[arg-type]
        same = DTOConfig(exclude=("x",), rename_fields={"a": "b"})  # type: ignore[arg-type]
        assert hash(config) == hash(same)
        with pytest.raises(dataclasses.FrozenInstanceError):
            config.partial = True  # type: ignore[misc]
        with pytest.raises(TypeError):
            config.rename_fields["e"] = "f"  # type: ignore[index]

    @pytest.mark.parametrize(
        ("options", "message"),
        [
            ({"include": {"a"}, "exclude": {"b"}}, "include or exclude, not both"),
            ({"exclude": "password"}, "takes a set of field paths"),
            ({"include": {""}}, "non-empty str field paths"),
            ({"rename_fields": {"a": ""}}, "mapping of field path -> non-empty str"),
            ({"rename_fields": [("a", "b")]}, "mapping of field path -> non-empty str"),
            ({"rename_strategy": "snake"}, "rename_strategy='snake'"),
            ({"partial": "yes"}, "partial=...) takes a bool"),
            ({"max_nested_depth": -1}, "int >= 0"),
            ({"max_nested_depth": True}, "int >= 0"),
        ],
    )
    def test_invalid(self, options: dict[str, Any], message: str) -> None:
        with pytest.raises(
            CodecConfigurationError, match=message.replace("(", r"\(").replace(")", r"\)")
        ):
            DTOConfig(**options)


def test_schema_uses_wire_names(family: SimpleNamespace) -> None:
    shaped = make_dto(family.User, exclude={"password"}, rename_strategy="camel")
    schema = schema_for(family.User, dto=shaped)
    top = schema["$defs"][schema["$ref"].rsplit("/", 1)[1]]
    assert list(top["properties"]) == ["userId", "fullName", "address", "pastAddresses"]
    assert sorted(top["required"]) == ["fullName", "userId"]


class Reading(msgspec.Struct):
    level: Literal["low", "high"]
    scores: list[Annotated[int, msgspec.Meta(ge=0)]] = []


class Sensor(msgspec.Struct):
    readings: Annotated[list[Reading], msgspec.Meta(max_length=2)]


def test_constraints_survive_the_transfer() -> None:
    shaped = make_dto(Sensor, rename_strategy="pascal")
    value = decode(Sensor, shaped, {"Readings": [{"Level": "low", "Scores": [1, 2]}]})
    assert value == Sensor([Reading("low", [1, 2])])
    with rejected_at("$.Readings[0].Scores[1]"):
        decode(Sensor, shaped, {"Readings": [{"Level": "low", "Scores": [1, -2]}]})
    with rejected_at("$.Readings"):
        decode(Sensor, shaped, {"Readings": [{"Level": "low"}] * 3})
    with rejected_at("$.Readings[0].Level"):
        decode(Sensor, shaped, {"Readings": [{"Level": "mid"}]})


@dataclasses.dataclass
class OddNames:
    http_url: str = "u"
    userID: str = "i"
    _hidden: str = "h"
    trailing_: str = "t"


@pytest.mark.parametrize(
    ("strategy", "keys"),
    [
        ("camel", ["httpUrl", "userID", "hidden", "trailing"]),
        ("pascal", ["HttpUrl", "UserID", "Hidden", "Trailing"]),
        ("kebab", ["http-url", "userID", "hidden", "trailing"]),
        ("upper", ["HTTP_URL", "USERID", "_HIDDEN", "TRAILING_"]),
        ("lower", ["http_url", "userid", "_hidden", "trailing_"]),
    ],
)
def test_strategies_on_unusual_names(strategy: str, keys: list[str]) -> None:
    shaped = make_dto(OddNames, rename_strategy=strategy)
    wire = encode(OddNames, shaped, OddNames())
    assert list(wire) == keys
    assert decode(OddNames, shaped, dict(zip(keys, "abcd", strict=True))) == OddNames(*"abcd")
