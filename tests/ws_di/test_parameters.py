# String annotations on purpose: read_parameters must resolve them.
from __future__ import annotations

import functools
import inspect
import sys
from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated, Any

import pytest

from ws_di import DependencyError, ParameterInfo, read_parameters

if TYPE_CHECKING:
    from decimal import Decimal


def plain(a: int, b: str = "x", c=3) -> None: ...  # type: ignore[no-untyped-def]  # c on purpose


def annotated(
    limit: Annotated[int, "gt", 0], name: Annotated[str | None, "label"] = None
) -> None: ...


def half_resolvable(price: Decimal, count: int) -> None: ...


class Service:
    def __init__(self, db: dict[str, int], retries: int = 2) -> None: ...

    def method(self, key: str) -> None: ...


class NoInit:
    pass


@dataclass
class Settings:
    url: str
    debug: bool = False


class CallableObject:
    marker: float  # a class annotation, not a parameter

    def __call__(self, value: bytes) -> None: ...


def by_name(params: tuple[ParameterInfo, ...]) -> dict[str, ParameterInfo]:
    return {p.name: p for p in params}


def test_function_parameters_resolve_string_annotations_in_order() -> None:
    params = read_parameters(plain)

    assert [p.name for p in params] == ["a", "b", "c"]
    a, b, c = params
    assert a == ParameterInfo("a", int, (), inspect.Parameter.empty)
    assert not a.has_default
    assert (b.annotation, b.default, b.has_default) == (str, "x", True)
    assert (c.annotation, c.default) == (Any, 3)


def test_annotated_is_split_into_annotation_and_metadata() -> None:
    limit, name = read_parameters(annotated)

    assert (limit.annotation, limit.metadata) == (int, ("gt", 0))
    assert (name.annotation, name.metadata) == (str | None, ("label",))
    assert name.default is None
    assert name.has_default


def test_unresolvable_annotation_is_kept_as_string_and_the_others_resolve() -> None:
    price, count = read_parameters(half_resolvable)

    assert price.annotation == "Decimal"
    assert count.annotation is int


def test_class_defined_in_a_function_falls_back_per_parameter() -> None:
    class Local:
        pass

    def uses_local(item: Local, size: int, raw: list[int]) -> None: ...

    item, size, raw = read_parameters(uses_local)

    assert item.annotation == "Local"
    assert size.annotation is int
    assert raw.annotation == list[int]


def test_class_reads_init_without_self() -> None:
    db, retries = read_parameters(Service)

    assert (db.name, db.annotation) == ("db", dict[str, int])
    assert (retries.name, retries.default) == ("retries", 2)


def test_class_without_init_has_no_parameters() -> None:
    assert read_parameters(NoInit) == ()


def test_dataclass_reads_generated_init() -> None:
    url, debug = read_parameters(Settings)

    assert (url.name, url.annotation, url.has_default) == ("url", str, False)
    assert (debug.name, debug.annotation, debug.default) == ("debug", bool, False)


def test_bound_method_has_no_self() -> None:
    (key,) = read_parameters(Service({}).method)

    assert (key.name, key.annotation) == ("key", str)


def test_unbound_method_keeps_self_unannotated() -> None:
    names = [(p.name, p.annotation) for p in read_parameters(Service.method)]

    assert names == [("self", Any), ("key", str)]


def test_callable_instance_reads_call_not_class_annotations() -> None:
    (value,) = read_parameters(CallableObject())

    assert (value.name, value.annotation) == ("value", bytes)


def test_partial_omits_bound_arguments() -> None:
    params = by_name(read_parameters(functools.partial(plain, 1)))

    assert list(params) == ["b", "c"]
    assert params["b"].annotation is str


@pytest.mark.parametrize(
    ("fn", "fragment"),
    [
        (lambda *items: None, "*items"),
        (lambda **options: None, "**options"),
        (lambda first, /: None, "positional-only parameter 'first'"),
    ],
    ids=["var-positional", "var-keyword", "positional-only"],
)
def test_parameters_that_cannot_be_passed_by_name_are_rejected(fn: Any, fragment: str) -> None:
    with pytest.raises(DependencyError, match="lambda") as info:
        read_parameters(fn)

    assert fragment in str(info.value)


def test_non_callable_is_rejected() -> None:
    with pytest.raises(DependencyError, match="cannot read the parameters of 42"):
        read_parameters(42)  # type: ignore[arg-type]


def test_annotation_naming_something_undefined_at_run_time_is_kept_as_string() -> None:
    # Python 3.14 defers annotations natively; older versions need the import.
    source = "def fn(price: Missing, count: int) -> None: ...\n"
    if sys.version_info < (3, 14):
        source = "from __future__ import annotations\n" + source
    namespace: dict[str, Any] = {}
    exec(source, namespace)

    price, count = read_parameters(namespace["fn"])

    assert price.annotation == "Missing"
    assert count.annotation is int
