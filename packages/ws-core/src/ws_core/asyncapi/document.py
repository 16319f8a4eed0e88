"""The AsyncAPI 3.0 document of an App's bound routes.

One channel per route: its ``address`` is the route's path with each typed
parameter written ``{name}`` and described under ``parameters``; the query
parameters the route reads (those of its dependency plan, and those its
handler names itself) are the ``query`` of the channel's WebSocket binding.
A :class:`~ws_core.RouteDescription` from the handler's ``describe`` adds a
``receive`` operation (what the application receives) and a ``send``
operation (what it sends), each referring to messages of the channel, which
refer to ``components.messages``; payload models go to
``components.schemas`` (see :mod:`ws_core.asyncapi.schemas`). Keys are made
unique in the order routes were registered, so the same App always gives the
same document.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

import msgspec

from ws_core.asyncapi.config import AsyncAPIConfig
from ws_core.asyncapi.description import (
    DescribedRouteHandler,
    MessageDescription,
    OperationDescription,
    RouteDescription,
)
from ws_core.asyncapi.names import UniqueNames
from ws_core.asyncapi.schemas import SchemaComponents
from ws_core.logs import package_logger
from ws_core.routing import PathParameter, parse_path

if TYPE_CHECKING:
    from ws_core.handler import BoundRoute

__all__ = ["ASYNCAPI_VERSION", "build_document"]

ASYNCAPI_VERSION = "3.0.0"
"""The version of the AsyncAPI specification the document follows."""

logger = package_logger("ws_core")

_DEFAULT_CONTENT_TYPE = "application/json"
_WS_BINDING_VERSION = "0.1.0"
_PARAMETER_TEXT = {
    "str": "One path segment.",
    "int": "One path segment: an integer.",
    "float": "One path segment: a number.",
    "uuid": "One path segment: a UUID.",
    "path": "The rest of the path, slashes included.",
}
_ACTION_WORD = {"receive": "received", "send": "sent"}


def build_document(
    config: AsyncAPIConfig, routes: Iterable[tuple[BoundRoute, object]]
) -> dict[str, Any]:
    """Build the document of ``routes`` (bound route and its handler, in registration order).

    Calls each describing handler's ``describe`` once per route. A message
    whose description has a ``problem`` gets the payload ``{}`` and a warning
    on the ``ws_core`` logger naming the route.

    Raises:
        Exception: Whatever a handler's ``describe`` raises; ``ValueError``
            for a schema whose references cannot be placed in the document.
    """
    builder = _Builder()
    for route, handler in routes:
        builder.add_route(route, handler)
    info: dict[str, Any] = {"title": config.title, "version": config.version}
    if config.description is not None:
        info["description"] = config.description
    info.update(config.info)
    document: dict[str, Any] = {"asyncapi": ASYNCAPI_VERSION}
    if config.id is not None:
        document["id"] = config.id
    document["info"] = info
    if config.servers:
        document["servers"] = {name: server.as_object() for name, server in config.servers.items()}
    document["defaultContentType"] = _DEFAULT_CONTENT_TYPE
    document["channels"] = builder.channels
    document["operations"] = builder.operations
    components: dict[str, Any] = {}
    if builder.schemas.schemas:
        components["schemas"] = builder.schemas.schemas
    if builder.messages:
        components["messages"] = builder.messages
    if components:
        document["components"] = components
    return document


class _Builder:
    """The channels, operations and components, filled route after route."""

    def __init__(self) -> None:
        self.channels: dict[str, Any] = {}
        self.operations: dict[str, Any] = {}
        self.messages: dict[str, Any] = {}
        self.schemas = SchemaComponents()
        self._channel_keys = UniqueNames()
        self._operation_keys = UniqueNames()
        self._message_keys = UniqueNames()
        self._known_messages: dict[str, str] = {}  # a message object's text -> its key

    def add_route(self, route: BoundRoute, handler: object) -> None:
        description = (
            handler.describe(route)
            if isinstance(handler, DescribedRouteHandler)
            else RouteDescription()
        )
        key = self._channel_keys.claim(_channel_name(route, handler))
        pattern = parse_path(route.path, route.owner)
        channel: dict[str, Any] = {"address": _address(pattern.segments)}
        _set_texts(channel, description.title, description.summary, description.description)
        messages: dict[str, Any] = {}
        channel["messages"] = messages
        if pattern.parameters:
            channel["parameters"] = {
                parameter.name: {"description": _PARAMETER_TEXT[parameter.kind]}
                for parameter in pattern.parameters
            }
        query = self._query(route, description.query_parameters)
        if query is not None:
            channel["bindings"] = {
                "ws": {"method": "GET", "query": query, "bindingVersion": _WS_BINDING_VERSION}
            }
        self.channels[key] = channel
        for action, operation in (("receive", description.receive), ("send", description.send)):
            if operation is not None and operation.messages:
                self._add_operation(key, action, operation, messages, route)

    def _add_operation(
        self,
        channel_key: str,
        action: str,
        operation: OperationDescription,
        channel_messages: dict[str, Any],
        route: BoundRoute,
    ) -> None:
        references = []
        for message in operation.messages:
            message_key = self._message(message, channel_key, _ACTION_WORD[action], route)
            channel_messages[message_key] = {"$ref": f"#/components/messages/{message_key}"}
            references.append({"$ref": f"#/channels/{channel_key}/messages/{message_key}"})
        key = self._operation_keys.claim(f"{action}{channel_key[:1].upper()}{channel_key[1:]}")
        entry: dict[str, Any] = {"action": action, "channel": {"$ref": f"#/channels/{channel_key}"}}
        _set_texts(entry, None, operation.summary, operation.description)
        entry["messages"] = references
        self.operations[key] = entry

    def _message(
        self, message: MessageDescription, channel_key: str, direction: str, route: BoundRoute
    ) -> str:
        """Add ``message`` to the components (once per distinct message); return its key."""
        if message.problem is not None:
            logger.warning(
                "%s: a message it has %s is described as any value in the AsyncAPI document, "
                "since its annotation has no JSON schema: %s",
                route.owner,
                direction,
                message.problem,
            )
            payload: dict[str, Any] = {}
        else:
            payload = self.schemas.add(message.payload)
        name = message.name or _model_name(payload) or f"{channel_key}.{direction}"
        entry: dict[str, Any] = {"name": name}
        _set_texts(entry, message.title, message.summary, message.description)
        if message.content_type != _DEFAULT_CONTENT_TYPE:
            entry["contentType"] = message.content_type
        entry["payload"] = payload
        identity = json.dumps(entry, sort_keys=True)
        key = self._known_messages.get(identity)
        if key is None:
            key = self._known_messages[identity] = self._message_keys.claim(name)
            self.messages[key] = entry
        return key

    def _query(self, route: BoundRoute, extra: Mapping[str, Any]) -> dict[str, Any] | None:
        """The JSON schema of the route's query string, or ``None`` if it reads none."""
        properties: dict[str, Any] = {}
        required: list[str] = []
        for parameter in route.query_parameters:
            properties[parameter.name] = self._query_schema(parameter.convert.target, route)
            if parameter.required and not parameter.convert.nullable:
                required.append(parameter.name)
        for name, schema in extra.items():
            properties.setdefault(name, self.schemas.add(schema))
        if not properties:
            return None
        query: dict[str, Any] = {"type": "object", "properties": properties}
        if required:
            query["required"] = required
        return query

    def _query_schema(self, annotation: Any, route: BoundRoute) -> dict[str, Any]:
        try:
            schema = msgspec.json.schema(annotation)
        except (TypeError, ValueError, NameError) as exc:
            logger.warning(
                "%s: a query parameter is described as any value in the AsyncAPI document, "
                "since its annotation %r has no JSON schema: %s",
                route.owner,
                annotation,
                exc,
            )
            return {}
        return self.schemas.add(schema)


def _channel_name(route: BoundRoute, handler: object) -> str:
    """The wanted channel key: the handler's name (its last dotted part), else its path."""
    name = getattr(handler, "name", None)
    if isinstance(name, str) and name:
        return name.rsplit(".", 1)[-1]
    return route.path.strip("/") or "root"


def _address(segments: tuple[str | PathParameter, ...]) -> str:
    parts = (
        segment if isinstance(segment, str) else "{" + segment.name + "}" for segment in segments
    )
    return "/" + "/".join(parts)


def _model_name(payload: Mapping[str, Any]) -> str | None:
    """The component name of a payload that is one model, else ``None``."""
    reference = payload.get("$ref")
    if len(payload) == 1 and isinstance(reference, str):
        return reference.rsplit("/", 1)[-1]
    return None


def _set_texts(
    target: dict[str, Any], title: str | None, summary: str | None, description: str | None
) -> None:
    for field, text in (("title", title), ("summary", summary), ("description", description)):
        if text:
            target[field] = text
