"""JSON schemas of what a decoder accepts, or of what an encoder writes."""

from typing import Any, Literal

import msgspec

from .dto import DTO
from .errors import CodecConfigurationError
from .transfer import compile_dto

__all__ = ["schema_for"]

# msgspec refuses an empty schema from its hook, so ``object`` (any value,
# like ``Any``, whose schema is ``{}``) is marked, and the mark removed after.
_ANY_VALUE = "ws_codec: any value"


def _object_as_any(cls: type[Any]) -> dict[str, Any]:
    if cls is object:
        return {_ANY_VALUE: True}
    raise NotImplementedError


def _unmarked(node: Any) -> Any:
    if isinstance(node, dict):
        # A property of that name holds a schema (a dict), never the mark's True.
        return {k: _unmarked(v) for k, v in node.items() if k != _ANY_VALUE or v is not True}
    if isinstance(node, list):
        return [_unmarked(item) for item in node]
    return node


def schema_for(
    annotation: Any,
    *,
    dto: type[DTO[Any]] | None = None,
    direction: Literal["decode", "encode"] = "decode",
) -> dict[str, Any]:
    """Return the JSON schema of the payloads ``decoder_for(annotation, dto=dto)`` accepts.

    With a DTO the schema describes its wire shape (renamed and excluded
    fields; with ``partial``, no required field). Nested objects are under
    ``$defs``. ``object`` is described as ``Any`` is, by an empty schema
    (any value). A new dict is returned on every call.

    Args:
        annotation: As for ``decoder_for``.
        dto: As for ``decoder_for``.
        direction: ``"encode"`` describes what ``encoder_for(annotation,
            dto=dto)`` writes instead: with a DTO, every field it sends is
            required, and a required model field the DTO excludes (which no
            decoder could do without) is simply absent.

    Returns:
        A JSON schema (draft 2020-12), as produced by ``msgspec.json.schema``.

    Raises:
        CodecConfigurationError: The annotation or DTO is not supported.
    """
    wire_type = annotation if dto is None else compile_dto(dto, annotation, direction).wire_type
    try:
        schema = msgspec.json.schema(wire_type, schema_hook=_object_as_any)
    except (TypeError, ValueError, NameError) as exc:
        raise CodecConfigurationError(f"cannot describe {annotation!r}: {exc}") from exc
    return _unmarked(schema)  # type: ignore[no-any-return]
