"""App: lifespan, graceful shutdown, http scopes, start-up validation, the handler contract."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from typing import Any

import anyio
import pytest
from core_support import ScriptedPeer
from starlette.applications import Starlette
from starlette.routing import Mount

from ws_core import (
    App,
    BoundRoute,
    ConfigurationError,
    LayerOptions,
    Router,
    State,
    WebSocket,
    WebSocketDisconnect,
    websocket,
)
from ws_core.testing import AsyncTestClient, WebSocketRejected

pytestmark = pytest.mark.anyio


@websocket("/echo")
async def echo(socket: WebSocket) -> None:
    await socket.accept()
    async for message in socket.iter_text():
        await socket.send_text(message)


# -- lifespan ---------------------------------------------------------------------------


async def test_lifespan_order_hooks_and_contexts() -> None:
    log: list[str] = []

    @asynccontextmanager
    async def context(name: str) -> AsyncIterator[None]:
        log.append(f"enter {name}")
        yield
        log.append(f"exit {name}")

    def per_app(app: App) -> Any:
        return context(f"per-app {app.state.name}")

    async def async_hook(app: App) -> None:
        log.append(f"startup async {app.state.name}")

    app = App(
        [echo],
        state={"name": "demo"},
        lifespan=[context("instance"), per_app],
        on_startup=[lambda: log.append("startup sync"), async_hook],
        on_shutdown=[lambda app: log.append("shutdown 1"), lambda: log.append("shutdown 2")],
    )
    async with AsyncTestClient(app) as client:
        assert log == ["enter instance", "enter per-app demo", "startup sync", "startup async demo"]
        async with client.websocket_connect("/echo") as session:
            await session.send_text("up")
            assert await session.receive_text() == "up"
    assert log[4:] == ["shutdown 1", "shutdown 2", "exit per-app demo", "exit instance"]


async def test_startup_failure_surfaces_and_exits_entered_contexts(
    caplog: pytest.LogCaptureFixture,
) -> None:
    log: list[str] = []

    @asynccontextmanager
    async def context(app: App) -> AsyncIterator[None]:
        log.append("enter")
        yield
        log.append("exit")

    def fail() -> None:
        raise ValueError("no database")

    app = App([echo], lifespan=[context], on_startup=[fail])
    with pytest.raises(RuntimeError, match="lifespan startup failed: ValueError: no database"):
        async with AsyncTestClient(app):
            pass
    assert log == ["enter", "exit"]
    assert any(r.levelno == logging.ERROR and r.exc_info for r in caplog.records)


async def test_shutdown_failure_surfaces_after_every_hook_ran() -> None:
    log: list[str] = []

    def fail() -> None:
        log.append("failing hook")
        raise OSError("flush failed")

    app = App([echo], on_shutdown=[fail, lambda: log.append("next hook")])
    with pytest.raises(RuntimeError, match="lifespan shutdown failed: OSError: flush failed"):
        async with AsyncTestClient(app):
            pass
    assert log == ["failing hook", "next hook"]


async def test_shutdown_closes_open_connections_with_1001_after_their_cleanup() -> None:
    log: list[str] = []

    async def resource() -> AsyncIterator[str]:
        try:
            yield "r"
        finally:
            log.append("dependency teardown")

    @websocket("/", dependencies={"resource": resource})
    async def handler(socket: WebSocket, resource: str) -> None:
        await socket.accept()
        await socket.send_text("ready")
        try:
            await socket.receive_text()
        finally:
            log.append("handler interrupted")

    app = App([handler], on_shutdown=[lambda: log.append("on_shutdown")])
    async with AsyncTestClient(app) as client:
        connection = client.websocket_connect("/")
        session = await connection.__aenter__()
        assert await session.receive_text() == "ready"
    # Leaving the client ran the lifespan shutdown while the connection was open.
    with pytest.raises(WebSocketDisconnect) as caught:
        await session.receive_text()
    await connection.__aexit__(None, None, None)
    assert caught.value.code == 1001
    assert log == ["handler interrupted", "dependency teardown", "on_shutdown"]


@pytest.mark.parametrize("shutdown_timeout", [5.0, 0.1])
async def test_shutdown_waits_for_every_teardown_up_to_its_timeout(
    shutdown_timeout: float, caplog: pytest.LogCaptureFixture
) -> None:
    log: list[str] = []
    all_torn_down = anyio.Event()

    async def resource(delay: float) -> AsyncIterator[float]:
        try:
            yield delay
        finally:  # the shutdown's cancellation is thrown in at the yield
            await anyio.sleep(delay)  # shielded: the cancellation does not interrupt it
            log.append(f"teardown {delay}")
            if delay:
                all_torn_down.set()

    @websocket("/", dependencies={"resource": resource})
    async def handler(socket: WebSocket, resource: float) -> None:
        await socket.accept()
        await socket.send_text("ready")
        await socket.receive_text()

    app = App([handler], on_shutdown=[lambda: log.append("on_shutdown")])
    app.shutdown_timeout = shutdown_timeout
    async with AsyncTestClient(app) as client:
        connections = [client.websocket_connect(f"/?delay={d}") for d in (0.4, 0.0)]
        for connection in connections:
            session = await connection.__aenter__()
            assert await session.receive_text() == "ready"
    for connection in connections:
        await connection.__aexit__(None, None, None)
    still_open = [r for r in caplog.records if "still open" in r.getMessage()]
    if shutdown_timeout > 1:
        assert log == ["teardown 0.0", "teardown 0.4", "on_shutdown"]
        assert still_open == []
    else:
        assert log[:2] == ["teardown 0.0", "on_shutdown"]
        assert [r.levelno for r in still_open] == [logging.WARNING]
        with anyio.fail_after(5):
            await all_torn_down.wait()
        assert log[2:] == ["teardown 0.4"]


async def test_shutdown_refuses_a_handshake_still_setting_up() -> None:
    started = anyio.Event()
    statuses: list[int] = []

    async def slow() -> str:
        started.set()
        await anyio.sleep_forever()
        raise AssertionError("unreachable")

    @websocket("/", dependencies={"slow": slow})
    async def handler(socket: WebSocket, slow: str) -> None:
        await socket.accept()

    client = AsyncTestClient(App([handler]))

    async def connect() -> None:
        with pytest.raises(WebSocketRejected) as caught:
            async with client.websocket_connect("/"):
                pass
        statuses.append(caught.value.status_code)

    async with anyio.create_task_group() as group, client:
        group.start_soon(connect)
        await started.wait()
    assert statuses == [403]


# -- other scope types --------------------------------------------------------------------


async def test_http_scope_gets_a_plain_404_without_http_app() -> None:
    peer = ScriptedPeer({"type": "http.request", "body": b""})
    await App([echo])({"type": "http", "path": "/"}, peer.receive, peer.send)
    assert peer.sent[0]["status"] == 404
    assert (b"content-type", b"text/plain; charset=utf-8") in peer.sent[0]["headers"]
    assert peer.sent[1]["body"] == b"Not Found"


async def test_http_scope_goes_to_http_app() -> None:
    seen: list[Mapping[str, Any]] = []

    async def http_app(scope: Any, receive: Any, send: Any) -> None:
        seen.append(scope)

    scope = {"type": "http", "path": "/page"}
    peer = ScriptedPeer()
    await App([echo], http_app=http_app)(scope, peer.receive, peer.send)
    assert seen == [scope]


async def test_unknown_scope_type_is_refused() -> None:
    peer = ScriptedPeer()
    with pytest.raises(RuntimeError, match="unsupported ASGI scope type 'webtransport'"):
        await App([echo])({"type": "webtransport"}, peer.receive, peer.send)


async def test_mounted_under_starlette_routes_after_root_path() -> None:
    @websocket("/rooms/{room}")
    async def room(socket: WebSocket, room: str) -> None:
        await socket.accept()
        await socket.send_json({"room": room, "path": socket.url.path})

    starlette_app = Starlette(routes=[Mount("/ws", app=App([room]))])
    async with (
        AsyncTestClient(starlette_app) as client,
        client.websocket_connect("/ws/rooms/r1") as session,
    ):
        assert await session.receive_json() == {"room": "r1", "path": "/ws/rooms/r1"}
        with pytest.raises(WebSocketRejected) as caught:
            async with client.websocket_connect("/ws/elsewhere"):
                pass
        assert caught.value.status_code == 404  # our 404, under the mount


# -- state -----------------------------------------------------------------------------------


def test_state_accepts_a_state_a_dict_or_nothing() -> None:
    shared = State({"a": 1})
    assert App(state=shared).state is shared
    from_dict = App(state={"a": 1}).state
    assert isinstance(from_dict, State)
    assert from_dict.a == from_dict["a"] == 1
    assert len(App().state) == 0


def test_state_attribute_and_item_access() -> None:
    state = State()
    assert not hasattr(state, "count")
    state.count = 1
    state["other"] = 2
    assert (state["count"], state.other) == (1, 2)
    del state.count
    del state["other"]
    assert dict(state) == {}
    with pytest.raises(AttributeError):
        _ = state.count
    with pytest.raises(KeyError):
        _ = state["count"]
    copy = State({"x": [1]}).copy()
    assert copy == {"x": [1]}


# -- start-up validation ------------------------------------------------------------------------


def test_a_sync_function_is_refused_at_decoration() -> None:
    with pytest.raises(
        ConfigurationError, match="sync_handler': the function must be an 'async def'"
    ):

        @websocket("/")  # type: ignore[arg-type]  # the mistake under test
        def sync_handler(socket: WebSocket) -> None: ...


def test_a_handler_without_socket_fails_when_the_app_is_built() -> None:
    @websocket("/")
    async def no_socket(data: str) -> None: ...

    with pytest.raises(ConfigurationError, match=r"no_socket' at '/'.*must take a 'socket'"):
        App([no_socket])


def test_a_dependency_error_becomes_a_configuration_error_naming_the_handler() -> None:
    def a(b: int) -> int:
        return b

    def b(a: int) -> int:
        return a

    @websocket("/cycle", dependencies={"a": a, "b": b})
    async def cyclic(socket: WebSocket, a: int) -> None: ...

    with pytest.raises(ConfigurationError, match=r"cyclic' at '/cycle'.*cycle"):
        App([cyclic])


def test_a_query_parameter_that_cannot_come_from_a_query_string_is_refused() -> None:
    class Database: ...

    @websocket("/")
    async def forgot_dependency(socket: WebSocket, db: Database) -> None: ...

    with pytest.raises(ConfigurationError, match=r"forgot_dependency'.*parameter 'db'"):
        App([forgot_dependency])


@pytest.mark.parametrize(
    ("entry", "problem"),
    [
        (lambda socket: None, "did you forget a decorator"),
        (object(), "is not a route handler"),
    ],
)
def test_entries_that_are_not_route_handlers_are_refused(entry: Any, problem: str) -> None:
    with pytest.raises(ConfigurationError, match=problem):
        App([entry])
    with pytest.raises(ConfigurationError, match=problem):
        App([Router("/r", [entry])])


@pytest.mark.parametrize(
    ("options", "problem"),
    [
        ({"allowed_origins": "https://a.example"}, "not the string"),
        ({"on_startup": [lambda a, b: None]}, "must take no argument or the app"),
        ({"on_shutdown": ["not callable"]}, "must be callables"),
        ({"lifespan": [42]}, "lifespan items"),
    ],
)
def test_invalid_app_options(options: dict[str, Any], problem: str) -> None:
    with pytest.raises(ConfigurationError, match=problem):
        App(**options)


# -- the route-handler contract -------------------------------------------------------------------


class SuppliedOnly:
    """A third-party handler kind that plans nothing: it gets the supplied values only."""

    paths = ("/plain/{item_id:int}",)
    name = "plain"
    layer = LayerOptions()
    logger = logging.getLogger("third.party")

    def bind(self, route: BoundRoute) -> Any:
        assert route.path_parameters == {"item_id": int}

        async def serve(socket: WebSocket, values: Mapping[str, Any]) -> None:
            await socket.accept()
            await socket.send_json({"keys": sorted(values), "item_id": values["item_id"]})
            raise KeyError("third-party bug")

        return serve


class Registered:
    """An entry registering itself through __route_handler__ (as listener classes do)."""

    @classmethod
    def __route_handler__(cls) -> SuppliedOnly:
        return SuppliedOnly()


async def test_a_third_party_handler_without_a_plan(caplog: pytest.LogCaptureFixture) -> None:
    async with (
        AsyncTestClient(App([Registered])) as client,
        client.websocket_connect("/plain/5?ignored=1") as session,
    ):
        assert await session.receive_json() == {
            "keys": ["cookies", "headers", "item_id", "query", "scope", "socket", "state"],
            "item_id": 5,
        }
        with pytest.raises(WebSocketDisconnect) as caught:
            await session.receive_text()
    assert caught.value.code == 1011
    [record] = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert record.name == "third.party"


class PlansSocketOnly:
    """A third-party handler that plans for ``socket`` but reads other values directly."""

    paths = ("/planned",)
    name = "planned"
    layer = LayerOptions()
    logger = logging.getLogger("third.party")

    def bind(self, route: BoundRoute) -> Any:
        async def consumer(socket: WebSocket) -> None: ...

        plan = route.plan({"consumer": consumer})

        async def serve(socket: WebSocket, values: Mapping[str, Any]) -> None:
            assert plan.kwargs_for("consumer", values) == {"socket": socket}
            assert "cookies" in values
            assert values["headers"] is socket.headers
            assert values.get("cookies") == {"k": "v"}
            assert values["query"].getall("q") == ["1", "2"]
            assert dict(values).keys() == {
                "socket",
                "state",
                "scope",
                "headers",
                "query",
                "cookies",
            }
            with pytest.raises(KeyError):
                values["missing"]
            await socket.accept()
            await socket.send_text("checked")

        return serve


async def test_values_hold_every_supplied_name_even_those_nothing_planned() -> None:
    async with (
        AsyncTestClient(App([PlansSocketOnly()])) as client,
        client.websocket_connect("/planned?q=1&q=2", headers={"cookie": "k=v"}) as session,
    ):
        assert await session.receive_text() == "checked"


def test_route_plan_may_be_called_only_once() -> None:
    class PlansTwice(SuppliedOnly):
        def bind(self, route: BoundRoute) -> Any:
            route.plan({"a": lambda socket: None})
            route.plan({"a": lambda socket: None})

    with pytest.raises(ConfigurationError, match="may be called only once"):
        App([PlansTwice()])
