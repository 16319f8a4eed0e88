"""Query parameters: handler parameters nothing provides, read from the query string.

Built once per route from the dependency plan's unresolved parameters, then
used per connection to convert the query string's values to each parameter's
annotation with ``msgspec.convert(..., strict=False)``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

import msgspec

from ws_core.datastructures import QueryParams
from ws_core.exceptions import ConfigurationError
from ws_di import ParameterInfo

__all__ = ["QueryParameter", "convert_query"]

_SEQUENCES = (
    msgspec.inspect.ListType,
    msgspec.inspect.SetType,
    msgspec.inspect.FrozenSetType,
    msgspec.inspect.VarTupleType,
    msgspec.inspect.TupleType,
)


@dataclass(frozen=True, slots=True)
class QueryParameter:
    """How to read one parameter from the query string.

    Attributes:
        name: The parameter name, also the query key.
        target: The type converted to (``Annotated`` constraints kept).
        many: Whether every value of the key is used (sequence annotations).
        required: Whether a missing value rejects the handshake.
        nullable: Whether the annotation admits ``None`` (then a missing value
            without a default becomes ``None``).
    """

    name: str
    target: Any
    many: bool
    required: bool
    nullable: bool

    @classmethod
    def from_parameter(cls, parameter: ParameterInfo, owner: str) -> QueryParameter:
        """Build the reader for ``parameter``.

        Raises:
            ConfigurationError: The annotation cannot be read from a query
                string (an arbitrary class: most likely a dependency nobody
                provides).
        """
        meta = tuple(m for m in parameter.metadata if isinstance(m, msgspec.Meta))
        target = Annotated[(parameter.annotation, *meta)] if meta else parameter.annotation
        try:
            info = msgspec.inspect.type_info(target)
        except (TypeError, ValueError) as exc:
            raise ConfigurationError(
                f"{owner}: parameter {parameter.name!r} is provided by no dependency and its "
                f"annotation {parameter.annotation!r} cannot be read from the query string: {exc}"
            ) from None
        members = info.types if isinstance(info, msgspec.inspect.UnionType) else (info,)
        nested = [getattr(m, "item_type", None) for m in members]
        if any(isinstance(m, msgspec.inspect.CustomType) for m in (*members, *nested)):
            raise ConfigurationError(
                f"{owner}: parameter {parameter.name!r} is provided by no dependency and its "
                f"annotation {parameter.annotation!r} cannot be read from the query string"
            )
        return cls(
            name=parameter.name,
            target=target,
            many=any(isinstance(m, _SEQUENCES) for m in members),
            required=not parameter.has_default,
            nullable=any(isinstance(m, msgspec.inspect.NoneType) for m in members),
        )


def convert_query(
    parameters: tuple[QueryParameter, ...], query: QueryParams
) -> tuple[dict[str, Any], list[tuple[str, str]]]:
    """Convert the query string's values for ``parameters``.

    Returns:
        The converted values (optional parameters absent from the query are
        left out, so their defaults apply) and ``(name, message)`` errors.
    """
    values: dict[str, Any] = {}
    errors: list[tuple[str, str]] = []
    for parameter in parameters:
        raw: Any = query.getall(parameter.name) if parameter.many else query.get(parameter.name)
        if raw is None or raw == []:
            if parameter.required:
                if parameter.nullable:
                    values[parameter.name] = None
                else:
                    errors.append((parameter.name, "missing required query parameter"))
            continue
        try:
            values[parameter.name] = msgspec.convert(raw, parameter.target, strict=False)
        except msgspec.ValidationError as exc:
            errors.append((parameter.name, str(exc)))
    return values, errors
