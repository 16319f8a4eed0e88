"""Reading a callable's parameters and their resolved annotations, once."""

from __future__ import annotations

import functools
import inspect
import sys
import typing
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Annotated, Any

from ws_di.errors import DependencyError, describe
from ws_di.kinds import is_callable_instance

__all__ = ["ParameterInfo", "read_parameters"]

_NO_DEFAULT: Any = inspect.Parameter.empty
_VARIADIC = (inspect.Parameter.VAR_POSITIONAL, inspect.Parameter.VAR_KEYWORD)


@dataclass(frozen=True, slots=True)
class ParameterInfo:
    """One injectable parameter of a callable.

    Attributes:
        name: The parameter's name; values are always passed by this name.
        annotation: The resolved annotation with any `Annotated` wrapper removed;
            `typing.Any` when the parameter is not annotated. A string
            annotation that cannot be evaluated stays a string.
        metadata: The `Annotated` metadata, in order; empty when there is none.
        default: The default value, or `inspect.Parameter.empty` when the
            parameter has none.
    """

    name: str
    annotation: Any
    metadata: tuple[Any, ...] = ()
    default: Any = _NO_DEFAULT

    @property
    def has_default(self) -> bool:
        """Whether the parameter may be left out (its default then applies)."""
        return self.default is not _NO_DEFAULT


def read_parameters(fn: Callable[..., Any]) -> tuple[ParameterInfo, ...]:
    """Read the parameters of a callable, in declaration order.

    Functions, bound methods (without `self`), `functools.partial` objects
    (without the bound arguments), callable instances (their `__call__`) and
    classes (their `__init__`, without `self`) are supported. Annotations are
    resolved with `typing.get_type_hints(include_extras=True)`, so modules using
    `from __future__ import annotations` work; when that fails as a whole (a
    name that exists only under `TYPE_CHECKING`, a class defined in a
    function), each annotation is evaluated on its own in the callable's
    module and one that still fails is kept as its string.

    This inspects the callable: call it at start-up, never per connection.

    Args:
        fn: The callable to read.

    Returns:
        One `ParameterInfo` per parameter.

    Raises:
        DependencyError: `fn` has no readable signature (not callable, or a
            builtin without one), or has a parameter that cannot be passed by
            name: `*args`, `**kwargs` or a positional-only parameter.
    """
    target: Any = fn
    if isinstance(fn, type):
        if target.__init__ is object.__init__:
            return ()
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
    hints = _type_hints(target, parameters)
    return tuple(_parameter_info(parameter, hints) for parameter in parameters)


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


def _type_hints(target: Any, parameters: list[inspect.Parameter]) -> Mapping[str, Any]:
    source = target
    while isinstance(source, functools.partial):
        source = source.func
    try:
        return typing.get_type_hints(source, include_extras=True)
    except Exception:  # any failure: evaluate one by one
        namespace = getattr(inspect.unwrap(source), "__globals__", {})
        return {p.name: _evaluate(p.annotation, namespace) for p in parameters}


def _evaluate(annotation: Any, namespace: dict[str, Any]) -> Any:
    if isinstance(annotation, typing.ForwardRef):
        annotation = annotation.__forward_arg__
    if not isinstance(annotation, str):
        return annotation
    try:
        value = eval(annotation, namespace)  # same evaluation typing.get_type_hints performs
    except Exception:  # unresolvable: keep the string, the caller decides
        return annotation
    return type(None) if value is None else value


def _parameter_info(parameter: inspect.Parameter, hints: Mapping[str, Any]) -> ParameterInfo:
    annotation = hints.get(parameter.name, parameter.annotation)
    if annotation is inspect.Parameter.empty:
        annotation = Any
    metadata: tuple[Any, ...] = ()
    if typing.get_origin(annotation) is Annotated:
        metadata = tuple(annotation.__metadata__)
        annotation = annotation.__origin__
    return ParameterInfo(parameter.name, annotation, metadata, parameter.default)
