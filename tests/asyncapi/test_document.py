"""The document's content: channels, operations, messages and schemas, read from real Apps."""

import json
import logging
import re
from collections.abc import AsyncGenerator, Callable
from types import ModuleType
from typing import Any

import msgspec
import pytest
from asyncapi_apps import KINDS, every_kind_app

from ws_channels import ChannelsPlugin
from ws_kit import (
    DTO,
    App,
    DTOConfig,
    Router,
    WebsocketListener,
    websocket_listener,
    websocket_stream,
)
from ws_kit.asyncapi import AsyncAPIConfig, AsyncAPIServer

Document = dict[str, Any]


@pytest.fixture(scope="module")
def document() -> Document:
    return every_kind_app().asyncapi_document.as_dict()


def component(document: Document, reference: str) -> Any:
    """The object a ``#/...`` reference points at."""
    assert reference.startswith("#/"), reference
    found: Any = document
    for part in reference[2:].split("/"):
        found = found[part]
    return found


def operation(document: Document, channel: str, action: str) -> dict[str, Any] | None:
    """The operation of ``channel`` with ``action``, or ``None``."""
    found = [
        op
        for op in document["operations"].values()
        if op["channel"] == {"$ref": f"#/channels/{channel}"} and op["action"] == action
    ]
    assert len(found) <= 1
    return found[0] if found else None


def messages(document: Document, channel: str, action: str) -> list[dict[str, Any]]:
    """The message objects of one operation, references followed."""
    op = operation(document, channel, action)
    assert op is not None, f"{channel} has no {action} operation"
    # operation -> the channel's message -> the component message
    return [component(document, component(document, m["$ref"])["$ref"]) for m in op["messages"]]


def payload(document: Document, channel: str, action: str) -> Any:
    """The one payload of an operation, a top-level reference followed."""
    (message,) = messages(document, channel, action)
    schema = message["payload"]
    return component(document, schema["$ref"]) if set(schema) == {"$ref"} else schema


# What each annotation kind of SPEC §2 must look like on the wire (a subset of keys).
EXPECTED: dict[str, dict[str, Any]] = {
    "dict": {"type": "object", "additionalProperties": {"type": "integer"}},
    "list": {"type": "array", "items": {"type": "string"}},
    "dataclass": {"title": "Reading", "description": "One measurement.", "type": "object"},
    "typeddict": {"type": "object", "properties": {"loud": {"type": "boolean"}}},
    "namedtuple": {
        "type": "array",
        "items": [{"type": "integer"}, {"type": "integer"}],
        "minItems": 2,
        "maxItems": 2,
    },
    "struct": {"title": "Account", "required": ["user_name", "email"]},
    "attrs": {"type": "object", "properties": {"label": {"type": "string"}}},
    "enum": {"title": "Color", "description": "A colour, by name."},
    "literal": {},
    "union": {"anyOf": [{"type": "integer"}, {"type": "string"}]},
    "tagged_union": {
        "oneOf": [{"$ref": "#/components/schemas/Join"}, {"$ref": "#/components/schemas/Say"}],
        "discriminator": "type",
    },
    "datetime": {"type": "string"},
    "uuid": {"type": "string", "format": "uuid"},
    "decimal": {"type": "string", "format": "decimal"},
    "object": {},
}


def test_the_expectations_cover_every_kind() -> None:
    assert set(EXPECTED) == set(KINDS)


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_every_annotation_kind_is_received_and_sent_as_its_schema(
    document: Document, kind: str
) -> None:
    channel = document["channels"][f"echo_{kind}"]
    assert channel["address"] == f"/kinds/{kind}"
    for action in ("receive", "send"):
        schema = payload(document, f"echo_{kind}", action)
        assert schema.items() >= EXPECTED[kind].items(), schema
    if kind == "object":
        assert payload(document, "echo_object", "receive") == {}  # any value
    if kind in ("enum", "literal"):
        values = {"enum": {"green", "red"}, "literal": {"on", "off"}}[kind]
        assert set(payload(document, f"echo_{kind}", "receive")["enum"]) == values


def test_the_document_speaks_asyncapi_dialect_not_draft_2020_12(document: Document) -> None:
    text = json.dumps(document)
    for spelled_otherwise in ('"$defs"', '"prefixItems"', '"propertyName"', "#/$defs/"):
        assert spelled_otherwise not in text
    say = document["components"]["schemas"]["Say"]
    assert say["properties"]["text"] == {"type": "string", "minLength": 1}
    assert say["description"] == "Say something."


def test_a_dto_shapes_both_directions_as_on_the_wire(document: Document) -> None:
    for action in ("receive", "send"):
        (message,) = messages(document, "accounts", action)
        assert message["name"] == "PublicAccount"
        schema = payload(document, "accounts", action)
        assert schema["properties"] == {"userName": {"type": "string"}, "email": {"type": "string"}}
        assert schema["required"] == ["userName", "email"]
    channel = document["channels"]["accounts"]
    assert channel["description"] == "Sign up: the reply is the account as clients see it."


class Member(msgspec.Struct):
    name: str
    address: str


class PublicMember(DTO[Member]):
    config = DTOConfig(exclude={"address"})


def test_a_reply_dto_may_leave_out_a_required_field(caplog: pytest.LogCaptureFixture) -> None:
    @websocket_listener("/join", return_dto=PublicMember)
    async def join(data: str) -> Member:
        return Member(data, "10.0.0.1")

    @websocket_stream("/members", return_dto=PublicMember)
    async def members() -> AsyncGenerator[Member, None]:
        yield Member("ann", "10.0.0.2")

    document = App([join, members]).asyncapi_document.as_dict()
    for channel in ("join", "members"):
        schema = payload(document, channel, "send")
        assert schema["properties"] == {"name": {"type": "string"}}
        assert schema["required"] == ["name"]
    assert not caplog.records


def test_a_stream_sends_what_it_yields_and_reads_its_parameters(document: Document) -> None:
    channel = document["channels"]["readings"]
    assert channel["address"] == "/sensors/{sensor}/readings"
    assert channel["parameters"] == {"sensor": {"description": "One path segment: a UUID."}}
    assert channel["bindings"]["ws"]["query"] == {
        "type": "object",
        "properties": {"every": {"type": "number"}},
    }
    assert channel["description"] == "Every reading of one sensor, as it is taken."
    assert operation(document, "readings", "receive") is None
    assert payload(document, "readings", "send")["title"] == "Reading"


def test_a_class_listener_describes_itself_with_its_docstrings(document: Document) -> None:
    assert document["channels"]["Shout"]["description"] == "Replies in capitals."
    receive = operation(document, "Shout", "receive")
    assert receive is not None
    assert receive["description"] == "Shout ``data`` back."
    for action in ("receive", "send"):
        (message,) = messages(document, "Shout", action)
        assert message["contentType"] == "text/plain"
        assert message["payload"] == {"type": "string"}


def test_msgpack_and_a_listener_that_replies_nothing(document: Document) -> None:
    (message,) = messages(document, "packed", "receive")
    assert message["contentType"] == "application/vnd.msgpack"
    assert message["payload"] == {"type": "array", "items": {"type": "integer"}}
    assert operation(document, "packed", "send") is None  # "-> None": nothing is sent


def test_a_low_level_handler_has_its_channel_and_docstring(document: Document) -> None:
    channel = document["channels"]["raw"]
    assert channel == {
        "address": "/raw/{rest}",
        "description": "Whatever the client and the server agree on.",
        "messages": {},
        "parameters": {"rest": {"description": "The rest of the path, slashes included."}},
    }
    assert operation(document, "raw", "receive") is None
    assert operation(document, "raw", "send") is None


def test_router_prefixes_path_and_query_parameters(document: Document) -> None:
    channel = document["channels"]["prices"]
    assert channel["address"] == "/v2/items/{item}/prices/{ratio}"
    assert set(channel["parameters"]) == {"item", "ratio"}
    assert channel["parameters"]["ratio"] == {"description": "One path segment: a number."}
    assert channel["bindings"]["ws"] == {
        "method": "GET",
        "query": {
            "type": "object",
            "properties": {"page": {"type": "integer"}, "tag": {"type": "string"}},
            "required": ["page"],
        },
        "bindingVersion": "0.1.0",
    }


def test_info_servers_and_the_default_content_type(document: Document) -> None:
    assert document["asyncapi"] == "3.0.0"
    assert document["info"] == {
        "title": "Every kind",
        "version": "2.1.0",
        "description": "An App covering every annotation kind ws-kit reads.",
    }
    assert document["servers"] == {
        "local": {"host": "localhost:8000", "protocol": "ws", "description": "A dev server."}
    }
    assert document["defaultContentType"] == "application/json"


def test_every_operation_refers_to_messages_of_its_own_channel(document: Document) -> None:
    for op in document["operations"].values():
        channel = op["channel"]["$ref"]
        for message in op["messages"]:
            assert message["$ref"].startswith(channel + "/messages/")
            component(document, message["$ref"])  # exists


def test_every_address_variable_is_a_parameter_and_no_other(document: Document) -> None:
    # The official parser checks this only when a channel has "parameters" at all.
    for channel in document["channels"].values():
        variables = set(re.findall(r"\{(\w+)\}", channel["address"]))
        assert variables == set(channel.get("parameters", {})), channel["address"]


def test_an_app_without_routes() -> None:
    document = App().asyncapi_document.as_dict()
    assert document == {
        "asyncapi": "3.0.0",
        "info": {"title": "WebSocket API", "version": "0.1.0"},
        "defaultContentType": "application/json",
        "channels": {},
        "operations": {},
    }


def test_id_and_more_info_fields_are_written_as_given() -> None:
    config = AsyncAPIConfig(
        id="urn:example:chat",
        info={"license": {"name": "MIT"}, "contact": {"name": "Ops"}},
        servers={"prod": AsyncAPIServer(host="chat.example.com", protocol="wss", pathname="/ws")},
    )
    document = App(asyncapi=config).asyncapi_document.as_dict()
    assert document["id"] == "urn:example:chat"
    assert document["info"]["license"] == {"name": "MIT"}
    assert document["info"]["contact"] == {"name": "Ops"}
    assert document["servers"]["prod"] == {
        "host": "chat.example.com",
        "protocol": "wss",
        "pathname": "/ws",
    }


def two_users() -> tuple[type, type]:
    """Two different models that share the name ``User``."""

    def first() -> type:
        class User(msgspec.Struct):
            name: str

        return User

    def second() -> type:
        class User(msgspec.Struct):
            email: str

        return User

    return first(), second()


def test_names_shared_by_different_things_are_made_unique_in_order() -> None:
    first, second = two_users()

    def listener(path: str, model: type, name: str) -> Any:
        async def fn(data: Any) -> None:
            return None

        fn.__annotations__ = {"data": model, "return": None}
        return websocket_listener(path, name=name)(fn)

    app = App(
        [
            listener("/a", first, "users"),
            listener("/b", second, "users"),  # another handler of the same name
            listener("/c", first, "again"),  # the first model again
            Router("/v2", [listener("/a", first, "users")]),
        ]
    )
    document = app.asyncapi_document.as_dict()
    assert list(document["channels"]) == ["users", "users_2", "again", "users_3"]
    schemas = document["components"]["schemas"]
    assert schemas["User"]["properties"] == {"name": {"type": "string"}}
    assert schemas["User_2"]["properties"] == {"email": {"type": "string"}}
    assert len(schemas) == 2  # the same model from three routes: one schema
    assert list(document["components"]["messages"]) == ["User", "User_2"]
    assert payload(document, "again", "receive") == schemas["User"]
    assert payload(document, "users_2", "receive") == schemas["User_2"]


def test_one_handler_at_two_paths_has_two_channels() -> None:
    class Echo(WebsocketListener):
        path = ("/echo", "/v1/echo")

        def on_receive(self, data: str) -> str:
            return data

    document = App([Echo]).asyncapi_document.as_dict()
    assert [c["address"] for c in document["channels"].values()] == ["/echo", "/v1/echo"]
    assert list(document["channels"]) == ["Echo", "Echo_2"]
    assert {"receiveEcho", "sendEcho", "receiveEcho_2", "sendEcho_2"} == set(document["operations"])


class Pointer(msgspec.Struct):
    target: str = msgspec.field(name="$ref")


def test_a_property_named_like_a_keyword_stays_a_property() -> None:
    @websocket_listener("/pointers")
    async def pointers(data: Pointer) -> None:
        return None

    document = App([pointers]).asyncapi_document.as_dict()
    assert document["components"]["schemas"]["Pointer"]["properties"] == {
        "$ref": {"type": "string"}
    }


class Say(msgspec.Struct):
    text: str


def test_optional_replies_unannotated_listeners_and_no_reply() -> None:
    @websocket_listener("/maybe")
    async def maybe(data: str) -> Say | None:
        return None

    @websocket_listener("/anything")
    async def anything(data):  # type: ignore[no-untyped-def]
        return data

    @websocket_listener("/silent")
    async def silent(data: bytes) -> None:
        return None

    document = App([maybe, anything, silent]).asyncapi_document.as_dict()
    assert payload(document, "maybe", "send")["title"] == "Say"  # None is "send nothing"
    assert payload(document, "anything", "receive") == {}
    assert payload(document, "anything", "send") == {}
    (raw,) = messages(document, "silent", "receive")
    assert raw["contentType"] == "application/octet-stream"
    assert raw["payload"] == {"type": "string", "format": "binary"}
    assert operation(document, "silent", "send") is None


def test_a_message_without_a_json_schema_is_any_value_with_a_warning(
    caplog: pytest.LogCaptureFixture,
) -> None:
    @websocket_listener(
        "/ext", receive_mode="binary", send_mode="binary", protocol="msgpack", name="ext"
    )
    async def ext(data: msgspec.msgpack.Ext) -> None:
        return None

    @websocket_stream("/fine")
    async def fine() -> Any:
        yield 1

    app = App([ext, fine])  # nothing is built, nothing is said, at start-up
    assert not caplog.records
    with caplog.at_level(logging.WARNING, logger="ws_core"):
        document = app.asyncapi_document.as_dict()
    (record,) = caplog.records
    assert record.name == "ws_core"
    assert record.levelno == logging.WARNING
    assert "ListenerRouteHandler 'ext' at '/ext'" in record.getMessage()
    assert "a message it has received" in record.getMessage()
    assert "msgpack Ext" in record.getMessage()
    (message,) = messages(document, "ext", "receive")
    assert message["payload"] == {}
    assert message["contentType"] == "application/vnd.msgpack"


def test_the_chat_demo_describes_its_rooms(load_example: Callable[[str], ModuleType]) -> None:
    chat = load_example("chat/app.py")
    document = chat.create_app(port=8123).asyncapi_document.as_dict()
    assert document["servers"] == {"demo": {"host": "127.0.0.1:8123", "protocol": "ws"}}
    room = document["channels"]["chat"]
    assert room["address"] == "/rooms/{room}"
    assert set(room["bindings"]["ws"]["query"]["properties"]) == {"user", "session", "since"}
    assert payload(document, "chat", "receive")["properties"]["text"]["maxLength"] == 500
    # The room's messages reach the socket from its channel subscription, not as
    # replies of the listener: the docstring tells their shape.
    assert "epoch" in room["description"]
    assert payload(document, "presence", "send")["title"] == "Presence"
    assert set(document["operations"]) == {"receiveChat", "sendPresence"}


def test_a_channels_plugin_routes_have_their_channels() -> None:
    plugin = ChannelsPlugin(
        channels=["lobby", "news"], create_ws_route_handlers=True, ws_handler_base_path="/live"
    )
    document = App([], plugins=[plugin]).asyncapi_document.as_dict()
    addresses = [channel["address"] for channel in document["channels"].values()]
    assert addresses == ["/live/lobby", "/live/news"]
