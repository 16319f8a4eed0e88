"""The handler-declaration kit: what every built-in handler kind checks, the same way.

The low-level :func:`~ws_core.websocket` decorator, ``websocket_listener``,
``WebsocketListener``, ``websocket_stream`` and the channels routes declare
their handlers with these, so the same mistake gets the same message at the
same moment:

- at the decorator call (before any function is seen): the paths
  (:func:`declared_paths`) and the options with a fixed set of values
  (:func:`check_choice`, e.g. a transport mode);
- when the :class:`~ws_core.App` is built: everything that depends on the
  layers or on the function's annotations, each failure of ws_di or ws_codec
  turned into a :class:`~ws_core.ConfigurationError` naming the route by
  :meth:`BoundRoute.configuring <ws_core.BoundRoute.configuring>`.
"""

from __future__ import annotations

import logging
import typing
from collections.abc import Callable, Collection, Sequence
from typing import Any, TypeVar

from ws_core.exceptions import ConfigurationError
from ws_core.layers import LayerOptions

__all__ = ["HandlerBase", "check_choice", "declared_paths", "handler_name"]

T = TypeVar("T")


def _label(kind: str, name: str | None) -> str:
    return kind if name is None else f"{kind} {name!r}"


def declared_paths(path: object, kind: str, name: str | None = None) -> tuple[str, ...]:
    """Return the ``path`` argument of a handler declaration as a non-empty tuple.

    Args:
        path: One path, or a sequence of paths served by the same handler.
        kind: The declaration, for the message (``"websocket_listener"``).
        name: The handler's name when already known, for the message.

    Raises:
        ConfigurationError: ``path`` is neither a string nor a sequence of
            strings, or is an empty sequence.
    """
    paths: tuple[object, ...] | None = (
        (path,) if isinstance(path, str) else tuple(path) if isinstance(path, Sequence) else None
    )
    if (
        paths is None
        or isinstance(path, bytes | bytearray)
        or not all(isinstance(item, str) for item in paths)
    ):
        raise ConfigurationError(
            f"{_label(kind, name)}: a path must be a str or a sequence of str, got {path!r}"
        )
    if not paths:
        raise ConfigurationError(f"{_label(kind, name)}: no path given")
    return typing.cast(tuple[str, ...], paths)


def check_choice(
    value: T, option: str, choices: Collection[Any], kind: str, name: str | None = None
) -> T:
    """Return ``value`` if it is one of ``choices``.

    Args:
        value: The option's value.
        option: The option's name (``"receive_mode"``).
        choices: The values it may take.
        kind: The declaration, for the message.
        name: The handler's name when already known, for the message.

    Raises:
        ConfigurationError: ``value`` is not among ``choices``.
    """
    if value not in choices:
        listed = " or ".join(repr(choice) for choice in choices)
        raise ConfigurationError(f"{_label(kind, name)}: {option} must be {listed}, got {value!r}")
    return value


def handler_name(fn: Callable[..., Any], name: str | None) -> str:
    """The name a handler goes by: ``name`` if given, else the function's qualified name."""
    return name or getattr(fn, "__qualname__", None) or repr(fn)


class HandlerBase:
    """What the built-in route handlers share: the attributes of the contract, and a repr.

    Subclasses set :attr:`kind` and implement ``bind``
    (see :class:`~ws_core.RouteHandler`).

    Attributes:
        kind: The declaration that makes this handler (``"websocket_stream"``).
        paths: The path patterns served.
        name: The handler's name, used in messages.
        layer: The handler's own layer options.
        logger: Where core logs the handler's unhandled errors.
    """

    kind: str = "route handler"

    def __init__(
        self,
        *,
        paths: tuple[str, ...],
        name: str | None,
        layer: LayerOptions,
        logger: logging.Logger,
    ) -> None:
        self.paths = paths
        self.name = name
        self.layer = layer
        self.logger = logger

    def __repr__(self) -> str:
        return f"<{self.kind} {self.name!r} at {', '.join(self.paths)}>"
