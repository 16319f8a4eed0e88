# String annotations on purpose: read_callable must resolve them.
from __future__ import annotations

import inspect
from collections.abc import AsyncGenerator, AsyncIterator, Iterator
from typing import TYPE_CHECKING, Annotated, Any

import pytest

from ws_di import DependencyError, read_callable

if TYPE_CHECKING:
    from decimal import Decimal


def returns_int(a: int, *, b: str = "x") -> int:
    return a


def returns_nothing() -> None: ...


def unannotated(a):  # type: ignore[no-untyped-def]
    return a


def only_for_type_checkers(price: Decimal, count: int) -> Decimal:
    return price


async def ticks() -> AsyncGenerator[Annotated[int, "tick"], None]:
    yield 1


async def numbers() -> AsyncIterator[float]:
    yield 1.0


async def untyped_items() -> AsyncIterator:  # type: ignore[type-arg]
    yield 1


def sync_items() -> Iterator[str]:
    yield "a"


class Service:
    def __init__(self, url: str) -> None: ...


def test_parameters_carry_kind_and_position() -> None:
    info = read_callable(returns_int)
    a, b = info.parameters
    assert (a.kind, a.position) == (inspect.Parameter.POSITIONAL_OR_KEYWORD, 0)
    assert (b.kind, b.position) == (inspect.Parameter.KEYWORD_ONLY, 1)
    assert info.parameter("b") is b
    assert info.parameter("missing") is None


def test_return_annotation_is_resolved_once_with_the_parameters() -> None:
    assert read_callable(returns_int).returns.resolved_annotation() is int
    assert read_callable(returns_nothing).returns.annotation is type(None)
    assert read_callable(unannotated).returns.annotation is Any
    # A class is called to build an instance: its __init__'s "-> None" is no return value.
    assert read_callable(Service).returns.annotation is Any


def test_unresolvable_annotations_say_why_and_raise_only_when_needed() -> None:
    info = read_callable(only_for_type_checkers)
    price, count = info.parameters
    assert (price.annotation, count.annotation) == ("Decimal", int)
    assert price.unresolved is not None
    assert "Decimal" in price.unresolved
    assert count.resolved_annotation() is int
    with pytest.raises(
        DependencyError, match="cannot resolve the annotation 'Decimal' of parameter 'price'"
    ):
        price.resolved_annotation()
    with pytest.raises(DependencyError, match="of the return annotation"):
        info.returns.resolved_annotation()


@pytest.mark.parametrize(
    ("fn", "expected"),
    [
        (ticks, Annotated[int, "tick"]),
        (numbers, float),
        (untyped_items, Any),
        (sync_items, str),
        (unannotated, Any),
    ],
)
def test_item_type_of_iteration_annotations(fn: Any, expected: Any) -> None:
    assert read_callable(fn).item_type() == expected


def test_item_type_of_a_non_iteration_annotation_is_an_error() -> None:
    with pytest.raises(DependencyError, match="is not AsyncGenerator"):
        read_callable(returns_int).item_type()


def test_item_type_of_an_unresolvable_annotation_is_an_error() -> None:
    with pytest.raises(DependencyError, match="cannot resolve"):
        read_callable(only_for_type_checkers).item_type()
