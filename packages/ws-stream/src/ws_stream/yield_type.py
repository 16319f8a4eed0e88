"""Reading the item type an async generator function declares it yields.

:func:`yield_type` is called once per route while the application is built;
its result is handed to :func:`ws_codec.encoder_for`.
"""

import collections.abc
import typing
from collections.abc import Callable
from typing import Any

_ASYNC_ITERATION_TYPES: tuple[type, ...] = (
    collections.abc.AsyncGenerator,
    collections.abc.AsyncIterator,
    collections.abc.AsyncIterable,
)


def yield_type(fn: Callable[..., Any]) -> Any:
    """Return the type of the items ``fn`` declares it yields.

    ``AsyncGenerator[T, S]``, ``AsyncIterator[T]`` and ``AsyncIterable[T]``
    (from :mod:`typing` or :mod:`collections.abc`, possibly wrapped in
    ``Annotated``) give ``T``, metadata included. A missing return annotation,
    or one of those types without parameters, gives :data:`typing.Any`, which
    encodes each item by its runtime type.

    Args:
        fn: an async generator function.

    Returns:
        The item type, or :data:`typing.Any`.

    Raises:
        TypeError: the annotations cannot be resolved (an undefined forward
            reference, for instance), or the return annotation is not one of
            the async iteration types above.
    """
    try:
        hints = typing.get_type_hints(fn, include_extras=True)
    except Exception as exc:  # get_type_hints evaluates arbitrary annotation code
        raise TypeError(f"cannot resolve its annotations: {exc}") from exc
    annotation = hints.get("return", Any)
    if typing.get_origin(annotation) is typing.Annotated:
        annotation = typing.get_args(annotation)[0]
    if annotation is Any:
        return Any
    origin = typing.get_origin(annotation) or annotation
    if origin not in _ASYNC_ITERATION_TYPES:
        raise TypeError(
            f"its return annotation {annotation!r} is not AsyncGenerator[T, None], "
            "AsyncIterator[T] or AsyncIterable[T]"
        )
    arguments = typing.get_args(annotation)
    return arguments[0] if arguments else Any
