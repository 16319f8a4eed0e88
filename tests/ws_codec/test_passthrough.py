"""``str`` and ``bytes``: passed through, converted between text and binary."""

from typing import Any

import pytest

from ws_codec import DecodeError, EncodeError, decoder_for, encoder_for

MODES = ["text", "binary"]
TRANSPORTS = [("text", "json"), ("binary", "json"), ("binary", "msgpack")]


@pytest.mark.parametrize(("mode", "protocol"), TRANSPORTS)
def test_str_annotation_passes_payload_through(mode: Any, protocol: Any) -> None:
    decode = decoder_for(str, mode=mode, protocol=protocol)
    assert decode('{"not": "parsed"}') == '{"not": "parsed"}'
    assert decode("héllo".encode()) == "héllo"
    assert decode(b"") == ""


@pytest.mark.parametrize(("mode", "protocol"), TRANSPORTS)
def test_bytes_annotation_passes_payload_through(mode: Any, protocol: Any) -> None:
    decode = decoder_for(bytes, mode=mode, protocol=protocol)
    assert decode(b"\x00\xff") == b"\x00\xff"
    assert decode("héllo") == "héllo".encode()


def test_invalid_utf8_for_str_is_a_decode_error() -> None:
    with pytest.raises(DecodeError) as caught:
        decoder_for(str)(b"ab\xffcd")
    assert caught.value.message == "$: invalid UTF-8 in input"


def test_unencodable_text_for_bytes_is_a_decode_error() -> None:
    with pytest.raises(DecodeError):
        decoder_for(bytes)("\ud800")


@pytest.mark.parametrize(("mode", "protocol"), TRANSPORTS)
@pytest.mark.parametrize("annotation", [str, bytes, dict[str, int], Any])
def test_str_and_bytes_values_pass_through_whatever_the_annotation(
    annotation: Any, mode: Any, protocol: Any
) -> None:
    encode = encoder_for(annotation, mode=mode, protocol=protocol)
    if mode == "text":
        assert encode("héllo") == "héllo"
        assert encode("héllo".encode()) == "héllo"
    else:
        assert encode("héllo") == "héllo".encode()
        assert encode(b"\x00\xff") == b"\x00\xff"


def test_str_subclasses_are_encoded_not_passed_through() -> None:
    from enum import StrEnum

    class Mood(StrEnum):
        HAPPY = "happy"

    assert encoder_for(Mood)(Mood.HAPPY) == '"happy"'
    assert decoder_for(Mood)(encoder_for(Mood)(Mood.HAPPY)) is Mood.HAPPY


def test_non_utf8_bytes_in_text_mode_is_an_encode_error() -> None:
    with pytest.raises(EncodeError, match="bytes"):
        encoder_for(bytes)(b"\xff")


def test_lone_surrogate_in_binary_mode_is_an_encode_error() -> None:
    with pytest.raises(EncodeError, match="str"):
        encoder_for(str, mode="binary")("\ud800")


@pytest.mark.parametrize(("mode", "protocol"), TRANSPORTS)
def test_a_str_or_bytes_union_encodes_by_passing_through(mode: Any, protocol: Any) -> None:
    encode = encoder_for(str | bytes, mode=mode, protocol=protocol)
    expected = "héllo" if mode == "text" else "héllo".encode()
    assert encode("héllo") == expected
    assert encode("héllo".encode()) == expected
