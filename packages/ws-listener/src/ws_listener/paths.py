"""Normalising the ``path`` argument of both listener forms."""

from __future__ import annotations

from collections.abc import Sequence

__all__ = ["normalize_paths"]


def normalize_paths(path: str | Sequence[str]) -> tuple[str, ...]:
    """Return ``path`` as a non-empty tuple of strings.

    Args:
        path: One path, or a sequence of paths served by the same handler.

    Raises:
        TypeError: ``path`` is neither a string nor a sequence of strings.
        ValueError: ``path`` is an empty sequence.
    """
    paths = (path,) if isinstance(path, str) else tuple(path)
    if not paths:
        raise ValueError("a listener needs at least one path")
    if not all(isinstance(item, str) for item in paths):
        raise TypeError(f"a listener path must be a string or a sequence of strings, not {path!r}")
    return paths
