"""Reading a callable once: its parameters, their kinds, and its resolved annotations.

Every ws-kit package reads callables through :func:`read_callable`, so one
policy decides what an annotation that cannot be evaluated becomes: it is kept
as its source text, marked unresolved with the reason, and whoever needs that
annotation (a codec, a query parameter) raises the same
:class:`~ws_di.DependencyError` through :meth:`ParameterInfo.resolved_annotation`.
An annotation nobody needs (that of a value a dependency provides) is harmless.
"""

from __future__ import annotations

import collections.abc
import functools
import inspect
import sys
import typing
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Annotated, Any

from ws_di.errors import DependencyError, describe
from ws_di.kinds import is_callable_instance

__all__ = ["CallableInfo", "ParameterInfo", "read_callable", "read_parameters"]

_NO_DEFAULT: Any = inspect.Parameter.empty
_VARIADIC = (inspect.Parameter.VAR_POSITIONAL, inspect.Parameter.VAR_KEYWORD)
_ITERATION_TYPES: frozenset[Any] = frozenset(
    {
        collections.abc.AsyncGenerator,
        collections.abc.AsyncIterator,
        collections.abc.AsyncIterable,
        collections.abc.Generator,
        collections.abc.Iterator,
        collections.abc.Iterable,
    }
)


@dataclass(frozen=True, slots=True)
class ParameterInfo:
    """One parameter of a callable (or, named ``"return"``, its return annotation).

    Attributes:
        name: The parameter's name; values are always passed by this name.
        annotation: The resolved annotation with any `Annotated` wrapper removed;
            `typing.Any` when there is none. When it could not be evaluated, its
            source text (see `unresolved`).
        metadata: The `Annotated` metadata, in order; empty when there is none.
        default: The default value, or `inspect.Parameter.empty` when the
            parameter has none.
        kind: `inspect.Parameter.POSITIONAL_OR_KEYWORD` or `KEYWORD_ONLY`.
        position: The index of the parameter in the signature as called
            (without a class's `self`, a partial's bound arguments).
        unresolved: Why the annotation could not be evaluated (e.g. a name
            imported only under `TYPE_CHECKING`), or `None`.
    """

    name: str
    annotation: Any
    metadata: tuple[Any, ...] = ()
    default: Any = _NO_DEFAULT
    kind: inspect._ParameterKind = inspect.Parameter.POSITIONAL_OR_KEYWORD
    # Where a parameter sits says nothing of what it is: not compared.
    position: int = field(default=0, compare=False)
    unresolved: str | None = None

    @property
    def has_default(self) -> bool:
        """Whether the parameter may be left out (its default then applies)."""
        return self.default is not _NO_DEFAULT

    def resolved_annotation(self) -> Any:
        """Return the annotation, for a caller that needs it evaluated.

        Raises:
            DependencyError: It could not be evaluated; the message names the
                parameter (or the return annotation), its text and the reason.
        """
        if self.unresolved is None:
            return self.annotation
        what = "the return annotation" if self.name == "return" else f"parameter {self.name!r}"
        raise DependencyError(
            f"cannot resolve the annotation {self.annotation!r} of {what}: {self.unresolved} "
            "(a name imported only under TYPE_CHECKING is not available at run time)"
        )


@dataclass(frozen=True, slots=True)
class CallableInfo:
    """What ws-kit reads of a callable, once, at start-up.

    Attributes:
        parameters: One `ParameterInfo` per parameter, in declaration order.
        returns: The return annotation, as a `ParameterInfo` named ``"return"``
            (`typing.Any` when absent; ``None`` becomes ``type(None)``).
    """

    parameters: tuple[ParameterInfo, ...]
    returns: ParameterInfo

    def parameter(self, name: str) -> ParameterInfo | None:
        """Return the parameter called `name`, or `None`."""
        return next((p for p in self.parameters if p.name == name), None)

    def item_type(self) -> Any:
        """Return the type of the items the callable's return annotation iterates over.

        ``AsyncGenerator[T, S]``, ``AsyncIterator[T]``, ``AsyncIterable[T]``
        and their synchronous counterparts (from `typing` or
        `collections.abc`) give ``T``, its `Annotated` metadata kept. A missing
        return annotation, or one of those types without parameters, gives
        `typing.Any`.

        Raises:
            DependencyError: The return annotation could not be evaluated, or
                is not one of the iteration types above.
        """
        annotation = self.returns.resolved_annotation()
        if annotation is Any:
            return Any
        origin = typing.get_origin(annotation) or annotation
        if origin not in _ITERATION_TYPES:
            raise DependencyError(
                f"the return annotation {annotation!r} is not AsyncGenerator[T, None], "
                "AsyncIterator[T] or AsyncIterable[T]"
            )
        arguments = typing.get_args(annotation)
        return arguments[0] if arguments else Any


def read_callable(fn: Callable[..., Any]) -> CallableInfo:
    """Read the parameters and the return annotation of a callable.

    Functions, bound methods (without `self`), `functools.partial` objects
    (without the bound arguments), callable instances (their `__call__`) and
    classes (their `__init__`, without `self`; no return annotation) are
    supported. Annotations are resolved with
    `typing.get_type_hints(include_extras=True)`, so modules using
    `from __future__ import annotations` work; when that fails as a whole (a
    name that exists only under `TYPE_CHECKING`, a class defined in a
    function), each annotation is evaluated on its own in the callable's
    module, and one that still fails is kept as its text, marked `unresolved`.

    This inspects the callable: call it at start-up, never per connection.

    Args:
        fn: The callable to read.

    Returns:
        Its description.

    Raises:
        DependencyError: `fn` has no readable signature (not callable, or a
            builtin without one), or has a parameter that cannot be passed by
            name: `*args`, `**kwargs` or a positional-only parameter.
    """
    target: Any = fn
    if isinstance(fn, type):
        if target.__init__ is object.__init__:
            return CallableInfo((), ParameterInfo("return", Any))
        target = target.__init__
    elif is_callable_instance(fn):
        target = target.__call__  # a callable instance: its hints live on the bound method
    try:
        signature = _signature(target)
    except (TypeError, ValueError) as exc:
        raise DependencyError(f"cannot read the parameters of {describe(fn)}: {exc}") from None
    parameters = list(signature.parameters.values())
    if isinstance(fn, type):
        parameters = parameters[1:]
    for parameter in parameters:
        if parameter.kind in _VARIADIC:
            stars = "*" if parameter.kind is inspect.Parameter.VAR_POSITIONAL else "**"
            raise DependencyError(
                f"{describe(fn)} takes {stars}{parameter.name}: injected values are passed "
                "by name, so every parameter must be named"
            )
        if parameter.kind is inspect.Parameter.POSITIONAL_ONLY:
            raise DependencyError(
                f"{describe(fn)} has the positional-only parameter {parameter.name!r}: "
                "injected values are passed by name"
            )
    raw = {p.name: p.annotation for p in parameters}
    if not isinstance(fn, type):
        raw["return"] = signature.return_annotation
    hints = _type_hints(target, raw)
    infos = tuple(
        _info(p.name, hints, p.default, p.kind, position) for position, p in enumerate(parameters)
    )
    returns = (
        _info("return", hints, _NO_DEFAULT, inspect.Parameter.POSITIONAL_OR_KEYWORD, 0)
        if "return" in raw
        else ParameterInfo("return", Any)
    )
    if returns.annotation is None:
        returns = ParameterInfo("return", type(None))
    return CallableInfo(infos, returns)


def read_parameters(fn: Callable[..., Any]) -> tuple[ParameterInfo, ...]:
    """Read the parameters of a callable, in declaration order.

    The same as ``read_callable(fn).parameters``.

    Raises:
        DependencyError: As for `read_callable`.
    """
    return read_callable(fn).parameters


def _signature(target: Any) -> inspect.Signature:
    try:
        return inspect.signature(target)
    except NameError:
        # Python 3.14 evaluates annotations lazily: one naming something that
        # does not exist at run time fails only now. Read it as a forward ref.
        if sys.version_info >= (3, 14):
            import annotationlib

            return inspect.signature(target, annotation_format=annotationlib.Format.FORWARDREF)
        raise


_Hint = tuple[Any, str | None]


def _type_hints(target: Any, raw: Mapping[str, Any]) -> dict[str, _Hint]:
    """Each annotation, resolved, with the reason when it could not be."""
    source = target
    while isinstance(source, functools.partial):
        source = source.func
    try:
        hints = typing.get_type_hints(source, include_extras=True)
    except Exception:  # any failure: evaluate one by one
        namespace = getattr(inspect.unwrap(source), "__globals__", {})
        return {name: _evaluate(annotation, namespace) for name, annotation in raw.items()}
    return {name: (hints.get(name, annotation), None) for name, annotation in raw.items()}


def _evaluate(annotation: Any, namespace: dict[str, Any]) -> _Hint:
    if isinstance(annotation, typing.ForwardRef):
        annotation = annotation.__forward_arg__
    if not isinstance(annotation, str):
        return annotation, None
    try:
        value = eval(annotation, namespace)  # same evaluation typing.get_type_hints performs
    except Exception as exc:  # unresolvable: keep the text, the caller decides
        return annotation, str(exc) or type(exc).__name__
    return (type(None) if value is None else value), None


def _info(
    name: str,
    hints: Mapping[str, _Hint],
    default: Any,
    kind: inspect._ParameterKind,
    position: int,
) -> ParameterInfo:
    annotation, unresolved = hints[name]
    if annotation is inspect.Parameter.empty:
        annotation = Any
    metadata: tuple[Any, ...] = ()
    origin: Any = typing.get_origin(annotation)
    if origin is Annotated:
        metadata = tuple(annotation.__metadata__)
        annotation = annotation.__origin__
    return ParameterInfo(name, annotation, metadata, default, kind, position, unresolved)
