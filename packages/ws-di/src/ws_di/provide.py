"""`Provide`, the declaration of one dependency, and `merge_providers` for layers."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import anyio

__all__ = ["Provide", "merge_providers"]

_UNSET: Any = object()


class Provide:
    """Declare how to produce the value injected under one name.

    `dependency` is called with its own parameters injected (other
    dependencies, supplied names) once per connection. It may be a sync or
    async function, a sync or async generator function (code before `yield` is
    the set-up, the yielded value is injected, code after `yield` is the
    teardown that runs when the connection's scope ends), or a class
    (instantiated, its `__init__` parameters injected).

    Nothing is checked here: `plan_dependencies` validates the provider (it
    must be callable, a generator cannot be cached) and names the owner in its
    error.

    Args:
        dependency: The callable producing the value.
        use_cache: Keep the first value produced and inject it into every later
            connection for as long as this `Provide` exists. The dependency is
            called once even when connections race for the first value. Not
            allowed for generator functions.
        sync_to_thread: For a sync dependency (including a sync generator's
            set-up and teardown, and a class): run it in a worker thread when
            true, inline on the event loop when false.
    """

    __slots__ = ("_cached", "_lock", "dependency", "sync_to_thread", "use_cache")

    def __init__(
        self,
        dependency: Callable[..., Any],
        *,
        use_cache: bool = False,
        sync_to_thread: bool = True,
    ) -> None:
        self.dependency = dependency
        self.use_cache = use_cache
        self.sync_to_thread = sync_to_thread
        # Read and written by ws_di.resolve only; the lock exists only when caching.
        self._cached: Any = _UNSET
        self._lock = anyio.Lock() if use_cache else None

    def __repr__(self) -> str:
        return (
            f"Provide({self.dependency!r}, use_cache={self.use_cache}, "
            f"sync_to_thread={self.sync_to_thread})"
        )


def merge_providers(
    *layers: Mapping[str, Provide | Callable[..., Any]] | None,
) -> dict[str, Provide]:
    """Merge dependency mappings from several layers into one.

    Args:
        *layers: Mappings of name to `Provide` or bare callable, outermost layer
            first (app, routers, handler); `None` entries are skipped.

    Returns:
        A new dict in which a later (closer) layer wins per key. Values that are
        not `Provide` instances are wrapped in `Provide(value)` with default
        options; they are not validated here (`plan_dependencies` does that).
    """
    merged: dict[str, Provide] = {}
    for layer in layers:
        if layer is None:
            continue
        for key, value in layer.items():
            merged[key] = value if isinstance(value, Provide) else Provide(value)
    return merged
