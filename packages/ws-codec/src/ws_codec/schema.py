"""JSON schemas of what a decoder accepts."""

from typing import Any

import msgspec

from .dto import DTO
from .errors import CodecConfigurationError
from .transfer import compile_dto

__all__ = ["schema_for"]


def schema_for(annotation: Any, *, dto: type[DTO[Any]] | None = None) -> dict[str, Any]:
    """Return the JSON schema of the payloads ``decoder_for(annotation, dto=dto)`` accepts.

    With a DTO the schema describes its wire shape (renamed and excluded
    fields; with ``partial``, no required field). Nested objects are under
    ``$defs``. A new dict is returned on every call.

    Args:
        annotation: As for ``decoder_for``.
        dto: As for ``decoder_for``.

    Returns:
        A JSON schema (draft 2020-12), as produced by ``msgspec.json.schema``.

    Raises:
        CodecConfigurationError: The annotation or DTO is not supported.
    """
    wire_type = annotation if dto is None else compile_dto(dto, annotation, "decode").wire_type
    try:
        return msgspec.json.schema(wire_type)
    except (TypeError, ValueError, NameError) as exc:
        raise CodecConfigurationError(f"cannot describe {annotation!r}: {exc}") from exc
