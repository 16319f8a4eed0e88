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

from .fields import FieldCheck

__all__ = [
    "CodecConfigurationError",
    "DecodeError",
    "EncodeError",
    "decode_failure",
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


class DecodeError(msgspec.DecodeError):
    """An incoming payload that is malformed or does not validate.

    ``str(error)`` is ``error.message``. It is a ``msgspec.DecodeError`` (so a
    ``ValueError``), the class the JSON helpers of ``ws_core.WebSocket`` raise
    too: an exception handler registered for ``msgspec.DecodeError`` sees every
    invalid message, one for ``DecodeError`` those a ws_codec decoder rejected.

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


# msgspec ends the message of a located failure with " - at `$.a[0].b`".
_LOCATION = re.compile(r" - at `(?P<path>\$[^`]*)`\Z")


def _as_phrase(text: str) -> str:
    """Turn msgspec's text into the problem part of ours, whatever its wording.

    Its Markdown backticks go and a capitalised first word is lower-cased
    (an acronym such as "UUID" is kept), so it reads as the rest of a
    ``"<path>: <problem>"`` message.
    """
    text = text.replace("`", "")
    if text[:1].isupper() and text[1:2].islower():
        return text[0].lower() + text[1:]
    return text


def _raised_below(exc: BaseException) -> bool:
    """Whether Python code ran between the frame that caught ``exc`` and its origin.

    msgspec is written in C: what it raises itself carries no Python frame
    beyond the one that called it, while an exception from a model's
    ``__post_init__`` (or any other Python code msgspec calls) does.
    """
    tb = exc.__traceback__
    return tb is not None and tb.tb_next is not None


def _invalid_utf8(data: str | bytes) -> bool:
    if isinstance(data, str):
        return False
    try:
        data.decode()
    except UnicodeDecodeError:
        return True
    return False


def decode_failure(
    exc: Exception, data: str | bytes, format_name: str, check: FieldCheck
) -> Exception:
    """Sort out a failure of msgspec's decoder: the peer's fault, or the model's.

    Only what msgspec itself finds wrong with the payload is the peer's fault
    and becomes a ``DecodeError`` (chained to ``exc``). What model code raised
    while msgspec ran it (a ``__post_init__``, an attrs validator) is returned
    as it was raised: the original exception when msgspec wrapped it in a
    ``ValidationError`` (it does so for ``ValueError`` and ``TypeError`` and
    keeps the original as ``__cause__``, in every release from 0.19 on), or
    ``exc`` itself. The classification never reads msgspec's wording.

    Must be called in the ``except`` block that caught ``exc`` from one call
    of a msgspec ``decode``, so that ``exc.__traceback__`` starts at that call.

    Args:
        exc: What the decode call raised.
        data: The payload that failed.
        format_name: ``"JSON"`` or ``"MessagePack"``, used in the message.
        check: Names the missing or unknown field of an object msgspec
            rejected (``fields.field_checker`` of the decoded type).

    Returns:
        The exception to raise in its place.
    """
    if isinstance(exc, msgspec.ValidationError) and isinstance(exc.__cause__, Exception):
        return exc.__cause__
    if _raised_below(exc):
        return exc
    error = _peer_error(exc, data, format_name, check)
    if error is None:
        return exc
    error.__cause__ = exc
    return error


def _peer_error(
    exc: Exception, data: str | bytes, format_name: str, check: FieldCheck
) -> DecodeError | None:
    if not data:
        return DecodeError("empty message")
    if isinstance(exc, RecursionError):
        return DecodeError("input is nested too deeply")
    if isinstance(exc, UnicodeError) or (format_name == "JSON" and _invalid_utf8(data)):
        return DecodeError("invalid UTF-8 in input")
    if isinstance(exc, msgspec.ValidationError):
        text, path = str(exc), "$"
        if (located := _LOCATION.search(text)) is not None:
            text, path = text[: located.start()], located["path"]
        if (field := check(path, data)) is not None:
            return DecodeError(*field)
        return DecodeError(_as_phrase(text), path)
    if isinstance(exc, msgspec.DecodeError):
        return DecodeError(f"malformed {format_name}")
    if isinstance(exc, TypeError) and isinstance(data, str) and format_name == "MessagePack":
        return DecodeError("MessagePack payload must be bytes, got str")
    return None


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
