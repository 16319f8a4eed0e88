"""The YAML emitter of ws_core.asyncapi: JSON data in, the same data read back by PyYAML.

PyYAML reads YAML 1.1, whose plain scalars mean more than 1.2's (``yes``,
``on``, ``1e3``...): what round-trips there round-trips under 1.2 too. The
official parser's test reads the documents (and TRICKY_STRINGS) with js-yaml,
a YAML 1.2 reader.
"""

import math
from typing import Any

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st
from yaml_cases import TRICKY_STRINGS

from ws_core.asyncapi.yaml import to_yaml


def test_tricky_strings_round_trip_as_values_and_keys() -> None:
    data = {"values": TRICKY_STRINGS, "keys": {text: text for text in TRICKY_STRINGS}}
    assert yaml.safe_load(to_yaml(data)) == data


def test_the_layout_of_nested_collections() -> None:
    data = {
        "asyncapi": "3.0.0",
        "list": [1, [2, 3], {"a": None, "b": [True, False]}, [], {}],
        "map": {"inner": {"x": 1.5}, "empty": {}},
    }
    assert to_yaml(data) == (
        'asyncapi: "3.0.0"\n'
        "list:\n"
        "  - 1\n"
        "  - - 2\n"
        "    - 3\n"
        "  - a: null\n"
        "    b:\n"
        "      - true\n"
        "      - false\n"
        "  - []\n"
        "  - {}\n"
        "map:\n"
        "  inner:\n"
        "    x: 1.5\n"
        "  empty: {}\n"
    )


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (None, "null\n"),
        ([], "[]\n"),
        ({}, "{}\n"),
        ("word", "word\n"),
        (1e20, "1.0e+20\n"),
        (1.5e-07, "1.5e-07\n"),
        (-0.0, "-0.0\n"),
        (10**30, "1000000000000000000000000000000\n"),
    ],
)
def test_scalars(value: Any, text: str) -> None:
    assert to_yaml(value) == text
    assert yaml.safe_load(text) == value


@pytest.mark.parametrize(
    ("data", "error"),
    [
        ({1: "a"}, TypeError),
        ({"a": {1, 2}}, TypeError),
        ([object()], TypeError),
        ([math.inf], ValueError),
        ({"a": math.nan}, ValueError),
        (["\ud800"], ValueError),
    ],
)
def test_what_is_not_json_data_is_refused(data: Any, error: type[Exception]) -> None:
    with pytest.raises(error):
        to_yaml(data)


json_data = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(st.characters(exclude_categories=["Cs"])),
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(st.text(st.characters(exclude_categories=["Cs"])), children, max_size=4)
    ),
    max_leaves=20,
)


@given(json_data)
def test_any_json_data_round_trips(data: Any) -> None:
    assert yaml.safe_load(to_yaml(data)) == data
