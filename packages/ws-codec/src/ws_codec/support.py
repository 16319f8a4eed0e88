"""Finding the parts of an annotation that msgspec cannot decode by itself.

msgspec builds a decoder for any class, deferring classes it does not know
(``CustomType``) to a ``dec_hook`` that ws_codec never installs; such a
decoder would reject every message. Looking for them at build time turns a
per-message failure into a start-up error.

``object`` is the exception: msgspec reports it as a ``CustomType`` too, but
its decoders take any value for it, exactly as for ``Any``.
"""

from typing import Any

import msgspec

__all__ = ["unsupported_class"]

_CHILD = ("type", "item_type", "key_type", "value_type")
_CHILDREN = ("types", "item_types", "fields")


def _find_custom(node: Any, seen: set[int]) -> type[Any] | None:
    if isinstance(node, msgspec.inspect.CustomType):
        return None if node.cls is object else node.cls
    if id(node) in seen:  # recursive models refer back to nodes already visited
        return None
    seen.add(id(node))
    children = [getattr(node, name, None) for name in _CHILD]
    children += [child for name in _CHILDREN for child in getattr(node, name, ())]
    for child in children:
        if child is not None and (found := _find_custom(child, seen)) is not None:
            return found
    return None


def unsupported_class(annotation: Any) -> type[Any] | None:
    """Return a class inside ``annotation`` that msgspec cannot decode, if any.

    Args:
        annotation: A type msgspec accepts for building a decoder.

    Returns:
        The first such class found (the annotation itself, a field type, an
        item type...), or ``None`` when msgspec supports every part.

    Raises:
        TypeError: msgspec rejects the annotation outright.
    """
    return _find_custom(msgspec.inspect.type_info(annotation), set())
