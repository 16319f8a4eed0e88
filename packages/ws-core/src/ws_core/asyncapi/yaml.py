"""A YAML emitter for JSON data, so that ws-core needs no YAML library.

:func:`to_yaml` writes dicts (string keys), lists, strings, integers, floats,
booleans and ``None`` in block style, and reads back as the same data under
YAML 1.2 (js-yaml, the AsyncAPI tools) and YAML 1.1 (PyYAML) alike. A string
is written plain only when it cannot be read as anything else under either
version (it starts with a letter, holds only letters, digits and ``_ . / -``
plus single inner spaces, and is no ``yes``/``no``/``on``/``off``/``null``...);
every other one is double-quoted, with escapes for what YAML would not keep
as it is: characters outside YAML's printable set, the line breaks YAML 1.1
adds (next line, line and paragraph separators) and the byte order mark.
Empty collections are ``{}`` and ``[]``.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator
from typing import Any

__all__ = ["to_yaml"]

_PLAIN = re.compile(r"[A-Za-z][A-Za-z0-9_./-]*(?: [A-Za-z0-9_./-]+)*")
# Words YAML 1.1 or 1.2 read as booleans or null, whatever their case.
_RESERVED = frozenset({"y", "n", "yes", "no", "on", "off", "true", "false", "null"})
_ESCAPES = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\t": "\\t", "\r": "\\r"}
_INDENT = "  "


def to_yaml(data: Any) -> str:
    """Return ``data`` as a YAML document (text ending with a newline).

    Raises:
        TypeError: ``data`` holds something other than JSON data (a key that
            is not a string, a set, an object...).
        ValueError: A float is not finite (JSON has no such value).
    """
    if isinstance(data, dict | list) and data:
        return "".join(line + "\n" for line in _block(data, 0))
    return _scalar(data) + "\n"


def _block(data: dict[str, Any] | list[Any], depth: int) -> Iterator[str]:
    """The lines of a non-empty collection, indented ``depth`` levels."""
    indent = _INDENT * depth
    items = data.items() if isinstance(data, dict) else ((None, item) for item in data)
    for key, value in items:
        if key is None:
            lead = f"{indent}- "
        elif isinstance(key, str):
            lead = f"{indent}{_string(key)}: "
        else:
            raise TypeError(f"YAML keys must be strings here, got {key!r}")
        if not (isinstance(value, dict | list) and value):
            yield lead + _scalar(value)
        elif key is None:
            # A collection in a list starts on the dash's line, indented one level deeper.
            lines = _block(value, depth + 1)
            yield lead + next(lines)[len(indent) + len(_INDENT) :]
            yield from lines
        else:
            yield lead.rstrip()
            yield from _block(value, depth + 1)


def _scalar(value: Any) -> str:
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return _float(value)
    if isinstance(value, str):
        return _string(value)
    if isinstance(value, dict | list) and not value:
        return "{}" if isinstance(value, dict) else "[]"
    raise TypeError(f"cannot write {value!r} as YAML: not JSON data")


def _float(value: float) -> str:
    if not math.isfinite(value):
        raise ValueError(f"cannot write {value!r}: JSON data has no such number")
    text = repr(value)
    if "." not in text:  # YAML 1.1 reads 1e+20 as a string: write 1.0e+20
        mantissa, e, exponent = text.partition("e")
        text = f"{mantissa}.0{e}{exponent}"
    return text


def _string(text: str) -> str:
    if _PLAIN.fullmatch(text) and text.lower() not in _RESERVED:
        return text
    return '"' + "".join(_escaped(char) for char in text) + '"'


def _escaped(char: str) -> str:
    escape = _ESCAPES.get(char)
    if escape is not None:
        return escape
    code = ord(char)
    if 0xD800 <= code <= 0xDFFF:
        raise ValueError(f"cannot write a lone surrogate {char!r} as YAML")
    if _printable(code) and code not in (0x85, 0x2028, 0x2029, 0xFEFF):
        return char
    return f"\\u{code:04x}"  # every character outside the printable set is below 0x10000


def _printable(code: int) -> bool:
    """Whether YAML allows the character as it is in a stream (its c-printable)."""
    return (
        0x20 <= code <= 0x7E
        or code == 0x85
        or 0xA0 <= code <= 0xD7FF
        or 0xE000 <= code <= 0xFFFD
        or code >= 0x10000
    )
