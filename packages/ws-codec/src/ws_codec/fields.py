"""Naming a missing or unknown object field by reading the payload again.

msgspec reports a missing required field, or an unknown one on a Struct
that forbids them, at the object that holds it. To put the field itself in a
``DecodeError`` without reading msgspec's words, the failed payload is decoded
again without a type, the object at the reported path is found in it and in
the type (through ``msgspec.inspect``), and its keys are compared with the
type's fields. This runs only after a decode has failed, never per message.
"""

import re
from collections.abc import Callable
from typing import Any

import msgspec
from msgspec import inspect as mi

__all__ = ["FieldCheck", "field_checker"]

FieldCheck = Callable[[str, str | bytes], tuple[str, str] | None]
"""``check(path, payload) -> (problem, path) | None``."""

_STEP = re.compile(r"\.(?P<name>[^.\[]+)|\[(?P<index>\d+)\]")
_ObjectType = mi.StructType | mi.DataclassType | mi.TypedDictType
_OBJECT_TYPES = (mi.StructType, mi.DataclassType, mi.TypedDictType)
_ITEM_TYPES = (mi.ListType, mi.SetType, mi.FrozenSetType, mi.VarTupleType)


def _steps(path: str) -> list[str | int] | None:
    """``"$.a[0].b"`` -> ``["a", 0, "b"]``; ``None`` for any other shape."""
    steps: list[str | int] = []
    position = 1
    while position < len(path):
        match = _STEP.match(path, position)
        if match is None:
            return None
        name = match["name"]
        steps.append(name if name is not None else int(match["index"]))
        position = match.end()
    return steps if path.startswith("$") else None


def _unwrap(info: mi.Type) -> mi.Type | None:
    while isinstance(info, mi.Metadata):
        info = info.type
    if isinstance(info, mi.UnionType):
        # An optional model (Model | None) is followed; any other union is not.
        members = [t for t in info.types if not isinstance(t, mi.NoneType)]
        return _unwrap(members[0]) if len(members) == 1 else None
    return info


def _child_type(info: mi.Type, step: str | int) -> mi.Type | None:
    if isinstance(step, int):
        if isinstance(info, _ITEM_TYPES):
            return info.item_type
        if isinstance(info, mi.TupleType) and step < len(info.item_types):
            return info.item_types[step]
        if isinstance(info, mi.NamedTupleType) and step < len(info.fields):
            return info.fields[step].type
        return None
    if isinstance(info, _OBJECT_TYPES):
        return next((f.type for f in info.fields if f.encode_name == step), None)
    return None


def _child_value(value: Any, step: str | int) -> Any:
    if isinstance(step, int):
        return value[step] if isinstance(value, list) and step < len(value) else None
    return value.get(step) if isinstance(value, dict) else None


def _compare(info: _ObjectType, value: dict[Any, Any], path: str) -> tuple[str, str] | None:
    for field in info.fields:
        if field.required and field.encode_name not in value:
            return "required field is missing", f"{path}.{field.encode_name}"
    if isinstance(info, mi.StructType) and info.forbid_unknown_fields:
        known = {f.encode_name for f in info.fields} | {info.tag_field}
        for key in value:
            if key not in known:
                return f"unknown field {key!r}", path
    return None


def field_checker(wire_type: Any, protocol: str) -> FieldCheck:
    """Build the check for payloads of ``wire_type`` (the type msgspec decodes).

    Args:
        wire_type: The annotation the decoder was built for.
        protocol: ``"json"`` or ``"msgpack"``.

    Returns:
        ``check(path, payload)``: for a failure msgspec reported at ``path``,
        ``("required field is missing", "<path>.<field>")`` or
        ``("unknown field '<key>'", path)`` when the object at ``path`` lacks
        a required field or has one its Struct forbids; else ``None``. The
        type is inspected on the first call only.
    """
    decode: Callable[[Any], Any] = (
        msgspec.json.decode if protocol == "json" else msgspec.msgpack.decode
    )
    root: list[mi.Type] = []

    def check(path: str, payload: str | bytes) -> tuple[str, str] | None:
        steps = _steps(path)
        if steps is None:
            return None
        if not root:
            root.append(mi.type_info(wire_type))
        info = _unwrap(root[0])
        for step in steps:
            child = None if info is None else _child_type(info, step)
            info = None if child is None else _unwrap(child)
        if not isinstance(info, _OBJECT_TYPES):
            return None
        # Only now is the payload worth reading again.
        try:
            value = decode(payload)
        except (msgspec.DecodeError, RecursionError, ValueError, TypeError):
            return None
        for step in steps:
            value = _child_value(value, step)
        return _compare(info, value, path) if isinstance(value, dict) else None

    return check
