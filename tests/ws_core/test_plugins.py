"""The plugin contract: App(plugins=[...]) calls on_app_init once, before routes are bound."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import pytest

from ws_core import App, AppConfig, ConfigurationError, Plugin, WebSocket, websocket
from ws_core.testing import AsyncTestClient, WebSocketRejected
from ws_di import Provide

pytestmark = pytest.mark.anyio


@websocket("/greet")
async def greet(socket: WebSocket, greeting: str) -> None:
    await socket.accept()
    await socket.send_text(greeting)


class Greeter:
    """Adds the dependency `greet` needs, a route of its own, a lifespan and hooks."""

    def __init__(self, log: list[str]) -> None:
        self.log = log

    def on_app_init(self, config: AppConfig) -> AppConfig:
        self.log.append(f"init with {len(config.route_handlers)} handlers")

        @websocket("/plugin")
        async def own_route(socket: WebSocket) -> None:
            await socket.accept()
            await socket.send_text("from the plugin")

        @asynccontextmanager
        async def lifespan(app: App) -> AsyncIterator[None]:
            self.log.append("enter")
            yield
            self.log.append("exit")

        config.route_handlers.append(own_route)
        config.dependencies["greeting"] = Provide(lambda: "hello", sync_to_thread=False)
        config.lifespan.append(lifespan)
        config.on_startup.append(lambda: self.log.append("startup"))
        return config


async def test_a_plugin_extends_routes_dependencies_and_lifespan() -> None:
    log: list[str] = []
    app = App([greet], plugins=[Greeter(log)])
    assert log == ["init with 1 handlers"]
    async with AsyncTestClient(app) as client:
        assert log == ["init with 1 handlers", "enter", "startup"]
        async with client.websocket_connect("/greet") as session:
            assert await session.receive_text() == "hello"
        async with client.websocket_connect("/plugin") as session:
            assert await session.receive_text() == "from the plugin"
    assert log[-1] == "exit"
    assert [route.path for route in app.routes] == ["/greet", "/plugin"]
    assert isinstance(app.plugins[0], Plugin)


async def test_plugins_run_in_order_each_seeing_the_previous_result() -> None:
    seen: list[str] = []

    class Named:
        def __init__(self, name: str) -> None:
            self.name = name

        def on_app_init(self, config: AppConfig) -> AppConfig:
            seen.append(f"{self.name} sees {sorted(config.state)}")
            config.state[self.name] = True
            return config

    app = App(plugins=[Named("first"), Named("second")], state={"user": 1})
    assert seen == ["first sees ['user']", "second sees ['first', 'user']"]
    assert dict(app.state) == {"user": 1, "first": True, "second": True}


async def test_a_plugin_may_return_a_new_config() -> None:
    class Replacing:
        def on_app_init(self, config: AppConfig) -> AppConfig:
            return AppConfig(route_handlers=[greet], dependencies={"greeting": lambda: "new"})

    app = App([], plugins=[Replacing()])
    async with AsyncTestClient(app) as client, client.websocket_connect("/greet") as session:
        assert await session.receive_text() == "new"


async def test_a_plugin_mistake_is_reported_like_the_users_own() -> None:
    class Broken:
        def on_app_init(self, config: AppConfig) -> AppConfig:
            config.route_handlers.append(greet)  # a duplicate path
            return config

    with pytest.raises(ConfigurationError, match="duplicate path '/greet'"):
        App([greet], dependencies={"greeting": lambda: "x"}, plugins=[Broken()])


def test_an_object_without_on_app_init_is_refused() -> None:
    with pytest.raises(ConfigurationError, match="has no on_app_init"):
        App(plugins=[object()])  # type: ignore[list-item]


def test_on_app_init_must_return_the_config() -> None:
    class Forgetful:
        def on_app_init(self, config: AppConfig) -> None:
            config.debug = True

    with pytest.raises(ConfigurationError, match="must return the AppConfig"):
        App(plugins=[Forgetful()])  # type: ignore[list-item]


async def test_without_the_plugin_the_dependency_is_missing() -> None:
    # The plugin's dependency is what makes `greeting` injectable: without it,
    # `greeting` is a required query parameter and the handshake is refused.
    app = App([greet])
    async with AsyncTestClient(app) as client:
        with pytest.raises(WebSocketRejected) as rejected:
            async with client.websocket_connect("/greet"):
                pass
    assert rejected.value.status_code == 400
