from collections.abc import AsyncIterator, Callable, Iterator, Mapping
from contextlib import AsyncExitStack
from typing import Any

import pytest

from ws_di import DependencyError, ParameterInfo, Provide, merge_providers, plan_dependencies

OWNER = "websocket_listener 'echo' at /chat"


def plan(
    consumers: Mapping[str, Callable[..., Any]],
    providers: Mapping[str, Any] | None = None,
    supplied: tuple[str, ...] = (),
    **options: Any,
) -> Any:
    return plan_dependencies(
        consumers,
        providers=merge_providers(providers),
        supplied=supplied,
        owner=OWNER,
        **options,
    )


def handler(data: str, user: str) -> None: ...


def test_unsatisfied_consumer_parameter_names_owner_consumer_and_parameter() -> None:
    with pytest.raises(DependencyError) as info:
        plan({"handler": handler}, {"db": lambda: 1}, supplied=("socket",), reserved=("data",))

    message = str(info.value)
    assert message.startswith(OWNER)
    assert "consumer 'handler'" in message
    assert "'user'" in message
    assert "db" in message
    assert "socket" in message


def test_unsatisfied_provider_parameter_names_the_dependency() -> None:
    def needs_token(token: str) -> str:
        return token

    with pytest.raises(
        DependencyError, match=r"dependency 'user' \(.*needs_token\) asks for 'token'"
    ):
        plan({"handler": handler}, {"user": needs_token}, reserved=("data",))


def test_parameter_with_default_needs_nothing() -> None:
    def consumer(page: int = 1) -> None: ...

    def provider(limit: int = 10) -> int:
        return limit

    result = plan({"consumer": consumer, "other": lambda value: None}, {"value": provider})

    assert result.unresolved == ()
    assert result.kwargs_for("consumer", {"value": 5}) == {}


def test_allow_unresolved_collects_names_deduplicated_including_providers() -> None:
    def consumer(room: str, page: int = 1, user: Any = None) -> None: ...

    def user(room: str, token: str, verbose: bool = False) -> str:
        return token

    result = plan({"consumer": consumer}, {"user": user}, allow_unresolved=True)

    assert result.unresolved == (
        ParameterInfo("room", str),
        ParameterInfo("page", int, (), 1),
        ParameterInfo("token", str),
        ParameterInfo("verbose", bool, (), False),
    )


def test_unresolved_duplicates_merge_to_the_required_and_typed_one() -> None:
    def consumer(p: int, q=None) -> None: ...  # type: ignore[no-untyped-def]

    def provider(q: int) -> int:
        return q

    result = plan({"consumer": consumer}, {"p": provider}, allow_unresolved=True)

    assert result.unresolved == (ParameterInfo("q", int),)


def test_unresolved_duplicates_with_different_types_are_an_error() -> None:
    def consumer(q: str) -> None: ...

    def provider(q: int) -> int:
        return q

    with pytest.raises(
        DependencyError, match=r"'q'.*str in consumer 'consumer'.*int in dependency 'p'"
    ):
        plan({"consumer": consumer, "also": lambda p: None}, {"p": provider}, allow_unresolved=True)


@pytest.mark.parametrize(
    ("providers", "cycle"),
    [
        ({"a": lambda b: 1, "b": lambda a: 2}, "a -> b -> a"),
        ({"a": lambda b: 1, "b": lambda c: 2, "c": lambda b: 3}, "b -> c -> b"),
        ({"a": lambda a: 1}, "a -> a"),
    ],
    ids=["two", "behind-an-entry", "self"],
)
def test_cycles_are_named(providers: dict[str, Any], cycle: str) -> None:
    with pytest.raises(DependencyError, match=f"{OWNER}: dependency cycle: {cycle}$"):
        plan({"handler": lambda a: None}, providers)


def test_non_callable_provider_names_key_and_value() -> None:
    with pytest.raises(
        DependencyError, match=f"{OWNER}: dependency 'limit' is not callable: 42 \\(int\\)"
    ):
        plan({"handler": lambda: None}, {"limit": 42})


def test_generator_provider_cannot_be_cached() -> None:
    def session() -> Iterator[int]:
        yield 1

    async def connection() -> AsyncIterator[int]:
        yield 1

    for dependency in (session, connection):
        with pytest.raises(DependencyError, match="is a generator and cannot use use_cache=True"):
            plan({"handler": lambda: None}, {"db": Provide(dependency, use_cache=True)})


@pytest.mark.parametrize("kind", ["supplied", "reserved"])
def test_provider_key_colliding_with_a_caller_name_is_an_error(kind: str) -> None:
    options = {kind: ("socket",)}
    with pytest.raises(
        DependencyError, match=f"dependency key 'socket' collides with the {kind} name 'socket'"
    ):
        plan({"handler": lambda: None}, {"socket": lambda: 1}, **options)


def test_provider_asking_for_a_reserved_name_is_an_error() -> None:
    def uses_data(data: str) -> str:
        return data

    with pytest.raises(DependencyError, match="asks for 'data', a reserved name"):
        plan({"handler": lambda parsed: None}, {"parsed": uses_data}, reserved=("data",))


def test_variadic_consumer_and_provider_are_rejected_with_owner() -> None:
    def consumer(*args: Any) -> None: ...

    def provider(**kwargs: Any) -> int:
        return 1

    with pytest.raises(DependencyError, match=f"{OWNER}: consumer 'handler': .* takes \\*args"):
        plan({"handler": consumer})
    with pytest.raises(DependencyError, match=f"{OWNER}: dependency 'p': .* takes \\*\\*kwargs"):
        plan({"handler": lambda p: None}, {"p": provider})


def test_consumer_that_is_not_callable_is_rejected() -> None:
    with pytest.raises(DependencyError, match="consumer 'handler': cannot read the parameters"):
        plan({"handler": "not a function"})  # type: ignore[dict-item]


def test_unused_providers_are_not_read() -> None:
    def variadic(*args: Any) -> int:
        return 1

    result = plan({"handler": lambda: None}, {"unused": variadic})

    assert result.kwargs_for("handler", {}) == {}


def test_kwargs_for_excludes_reserved_names_and_missing_optional_unresolved() -> None:
    def on_receive(self: Any, data: str, socket: Any, page: int = 1, size: int = 5) -> None: ...

    result = plan(
        {"on_receive": on_receive},
        supplied=("socket",),
        reserved=("self", "data"),
        allow_unresolved=True,
    )
    values = {"socket": "S", "page": 3, "data": "ignored", "self": "ignored"}

    assert result.kwargs_for("on_receive", values) == {"socket": "S", "page": 3}
    assert [p.name for p in result.unresolved] == ["page", "size"]


def test_kwargs_for_unknown_consumer_raises_key_error() -> None:
    result = plan({"handler": lambda: None})

    with pytest.raises(KeyError):
        result.kwargs_for("missing", {})


@pytest.mark.anyio
async def test_supplied_used_names_what_consumers_and_needed_providers_ask_for() -> None:
    def consumer(data: str, socket: object, user: str) -> None: ...

    def user(headers: dict[str, str]) -> str:
        return headers["user"]

    def unused(cookies: dict[str, str]) -> str:
        return ""

    result = plan(
        {"consumer": consumer},
        {"user": user, "unused": unused},
        supplied=("socket", "headers", "cookies", "scope"),
        reserved=("data",),
    )

    assert result.supplied_used == frozenset({"socket", "headers"})
    async with AsyncExitStack() as stack:
        values = await result.resolve({"socket": 1, "headers": {"user": "ann"}}, stack)
    assert result.kwargs_for("consumer", values) == {"socket": 1, "user": "ann"}
