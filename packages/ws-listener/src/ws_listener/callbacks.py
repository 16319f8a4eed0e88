"""User callables prepared once at bind time and cheaply bound per connection.

A listener is made of several user callables (the listener itself, its hooks,
the accept handler). Each is planned for injection once when the ``App`` is
built; per connection only the injected values and, for the class form, the new
listener instance are fixed with :func:`functools.partial`.
"""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from functools import partial
from typing import Any

from ws_di import read_parameters, to_async

__all__ = ["Callback", "prepare_callback"]

AsyncCall = Callable[..., Awaitable[Any]]


@dataclass(frozen=True, slots=True)
class Callback:
    """One user callable, ready to be bound to a connection.

    Attributes:
        target: What is planned for injection: the function as written (for a
            listener method, the plain function, whose first parameter receives
            the instance).
        call: ``target`` as an async callable (sync ones wrapped by
            ``ws_di.to_async``).
        instance_parameter: Name of the parameter receiving the per-connection
            listener instance, or ``None`` when the callable takes none.
    """

    target: Callable[..., Any]
    call: AsyncCall
    instance_parameter: str | None

    def bind(self, instance: object, kwargs: dict[str, Any]) -> AsyncCall:
        """Fix this connection's arguments.

        Args:
            instance: The listener instance serving the connection (ignored when
                the callable takes none).
            kwargs: The injected keyword arguments, from
                ``DependencyPlan.kwargs_for``.

        Returns:
            An async callable taking only what varies per call (``data``).
        """
        if self.instance_parameter is not None:
            return partial(self.call, instance, **kwargs)
        if kwargs:
            return partial(self.call, **kwargs)
        return self.call


def prepare_callback(
    fn: Callable[..., Any],
    *,
    sync_to_thread: bool,
    owner_class: type | None = None,
    attribute: str | None = None,
) -> Callback:
    """Prepare a plain function, or a method of ``owner_class``, for binding.

    Args:
        fn: The callable. For a method, ``getattr(owner_class, attribute)``.
        sync_to_thread: Whether a sync ``fn`` runs in a worker thread.
        owner_class: The listener class when ``fn`` is one of its attributes.
        attribute: The attribute name of ``fn`` on ``owner_class``.

    Returns:
        The prepared callback. A plain method's first parameter receives the
        instance; static and class methods take none.

    Raises:
        ws_di.DependencyError: The callable's parameters cannot be read.
    """
    instance_parameter = None
    if owner_class is not None and attribute is not None:
        raw = inspect.getattr_static(owner_class, attribute)
        if not isinstance(raw, staticmethod | classmethod):
            parameters = read_parameters(fn)
            instance_parameter = parameters[0].name if parameters else None
    return Callback(
        target=fn,
        call=to_async(fn, sync_to_thread=sync_to_thread),
        instance_parameter=instance_parameter,
    )
