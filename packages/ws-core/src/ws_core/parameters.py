"""Query parameters: handler parameters nothing provides, read from the query string.

Built once per route from the dependency plan's unresolved parameters, then
used per connection to convert the query string's values to each parameter's
annotation, by the rule of :mod:`ws_core.conversion` (which path parameters
follow too).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

import msgspec

from ws_core.conversion import TextConverter
from ws_core.datastructures import QueryParams
from ws_core.exceptions import ConfigurationError
from ws_di import DependencyError, ParameterInfo

__all__ = ["QueryParameter", "convert_query"]


@dataclass(frozen=True, slots=True)
class QueryParameter:
    """How to read one parameter from the query string.

    Attributes:
        name: The parameter name, also the query key.
        convert: Converts the key's value (every value, for a sequence annotation).
        required: Whether a missing value rejects the handshake (unless the
            annotation admits ``None``, which a missing value then becomes).
    """

    name: str
    convert: TextConverter
    required: bool

    @classmethod
    def from_parameter(cls, parameter: ParameterInfo, owner: str) -> QueryParameter:
        """Build the reader for ``parameter``.

        Raises:
            ConfigurationError: The annotation cannot be resolved, or cannot be
                read from a query string (an arbitrary class: most likely a
                dependency nobody provides).
        """
        try:
            annotation = parameter.resolved_annotation()
        except DependencyError as exc:
            raise ConfigurationError(f"{owner}: {exc}") from None
        meta = tuple(m for m in parameter.metadata if isinstance(m, msgspec.Meta))
        target = Annotated[(annotation, *meta)] if meta else annotation
        try:
            convert = TextConverter.of(target)
        except (TypeError, ValueError) as exc:
            raise ConfigurationError(
                f"{owner}: parameter {parameter.name!r} is provided by no dependency and its "
                f"annotation {annotation!r} cannot be read from the query string: {exc}"
            ) from None
        return cls(name=parameter.name, convert=convert, required=not parameter.has_default)


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
        convert = parameter.convert
        raw: Any = query.getall(parameter.name) if convert.many else query.get(parameter.name)
        if raw is None or raw == []:
            if parameter.required:
                if convert.nullable:
                    values[parameter.name] = None
                else:
                    errors.append((parameter.name, "missing required query parameter"))
            continue
        try:
            values[parameter.name] = convert(raw)
        except ValueError as exc:
            errors.append((parameter.name, str(exc)))
    return values, errors
