"""AsyncAPIConfig and AsyncAPIServer are checked when made; plugins see and extend them."""

import dataclasses
from typing import Any

import pytest

from ws_core import AppConfig, ConfigurationError
from ws_kit import App, websocket_listener
from ws_kit.asyncapi import AsyncAPIConfig, AsyncAPIServer


@websocket_listener("/echo")
async def echo(data: str) -> str:
    return data


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"path": "asyncapi"}, "path must start with '/'"),
        ({"path": "/asyncapi/"}, "not end with one"),
        ({"servers": {"local": {"host": "localhost"}}}, "server 'local' must be an AsyncAPIServer"),
        ({"ui_script_url": "/ui.js"}, "give both ui_script_url and ui_stylesheet_url"),
        ({"ui_stylesheet_url": "/ui.css"}, "give both ui_script_url and ui_stylesheet_url"),
    ],
)
def test_a_bad_config_is_refused_when_made(arguments: dict[str, Any], message: str) -> None:
    with pytest.raises(ConfigurationError, match=message):
        AsyncAPIConfig(**arguments)


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"host": "ws://localhost:8000"}, "host must be 'host' or 'host:port'"),
        ({"host": ""}, "host must be"),
        ({"host": "localhost", "protocol": "http"}, "protocol must be 'ws' or 'wss'"),
    ],
)
def test_a_bad_server_is_refused_when_made(arguments: dict[str, Any], message: str) -> None:
    with pytest.raises(ConfigurationError, match=message):
        AsyncAPIServer(**arguments)


def test_the_config_holds_copies_of_what_it_was_given() -> None:
    servers = {"local": AsyncAPIServer(host="localhost:8000")}
    info = {"contact": {"name": "Ops"}}
    config = AsyncAPIConfig(servers=servers, info=info)
    servers.clear()
    info.clear()
    assert list(config.servers) == ["local"]
    assert config.info == {"contact": {"name": "Ops"}}


class AddServer:
    """A plugin that extends the App's AsyncAPI configuration."""

    def on_app_init(self, config: AppConfig) -> AppConfig:
        seen = config.asyncapi if config.asyncapi is not None else AsyncAPIConfig()
        servers = {**seen.servers, "plugin": AsyncAPIServer(host="plugin.example", protocol="wss")}
        config.asyncapi = dataclasses.replace(seen, servers=servers)
        return config


def test_a_plugin_sees_and_extends_the_asyncapi_config() -> None:
    given = AsyncAPIConfig(title="Mine", servers={"local": AsyncAPIServer(host="localhost")})
    app = App([echo], asyncapi=given, plugins=[AddServer()])
    document = app.asyncapi_document.as_dict()
    assert document["info"]["title"] == "Mine"
    assert list(document["servers"]) == ["local", "plugin"]
    # a plugin may also turn the document on for an App that did not ask for it
    assert App([echo], plugins=[AddServer()]).asyncapi_document.config.servers


def test_a_plugin_that_puts_something_else_there_is_a_configuration_error() -> None:
    class Broken:
        def on_app_init(self, config: AppConfig) -> AppConfig:
            config.asyncapi = {"title": "no"}  # type: ignore[assignment]
            return config

    with pytest.raises(ConfigurationError, match="asyncapi must be an AsyncAPIConfig"):
        App([echo], plugins=[Broken()])
