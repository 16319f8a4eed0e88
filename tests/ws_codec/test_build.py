"""Build-time behaviour: configuration errors and caching."""

import subprocess
import sys
from collections.abc import Iterator
from typing import Annotated, Any

import msgspec
import pytest
from codec_models import Pet, Point

import ws_codec
from ws_codec import CodecConfigurationError, decoder_for, encoder_for

BUILDERS = [decoder_for, encoder_for]


@pytest.mark.parametrize("build", BUILDERS)
@pytest.mark.parametrize("annotation", [Point, str, bytes, Any])
def test_msgpack_in_text_mode_is_refused(build: Any, annotation: Any) -> None:
    with pytest.raises(CodecConfigurationError) as caught:
        build(annotation, mode="text", protocol="msgpack")
    assert str(caught.value) == "MessagePack needs binary transport; use mode='binary'"


@pytest.mark.parametrize("build", BUILDERS)
def test_unknown_mode_and_protocol_are_refused(build: Any) -> None:
    with pytest.raises(CodecConfigurationError, match="mode must be 'text' or 'binary'"):
        build(Point, mode="binry")
    with pytest.raises(CodecConfigurationError, match="protocol must be 'json' or 'msgpack'"):
        build(Point, protocol="yaml")


class Opaque:
    pass


@pytest.mark.parametrize("build", BUILDERS)
@pytest.mark.parametrize(
    "annotation",
    [Opaque, Iterator[int], Point | Pet | msgspec.Struct, dict[str, list[Opaque]]],
    ids=["class", "iterator", "ambiguous-union", "nested-class"],
)
def test_unsupported_annotation_is_named(build: Any, annotation: Any) -> None:
    with pytest.raises(CodecConfigurationError) as caught:
        build(annotation)
    assert str(caught.value).startswith(f"unsupported annotation {annotation!r}: ")


def test_unresolvable_forward_reference_is_a_configuration_error() -> None:
    import dataclasses

    @dataclasses.dataclass
    class Node:
        child: "Missing | None"  # type: ignore[name-defined]  # noqa: F821

    with pytest.raises(CodecConfigurationError, match="Node"):
        decoder_for(Node)


@pytest.mark.parametrize("build", BUILDERS)
def test_same_key_returns_the_same_function(build: Any) -> None:
    assert build(Point) is build(Point)
    assert build(list[Point], mode="binary") is build(list[Point], mode="binary")
    assert build(Point, mode="binary", protocol="msgpack") is build(
        Point, mode="binary", protocol="msgpack"
    )


@pytest.mark.parametrize("build", BUILDERS)
def test_different_keys_give_different_functions(build: Any) -> None:
    built = {
        build(Point),
        build(Point, mode="binary"),
        build(Point, mode="binary", protocol="msgpack"),
        build(Pet),
    }
    assert len(built) == 4


def test_unhashable_annotations_work_uncached() -> None:
    annotation = Annotated[int, {"doc": "unhashable metadata"}]
    first, second = decoder_for(annotation), decoder_for(annotation)
    assert first is not second
    assert first("3") == second("3") == 3
    assert encoder_for(annotation)(3) == "3"


def test_failed_builds_are_not_cached() -> None:
    with pytest.raises(CodecConfigurationError):
        decoder_for(Opaque)
    with pytest.raises(CodecConfigurationError):
        decoder_for(Opaque)


def test_public_names() -> None:
    assert sorted(ws_codec.__all__) == sorted(
        [
            "CodecConfigurationError",
            "DTO",
            "DTOConfig",
            "DecodeError",
            "EncodeError",
            "Mode",
            "UNSET",
            "WireProtocol",
            "__version__",
            "decoder_for",
            "encoder_for",
            "passthrough_type",
            "schema_for",
        ]
    )
    assert all(hasattr(ws_codec, name) for name in ws_codec.__all__)
    assert ws_codec.UNSET is msgspec.UNSET


def test_exception_tree() -> None:
    assert issubclass(ws_codec.DecodeError, ValueError)
    assert issubclass(ws_codec.CodecConfigurationError, ValueError)
    assert issubclass(ws_codec.EncodeError, TypeError)
    assert not issubclass(ws_codec.DecodeError, ws_codec.CodecConfigurationError)


def test_import_pulls_in_neither_attrs_nor_anyio() -> None:
    code = (
        "import sys, ws_codec; "
        "print(sorted(m for m in ('attrs', 'attr', 'anyio') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
