"""Every document we generate passes the official parser, ``@asyncapi/parser``, without an error.

The documents: an App covering every annotation kind of SPEC §2 with DTOs,
streams, MessagePack and parameters; the chat demo; an App without routes;
third-party handler kinds; names made unique; the routes a ChannelsPlugin
generates (described by core alone until ws-channels' route handler has a
``describe``). Each is parsed as JSON and as
YAML, and js-yaml (YAML 1.2) must read the YAML as the same data as the JSON.
"""

from collections.abc import Callable
from pathlib import Path
from types import ModuleType

import msgspec
import pytest
from asyncapi_apps import every_kind_app
from official_parser import ERROR, describe, parse
from third_party import Countdown, Described, Silent
from yaml_cases import TRICKY_STRINGS

from ws_channels import ChannelsPlugin
from ws_kit import App, Router, websocket_listener
from ws_kit.asyncapi import AsyncAPIConfig

CHAT_APP = "chat/app.py"


class Say(msgspec.Struct):
    text: str


def conflicting_names_app() -> App:
    def make() -> type:
        class Say(msgspec.Struct):
            """Another model named Say."""

            words: list[str]

        return Say

    other = make()

    @websocket_listener("/a", name="talk")
    async def first(data: Say) -> Say:
        return data

    @websocket_listener("/b", name="talk")
    async def second(data: other) -> None:  # type: ignore[valid-type]
        return None

    return App([first, second, Router("/v1", [first])])


def tricky_text_app() -> App:
    @websocket_listener("/tricky")
    async def tricky(data: str) -> None:
        """Line one: a colon, "quotes", a #hash and 'apostrophes'.

        - not a list
        yes: no
        """

    config = AsyncAPIConfig(title="yes", version="1e3", info={"x-tricky-strings": TRICKY_STRINGS})
    return App([tricky], asyncapi=config)


def third_party_app() -> App:
    schema = {"type": "object", "properties": {"id": {"type": "integer"}}}
    return App([Countdown("/countdown"), Silent("/silent"), Described("/custom", schema)])


def channels_app() -> App:
    declared = ChannelsPlugin(
        channels=["lobby", "news"], create_ws_route_handlers=True, ws_handler_base_path="/live"
    )
    return App([], plugins=[declared])


def arbitrary_channels_app() -> App:
    plugin = ChannelsPlugin(arbitrary_channels_allowed=True, create_ws_route_handlers=True)
    return App([], plugins=[plugin])


@pytest.fixture
def chat(load_example: Callable[[str], ModuleType]) -> ModuleType:
    return load_example(CHAT_APP)


def test_every_document_passes_the_official_parser(tmp_path: Path, chat: ModuleType) -> None:
    apps = {
        "every_kind": every_kind_app(),
        "chat_demo": chat.create_app(),
        "no_routes": App(),
        "third_party": third_party_app(),
        "conflicting_names": conflicting_names_app(),
        "tricky_text": tricky_text_app(),
        "channels": channels_app(),
        "arbitrary_channels": arbitrary_channels_app(),
    }
    documents = {}
    for name, app in apps.items():
        documents[f"{name}.json"] = app.asyncapi_document.json()
        documents[f"{name}.yaml"] = app.asyncapi_document.yaml()
    parsed = parse(tmp_path, documents)
    for file, result in parsed.items():
        assert not result.at(ERROR), f"{file}:\n{describe(result)}"
    for name, app in apps.items():
        expected = app.asyncapi_document.as_dict()
        assert parsed[f"{name}.json"].data == expected, name
        assert parsed[f"{name}.yaml"].data == expected, f"js-yaml reads {name}.yaml otherwise"


def test_the_parser_does_find_errors(tmp_path: Path) -> None:
    # Without this, a parser that accepts anything would pass the test above.
    missing_parameters = every_kind_app().asyncapi_document.as_dict()
    missing_parameters["channels"]["readings"]["parameters"] = {}
    openapi_discriminator = every_kind_app().asyncapi_document.as_dict()
    openapi_discriminator["components"]["schemas"]["Say"]["discriminator"] = {
        "propertyName": "type"
    }
    parsed = parse(
        tmp_path,
        {
            "parameters.json": msgspec.json.encode(missing_parameters),
            "discriminator.json": msgspec.json.encode(openapi_discriminator),
        },
    )
    assert {d["code"] for d in parsed["parameters.json"].at(ERROR)} == {
        "asyncapi3-channel-parameters"
    }
    assert "asyncapi-document-resolved" in {
        d["code"] for d in parsed["discriminator.json"].at(ERROR)
    }
