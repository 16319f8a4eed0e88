"""The describe contract from a third-party handler kind's side, and building once."""

import logging
from typing import Any

import pytest
from http_support import request
from third_party import Countdown, Described, Silent

from ws_core import DescribedRouteHandler, RouteHandler
from ws_kit import App, websocket_listener
from ws_kit.asyncapi import AsyncAPIConfig
from ws_kit.testing import TestClient


class Opaque:
    """A class msgspec knows nothing of."""


def test_a_third_party_kind_takes_part() -> None:
    countdown = Countdown("/countdown")
    assert isinstance(countdown, RouteHandler)
    assert isinstance(countdown, DescribedRouteHandler)
    assert not isinstance(Silent("/s"), DescribedRouteHandler)
    document = App([countdown, Silent("/silent")]).asyncapi_document.as_dict()
    assert document["channels"]["countdown"] == {
        "address": "/countdown",
        "summary": "A countdown.",
        "messages": {"countdown.sent": {"$ref": "#/components/messages/countdown.sent"}},
        "bindings": {
            "ws": {
                "method": "GET",
                "query": {
                    "type": "object",
                    "properties": {"start": {"type": "integer", "minimum": 0}},
                },
                "bindingVersion": "0.1.0",
            }
        },
    }
    assert document["operations"] == {
        "sendCountdown": {
            "action": "send",
            "channel": {"$ref": "#/channels/countdown"},
            "summary": "Each number, down to 0.",
            "messages": [{"$ref": "#/channels/countdown/messages/countdown.sent"}],
        }
    }
    assert document["components"]["messages"]["countdown.sent"] == {
        "name": "countdown.sent",
        "title": "A number",
        "payload": {"type": "integer"},
    }
    # a kind without describe still has its channel, with no operation
    assert document["channels"]["silent"] == {"address": "/silent", "messages": {}}


def test_a_kind_reporting_an_annotation_without_schema_gets_any_value_and_a_warning(
    caplog: pytest.LogCaptureFixture,
) -> None:
    app = App([Countdown("/opaque", item=Opaque, name="opaque")])
    with caplog.at_level(logging.WARNING, logger="ws_core"):
        document = app.asyncapi_document.as_dict()
    (record,) = caplog.records
    assert "Countdown 'opaque' at '/opaque'" in record.getMessage()
    assert "a message it has sent" in record.getMessage()
    assert "Opaque" in record.getMessage()
    assert document["components"]["messages"]["opaque.sent"]["payload"] == {}


def test_draft_07_definitions_are_moved_into_the_components_too() -> None:
    schema = {
        "type": "array",
        "items": {"$ref": "#/definitions/Item"},
        "definitions": {"Item": {"type": "object", "properties": {"id": {"type": "integer"}}}},
    }
    document = App([Described("/custom", schema)]).asyncapi_document.as_dict()
    assert document["components"]["schemas"] == {
        "Item": {"type": "object", "properties": {"id": {"type": "integer"}}}
    }
    assert document["components"]["messages"]["custom"]["payload"] == {
        "type": "array",
        "items": {"$ref": "#/components/schemas/Item"},
    }


@pytest.mark.parametrize(
    ("schema", "problem"),
    [
        ({"$ref": "#/$defs/Missing"}, "'Missing', which it does not define"),
        ({"$ref": "#/components/schemas/Elsewhere"}, "may refer only to its own models"),
        ({"$ref": "other.json#/Item"}, "may refer only to its own models"),
    ],
)
def test_a_schema_whose_references_cannot_be_placed_is_refused(
    schema: dict[str, Any], problem: str
) -> None:
    app = App([Described("/custom", schema)])
    with pytest.raises(ValueError, match=problem):
        app.asyncapi_document.json()


def test_the_document_is_built_once_and_never_by_a_connection() -> None:
    countdown = Countdown("/countdown")

    @websocket_listener("/echo")
    async def echo(data: str) -> str:
        return data

    app = App([countdown, echo], asyncapi=AsyncAPIConfig())
    with TestClient(app) as client:
        for _ in range(3):
            with client.websocket_connect("/countdown?start=1") as session:
                assert [session.receive_json() for _ in range(2)] == [1, 0]
            with client.websocket_connect("/echo") as session:
                session.send_text("hi")
                assert session.receive_text() == "hi"
    assert countdown.describe_calls == 0  # connections never build it

    for path in ("/asyncapi.json", "/asyncapi.yaml", "/asyncapi", "/asyncapi.json"):
        assert request(app, path).status == 200
    app.asyncapi_document.as_dict()
    assert countdown.describe_calls == 1

    with TestClient(app) as client, client.websocket_connect("/countdown?start=0") as session:
        assert session.receive_json() == 0
    assert countdown.describe_calls == 1
