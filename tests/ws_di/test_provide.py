from collections.abc import Callable
from typing import Any

from ws_di import Provide, merge_providers


def one() -> int:
    return 1


def two() -> int:
    return 2


def test_closest_layer_wins_per_key_and_bare_callables_are_wrapped() -> None:
    app_level: dict[str, Provide | Callable[..., Any]] = {"a": Provide(one), "b": one}
    handler_level: dict[str, Provide | Callable[..., Any]] = {
        "b": two,
        "c": Provide(two, use_cache=True, sync_to_thread=False),
    }

    merged = merge_providers(app_level, None, handler_level)

    assert list(merged) == ["a", "b", "c"]
    assert merged["a"] is app_level["a"]
    assert isinstance(merged["b"], Provide)
    assert merged["b"].dependency is two
    assert (merged["b"].use_cache, merged["b"].sync_to_thread) == (False, True)
    assert merged["c"] is handler_level["c"]


def test_merge_returns_a_new_dict() -> None:
    layer = {"a": Provide(one)}

    merged = merge_providers(layer)

    merged["b"] = Provide(two)
    assert list(layer) == ["a"]


def test_repr_names_the_options() -> None:
    assert repr(Provide(one, use_cache=True)).startswith("Provide(<function one")
    assert "use_cache=True, sync_to_thread=True" in repr(Provide(one, use_cache=True))
