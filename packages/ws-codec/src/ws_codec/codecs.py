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
import weakref
from collections.abc import Callable
from typing import Any, TypeVar

import msgspec

from .dto import DTO
from .errors import (
    CodecConfigurationError,
    DecodeError,
    EncodeError,
    decode_failure,
    encode_error_from,
)
from .fields import field_checker
from .support import unsupported_class
from .transfer import Compiled, compile_dto
from .types import Decoder, Encoder, Mode, WireProtocol

__all__ = ["decoder_for", "encoder_for", "passthrough_type"]

_FORMAT_NAMES = {"json": "JSON", "msgpack": "MessagePack"}
# What msgspec's decoders raise on bad input, and what model code they run
# raises most (decode_failure sorts them out); anything else propagates as is.
_DECODE_FAILURES = (msgspec.DecodeError, RecursionError, ValueError, TypeError)
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
    decode = _make_decoder(annotation, mode, protocol, dto)
    _passthrough.setdefault(decode, None)
    return decode


def _make_decoder(
    annotation: Any, mode: Mode, protocol: WireProtocol, dto: type[DTO[Any]] | None
) -> Decoder:
    _check_transport(mode, protocol)
    if dto is None and annotation is str:
        return _decode_str
    if dto is None and annotation is bytes:
        return _decode_bytes
    compiled = None if dto is None else compile_dto(dto, annotation, "decode")
    wire_type = annotation if compiled is None else compiled.wire_type
    decode = _msgspec_decoder(annotation, wire_type, protocol)
    format_name = _FORMAT_NAMES[protocol]
    check = field_checker(wire_type, protocol)
    # Each decoder raises what decode_failure returns outside its except
    # block, so an exception of model code propagates without our context.
    if compiled is None or compiled.convert is None:

        def decode_payload(data: str | bytes) -> Any:
            try:
                return decode(data)
            except _DECODE_FAILURES as exc:
                failure = decode_failure(exc, data, format_name, check)
            raise failure

        return decode_payload
    if compiled.adopt is not None:
        # Inlined compiled.convert: one call less per message.
        model = compiled.adopt
        force_setattr = msgspec.structs.force_setattr

        def decode_adopting(data: str | bytes) -> Any:
            try:
                value = decode(data)
            except _DECODE_FAILURES as exc:
                failure = decode_failure(exc, data, format_name, check)
            else:
                force_setattr(value, "__class__", model)
                return value
            raise failure

        return decode_adopting
    convert = compiled.convert

    def decode_through_dto(data: str | bytes) -> Any:
        try:
            value = decode(data)
        except _DECODE_FAILURES as exc:
            failure = decode_failure(exc, data, format_name, check)
        else:
            # The model's own __init__ runs here: what it raises is not the peer's fault.
            return convert(value)
        raise failure

    return decode_through_dto


_cached_decoder = functools.cache(_build_decoder)

# What each codec built here returns unchanged (see passthrough_type). Weak:
# codecs of unhashable annotations are not cached and may be collected.
_passthrough: weakref.WeakKeyDictionary[Callable[..., Any], type[str] | type[bytes] | None] = (
    weakref.WeakKeyDictionary()
)
_passthrough[_decode_str] = str
_passthrough[_decode_bytes] = bytes


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

    The returned function raises ``DecodeError`` for what msgspec itself
    finds wrong with the payload (malformed data, wrong types, missing or
    unknown fields, a failed constraint such as ``Meta(ge=0)``, integers out
    of range, invalid UTF-8, nesting too deep), its ``.path`` pointing at the
    failing field. Its text is meant for the peer (a listener makes it the
    1007 close reason).

    Whatever model code raises is *not* a ``DecodeError``: an exception from
    a Struct's or dataclass's ``__post_init__``, an attrs validator or, with a
    DTO, a model's ``__init__`` propagates as it was raised (msgspec wraps a
    ``ValueError`` or ``TypeError`` from ``__post_init__`` in its own
    ``ValidationError``; the decoder unwraps it). It may hold anything, so it
    never reaches the peer: a listener treats it as a server error (1011,
    traceback logged). Model code that rejects a value on purpose, with a
    reason for the peer, raises ``DecodeError`` itself
    (``raise DecodeError("n must be positive")``).

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
        encode = _binary_encoder(encoder.encode, compiled, _FORMAT_NAMES[protocol])
        _passthrough[encode] = bytes
    else:
        encode = _text_encoder(encoder.encode, compiled)
        _passthrough[encode] = str
    return encode


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


def passthrough_type(codec: Decoder | Encoder) -> type[str] | type[bytes] | None:
    """Return the payload type that ``codec`` hands back unchanged, if any.

    A caller on a hot path (a listener's message loop) can skip the call for
    such a value: ``codec(value)`` would return ``value`` itself.

    * A decoder from ``decoder_for(str)`` returns a ``str`` payload as it is
      (``str``), one from ``decoder_for(bytes)`` a ``bytes`` payload
      (``bytes``); every other decoder decodes whatever it is given
      (``None``). A DTO decoder always decodes.
    * An encoder returns a value of exactly ``str`` unchanged in text mode
      (``str``) and of exactly ``bytes`` in binary mode (``bytes``), whatever
      its annotation or DTO. Subclasses (a ``StrEnum`` member) are encoded.

    Args:
        codec: A function returned by ``decoder_for`` or ``encoder_for``.

    Returns:
        ``str``, ``bytes`` or ``None``; only ``type(value) is`` the result
        passes through, not an instance of a subclass.

    Raises:
        TypeError: ``codec`` was not built by ``decoder_for`` or ``encoder_for``.
    """
    try:
        return _passthrough[codec]
    except (KeyError, TypeError):
        raise TypeError(
            f"{codec!r} is not a codec built by ws_codec.decoder_for or encoder_for"
        ) from None
