"""Handlers' JSON schemas gathered into one document, in AsyncAPI's schema dialect.

A handler hands over a schema as ``ws_codec.schema_for`` writes it (draft
2020-12, nested models under ``$defs``, draft 07's ``definitions`` accepted
too). :class:`SchemaComponents` moves those models into the document's
``components.schemas``, one entry per distinct model, and rewrites every
reference to point there. AsyncAPI's Schema Object extends draft 07, so two
things are respelled on the way:

- ``prefixItems`` (a tuple's items) becomes draft 07's ``items`` array, and
  the ``items`` beside it (what follows the tuple) ``additionalItems``;
- a tagged union, an ``anyOf`` with an OpenAPI-style ``discriminator``
  object, becomes a ``oneOf`` (the tags are distinct, so exactly one
  alternative matches) with AsyncAPI's ``discriminator``: the tag
  property's name.

Everything else is copied as it is; the walk knows which keywords hold
schemas, so a property named ``$ref`` stays a property.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from typing import Any

from ws_core.asyncapi.names import UniqueNames

__all__ = ["SchemaComponents"]

_LOCAL_PREFIXES = ("#/$defs/", "#/definitions/")
_COMPONENT_PREFIX = "#/components/schemas/"

# Keywords whose value is one schema, a list of schemas, or schemas by name.
_ONE = frozenset(
    {
        "items",
        "additionalItems",
        "additionalProperties",
        "not",
        "contains",
        "propertyNames",
        "if",
        "then",
        "else",
        "unevaluatedItems",
        "unevaluatedProperties",
    }
)
_LIST = frozenset({"prefixItems", "allOf", "anyOf", "oneOf"})
_MAP = frozenset({"properties", "patternProperties", "dependentSchemas"})
_DEFINITIONS = ("$defs", "definitions")


class SchemaComponents:
    """The ``components.schemas`` of one document, filled schema after schema.

    A model is identified by its name and its schema together with the
    schemas of every model it refers to: the same model reached from two
    routes is stored once; two different models of the same name get
    ``Name`` and ``Name_2`` (in the order they are met, so the same App always
    gets the same names).

    Attributes:
        schemas: Component name to translated schema, in the order first met.
    """

    def __init__(self) -> None:
        self.schemas: dict[str, Any] = {}
        self._names = UniqueNames()
        self._known: dict[str, str] = {}  # identity of a model -> its component name

    def add(self, schema: Mapping[str, Any]) -> dict[str, Any]:
        """Translate ``schema``, move its models into :attr:`schemas`, return the rest.

        Raises:
            ValueError: ``schema`` refers to a model it does not define, or
                holds a local reference other than to its own models.
        """
        definitions: dict[str, Any] = {}
        for keyword in _DEFINITIONS:
            definitions.update(schema.get(keyword) or {})
        body = {key: value for key, value in schema.items() if key not in _DEFINITIONS}
        names: dict[str, str] = {}
        new: list[str] = []
        for local in definitions:
            identity = _identity(local, definitions)
            name = self._known.get(identity)
            if name is None:
                name = self._known[identity] = self._names.claim(local)
                new.append(local)
            names[local] = name
        for local in new:
            self.schemas[names[local]] = _translate(definitions[local], names)
        return _translate(body, names)  # type: ignore[no-any-return]


def _identity(local: str, definitions: Mapping[str, Any]) -> str:
    """The model ``local`` and every model it reaches, as one canonical text."""
    reached: dict[str, Any] = {}
    todo = [local]
    while todo:
        name = todo.pop()
        if name in reached:
            continue
        if name not in definitions:
            raise ValueError(f"the schema refers to {name!r}, which it does not define")
        reached[name] = definitions[name]
        todo.extend(_references(definitions[name]))
    return json.dumps([local, reached], sort_keys=True, separators=(",", ":"))


def _references(schema: Any) -> Iterator[str]:
    """The local model names ``schema`` refers to, at any depth."""
    if not isinstance(schema, Mapping):
        return
    reference = schema.get("$ref")
    if isinstance(reference, str):
        yield _local_name(reference)
    for keyword, value in schema.items():
        if keyword in _ONE:
            yield from _references(value)
        elif keyword in _LIST and isinstance(value, list):
            for item in value:
                yield from _references(item)
        elif keyword in _MAP and isinstance(value, Mapping):
            for item in value.values():
                yield from _references(item)


def _local_name(reference: str) -> str:
    for prefix in _LOCAL_PREFIXES:
        if reference.startswith(prefix):
            return reference[len(prefix) :]
    raise ValueError(
        f"cannot place the reference {reference!r} in the document: a handler's schema "
        "may refer only to its own models, under '$defs'"
    )


def _component_name(reference: str, names: Mapping[str, str]) -> str:
    local = _local_name(reference)
    if local not in names:
        raise ValueError(f"the schema refers to {local!r}, which it does not define")
    return names[local]


def _translate(schema: Any, names: Mapping[str, str]) -> Any:
    """``schema`` in AsyncAPI's dialect, references pointing at the components."""
    if not isinstance(schema, Mapping):
        return _copy(schema)  # true / false: any value / no value
    tagged = isinstance(schema.get("discriminator"), Mapping) and "anyOf" in schema
    tuple_items = "prefixItems" in schema
    out: dict[str, Any] = {}
    for keyword, value in schema.items():
        if keyword == "$ref" and isinstance(value, str):
            out[keyword] = _COMPONENT_PREFIX + _component_name(value, names)
        elif keyword == "prefixItems" and isinstance(value, list):
            out["items"] = [_translate(item, names) for item in value]
        elif keyword == "items" and tuple_items:
            out["additionalItems"] = _translate(value, names)
        elif keyword == "anyOf" and tagged and isinstance(value, list):
            out["oneOf"] = [_translate(item, names) for item in value]
        elif keyword == "discriminator" and tagged:
            out[keyword] = value["propertyName"]
        elif keyword in _ONE:
            out[keyword] = _translate(value, names)
        elif keyword in _LIST and isinstance(value, list):
            out[keyword] = [_translate(item, names) for item in value]
        elif keyword in _MAP and isinstance(value, Mapping):
            out[keyword] = {key: _translate(item, names) for key, item in value.items()}
        else:
            out[keyword] = _copy(value)
    return out


def _copy(value: Any) -> Any:
    """A copy of JSON data, so the document shares nothing with the handlers."""
    if isinstance(value, Mapping):
        return {key: _copy(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_copy(item) for item in value]
    return value
