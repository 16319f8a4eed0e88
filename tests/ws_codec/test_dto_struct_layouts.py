"""DTOs over msgspec Structs of every layout: decoded values are exactly the model.

A Struct model with every field on the wire is decoded into a transfer Struct
that shares its layout and then becomes the model in place; these tests pin
what a handler can observe of that: the exact class, equality, hashing,
immutability, ``__post_init__`` and error paths, whatever options the model
was declared with.
"""

import json
from typing import Any, ClassVar

import msgspec
import pytest
from decode_checks import rejected_at

from ws_codec import (
    DTO,
    UNSET,
    DecodeError,
    DTOConfig,
    EncodeError,
    decoder_for,
    encoder_for,
)


class Plain(msgspec.Struct):
    user_id: int
    full_name: str = "?"


class Frozen(msgspec.Struct, frozen=True):
    user_id: int
    full_name: str = "?"


class Untracked(msgspec.Struct, gc=False):
    user_id: int
    full_name: str = "?"


class ArrayLike(msgspec.Struct, array_like=True):
    user_id: int
    full_name: str = "?"


class Tagged(msgspec.Struct, tag=True):
    user_id: int
    full_name: str = "?"


class KeywordOnly(msgspec.Struct, kw_only=True):
    full_name: str = "?"
    user_id: int


class Cached(msgspec.Struct, frozen=True, cache_hash=True, weakref=True, dict=True):
    user_id: int
    full_name: str = "?"


class OmitsDefaults(msgspec.Struct, omit_defaults=True):
    user_id: int
    full_name: str = "?"


class WithClassMembers(msgspec.Struct):
    user_id: int
    full_name: str = "?"
    kind: ClassVar[str] = "user"

    def greeting(self) -> str:
        return f"hello {self.full_name}"


LAYOUTS = [Plain, Frozen, Untracked, ArrayLike, Tagged, KeywordOnly, Cached, OmitsDefaults]
LAYOUTS.append(WithClassMembers)


def camel(model: Any, **options: Any) -> Any:
    class Camel(DTO[model]):
        config = DTOConfig(rename_strategy="camel", **options)

    return Camel


def wire(model: Any, **fields: Any) -> dict[str, Any]:
    tag = {"type": model.__name__} if model is Tagged else {}
    return {**tag, **fields}


@pytest.mark.parametrize("model", LAYOUTS, ids=lambda m: m.__name__)
class TestEveryLayout:
    def test_decodes_to_exactly_the_model(self, model: Any) -> None:
        value = decoder_for(model, dto=camel(model))(
            json.dumps(wire(model, userId=7, fullName="Ada"))
        )
        expected = model(user_id=7, full_name="Ada")
        assert type(value) is model
        assert value == expected
        assert repr(value) == repr(expected)
        assert msgspec.structs.astuple(value) == msgspec.structs.astuple(expected)

    def test_defaults_fill_absent_fields(self, model: Any) -> None:
        value = decoder_for(model, dto=camel(model))(json.dumps(wire(model, userId=7)))
        assert type(value) is model
        assert value.full_name == "?"

    def test_round_trip_keeps_renamed_object_keys(self, model: Any) -> None:
        shaped = camel(model)
        encoded = encoder_for(model, dto=shaped)(model(user_id=7, full_name="Ada"))
        assert isinstance(encoded, str)
        # The DTO's wire is an object even for an array_like model.
        assert json.loads(encoded) == wire(model, userId=7, fullName="Ada")
        assert decoder_for(model, dto=shaped)(encoded) == model(user_id=7, full_name="Ada")

    def test_items_of_a_list_and_an_optional_are_the_model(self, model: Any) -> None:
        shaped = camel(model)
        items = decoder_for(list[model], dto=shaped)(
            json.dumps([wire(model, userId=1), wire(model, userId=2)])
        )
        assert [type(item) for item in items] == [model, model]
        assert [item.user_id for item in items] == [1, 2]
        maybe = decoder_for(model | None, dto=shaped)
        assert type(maybe(json.dumps(wire(model, userId=3)))) is model
        assert maybe("null") is None

    def test_partial_leaves_absent_fields_unset(self, model: Any) -> None:
        value = decoder_for(model, dto=camel(model, partial=True))(json.dumps(wire(model)))
        assert type(value) is model
        assert value.user_id is UNSET
        assert value.full_name is UNSET

    def test_bad_input_is_a_decode_error_naming_the_wire_path(self, model: Any) -> None:
        decode = decoder_for(list[model], dto=camel(model))
        with rejected_at("$[1].userId"):
            decode(json.dumps([wire(model, userId=1), wire(model, userId="2")]))


def test_frozen_stays_frozen_and_hashable() -> None:
    value = decoder_for(Cached, dto=camel(Cached))('{"userId": 7, "fullName": "Ada"}')
    with pytest.raises(AttributeError):
        value.user_id = 8
    assert hash(value) == hash(Cached(7, "Ada"))
    assert {value, Cached(7, "Ada")} == {Cached(7, "Ada")}


def test_class_members_are_the_models() -> None:
    value = decoder_for(WithClassMembers, dto=camel(WithClassMembers))('{"userId": 7}')
    assert value.greeting() == "hello ?"
    assert value.kind == "user"


class Checked(msgspec.Struct):
    user_id: int
    seen: ClassVar[list[tuple[type[Any], int]]] = []

    def __post_init__(self) -> None:
        Checked.seen.append((type(self), self.user_id))
        if self.user_id < 0:
            raise ValueError("user_id must be >= 0")


class TestPostInit:
    def test_runs_once_per_decoded_value(self) -> None:
        Checked.seen.clear()
        values = decoder_for(list[Checked], dto=camel(Checked))('[{"userId": 1}, {"userId": 2}]')
        assert [type(v) for v in values] == [Checked, Checked]
        # It runs while msgspec decodes, on the transfer Struct (a subclass of the model).
        assert [user_id for _, user_id in Checked.seen] == [1, 2]
        assert all(issubclass(cls, Checked) for cls, _ in Checked.seen)

    def test_its_value_error_propagates_as_raised(self) -> None:
        # Model code, not the peer, rejected the value: not a DecodeError.
        decode = decoder_for(list[Checked], dto=camel(Checked))
        with pytest.raises(ValueError, match=r"^user_id must be >= 0$") as caught:
            decode('[{"userId": 1}, {"userId": -1}]')
        assert not isinstance(caught.value, DecodeError)

    def test_same_exception_as_without_a_dto(self) -> None:
        with pytest.raises(ValueError, match="user_id") as typed:
            decoder_for(Checked)('{"user_id": -1}')
        with pytest.raises(ValueError, match="user_id") as shaped:
            decoder_for(Checked, dto=camel(Checked))('{"userId": -1}')
        assert type(shaped.value) is type(typed.value) is ValueError
        assert str(shaped.value) == str(typed.value)


class Member(Plain):
    role: str = "member"


def test_encoding_a_subclass_instance_sends_the_models_fields() -> None:
    encoded = encoder_for(Plain, dto=camel(Plain))(Member(user_id=7, full_name="Ada"))
    assert json.loads(encoded) == {"userId": 7, "fullName": "Ada"}


@pytest.mark.parametrize("mode", ["text", "binary"])
def test_encoding_a_value_of_another_type_names_it(mode: Any) -> None:
    with pytest.raises(EncodeError, match="int"):
        encoder_for(Plain, dto=camel(Plain), mode=mode)(42)


class Registered(msgspec.Struct):
    user_id: int
    registry: ClassVar[list[str]] = []

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        Registered.registry.append(cls.__name__)


def test_init_subclass_runs_once_per_decoder_built() -> None:
    shaped = camel(Registered)
    decode = decoder_for(Registered, dto=shaped)
    assert decoder_for(Registered, dto=shaped) is decode
    encoder_for(Registered, dto=shaped)
    assert Registered.registry == [shaped.__name__]
    assert type(decode('{"userId": 1}')) is Registered
