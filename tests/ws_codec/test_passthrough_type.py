"""``passthrough_type`` tells which payload type a built codec returns unchanged."""

from typing import Annotated, Any

import msgspec
import pytest
from codec_models import Point
from dto_models import SUser

from ws_codec import DTO, DTOConfig, decoder_for, encoder_for, passthrough_type

TRANSPORTS = [("text", "json"), ("binary", "json"), ("binary", "msgpack")]


class CamelUser(DTO[SUser]):
    config = DTOConfig(rename_strategy="camel")


@pytest.mark.parametrize(("mode", "protocol"), TRANSPORTS)
@pytest.mark.parametrize("raw", [str, bytes])
def test_str_and_bytes_decoders_return_their_own_type_unchanged(
    raw: type[Any], mode: Any, protocol: Any
) -> None:
    decode = decoder_for(raw, mode=mode, protocol=protocol)
    assert passthrough_type(decode) is raw
    frame = raw("héllo", "utf-8") if raw is bytes else "héllo"
    assert decode(frame) is frame
    other = frame.decode() if isinstance(frame, bytes) else frame.encode()
    assert type(decode(other)) is raw  # the other type is converted, not passed


@pytest.mark.parametrize(("mode", "protocol"), TRANSPORTS)
@pytest.mark.parametrize(
    ("annotation", "dto"),
    [(Any, None), (Point, None), (dict[str, int], None), (str | None, None)],
)
def test_other_decoders_pass_nothing_through(
    annotation: Any, dto: Any, mode: Any, protocol: Any
) -> None:
    assert passthrough_type(decoder_for(annotation, mode=mode, protocol=protocol, dto=dto)) is None


def test_a_dto_decoder_passes_nothing_through() -> None:
    assert passthrough_type(decoder_for(SUser, dto=CamelUser)) is None


@pytest.mark.parametrize(("mode", "protocol"), TRANSPORTS)
@pytest.mark.parametrize(
    ("annotation", "dto"),
    [(Any, None), (str, None), (bytes, None), (Point, None), (str | bytes, None)],
)
def test_encoders_return_a_value_of_the_modes_type_unchanged(
    annotation: Any, dto: Any, mode: Any, protocol: Any
) -> None:
    encode = encoder_for(annotation, mode=mode, protocol=protocol, dto=dto)
    kind = passthrough_type(encode)
    assert kind is (str if mode == "text" else bytes)
    value = kind("héllo", "utf-8") if kind is bytes else "héllo"
    assert encode(value) is value


@pytest.mark.parametrize("mode", ["text", "binary"])
def test_a_dto_encoder_passes_the_modes_type_through(mode: Any) -> None:
    encode = encoder_for(SUser, dto=CamelUser, mode=mode)
    kind = passthrough_type(encode)
    assert kind is (str if mode == "text" else bytes)
    value = kind("raw", "utf-8") if kind is bytes else "raw"
    assert encode(value) is value


def test_codecs_of_unhashable_annotations_are_known_too() -> None:
    # Built anew on every call (not cached), still registered.
    annotation = Annotated[int, msgspec.Meta(extra={"unhashable": []})]
    assert passthrough_type(decoder_for(annotation)) is None
    assert passthrough_type(encoder_for(annotation, mode="binary")) is bytes


@pytest.mark.parametrize("other", [len, lambda data: data, str, "not even callable"])
def test_anything_else_is_refused(other: Any) -> None:
    with pytest.raises(TypeError, match="not a codec built by ws_codec"):
        passthrough_type(other)
