"""Reading the models a DTO can shape: dataclasses, attrs classes and msgspec Structs.

Everything here runs while a DTO codec is built, never per message. attrs is
never imported: attrs classes are recognised by their ``__attrs_attrs__``
attribute, and msgspec, which supports them natively, reads their fields.
"""

import dataclasses
import inspect
import typing
from typing import Any

import msgspec

from .errors import CodecConfigurationError

__all__ = ["InitParameter", "ModelField", "ModelInfo", "is_model", "read_model"]


@dataclasses.dataclass(frozen=True, slots=True)
class ModelField:
    """One field of a model.

    Attributes:
        name: The attribute name.
        annotation: The resolved type hint (``Annotated`` metadata kept).
        encode_name: The name msgspec gives the field on the wire without a
            DTO (differs from ``name`` for Structs declared with ``rename``).
        default: The default value, or ``msgspec.NODEFAULT``.
        default_factory: The default factory, or ``msgspec.NODEFAULT``.
    """

    name: str
    annotation: Any
    encode_name: str
    default: Any
    default_factory: Any


@dataclasses.dataclass(frozen=True, slots=True)
class InitParameter:
    """One parameter of a model's ``__init__``, in signature order.

    Attributes:
        name: The parameter name (an attrs alias for ``_private`` fields).
        field: The name of the field it sets, or ``None`` (a dataclass ``InitVar``).
        keyword_only: Whether it can only be passed by keyword.
        required: Whether it has no default.
    """

    name: str
    field: str | None
    keyword_only: bool
    required: bool


@dataclasses.dataclass(frozen=True, slots=True)
class ModelInfo:
    """What a DTO needs to know about a model class.

    Attributes:
        cls: The model class.
        fields: Its fields, in declaration order.
        parameters: Its ``__init__`` parameters, in signature order.
        forbid_unknown_fields: A Struct declared with ``forbid_unknown_fields``.
        tag_field: The tag field of a tagged Struct, else ``None``.
        tag: The tag value of a tagged Struct, else ``None``.
    """

    cls: type[Any]
    fields: tuple[ModelField, ...]
    parameters: tuple[InitParameter, ...]
    forbid_unknown_fields: bool
    tag_field: str | None
    tag: str | int | None


def is_model(annotation: object) -> bool:
    """Return whether ``annotation`` is a class a DTO can shape.

    Args:
        annotation: Any type annotation.

    Returns:
        True for dataclasses, attrs classes and ``msgspec.Struct`` subclasses.
    """
    return isinstance(annotation, type) and (
        issubclass(annotation, msgspec.Struct)
        or dataclasses.is_dataclass(annotation)
        or hasattr(annotation, "__attrs_attrs__")
    )


def read_model(cls: type[Any]) -> ModelInfo:
    """Read the fields and constructor of a model class.

    Args:
        cls: A class for which ``is_model`` is true.

    Returns:
        Its description.

    Raises:
        CodecConfigurationError: Its annotations cannot be resolved or msgspec
            does not support one of its field types.
    """
    try:
        info = msgspec.inspect.type_info(cls)
        hints = typing.get_type_hints(cls, include_extras=True)
        signature = inspect.signature(cls)
    except (TypeError, ValueError, NameError) as exc:
        raise CodecConfigurationError(f"cannot read the fields of {cls!r}: {exc}") from exc
    if not isinstance(info, msgspec.inspect.StructType | msgspec.inspect.DataclassType):
        raise CodecConfigurationError(f"{cls!r} is not a dataclass, attrs class or msgspec.Struct")
    fields = tuple(
        ModelField(f.name, hints[f.name], f.encode_name, f.default, f.default_factory)
        for f in info.fields
    )
    # attrs strips the leading underscore of private attributes in __init__.
    aliases = {
        a.name: getattr(a, "alias", None) or a.name.lstrip("_")
        for a in getattr(cls, "__attrs_attrs__", ())
    }
    field_of_parameter = {aliases.get(f.name, f.name): f.name for f in fields}
    parameters = tuple(
        InitParameter(
            name=p.name,
            field=field_of_parameter.get(p.name),
            keyword_only=p.kind is inspect.Parameter.KEYWORD_ONLY,
            required=p.default is inspect.Parameter.empty,
        )
        for p in signature.parameters.values()
        if p.kind not in (inspect.Parameter.VAR_POSITIONAL, inspect.Parameter.VAR_KEYWORD)
    )
    if isinstance(info, msgspec.inspect.StructType):
        return ModelInfo(
            cls, fields, parameters, info.forbid_unknown_fields, info.tag_field, info.tag
        )
    return ModelInfo(cls, fields, parameters, False, None, None)
