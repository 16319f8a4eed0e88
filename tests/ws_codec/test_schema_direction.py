"""schema_for(direction="encode"): the JSON schema of what an encoder writes."""

import msgspec
import pytest

from ws_codec import DTO, CodecConfigurationError, DTOConfig, encoder_for, schema_for


class Member(msgspec.Struct):
    name: str
    address: str
    rooms: int = 0


class PublicMember(DTO[Member]):
    config = DTOConfig(exclude={"address"}, rename_strategy="camel")


def test_an_output_dto_may_leave_out_a_required_field() -> None:
    with pytest.raises(CodecConfigurationError, match="'address' is not on the wire"):
        schema_for(Member, dto=PublicMember)  # no decoder could build a Member
    schema = schema_for(list[Member], dto=PublicMember, direction="encode")
    (wire,) = schema["$defs"].values()
    assert wire["properties"] == {"name": {"type": "string"}, "rooms": {"type": "integer"}}
    assert wire["required"] == ["name", "rooms"]  # an encoder writes every field it sends
    written = msgspec.json.decode(encoder_for(Member, dto=PublicMember)(Member("ann", "x")))
    assert set(written) == set(wire["properties"])


def test_without_a_dto_both_directions_agree() -> None:
    assert schema_for(Member, direction="encode") == schema_for(Member)
