"""Compiling a DTO into msgspec transfer Structs and converters.

For one ``(DTO, annotation, direction)`` the compiler walks the annotation.
Each model it meets (the DTO's model at the top, nested models below it, down
to ``max_nested_depth``) becomes a transfer Struct made with
``msgspec.defstruct``: the model's fields that are on the wire, under their
Python names, renamed to their wire names. msgspec decodes and validates into
the transfer Struct, or encodes from it; the converters built here move
values between transfer and model instances using precomputed field lists,
so nothing is introspected per message.

* decode: the transfer Struct is keyword-only and carries the model's
  defaults (``UNSET`` for every field when partial).

  - A Struct model with every field on the wire and no nested conversion is
    *adopted*: its transfer Struct is a subclass of the model that redeclares
    the fields under their wire names and so shares the model's memory
    layout. A decoded transfer becomes a model instance by reassigning its
    ``__class__`` (CPython allows that between layout-compatible classes),
    which costs far less than building a second object. msgspec has already
    run the model's ``__post_init__`` while decoding, as it does without a DTO.
  - Any other model is *rebuilt*: the transfer Struct's fields are ordered
    like the model's ``__init__`` arguments, so the model is built with
    ``Model(*msgspec.structs.astuple(transfer))`` (keywords for what cannot
    go positionally), which runs its ``__init__``.
* encode: the transfer Struct has no defaults and is built positionally from
  the model's attributes (``msgspec.structs.astuple`` for an exact Struct
  model, ``operator.attrgetter`` otherwise).

Transfer instances live only while one message is converted and never take
part in a reference cycle, so the standalone ones are made with ``gc=False``
(cheaper to allocate). Codecs inline the two commonest conversions (adopting,
and flattening an exact model into its transfer) instead of calling
``Compiled.convert``; ``Compiled.adopt`` and ``Compiled.flatten`` say when
they apply.

Models are followed through ``Annotated``, optionals and unions, homogeneous
collections (``list``, ``tuple[X, ...]``, ``set``, ``frozenset``, their
``collections.abc`` counterparts) and mapping values. Models inside other
shapes (fixed-length tuples, TypedDicts, NamedTuples) are transferred as they
are, without DTO shaping.
"""

import collections.abc
import dataclasses
import operator
import types
import typing
from collections.abc import Callable
from typing import Annotated, Any, Literal, TypeAlias

import msgspec
from msgspec import UNSET, UnsetType

from .dto import DTO
from .errors import CodecConfigurationError
from .models import InitParameter, ModelField, ModelInfo, is_model, read_model
from .naming import rename

__all__ = ["Compiled", "Direction", "compile_dto"]

Direction: TypeAlias = Literal["decode", "encode"]
Convert: TypeAlias = Callable[[Any], Any]

_ARRAY_ORIGINS = frozenset(
    {
        list,
        set,
        frozenset,
        collections.abc.Sequence,
        collections.abc.MutableSequence,
        collections.abc.Collection,
        collections.abc.Set,
        collections.abc.MutableSet,
    }
)
_MAPPING_ORIGINS = frozenset({dict, collections.abc.Mapping, collections.abc.MutableMapping})
# What an array or a mapping value is at run time, on either side of a conversion.
_ARRAY_CLASSES = (list, tuple, set, frozenset)
_MAPPING_CLASSES = (collections.abc.Mapping,)
# Subscripted with types only known at run time, which static checkers reject.
_ANNOTATED: Any = Annotated
_UNION: Any = typing.Union


@dataclasses.dataclass(frozen=True, slots=True)
class Compiled:
    """An annotation as the DTO puts it on the wire.

    Attributes:
        wire_type: The annotation msgspec decodes or encodes (transfer Structs
            in place of models).
        convert: Wire value -> model value (decode) or model value -> wire
            value (encode); ``None`` when the two are the same.
        classes: The classes a value to convert can have at run time (used
            to pick a member of a union).
        adopt: Decode only: the model class a decoded wire value becomes by
            ``msgspec.structs.force_setattr(value, "__class__", adopt)``,
            which is then all that ``convert`` does; ``None`` otherwise.
        flatten: Encode only: ``(model, fields, transfer)`` such that a value
            whose class is exactly ``model`` converts as
            ``transfer(*fields(value))``; ``convert`` does the same and also
            handles every other value.
    """

    wire_type: Any
    convert: Convert | None
    classes: tuple[type[Any], ...] = ()
    adopt: type[Any] | None = None
    flatten: tuple[type[Any], Callable[[Any], tuple[Any, ...]], type[Any]] | None = None


@dataclasses.dataclass(frozen=True, slots=True)
class _WireField:
    field: ModelField
    path: str
    wire_name: str
    shape: Compiled


def _skip_unset(convert: Convert) -> Convert:
    def convert_present(value: Any) -> Any:
        return value if value is UNSET else convert(value)

    return convert_present


def _getter(names: tuple[str, ...]) -> Callable[[Any], tuple[Any, ...]]:
    if len(names) == 1:
        (name,) = names
        return lambda obj: (getattr(obj, name),)
    if not names:
        return lambda obj: ()
    getter: Callable[[Any], tuple[Any, ...]] = operator.attrgetter(*names)
    return getter


def _adopter(cls: type[Any]) -> Convert:
    """Transfer instance -> model, for a transfer Struct that subclasses ``cls``."""
    force_setattr = msgspec.structs.force_setattr

    def adopt(transfer: Any) -> Any:
        force_setattr(transfer, "__class__", cls)
        return transfer

    return adopt


def _fixed(values: tuple[Any, ...], fixups: tuple[tuple[int, Convert], ...]) -> list[Any]:
    """``values`` with the value at each fixup's index converted by it."""
    fixed = list(values)
    for index, convert in fixups:
        fixed[index] = convert(fixed[index])
    return fixed


def _model_builder(
    cls: type[Any],
    n_positional: int,
    keyword_names: tuple[str, ...],
    fixups: tuple[tuple[int, Convert], ...],
) -> Convert:
    """Transfer instance -> model; the transfer's fields are in call order."""
    astuple = msgspec.structs.astuple
    if not keyword_names and not fixups:

        def build_positional(transfer: Any) -> Any:
            return cls(*astuple(transfer))

        return build_positional

    def build(transfer: Any) -> Any:
        values = _fixed(astuple(transfer), fixups)
        if keyword_names:
            keywords = dict(zip(keyword_names, values[n_positional:], strict=True))
            return cls(*values[:n_positional], **keywords)
        return cls(*values)

    return build


def _transfer_shape(
    transfer_cls: type[Any],
    model: ModelInfo,
    names: tuple[str, ...],
    fixups: tuple[tuple[int, Convert], ...],
) -> Compiled:
    """Model instance -> transfer; ``names`` are the wire fields in model order."""
    get = _getter(names)
    classes = (model.cls,)
    if fixups:

        def from_attributes_converted(obj: Any) -> Any:
            return transfer_cls(*_fixed(get(obj), fixups))

        return Compiled(transfer_cls, from_attributes_converted, classes)
    if issubclass(model.cls, msgspec.Struct) and names == tuple(f.name for f in model.fields):
        # Every field goes on the wire: astuple is cheaper than attrgetter,
        # but only an instance of exactly the model has the same layout.
        astuple = msgspec.structs.astuple
        exact = model.cls

        def from_struct(obj: Any) -> Any:
            if obj.__class__ is exact:
                return transfer_cls(*astuple(obj))
            return transfer_cls(*get(obj))

        return Compiled(transfer_cls, from_struct, classes, flatten=(exact, astuple, transfer_cls))

    def from_attributes(obj: Any) -> Any:
        return transfer_cls(*get(obj))

    return Compiled(transfer_cls, from_attributes, classes, flatten=(model.cls, get, transfer_cls))


def _array_converter(convert: Convert, direction: Direction) -> Convert:
    if direction == "decode":
        # msgspec built the container the annotation asks for; rebuild the same kind.
        def convert_items(value: Any) -> Any:
            return value.__class__(map(convert, value))

        return convert_items

    def convert_to_list(value: Any) -> Any:
        return list(map(convert, value))

    return convert_to_list


def _mapping_converter(convert: Convert) -> Convert:
    def convert_values(value: Any) -> Any:
        return {key: convert(item) for key, item in value.items()}

    return convert_values


def _union_converter(members: tuple[Compiled, ...]) -> Convert:
    dispatch = tuple((m.classes, m.convert) for m in members if m.convert is not None)

    def convert_member(value: Any) -> Any:
        for classes, convert in dispatch:
            if isinstance(value, classes):
                return convert(value)
        return value

    return convert_member


class _Compiler:
    """One walk over one annotation for one DTO and direction."""

    def __init__(self, dto: type[DTO[Any]], model: type[Any], direction: Direction) -> None:
        self.dto = dto
        self.model = model
        self.config = dto.config
        self.direction: Direction = direction
        self.seen_paths: set[str] = set()

    def shape(self, annotation: Any, path: str, depth: int) -> Compiled | None:
        """Compile ``annotation``; ``None`` when it holds a model nested too deeply."""
        if is_model(annotation):
            if depth == 0 and annotation is not self.model:
                raise CodecConfigurationError(
                    f"{self.dto.__qualname__} shapes {self.model.__qualname__}, "
                    f"not {annotation.__qualname__}"
                )
            if depth > self.config.max_nested_depth:
                return None
            return self.model_shape(read_model(annotation), path, depth)
        origin, args = typing.get_origin(annotation), typing.get_args(annotation)
        if origin is Annotated:
            inner = self.shape(args[0], path, depth)
            if inner is None:
                return None
            if inner.convert is None:
                return Compiled(annotation, None)
            wire = _ANNOTATED[(inner.wire_type, *annotation.__metadata__)]
            return Compiled(wire, inner.convert, inner.classes)
        if origin is typing.Union or origin is types.UnionType:
            return self.union_shape(annotation, args, path, depth)
        if origin in _ARRAY_ORIGINS and len(args) == 1:
            return self.container_shape(annotation, origin, args, 0, path, depth)
        if origin is tuple and len(args) == 2 and args[1] is Ellipsis:
            return self.container_shape(annotation, tuple, args, 0, path, depth)
        if origin in _MAPPING_ORIGINS and len(args) == 2:
            return self.container_shape(annotation, origin, args, 1, path, depth)
        return Compiled(annotation, None)

    def union_shape(
        self, annotation: Any, args: tuple[Any, ...], path: str, depth: int
    ) -> Compiled | None:
        members = tuple(self.shape(arg, path, depth) for arg in args)
        if any(m is None for m in members):
            return None
        compiled = typing.cast(tuple[Compiled, ...], members)
        if all(m.convert is None for m in compiled):
            return Compiled(annotation, None)
        wire = _UNION[tuple(m.wire_type for m in compiled)]
        classes = tuple(c for m in compiled for c in m.classes)
        return Compiled(wire, _union_converter(compiled), classes)

    def container_shape(
        self,
        annotation: Any,
        origin: Any,
        args: tuple[Any, ...],
        item: int,
        path: str,
        depth: int,
    ) -> Compiled | None:
        inner = self.shape(args[item], path, depth)
        if inner is None:
            return None
        if inner.convert is None:
            return Compiled(annotation, None)
        wire_args = (*args[:item], inner.wire_type, *args[item + 1 :])
        wire = origin[wire_args[0] if len(wire_args) == 1 else wire_args]
        if item == 1:
            return Compiled(wire, _mapping_converter(inner.convert), _MAPPING_CLASSES)
        return Compiled(wire, _array_converter(inner.convert, self.direction), _ARRAY_CLASSES)

    def included(self, path: str) -> bool:
        config = self.config
        if path in config.exclude:
            return False
        include = config.include
        if include is None or path in include:
            return True
        parts = path.split(".")
        ancestors = (".".join(parts[:i]) for i in range(1, len(parts)))
        return any(p in include for p in ancestors) or any(
            p.startswith(path + ".") for p in include
        )

    def wire_fields(self, model: ModelInfo, prefix: str, depth: int) -> list[_WireField]:
        config = self.config
        fields: list[_WireField] = []
        for field in model.fields:
            path = f"{prefix}.{field.name}" if prefix else field.name
            self.seen_paths.add(path)
            if not self.included(path):
                continue
            shape = self.shape(field.annotation, path, depth + 1)
            if shape is None:
                continue
            if path in config.rename_fields:
                wire_name = config.rename_fields[path]
            elif config.rename_strategy is not None:
                wire_name = rename(field.name, config.rename_strategy)
            else:
                wire_name = field.encode_name
            fields.append(_WireField(field, path, wire_name, shape))
        names = [f.wire_name for f in fields]
        if model.tag_field is not None:
            names.append(model.tag_field)
        for name in names:
            if names.count(name) > 1:
                clashing = [f.path for f in fields if f.wire_name == name]
                raise CodecConfigurationError(
                    f"{self.dto.__qualname__}: fields {', '.join(clashing) or name!r} "
                    f"of {model.cls.__qualname__} share the wire name {name!r}"
                )
        return fields

    def transfer_struct(
        self,
        model: ModelInfo,
        prefix: str,
        fields: list[_WireField],
        *,
        decoding: bool,
        adopting: bool = False,
    ) -> type[Any]:
        """The msgspec Struct that carries ``fields`` on the wire.

        An adopting transfer subclasses the model (so it shares its layout and
        ``__post_init__``); every other one is standalone and not tracked by
        the garbage collector.
        """
        partial = self.config.partial
        specs: list[tuple[str, Any] | tuple[str, Any, Any]] = []
        for wired in fields:
            wire_type = wired.shape.wire_type
            if partial:
                specs.append((wired.field.name, wire_type | UnsetType, UNSET))
            elif decoding and wired.field.default_factory is not msgspec.NODEFAULT:
                factory = msgspec.field(default_factory=wired.field.default_factory)
                specs.append((wired.field.name, wire_type, factory))
            elif decoding and wired.field.default is not msgspec.NODEFAULT:
                specs.append((wired.field.name, wire_type, wired.field.default))
            else:
                specs.append((wired.field.name, wire_type))
        name = self.dto.__name__ + ("_" + prefix.replace(".", "_") if prefix else "")
        # A subclass inherits the model's options; array_like would change the wire.
        layout: dict[str, Any] = (
            {"bases": (model.cls,), "array_like": False} if adopting else {"gc": False}
        )
        try:
            return msgspec.defstruct(
                name,
                specs,
                **layout,
                module=self.dto.__module__,
                rename={f.field.name: f.wire_name for f in fields},
                kw_only=decoding,
                forbid_unknown_fields=model.forbid_unknown_fields,
                tag_field=model.tag_field,
                tag=model.tag,
            )
        except (TypeError, ValueError) as exc:
            raise CodecConfigurationError(
                f"{self.dto.__qualname__}: cannot build the wire type of "
                f"{model.cls.__qualname__}: {exc}"
            ) from exc

    def model_shape(self, model: ModelInfo, prefix: str, depth: int) -> Compiled:
        fields = self.wire_fields(model, prefix, depth)
        if self.direction == "decode":
            return self.decoding_shape(model, prefix, fields)
        transfer = self.transfer_struct(model, prefix, fields, decoding=False)
        names = tuple(f.field.name for f in fields)
        return _transfer_shape(transfer, model, names, self.fixups(fields))

    def fixups(self, fields: list[_WireField]) -> tuple[tuple[int, Convert], ...]:
        wrap = _skip_unset if self.config.partial else None
        return tuple(
            (index, wrap(f.shape.convert) if wrap else f.shape.convert)
            for index, f in enumerate(fields)
            if f.shape.convert is not None
        )

    def decoding_shape(self, model: ModelInfo, prefix: str, fields: list[_WireField]) -> Compiled:
        by_name = {f.field.name: f for f in fields}
        positional: list[_WireField] = []
        keyword: list[tuple[str, _WireField]] = []
        by_keyword = False
        for parameter in model.parameters:
            wired = by_name.pop(parameter.field, None) if parameter.field is not None else None
            if wired is None:
                if parameter.required:
                    raise CodecConfigurationError(self.unfilled(model, prefix, parameter))
                # Past a parameter left to its default, arguments can only go by keyword.
                by_keyword = True
            elif by_keyword or parameter.keyword_only:
                keyword.append((parameter.name, wired))
            else:
                positional.append(wired)
        if by_name:
            path = next(iter(by_name.values())).path
            raise CodecConfigurationError(
                f"{self.dto.__qualname__}: cannot decode field {path!r}: it is not an "
                f"__init__ parameter of {model.cls.__qualname__}; exclude it from the DTO"
            )
        ordered = positional + [wired for _, wired in keyword]
        fixups = self.fixups(ordered)
        every_field = len(ordered) == len(model.fields)
        if issubclass(model.cls, msgspec.Struct) and every_field and not fixups:
            transfer = self.transfer_struct(model, prefix, ordered, decoding=True, adopting=True)
            return Compiled(transfer, _adopter(model.cls), (transfer,), adopt=model.cls)
        transfer = self.transfer_struct(model, prefix, ordered, decoding=True)
        keyword_names = tuple(name for name, _ in keyword)
        build = _model_builder(model.cls, len(positional), keyword_names, fixups)
        return Compiled(transfer, build, (transfer,))

    def unfilled(self, model: ModelInfo, prefix: str, parameter: InitParameter) -> str:
        owner = f"{self.dto.__qualname__}: cannot decode {model.cls.__qualname__}"
        if parameter.field is None:
            return f"{owner}: its __init__ parameter {parameter.name!r} is not a field"
        path = f"{prefix}.{parameter.field}" if prefix else parameter.field
        return (
            f"{owner}: required field {path!r} is not on the wire (excluded, not included, "
            f"or nested deeper than max_nested_depth={self.config.max_nested_depth}); "
            "give it a default on the model or keep it on the wire"
        )

    def check_paths(self) -> None:
        config = self.config
        named = config.exclude | (config.include or frozenset()) | config.rename_fields.keys()
        unknown = sorted(named - self.seen_paths)
        if unknown:
            raise CodecConfigurationError(
                f"{self.dto.__qualname__}: {', '.join(map(repr, unknown))} "
                f"{'does' if len(unknown) == 1 else 'do'} not name a field of "
                f"{self.model.__qualname__} within max_nested_depth={config.max_nested_depth}"
            )


def compile_dto(dto: type[DTO[Any]], annotation: Any, direction: Direction) -> Compiled:
    """Compile ``dto`` for values of ``annotation``, for one direction.

    Args:
        dto: A ``DTO`` subclass.
        annotation: The DTO's model, or a shape holding it (``list[Model]``,
            ``Model | None``, ...).
        direction: ``"decode"``: the result converts decoded transfer values
            into model values; ``"encode"``: model values into transfer values.

    Returns:
        The wire type to hand msgspec and the converter.

    Raises:
        CodecConfigurationError: ``dto`` has no model, the annotation does not
            hold the DTO's model (or holds another model at the top), a config
            path names no field, two fields share a wire name, or (decode) a
            required field or ``__init__`` parameter is left off the wire.
    """
    model = getattr(dto, "model", None) if isinstance(dto, type) and issubclass(dto, DTO) else None
    if model is None:
        raise CodecConfigurationError(
            f"dto={dto!r} is not a DTO subclass with a model; define it as class X(DTO[Model])"
        )
    compiler = _Compiler(dto, model, direction)
    compiled = compiler.shape(annotation, "", 0)
    if compiled is None or compiled.convert is None:
        raise CodecConfigurationError(
            f"{dto.__qualname__} shapes {model.__qualname__}, but the annotation {annotation!r} "
            f"holds no {model.__qualname__}"
        )
    compiler.check_paths()
    return compiled
