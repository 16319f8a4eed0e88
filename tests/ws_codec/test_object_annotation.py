"""``object`` in an annotation means ``Any``: for decoders, encoders and schemas."""

from typing import Any

import msgspec
import pytest

from ws_codec import decoder_for, encoder_for, schema_for

TRANSPORTS = [("text", "json"), ("binary", "json"), ("binary", "msgpack")]
VALUE = {"name": "ada", "tags": ["x", 1, None, 2.5, True], "nested": {"k": [{}]}}


class Envelope(msgspec.Struct):
    kind: str
    body: object
    extra: dict[str, object] = {}


def payload(value: Any, protocol: str) -> bytes:
    return msgspec.msgpack.encode(value) if protocol == "msgpack" else msgspec.json.encode(value)


@pytest.mark.parametrize(("mode", "protocol"), TRANSPORTS)
@pytest.mark.parametrize(
    ("annotation", "same_as", "value"),
    [
        (object, Any, VALUE),
        (dict[str, object], dict[str, Any], VALUE),
        (list[object], list[Any], list(VALUE.values())),
        (dict[str, list[object]] | None, dict[str, list[Any]] | None, {"a": [1, "b", {}]}),
    ],
    ids=["object", "dict", "list", "nested-optional"],
)
def test_decodes_as_any_does(
    annotation: Any, same_as: Any, value: Any, mode: Any, protocol: Any
) -> None:
    data = payload(value, protocol)
    decoded = decoder_for(annotation, mode=mode, protocol=protocol)(data)
    assert decoded == decoder_for(same_as, mode=mode, protocol=protocol)(data) == value


@pytest.mark.parametrize(("mode", "protocol"), TRANSPORTS)
def test_a_model_field_of_type_object_takes_any_value(mode: Any, protocol: Any) -> None:
    data = payload({"kind": "k", "body": VALUE, "extra": {"a": [1]}}, protocol)
    decoded = decoder_for(Envelope, mode=mode, protocol=protocol)(data)
    assert decoded == Envelope("k", VALUE, {"a": [1]})
    encoded = encoder_for(Envelope, mode=mode, protocol=protocol)(decoded)
    assert decoder_for(Envelope, mode=mode, protocol=protocol)(encoded) == decoded


@pytest.mark.parametrize(("mode", "protocol"), TRANSPORTS)
def test_encodes_any_value(mode: Any, protocol: Any) -> None:
    encode = encoder_for(dict[str, object], mode=mode, protocol=protocol)
    assert decoder_for(Any, mode=mode, protocol=protocol)(encode(VALUE)) == VALUE


def test_schema_is_the_schema_of_any_value() -> None:
    assert schema_for(object) == schema_for(Any) == {}
    assert schema_for(dict[str, object]) == {"type": "object", "additionalProperties": {}}
    envelope = schema_for(Envelope)["$defs"]["Envelope"]["properties"]
    assert envelope["body"] == {}
    assert envelope["extra"]["additionalProperties"] == {}
