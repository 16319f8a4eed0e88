"""Data transfer objects: what a model looks like on the wire.

A DTO binds a model class (dataclass, attrs class or ``msgspec.Struct``) to a
``DTOConfig``::

    class UserOut(DTO[User]):
        config = DTOConfig(exclude={"password"}, rename_strategy="camel")

and is passed to ``decoder_for(User, dto=UserOut)`` or
``encoder_for(list[User], dto=UserOut)``. Handlers always see real model
instances with their Python field names; only the wire sees renamed, excluded
or optional fields. The codec compiles a DTO once, when the codec is built.
"""

import dataclasses
from collections.abc import Mapping, Set
from types import MappingProxyType
from typing import Any, ClassVar, Generic, TypeVar, get_args, get_origin

from .errors import CodecConfigurationError
from .models import is_model
from .naming import RENAME_STRATEGIES, RenameStrategy

__all__ = ["DTO", "DTOConfig"]

ModelT = TypeVar("ModelT")


def _paths(option: str, value: object) -> frozenset[str]:
    if isinstance(value, str) or not isinstance(value, Set | list | tuple):
        raise CodecConfigurationError(
            f"DTOConfig({option}=...) takes a set of field paths, got {value!r}"
        )
    if not all(isinstance(path, str) and path for path in value):
        raise CodecConfigurationError(
            f"DTOConfig({option}=...) takes non-empty str field paths, got {value!r}"
        )
    return frozenset(value)


@dataclasses.dataclass(frozen=True, kw_only=True, slots=True)
class DTOConfig:
    """How a DTO shapes its model on the wire. Immutable; validated when built.

    Field paths name a field of the model (``"password"``) or, dotted, a field
    of a nested model (``"address.street"``; a list of models is traversed
    without an index: ``"addresses.street"``). Every path must name a field
    the DTO reaches, or building a codec fails.

    Attributes:
        exclude: Field paths left off the wire. On decode, an excluded field
            takes the model's default; a field without one makes building a
            decoder fail.
        include: If given, only these field paths (and the nested fields of
            an included nested model) are on the wire; a dotted path includes
            its parents too. Cannot be combined with ``exclude``.
        rename_fields: Field path -> wire name. Wins over ``rename_strategy``.
        rename_strategy: ``"camel"``, ``"pascal"``, ``"kebab"``, ``"upper"``
            or ``"lower"``, applied to every other field at every level.
        partial: Every field is optional on the wire. On decode, an absent
            field is set to ``msgspec.UNSET`` (re-exported as
            ``ws_codec.UNSET``) on the model instance, whatever its type and
            default, so the handler can tell "absent" from any real value; on
            encode, fields holding ``UNSET`` are left out.
        max_nested_depth: How deep nested models are followed: ``0`` keeps
            only the model's own non-model fields, ``1`` (the default) also
            its nested models' fields, and so on. Fields holding models
            deeper than this are left off the wire.

    Raises:
        CodecConfigurationError: ``include`` and ``exclude`` are both given, a
            path is not a non-empty string, ``rename_strategy`` is unknown,
            or ``max_nested_depth`` is not an int >= 0.
    """

    exclude: Set[str] = frozenset()
    include: Set[str] | None = None
    rename_fields: Mapping[str, str] = dataclasses.field(default_factory=dict)
    rename_strategy: RenameStrategy | None = None
    partial: bool = False
    max_nested_depth: int = 1

    def __post_init__(self) -> None:
        exclude = _paths("exclude", self.exclude)
        include = None if self.include is None else _paths("include", self.include)
        if include is not None and exclude:
            raise CodecConfigurationError("DTOConfig takes include or exclude, not both")
        if not isinstance(self.rename_fields, Mapping) or not all(
            isinstance(path, str) and isinstance(name, str) and name
            for path, name in self.rename_fields.items()
        ):
            raise CodecConfigurationError(
                "DTOConfig(rename_fields=...) takes a mapping of field path -> non-empty str, "
                f"got {self.rename_fields!r}"
            )
        if self.rename_strategy is not None and self.rename_strategy not in RENAME_STRATEGIES:
            raise CodecConfigurationError(
                f"DTOConfig(rename_strategy={self.rename_strategy!r}) is not one of "
                f"{', '.join(map(repr, RENAME_STRATEGIES))}"
            )
        if not isinstance(self.partial, bool):
            raise CodecConfigurationError(
                f"DTOConfig(partial=...) takes a bool, got {self.partial!r}"
            )
        depth = self.max_nested_depth
        if isinstance(depth, bool) or not isinstance(depth, int) or depth < 0:
            raise CodecConfigurationError(
                f"DTOConfig(max_nested_depth=...) takes an int >= 0, got {depth!r}"
            )
        object.__setattr__(self, "exclude", exclude)
        object.__setattr__(self, "include", include)
        object.__setattr__(self, "rename_fields", MappingProxyType(dict(self.rename_fields)))

    def __hash__(self) -> int:
        return hash(
            (
                self.exclude,
                self.include,
                frozenset(self.rename_fields.items()),
                self.rename_strategy,
                self.partial,
                self.max_nested_depth,
            )
        )


class DTO(Generic[ModelT]):
    """Base class of DTOs: subclass ``DTO[Model]`` and set ``config``.

    ``Model`` must be a dataclass, an attrs class or a ``msgspec.Struct``;
    nested models of those kinds are shaped too (see ``DTOConfig``). A
    subclass of a DTO subclass keeps its model and may set another config.
    A DTO is never instantiated: codecs compile it into ``msgspec.Struct``
    transfer types when they are built. To decode a Struct model whose
    fields are all on the wire, the transfer type subclasses the model
    (defining it runs the model's ``__init_subclass__``, once per decoder
    built); msgspec runs the model's ``__post_init__`` on each decoded
    transfer instance, which then becomes the model in place.

    Attributes:
        model: The model class, taken from ``DTO[Model]``.
        config: The ``DTOConfig``; ``DTOConfig()`` (no shaping) if not set.

    Raises:
        CodecConfigurationError: At class definition, when ``Model`` is not a
            supported model class or ``config`` is not a ``DTOConfig``.
    """

    model: ClassVar[type[Any]]
    config: ClassVar[DTOConfig] = DTOConfig()

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        for base in cls.__dict__.get("__orig_bases__", ()):
            if get_origin(base) is not DTO:
                continue
            (model,) = get_args(base)
            if isinstance(model, TypeVar):
                continue
            if not is_model(model):
                raise CodecConfigurationError(
                    f"{cls.__qualname__}: DTO[{model!r}] needs a dataclass, an attrs class "
                    "or a msgspec.Struct"
                )
            cls.model = model
        if not isinstance(cls.config, DTOConfig):
            raise CodecConfigurationError(
                f"{cls.__qualname__}.config must be a DTOConfig, got {cls.config!r}"
            )
