"""Unique, well-formed keys for the document's maps (channels, operations, components)."""

from __future__ import annotations

import re

__all__ = ["UniqueNames", "key_of"]

# AsyncAPI's rule for component keys, applied to every key of the document.
_NOT_ALLOWED = re.compile(r"[^A-Za-z0-9._-]+")


def key_of(text: str) -> str:
    """``text`` with every run of characters a key may not hold replaced by ``_``."""
    return _NOT_ALLOWED.sub("_", text) or "_"


class UniqueNames:
    """Hands out keys in one namespace: the wanted one, else the first free ``<key>_<n>``.

    Which key a name gets depends only on the order of the calls, so the same
    App always gets the same keys.
    """

    def __init__(self) -> None:
        self._taken: set[str] = set()

    def claim(self, wanted: str) -> str:
        """Return ``key_of(wanted)``, suffixed with ``_2``, ``_3``... if already taken."""
        base = key_of(wanted)
        key, number = base, 1
        while key in self._taken:
            number += 1
            key = f"{base}_{number}"
        self._taken.add(key)
        return key
