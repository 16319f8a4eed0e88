"""Path and query parameters follow one conversion rule, with error bodies in our words."""

from __future__ import annotations

import enum
import uuid
from decimal import Decimal
from typing import Annotated, Any, Literal

import msgspec
import pytest

from ws_core import App, WebSocket, websocket
from ws_core.testing import AsyncTestClient, WebSocketRejected

pytestmark = pytest.mark.anyio


class Color(enum.Enum):
    RED = "red"
    BLUE = "blue"


async def converted(app: App, path: str) -> Any:
    async with AsyncTestClient(app) as client, client.websocket_connect(path) as session:
        return await session.receive_json()


async def errors_of(app: App, path: str) -> list[dict[str, str]]:
    async with AsyncTestClient(app) as client:
        with pytest.raises(WebSocketRejected) as rejected:
            async with client.websocket_connect(path):
                pass
    assert rejected.value.status_code == 400
    body = rejected.value.json()
    assert body["detail"] == "Invalid request parameters"
    errors: list[dict[str, str]] = body["errors"]
    return errors


def echo_app(annotation: Any) -> App:
    """One route reading ``value`` from the path as a float and ``q`` from the query."""

    async def handler(socket: WebSocket, value: float, q: Any) -> None:
        await socket.accept()
        await socket.send_json({"value": value, "q": q})

    handler.__annotations__["q"] = annotation
    return App([websocket("/f/{value:float}")(handler)])


@pytest.mark.parametrize("raw", ["nan", "NaN", "inf", "-inf", "Infinity", "1e999"])
async def test_non_finite_floats_are_refused_in_the_path_and_the_query_alike(raw: str) -> None:
    app = echo_app(float)
    path_errors = await errors_of(app, f"/f/{raw}?q=1")
    query_errors = await errors_of(app, f"/f/1?q={raw}")
    assert path_errors == [{"name": "value", "message": f"expected a finite number, got {raw!r}"}]
    assert query_errors == [{"name": "q", "message": f"expected a finite number, got {raw!r}"}]


async def test_finite_floats_pass_in_both() -> None:
    assert await converted(echo_app(float), "/f/-2.5e3?q=0.25") == {"value": -2500.0, "q": 0.25}


async def test_a_huge_integer_gets_our_message_not_pythons() -> None:
    @websocket("/i/{n:int}")
    async def handler(socket: WebSocket, n: int, m: int = 0) -> None:
        await socket.accept()

    app = App([handler])
    digits = "7" * 4301  # beyond Python's int-from-str digit limit
    path_error, query_error = (
        await errors_of(app, f"/i/{digits}?m=x"),
        await errors_of(app, f"/i/1?m={digits}"),
    )
    assert path_error[0]["name"] == "n"
    assert path_error[0]["message"].startswith("expected an integer, got '7777")
    assert len(path_error[0]["message"]) < 80
    assert query_error[0]["message"].startswith("expected an integer, got '7777")
    for body in (path_error, query_error):
        assert "4300" not in str(body)
        assert "sys.set_int_max_str_digits" not in str(body)


@pytest.mark.parametrize(
    ("annotation", "raw", "message"),
    [
        (int, "x", "expected an integer, got 'x'"),
        (Annotated[int, msgspec.Meta(ge=10)], "5", "expected an integer >= 10, got '5'"),
        (bool, "yes", "expected true or false, got 'yes'"),
        (uuid.UUID, "zz", "expected a UUID, got 'zz'"),
        (Decimal, "NaN", "expected a finite decimal number, got 'NaN'"),
        (Literal["a", "b"], "c", "expected one of 'a', 'b', got 'c'"),
        (Color, "green", "expected one of 'red', 'blue', got 'green'"),
        (
            Annotated[str, msgspec.Meta(max_length=2)],
            "abc",
            "expected a string of at most 2 characters, got 'abc'",
        ),
        (int | None, "x", "expected an integer, got 'x'"),
    ],
)
async def test_query_errors_name_what_was_expected(annotation: Any, raw: str, message: str) -> None:
    assert await errors_of(echo_app(annotation), f"/f/1?q={raw}") == [
        {"name": "q", "message": message}
    ]


async def test_a_list_parameter_names_the_bad_item() -> None:
    assert await errors_of(echo_app(list[int]), "/f/1?q=1&q=x") == [
        {"name": "q", "message": "item 2: expected an integer, got 'x'"}
    ]
    assert await converted(echo_app(list[int]), "/f/1?q=1&q=2") == {"value": 1.0, "q": [1, 2]}


async def test_non_finite_numbers_can_be_taken_as_text() -> None:
    # The documented way to accept them: take the text and convert it yourself.
    assert await converted(echo_app(str), "/f/1?q=nan") == {"value": 1.0, "q": "nan"}
