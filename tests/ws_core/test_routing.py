"""Routing: typed parameters, shapes, nested routers, root_path, start-up errors."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from ws_core import App, ConfigurationError, Router, WebSocket, websocket
from ws_core.testing import AsyncTestClient, WebSocketRejected

pytestmark = pytest.mark.anyio


def reporter(path: str | list[str], name: str | None = None) -> Any:
    """A handler that sends its path parameters (as JSON) and its name."""

    @websocket(path, name=name)
    async def handler(socket: WebSocket) -> None:
        await socket.accept()
        params = {key: str(value) for key, value in socket.path_params.items()}
        await socket.send_json({"name": name, "params": params})

    return handler


async def visit(app: Any, path: str) -> Any:
    async with AsyncTestClient(app) as client, client.websocket_connect(path) as session:
        return await session.receive_json()


async def status_of(app: Any, path: str) -> int:
    async with AsyncTestClient(app) as client:
        with pytest.raises(WebSocketRejected) as caught:
            async with client.websocket_connect(path):
                pass
    return caught.value.status_code


async def test_typed_parameters_are_converted_and_injected_by_name() -> None:
    seen: dict[str, Any] = {}

    @websocket("/shop/{shop}/items/{item_id:int}/{price:float}/{ref:uuid}/{rest:path}")
    async def handler(
        socket: WebSocket, shop: str, item_id: int, price: float, ref: uuid.UUID, rest: str
    ) -> None:
        seen.update(shop=shop, item_id=item_id, price=price, ref=ref, rest=rest)
        seen["path_params"] = dict(socket.path_params)
        await socket.accept()

    ref = uuid.uuid4()
    async with (
        AsyncTestClient(App([handler])) as client,
        client.websocket_connect(f"/shop/acme/items/-7/2.5/{ref}/a/b/c.txt"),
    ):
        pass
    expected = {"shop": "acme", "item_id": -7, "price": 2.5, "ref": ref, "rest": "a/b/c.txt"}
    assert {key: seen[key] for key in expected} == expected
    assert seen["path_params"] == expected


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/items/abc", 400),  # the shape matches: a bad value, not an unknown path
        ("/items/1.5", 400),
        ("/items", 404),
        ("/items/1/extra", 404),
        ("/ref/not-a-uuid", 400),
        ("/price/1e3x", 400),
        ("/files", 404),  # a path parameter takes at least one segment
    ],
)
async def test_shape_then_convert(path: str, status: int) -> None:
    app = App(
        [
            reporter("/items/{item_id:int}"),
            reporter("/ref/{ref:uuid}"),
            reporter("/price/{p:float}"),
            reporter("/files/{p:path}"),
        ]
    )
    assert await status_of(app, path) == status


async def test_literal_segments_win_over_parameters() -> None:
    app = App(
        [
            reporter("/items/{item_id}", "param"),
            reporter("/items/new", "static"),
            reporter("/a/{x}/c", "param-first"),
            reporter("/a/b/{y}", "literal-first"),
            reporter("/a/{rest:path}", "rest"),
        ]
    )
    assert (await visit(app, "/items/new"))["name"] == "static"
    assert (await visit(app, "/items/42"))["name"] == "param"
    assert (await visit(app, "/a/b/c"))["name"] == "literal-first"
    assert (await visit(app, "/a/z/c"))["name"] == "param-first"
    assert await visit(app, "/a/z/q/r") == {"name": "rest", "params": {"rest": "z/q/r"}}


async def test_trailing_slashes_are_ignored() -> None:
    app = App([reporter("/chat/", "chat"), reporter("/rooms/{room}", "room")])
    assert (await visit(app, "/chat"))["name"] == "chat"
    assert (await visit(app, "/chat/"))["name"] == "chat"
    assert await visit(app, "/rooms/r1/") == {"name": "room", "params": {"room": "r1"}}


async def test_nested_routers_prefix_their_paths() -> None:
    app = App(
        [
            Router(
                "/api",
                [
                    Router("/v1/{tenant}", [reporter("/rooms/{room}", "nested")]),
                    reporter("/", "api"),
                ],
            ),
            reporter("/", "root"),
        ]
    )
    assert await visit(app, "/api/v1/acme/rooms/r9") == {
        "name": "nested",
        "params": {"tenant": "acme", "room": "r9"},
    }
    assert (await visit(app, "/api"))["name"] == "api"
    assert (await visit(app, "/"))["name"] == "root"
    assert [route.path for route in app.routes] == ["/api/v1/{tenant}/rooms/{room}", "/api", "/"]
    assert app.routes[0].path_parameters == {"tenant": str, "room": str}


async def test_one_handler_may_serve_several_paths() -> None:
    app = App([reporter(["/a", "/b/{x:int}"], "multi")])
    assert (await visit(app, "/a"))["name"] == "multi"
    assert await visit(app, "/b/3") == {"name": "multi", "params": {"x": "3"}}


@pytest.mark.parametrize(
    ("root_path", "path", "expected"),
    [
        ("/ws", "/ws/chat", "chat"),  # path includes root_path (the ASGI rule)
        ("/ws", "/chat", "chat"),  # a server that already stripped it
        ("/ws", "/wsx/chat", None),  # not a path-segment prefix: nothing stripped
        ("", "/chat", "chat"),
    ],
)
async def test_routes_match_after_root_path(
    root_path: str, path: str, expected: str | None
) -> None:
    app = App([reporter("/chat", "chat")])

    async def mounted(scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "websocket":
            scope = {**scope, "root_path": root_path, "path": path}
        await app(scope, receive, send)

    if expected is None:
        assert await status_of(mounted, "/") == 404
    else:
        assert (await visit(mounted, "/"))["name"] == expected


@pytest.mark.parametrize(
    ("path", "problem"),
    [
        ("/items/{id:integer}", "unknown parameter type 'integer'"),
        ("/items/{id", "unbalanced braces"),
        ("/items/id}", "unbalanced braces"),
        ("/items/x{id}", "does not span the whole segment"),
        ("/a/{x}/b/{x:int}", "parameter 'x' repeated"),
        ("/files/{p:path}/tail", "a 'path' parameter must be the last segment"),
        ("/items/{1id}", "is not an identifier"),
    ],
)
def test_malformed_paths_fail_when_the_app_is_built(path: str, problem: str) -> None:
    handler = reporter(path, "broken")
    with pytest.raises(ConfigurationError, match=problem) as caught:
        App([handler])
    assert "'broken'" in str(caught.value)


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("/a", "/a/"),
        ("/items/{item_id:int}", "/items/{name}"),
        ("/files/{p:path}", "/files/{q:path}"),
    ],
)
def test_duplicate_paths_fail_when_the_app_is_built(first: str, second: str) -> None:
    with pytest.raises(ConfigurationError, match="duplicate path"):
        App([reporter(first, "one"), Router("/", [reporter(second, "two")])])


def test_a_path_parameter_next_to_a_parameter_of_the_same_shape_is_not_a_duplicate() -> None:
    App([reporter("/a/{x}", "one"), reporter("/a/{p:path}", "two")])
