"""Building decoders and encoders from type annotations.

``decoder_for`` and ``encoder_for`` do all the work once, when a handler is
set up, and return a plain function whose per-message cost is one call into a
pre-built msgspec ``Decoder``/``Encoder`` (plus, with a DTO, one conversion
between the transfer Struct and the model). Codecs are cached per
``(annotation, mode, protocol, dto)``; unhashable annotations (e.g.
``Annotated`` with a dict) are built anew on every call.
"""

import functools
import types
import typing
from collections.abc import Callable
from typing import Any, TypeVar

import msgspec

from .dto import DTO
from .errors import (
    CodecConfigurationError,
    DecodeError,
    EncodeError,
    decode_error_from,
    encode_error_from,
)
from .support import unsupported_class
from .transfer import Compiled, compile_dto
from .types import Decoder, Encoder, Mode, WireProtocol

__all__ = ["decoder_for", "encoder_for"]

_FORMAT_NAMES = {"json": "JSON", "msgpack": "MessagePack"}
# Everything msgspec (or a model's __init__, for DTOs) raises on bad input.
_DECODE_FAILURES = (msgspec.DecodeError, RecursionError, ValueError, TypeError, OverflowError)
# UnicodeEncodeError (lone surrogates) is a ValueError; AttributeError comes
# from a DTO reading the fields of a value that is not its model.
_ENCODE_FAILURES = (TypeError, ValueError, OverflowError, AttributeError)

_CodecT = TypeVar("_CodecT")


def _check_transport(mode: object, protocol: object) -> None:
    if mode not in ("text", "binary"):
        raise CodecConfigurationError(f"mode must be 'text' or 'binary', got {mode!r}")
    if protocol not in ("json", "msgpack"):
        raise CodecConfigurationError(f"protocol must be 'json' or 'msgpack', got {protocol!r}")
    if protocol == "msgpack" and mode == "text":
        raise CodecConfigurationError("MessagePack needs binary transport; use mode='binary'")


def _msgspec_decoder(annotation: Any, wire_type: Any, protocol: str) -> Callable[[Any], Any]:
    decode: Callable[[Any], Any]
    try:
        if protocol == "json":
            decode = msgspec.json.Decoder(wire_type).decode
        else:
            decode = msgspec.msgpack.Decoder(wire_type).decode
        unsupported = unsupported_class(wire_type)
    except (TypeError, ValueError, NameError) as exc:
        raise CodecConfigurationError(f"unsupported annotation {annotation!r}: {exc}") from exc
    if unsupported is not None:
        raise CodecConfigurationError(
            f"unsupported annotation {annotation!r}: msgspec cannot decode {unsupported!r}"
        )
    return decode


def _cached(cached: Callable[..., _CodecT], build: Callable[..., _CodecT], *key: Any) -> _CodecT:
    try:
        hash(key)
    except TypeError:
        return build(*key)
    return cached(*key)


def _decode_str(data: str | bytes) -> str:
    if isinstance(data, str):
        return data
    try:
        return data.decode()
    except UnicodeDecodeError as exc:
        raise DecodeError("invalid UTF-8 in input") from exc


def _decode_bytes(data: str | bytes) -> bytes:
    if isinstance(data, str):
        try:
            return data.encode()
        except UnicodeEncodeError as exc:
            raise DecodeError("text cannot be encoded as UTF-8") from exc
    return data


def _build_decoder(
    annotation: Any, mode: Mode, protocol: WireProtocol, dto: type[DTO[Any]] | None
) -> Decoder:
    _check_transport(mode, protocol)
    if dto is None and annotation is str:
        return _decode_str
    if dto is None and annotation is bytes:
        return _decode_bytes
    compiled = None if dto is None else compile_dto(dto, annotation, "decode")
    decode = _msgspec_decoder(
        annotation, annotation if compiled is None else compiled.wire_type, protocol
    )
    format_name = _FORMAT_NAMES[protocol]
    if compiled is None or compiled.convert is None:

        def decode_payload(data: str | bytes) -> Any:
            try:
                return decode(data)
            except _DECODE_FAILURES as exc:
                raise decode_error_from(exc, data, format_name) from exc

        return decode_payload
    if compiled.adopt is not None:
        # Inlined compiled.convert: one call less per message.
        model = compiled.adopt
        force_setattr = msgspec.structs.force_setattr

        def decode_adopting(data: str | bytes) -> Any:
            try:
                value = decode(data)
            except _DECODE_FAILURES as exc:
                raise decode_error_from(exc, data, format_name) from exc
            force_setattr(value, "__class__", model)
            return value

        return decode_adopting
    convert = compiled.convert

    def decode_through_dto(data: str | bytes) -> Any:
        try:
            return convert(decode(data))
        except _DECODE_FAILURES as exc:
            raise decode_error_from(exc, data, format_name) from exc

    return decode_through_dto


_cached_decoder = functools.cache(_build_decoder)


def decoder_for(
    annotation: Any,
    *,
    mode: Mode = "text",
    protocol: WireProtocol = "json",
    dto: type[DTO[Any]] | None = None,
) -> Decoder:
    """Build (once) the function that turns one incoming payload into a value.

    Call it while setting a handler up, never per message: the result is
    cached per ``(annotation, mode, protocol, dto)`` and the same function
    object is returned for the same key.

    What the returned function does with a ``str`` or ``bytes`` payload:

    * ``annotation`` is ``str`` or ``bytes`` (and no DTO): passes it through,
      converted to the annotated type as UTF-8.
    * otherwise: decodes it as ``protocol`` **and validates** it against
      ``annotation`` with msgspec (``Any`` accepts any value). Extra object
      fields are ignored unless the model forbids them (a Struct with
      ``forbid_unknown_fields=True``).
    * with ``dto``: the wire follows the DTO (renamed, excluded, optional
      fields) and the result is built from real model instances.

    The returned function raises only ``DecodeError`` for bad input
    (malformed data, wrong types, missing fields, integers out of range,
    invalid UTF-8, nesting too deep, a model ``__post_init__`` or, with a
    DTO, ``__init__`` that rejects the values with ``ValueError`` or
    ``TypeError``), its ``.path`` pointing at the failing field. Other
    exceptions raised by a model's own code propagate unchanged.

    Args:
        annotation: The type the payload must have. Callers pass ``Any`` for
            an unannotated parameter.
        mode: The transport channel the payload arrives on.
        protocol: ``"json"`` or ``"msgpack"`` (binary mode only).
        dto: A ``DTO`` subclass whose model is ``annotation``, or the item
            type of an ``annotation`` such as ``list[Model]``.

    Returns:
        ``decode(payload: str | bytes) -> value``.

    Raises:
        CodecConfigurationError: MessagePack in text mode, an unknown mode or
            protocol, an annotation msgspec cannot decode, or a DTO that does
            not fit (see ``DTOConfig``).
    """
    return _cached(_cached_decoder, _build_decoder, annotation, mode, protocol, dto)


def _text_from_bytes(value: bytes) -> str:
    try:
        return value.decode()
    except UnicodeDecodeError as exc:
        raise EncodeError(f"cannot send bytes as text: not valid UTF-8 ({exc})") from exc


def _bytes_from_text(value: str) -> bytes:
    try:
        return value.encode()
    except UnicodeEncodeError as exc:
        raise EncodeError(f"cannot send str as bytes: not encodable as UTF-8 ({exc})") from exc


def _flattening(compiled: Compiled) -> tuple[Any, Callable[[Any], Any], Callable[..., Any]]:
    """``(model, fields, transfer)`` of ``compiled.flatten`` for the encoders to inline.

    Without a flatten, the model is ``None``: no value's class is ``None``, so
    every value goes through ``compiled.convert``.
    """
    if compiled.flatten is None:
        return None, tuple, tuple
    return compiled.flatten


def _text_encoder(encode: Callable[[Any], bytes], compiled: Compiled | None) -> Encoder:
    if compiled is None or compiled.convert is None:

        def encode_text(value: Any) -> str:
            cls = type(value)
            if cls is str:
                return value  # type: ignore[no-any-return]
            if cls is bytes:
                return _text_from_bytes(value)
            try:
                return encode(value).decode()
            except _ENCODE_FAILURES as exc:
                raise encode_error_from(exc, value, "JSON") from exc

        return encode_text
    convert = compiled.convert
    # The model is checked first: it is what a DTO encoder is given most.
    model, fields, transfer = _flattening(compiled)

    def encode_text_through_dto(value: Any) -> str:
        cls = type(value)
        try:
            if cls is model:
                return encode(transfer(*fields(value))).decode()
        except _ENCODE_FAILURES as exc:
            raise encode_error_from(exc, value, "JSON") from exc
        if cls is str:
            return value  # type: ignore[no-any-return]
        if cls is bytes:
            return _text_from_bytes(value)
        try:
            return encode(convert(value)).decode()
        except _ENCODE_FAILURES as exc:
            raise encode_error_from(exc, value, "JSON") from exc

    return encode_text_through_dto


def _binary_encoder(
    encode: Callable[[Any], bytes], compiled: Compiled | None, format_name: str
) -> Encoder:
    if compiled is None or compiled.convert is None:

        def encode_binary(value: Any) -> bytes:
            cls = type(value)
            if cls is bytes:
                return value  # type: ignore[no-any-return]
            if cls is str:
                return _bytes_from_text(value)
            try:
                return encode(value)
            except _ENCODE_FAILURES as exc:
                raise encode_error_from(exc, value, format_name) from exc

        return encode_binary
    convert = compiled.convert
    model, fields, transfer = _flattening(compiled)

    def encode_binary_through_dto(value: Any) -> bytes:
        cls = type(value)
        try:
            if cls is model:
                return encode(transfer(*fields(value)))
        except _ENCODE_FAILURES as exc:
            raise encode_error_from(exc, value, format_name) from exc
        if cls is bytes:
            return value  # type: ignore[no-any-return]
        if cls is str:
            return _bytes_from_text(value)
        try:
            return encode(convert(value))
        except _ENCODE_FAILURES as exc:
            raise encode_error_from(exc, value, format_name) from exc

    return encode_binary_through_dto


def _build_encoder(
    annotation: Any, mode: Mode, protocol: WireProtocol, dto: type[DTO[Any]] | None
) -> Encoder:
    _check_transport(mode, protocol)
    # msgspec encodes by run-time type; without a DTO the annotation is only
    # checked. str and bytes always pass through, so `str | bytes` needs no
    # check (msgspec would refuse that union, which it could not decode).
    if dto is None and not _is_raw_payload_union(annotation):
        _msgspec_decoder(annotation, annotation, "json")
    compiled = None if dto is None else compile_dto(dto, annotation, "encode")
    encoder = msgspec.msgpack.Encoder() if protocol == "msgpack" else msgspec.json.Encoder()
    if mode == "binary":
        return _binary_encoder(encoder.encode, compiled, _FORMAT_NAMES[protocol])
    return _text_encoder(encoder.encode, compiled)


def _is_raw_payload_union(annotation: Any) -> bool:
    """Whether ``annotation`` is a union of ``str`` and ``bytes`` only."""
    if typing.get_origin(annotation) not in (typing.Union, types.UnionType):
        return False
    return all(member in (str, bytes) for member in typing.get_args(annotation))


_cached_encoder = functools.cache(_build_encoder)


def encoder_for(
    annotation: Any,
    *,
    mode: Mode = "text",
    protocol: WireProtocol = "json",
    dto: type[DTO[Any]] | None = None,
) -> Encoder:
    """Build (once) the function that turns one outgoing value into a payload.

    Call it while setting a handler up, never per message: the result is
    cached per ``(annotation, mode, protocol, dto)`` and the same function
    object is returned for the same key.

    What the returned function does with a value:

    * a value of type exactly ``str`` or ``bytes`` passes through, converted
      to the mode as UTF-8, whatever the annotation (subclasses, such as
      ``StrEnum`` members, are encoded like any other value);
    * any other value is encoded as ``protocol`` by its run-time type
      (dataclasses, attrs classes, Structs, TypedDict and NamedTuple values,
      ``datetime``, ``UUID``, ``Decimal``, enums...), without checking it
      against the annotation;
    * with ``dto``: a model instance (or a container of them, following the
      annotation) is encoded through the DTO's wire shape.

    The result is ``str`` in text mode and ``bytes`` in binary mode. The
    function raises ``EncodeError`` (naming the type) for a value it cannot
    serialize: an unsupported type, an integer beyond 64 bits in MessagePack,
    a ``str`` with lone surrogates, non-UTF-8 ``bytes`` in text mode, or,
    with a DTO, a value that is not the DTO's model.

    Args:
        annotation: The declared type of the values (a return or yield
            annotation; ``Any`` when there is none).
        mode: The transport channel the payload leaves on.
        protocol: ``"json"`` or ``"msgpack"`` (binary mode only).
        dto: A ``DTO`` subclass whose model is ``annotation``, or the item
            type of an ``annotation`` such as ``list[Model]``.

    Returns:
        ``encode(value) -> str | bytes``.

    Raises:
        CodecConfigurationError: MessagePack in text mode, an unknown mode or
            protocol, an annotation msgspec does not support, or a DTO that
            does not fit (see ``DTOConfig``).
    """
    return _cached(_cached_encoder, _build_encoder, annotation, mode, protocol, dto)
