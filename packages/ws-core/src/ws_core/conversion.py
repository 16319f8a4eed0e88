"""Turning the strings of a request (path segments, query values) into typed values.

Path and query parameters follow one rule, built once per parameter: the text
is converted to the annotation with ``msgspec.convert(..., strict=False)``
(``"1"`` becomes ``1``, ``"true"`` becomes ``True``; ``Annotated`` constraints
such as ``msgspec.Meta(ge=1)`` apply), a ``float`` or ``Decimal`` must be
finite (``nan``, ``inf`` and ``1e999`` are refused), and a failure is reported
in ws-core's own words, naming what was expected (``"expected an integer >= 1,
got 'x'"``), never in the wording of msgspec or of Python's ``int()``. To accept
non-finite numbers, take the parameter as ``str`` and convert it yourself.
"""

from __future__ import annotations

import math
import types
import typing
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Annotated, Any

import msgspec

__all__ = ["TextConverter"]

_SEQUENCES = (
    msgspec.inspect.ListType,
    msgspec.inspect.SetType,
    msgspec.inspect.FrozenSetType,
    msgspec.inspect.VarTupleType,
)
_CONVERSION_FAILURES = (msgspec.ValidationError, ValueError, TypeError, OverflowError)
_SHOWN_CHARACTERS = 32  # of a bad value, echoed back in the error


@dataclass(frozen=True, slots=True)
class TextConverter:
    """Converts request text to one annotation; built once, called per connection.

    Attributes:
        target: The annotation converted to (``Annotated`` constraints kept).
        expected: What a valid value is, in words (``"an integer >= 1"``).
        many: Whether the annotation is a sequence taking every value of a
            repeated query key (``list[int]``...).
        nullable: Whether ``None`` is a valid value (an optional annotation).
    """

    target: Any
    expected: str
    many: bool
    nullable: bool
    _item: TextConverter | None = None

    @classmethod
    def of(cls, target: Any) -> TextConverter:
        """Build the converter for ``target``.

        Raises:
            TypeError: ``target`` cannot be read from text (an arbitrary class,
                bytes, a mapping...); the message says what it is.
        """
        info = msgspec.inspect.type_info(target)
        members = info.types if isinstance(info, msgspec.inspect.UnionType) else (info,)
        nullable = any(isinstance(member, msgspec.inspect.NoneType) for member in members)
        if any(isinstance(member, _SEQUENCES) for member in members):
            item = cls.of(_item_annotation(target))
            return cls(target, f"values each {item.expected}", True, nullable, item)
        expected = " or ".join(text for text in map(_describe, members) if text)
        return cls(target, expected, False, nullable)

    def __call__(self, raw: str | Sequence[str]) -> Any:
        """Convert ``raw`` (a list of values when :attr:`many`).

        Raises:
            ValueError: ``raw`` is not a valid value; the message says what was expected.
        """
        if self._item is not None:
            item = self._item
            values = [item.convert_one(value, f"item {n}: ") for n, value in enumerate(raw, 1)]
            return self.convert_one(values, "")
        assert isinstance(raw, str)
        return self.convert_one(raw, "")

    def convert_one(self, raw: Any, where: str) -> Any:
        """Convert one value; ``where`` starts the error message (``"item 2: "``)."""
        try:
            value = msgspec.convert(raw, self.target, strict=False)
        except _CONVERSION_FAILURES:
            raise ValueError(f"{where}expected {self.expected}{_got(raw)}") from None
        if isinstance(value, float | Decimal) and not _finite(value):
            raise ValueError(f"{where}expected {self.expected}{_got(raw)}")
        return value


def _finite(value: float | Decimal) -> bool:
    return value.is_finite() if isinstance(value, Decimal) else math.isfinite(value)


def _got(raw: Any) -> str:
    if not isinstance(raw, str):
        return ""
    shown = raw if len(raw) <= _SHOWN_CHARACTERS else raw[:_SHOWN_CHARACTERS] + "…"
    return f", got {shown!r}"


def _item_annotation(target: Any) -> Any:
    """The item annotation of a sequence annotation (``Annotated`` and ``None`` seen through)."""
    origin = typing.get_origin(target)
    if origin is Annotated:
        return _item_annotation(typing.get_args(target)[0])
    if origin is typing.Union or origin is types.UnionType:
        (sequence,) = [arg for arg in typing.get_args(target) if arg is not type(None)]
        return _item_annotation(sequence)
    return typing.get_args(target)[0]


_CONSTRAINTS = (
    ("ge", ">= {}"),
    ("gt", "> {}"),
    ("le", "<= {}"),
    ("lt", "< {}"),
    ("multiple_of", "a multiple of {}"),
    ("min_length", "of at least {} characters"),
    ("max_length", "of at most {} characters"),
    ("pattern", "matching {!r}"),
)


def _constraints(info: msgspec.inspect.Type) -> list[str]:
    """The ``msgspec.Meta`` constraints of ``info``, in words."""
    found = ((template, getattr(info, name, None)) for name, template in _CONSTRAINTS)
    return [template.format(value) for template, value in found if value is not None]


_NAMES: dict[type, str] = {
    msgspec.inspect.StrType: "a string",
    msgspec.inspect.IntType: "an integer",
    msgspec.inspect.FloatType: "a finite number",
    msgspec.inspect.DecimalType: "a finite decimal number",
    msgspec.inspect.BoolType: "true or false",
    msgspec.inspect.UUIDType: "a UUID",
    msgspec.inspect.DateTimeType: "an ISO 8601 date and time",
    msgspec.inspect.DateType: "an ISO 8601 date",
    msgspec.inspect.TimeType: "an ISO 8601 time",
    msgspec.inspect.TimeDeltaType: "an ISO 8601 duration",
    msgspec.inspect.AnyType: "any value",
}


def _describe(info: msgspec.inspect.Type) -> str:
    """``info`` in words; empty for ``None`` (an optional parameter's other member)."""
    if isinstance(info, msgspec.inspect.NoneType):
        return ""
    if isinstance(info, msgspec.inspect.LiteralType):
        return "one of " + ", ".join(repr(value) for value in info.values)
    if isinstance(info, msgspec.inspect.EnumType):
        return "one of " + ", ".join(repr(member.value) for member in info.cls)
    name = _NAMES.get(type(info))
    if name is None:
        kind = type(info).__name__.removesuffix("Type").lower()
        raise TypeError(f"{kind} values have no text form")
    constraints = _constraints(info)
    return f"{name} {' and '.join(constraints)}" if constraints else name
