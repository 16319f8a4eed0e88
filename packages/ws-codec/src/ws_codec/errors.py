"""The exceptions of ws_codec, and how msgspec's failures become them.

Errors of the caller are kept apart from errors of the peer:

* ``CodecConfigurationError`` is raised while a codec or DTO is being built
  (at application start-up), never per message.
* ``DecodeError`` is raised per message when a payload is malformed or does
  not validate: the peer's fault.
* ``EncodeError`` is raised per message when a value cannot be serialized:
  the handler's fault.
"""

import re

import msgspec

__all__ = [
    "CodecConfigurationError",
    "DecodeError",
    "EncodeError",
    "decode_error_from",
    "encode_error_from",
]


class CodecConfigurationError(ValueError):
    """A codec or DTO that cannot be built as asked.

    Raised by ``decoder_for``, ``encoder_for`` and ``schema_for`` (an
    unsupported annotation, MessagePack in text mode, a DTO that does not fit
    the annotation or its model), by ``DTOConfig(...)`` (contradictory
    options) and when a ``DTO`` subclass is defined (no usable model). The
    message names the annotation, DTO or field at fault.
    """


class DecodeError(ValueError):
    """An incoming payload that is malformed or does not validate.

    ``str(error)`` is ``error.message``.

    Args:
        problem: What is wrong, in a few words (``"expected str, got int"``).
        path: Where in the payload: ``"$"`` for the whole payload,
            ``"$.user.name"`` for a field, ``"$[2].x"`` inside an array.

    Attributes:
        path: As given.
        message: ``"<path>: <problem>"``, e.g. ``"$.user.name: expected str, got int"``.
    """

    def __init__(self, problem: str, path: str = "$") -> None:
        super().__init__(problem, path)
        self.path = path
        self.message = f"{path}: {problem}"

    def __str__(self) -> str:
        return self.message

    def short(self, limit: int = 123) -> str:
        """Return the message cut to at most ``limit`` bytes of UTF-8.

        Suited to a WebSocket close reason, whose limit (the default) is 123
        bytes. The cut falls on a character boundary and adds no ellipsis;
        characters that UTF-8 cannot encode (lone surrogates) become ``?``.

        Args:
            limit: The largest number of UTF-8 bytes of the result; >= 0.

        Returns:
            A prefix of the message (exactly the message when it fits).

        Raises:
            ValueError: ``limit`` is negative.
        """
        if limit < 0:
            raise ValueError(f"limit must be >= 0, got {limit}")
        return self.message.encode("utf-8", "replace")[:limit].decode("utf-8", "ignore")


class EncodeError(TypeError):
    """An outgoing value that cannot be serialized.

    The message names the type of the value and what went wrong, e.g.
    ``"cannot encode object as JSON: Encoding objects of type object is unsupported"``
    (builtin types by their bare name, others with their module).
    """


# msgspec appends the location of a failure as " - at `$.a[0].b`".
_LOCATED = re.compile(r"(?P<text>.*) - at `(?P<path>\$[^`]*)`", re.DOTALL)
_MISSING_FIELD = re.compile(r"Object missing required field `(?P<field>.*)`", re.DOTALL)
_UNKNOWN_FIELD = re.compile(r"Object contains unknown field `(?P<field>.*)`", re.DOTALL)
_MALFORMED = re.compile(r"(?:JSON|MessagePack data) is malformed: (?P<detail>.*)", re.DOTALL)


def _as_phrase(text: str) -> str:
    text = text.replace("`", "")
    # Lower-case a capitalised first word ("Expected") but not an acronym ("UUID").
    if text[:1].isupper() and text[1:2].islower():
        return text[0].lower() + text[1:]
    return text


def _from_msgspec(text: str, data: str | bytes, format_name: str) -> DecodeError:
    path = "$"
    located = _LOCATED.fullmatch(text)
    if located is not None:
        text, path = located["text"], located["path"]
    if (match := _MISSING_FIELD.fullmatch(text)) is not None:
        return DecodeError("required field is missing", f"{path}.{match['field']}")
    if (match := _UNKNOWN_FIELD.fullmatch(text)) is not None:
        return DecodeError(f"unknown field {match['field']!r}", path)
    if (match := _MALFORMED.fullmatch(text)) is not None:
        return DecodeError(f"malformed {format_name}: {match['detail']}", path)
    if text == "Input data was truncated":
        return DecodeError("empty message" if not data else f"truncated {format_name}", path)
    return DecodeError(_as_phrase(text), path)


def decode_error_from(exc: Exception, data: str | bytes, format_name: str) -> DecodeError:
    """Translate a failure met while decoding ``data`` into a ``DecodeError``.

    Args:
        exc: What decoding raised: a ``msgspec.DecodeError`` (its subclass
            ``msgspec.ValidationError`` included), or a ``RecursionError``,
            ``UnicodeError``, ``ValueError``, ``TypeError`` or
            ``OverflowError`` from msgspec or from a model's ``__init__``.
        data: The payload that failed.
        format_name: ``"JSON"`` or ``"MessagePack"``, used in the message.

    Returns:
        The error to raise in its place (chain it with ``from exc``).
    """
    if isinstance(exc, msgspec.DecodeError):
        return _from_msgspec(str(exc), data, format_name)
    if isinstance(exc, RecursionError):
        return DecodeError("input is nested too deeply")
    if isinstance(exc, UnicodeError):
        return DecodeError("invalid UTF-8 in input")
    if isinstance(exc, TypeError) and isinstance(data, str) and format_name == "MessagePack":
        return DecodeError("MessagePack payload must be bytes, got str")
    return DecodeError(f"invalid value: {_as_phrase(str(exc)) or type(exc).__name__}")


def encode_error_from(exc: Exception, value: object, format_name: str) -> EncodeError:
    """Translate a failure met while encoding ``value`` into an ``EncodeError``.

    Args:
        exc: What encoding raised (``TypeError``, ``ValueError``,
            ``OverflowError``, ``AttributeError``, ``UnicodeError``).
        value: The value that failed.
        format_name: ``"JSON"``, ``"MessagePack"`` or ``"text"``.

    Returns:
        The error to raise in its place (chain it with ``from exc``).
    """
    cls = type(value)
    name = (
        cls.__qualname__ if cls.__module__ == "builtins" else f"{cls.__module__}.{cls.__qualname__}"
    )
    return EncodeError(f"cannot encode {name} as {format_name}: {exc}")
