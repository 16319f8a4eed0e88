"""The path compiler: route patterns parsed once, request paths matched by shape.

A pattern is a ``/``-separated path whose segments are either literal text or
one parameter spanning the whole segment: ``{name}`` (a ``str``) or
``{name:type}`` with type ``str``, ``int``, ``float``, ``uuid`` or ``path``. A
``path`` parameter takes the rest of the path, slashes included, and must come
last.

Matching is in two steps, so a bad value is reported as such rather than as an
unknown path: :meth:`RouteTable.match` finds the route by the path's shape
(literal segments equal, one non-empty segment per parameter), then
:meth:`PathPattern.convert` converts the captured strings. Static routes are one
dict lookup; parameterised routes live in a segment tree where literal segments
are tried before parameters.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from ws_core.conversion import TextConverter
from ws_core.exceptions import ConfigurationError

__all__ = [
    "PathParameter",
    "PathPattern",
    "RouteTable",
    "join_paths",
    "normalize_path",
    "parse_path",
]

T = TypeVar("T")

_PARAMETER = re.compile(r"\{(?P<name>[^{}:]*)(?::(?P<kind>[^{}]*))?\}")


def _to_str(raw: str) -> str:
    return raw


# Typed parameters are converted by the rule query parameters follow too.
_TYPES: dict[str, tuple[type, Callable[[str], Any]]] = {
    "str": (str, _to_str),
    "int": (int, TextConverter.of(int)),
    "float": (float, TextConverter.of(float)),
    "uuid": (uuid.UUID, TextConverter.of(uuid.UUID)),
    "path": (str, _to_str),
}


@dataclass(frozen=True, slots=True)
class PathParameter:
    """One typed parameter of a pattern.

    Attributes:
        name: The parameter's name (injected under it).
        kind: The type name written in the pattern (``"int"``, ``"path"``...).
        type: The Python type of converted values.
        index: The segment it occupies (``path``: the first segment it takes).
        convert: Turns the captured string into a value; raises ``ValueError``
            with a message for the client.
    """

    name: str
    kind: str
    type: type
    index: int
    convert: Callable[[str], Any]


@dataclass(frozen=True, slots=True)
class PathPattern:
    """A compiled route pattern.

    Attributes:
        path: The normalised pattern text.
        segments: Each segment: literal text or a :class:`PathParameter`.
        parameters: The parameters, in order.
        shape: The pattern with parameter names erased: two patterns with the
            same shape match the same paths.
    """

    path: str
    segments: tuple[str | PathParameter, ...]
    parameters: tuple[PathParameter, ...]
    shape: tuple[str, ...]

    @property
    def is_static(self) -> bool:
        """Whether the pattern has no parameter."""
        return not self.parameters

    def convert(self, raw: Mapping[str, str]) -> tuple[dict[str, Any], list[tuple[str, str]]]:
        """Convert captured strings; return the values and ``(name, message)`` errors."""
        values: dict[str, Any] = {}
        errors: list[tuple[str, str]] = []
        for parameter in self.parameters:
            try:
                values[parameter.name] = parameter.convert(raw[parameter.name])
            except ValueError as exc:
                errors.append((parameter.name, str(exc)))
        return values, errors


def normalize_path(path: str) -> str:
    """Return ``path`` with one leading slash, no trailing slash and no empty segments."""
    stripped = "/".join(segment for segment in path.split("/") if segment)
    return "/" + stripped


def join_paths(*parts: str) -> str:
    """Join a router prefix and a handler path into one normalised path."""
    return normalize_path("/".join(parts))


def parse_path(path: str, owner: str) -> PathPattern:
    """Compile a route pattern.

    Args:
        path: The pattern, e.g. ``"/items/{id:int}"``.
        owner: Who declared it, for error messages.

    Raises:
        ConfigurationError: Unbalanced braces, a parameter not spanning a whole
            segment, an unknown type, a repeated or non-identifier name, or a
            ``path`` parameter that is not last.
    """
    if not isinstance(path, str):
        raise ConfigurationError(f"{owner}: a path must be a str, got {path!r}")
    normalized = normalize_path(path)
    texts = normalized.strip("/").split("/") if normalized != "/" else []
    segments: list[str | PathParameter] = []
    shape: list[str] = []
    names: set[str] = set()
    for index, text in enumerate(texts):
        if "{" not in text and "}" not in text:
            segments.append(text)
            shape.append(text)
            continue
        found = _PARAMETER.fullmatch(text)
        if found is None:
            raise ConfigurationError(
                f"{owner}: invalid path {path!r}: segment {text!r} has unbalanced braces "
                "or a parameter that does not span the whole segment"
            )
        name, kind = found["name"].strip(), (found["kind"] or "str").strip()
        if not name.isidentifier():
            raise ConfigurationError(
                f"{owner}: invalid path {path!r}: parameter name {name!r} is not an identifier"
            )
        if name in names:
            raise ConfigurationError(f"{owner}: invalid path {path!r}: parameter {name!r} repeated")
        if kind not in _TYPES:
            known = ", ".join(sorted(_TYPES))
            raise ConfigurationError(
                f"{owner}: invalid path {path!r}: unknown parameter type {kind!r} (known: {known})"
            )
        if kind == "path" and index != len(texts) - 1:
            raise ConfigurationError(
                f"{owner}: invalid path {path!r}: a 'path' parameter must be the last segment"
            )
        names.add(name)
        python_type, convert = _TYPES[kind]
        segments.append(PathParameter(name, kind, python_type, index, convert))
        shape.append("{path}" if kind == "path" else "{}")
    parameters = tuple(s for s in segments if isinstance(s, PathParameter))
    return PathPattern(normalized, tuple(segments), parameters, tuple(shape))


@dataclass(slots=True)
class _Node(Generic[T]):
    literal: dict[str, _Node[T]] = field(default_factory=dict)
    parameter: _Node[T] | None = None
    target: tuple[PathPattern, T] | None = None
    rest: tuple[PathPattern, T] | None = None  # a trailing ``path`` parameter


class RouteTable(Generic[T]):
    """Patterns compiled into a lookup structure; each maps to a target."""

    def __init__(self) -> None:
        self._static: dict[str, tuple[PathPattern, T]] = {}
        self._root: _Node[T] = _Node()
        self._shapes: dict[tuple[str, ...], str] = {}

    def add(self, pattern: PathPattern, target: T, owner: str) -> None:
        """Register ``pattern``.

        Raises:
            ConfigurationError: A pattern of the same shape is already registered.
        """
        existing = self._shapes.get(pattern.shape)
        if existing is not None:
            raise ConfigurationError(
                f"{owner}: duplicate path {pattern.path!r}, "
                f"it matches the same paths as {existing!r}"
            )
        self._shapes[pattern.shape] = f"{pattern.path} ({owner})"
        if pattern.is_static:
            self._static[pattern.path] = (pattern, target)
            return
        node = self._root
        for segment in pattern.segments:
            if isinstance(segment, str):
                node = node.literal.setdefault(segment, _Node())
            elif segment.kind == "path":
                node.rest = (pattern, target)
                return
            else:
                if node.parameter is None:
                    node.parameter = _Node()
                node = node.parameter
        node.target = (pattern, target)

    def match(self, path: str) -> tuple[T, PathPattern, dict[str, str]] | None:
        """Find the route for a request path by shape.

        Returns:
            The target, its pattern and the captured (unconverted) parameter
            strings; ``None`` when no route has this shape.
        """
        stripped = path.strip("/")
        found = self._static.get("/" + stripped)
        if found is not None:
            return found[1], found[0], {}
        segments = stripped.split("/") if stripped else []
        found = _find(self._root, segments, 0)
        if found is None:
            return None
        pattern, target = found
        raw: dict[str, str] = {}
        for parameter in pattern.parameters:
            if parameter.kind == "path":
                raw[parameter.name] = "/".join(segments[parameter.index :])
            else:
                raw[parameter.name] = segments[parameter.index]
        return target, pattern, raw


def _find(node: _Node[T], segments: list[str], index: int) -> tuple[PathPattern, T] | None:
    if index == len(segments):
        return node.target
    segment = segments[index]
    child = node.literal.get(segment)
    if child is not None:
        found = _find(child, segments, index + 1)
        if found is not None:
            return found
    if node.parameter is not None and segment:
        found = _find(node.parameter, segments, index + 1)
        if found is not None:
            return found
    return node.rest
