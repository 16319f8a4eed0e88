"""The describe contract: what a route handler says of the messages on its route.

A route handler (see :class:`~ws_core.RouteHandler`) MAY also have::

    def describe(self, route: BoundRoute) -> RouteDescription: ...

Core calls it at most once per route, after every route is bound, when it
builds the App's AsyncAPI document (on the first request for it, or when
``ws_core.asyncapi_document(app)`` is called), never per connection. A handler
without ``describe`` still gets a channel (its address, path and query
parameters) with no operation.

The schemas are JSON Schema as ``ws_codec.schema_for`` (and
``msgspec.json.schema``) write them: draft 2020-12, nested models under
``$defs``, referenced as ``#/$defs/<name>``. Core, which never imports the
codec, takes them as plain data: it moves every ``$defs`` entry into the
document's ``components.schemas`` (one entry per distinct model, a suffix
``_2``, ``_3``... for a name two different models share), rewrites the
references, and translates what AsyncAPI's schema dialect (a superset of
draft 07) spells otherwise: ``prefixItems`` (tuples), and a tagged union's
``discriminator`` object (it becomes ``oneOf`` with ``discriminator`` naming
the tag property). The handler kind describes the wire, not the model: a
DTO's renames and exclusions belong in the schema it hands over.
"""

from __future__ import annotations

import inspect
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol, TypeAlias, runtime_checkable

if TYPE_CHECKING:
    from ws_core.handler import BoundRoute

__all__ = [
    "DescribedRouteHandler",
    "JSONSchema",
    "MessageDescription",
    "OperationDescription",
    "RouteDescription",
    "own_docstring",
]

JSONSchema: TypeAlias = Mapping[str, Any]
"""A JSON schema (draft 2020-12), as ``ws_codec.schema_for`` returns it."""


@dataclass(frozen=True, kw_only=True)
class MessageDescription:
    """One kind of message on a route, as it travels.

    Attributes:
        payload: The JSON schema of the payload (``{}``: any value).
        content_type: The payload's media type: ``"application/json"``,
            ``"application/vnd.msgpack"``, ``"text/plain"`` for text passed
            through as it is, ``"application/octet-stream"`` for raw bytes.
        name: A machine name for the message; by default the name of the
            payload's model, else the channel's name and the direction.
        title: A human name.
        summary: A short summary.
        description: CommonMark text.
        problem: Why no schema could be made (the annotation has no JSON-schema
            form). The payload is then ``{}`` and core logs a warning naming
            the route and this text, instead of failing.
    """

    payload: JSONSchema = field(default_factory=dict)
    content_type: str = "application/json"
    name: str | None = None
    title: str | None = None
    summary: str | None = None
    description: str | None = None
    problem: str | None = None


@dataclass(frozen=True, kw_only=True)
class OperationDescription:
    """What the application receives on a route, or what it sends there.

    Attributes:
        messages: The messages of this direction (usually one; a tagged union
            is one message whose payload is the union).
        summary: A short summary of the operation.
        description: CommonMark text (e.g. the docstring of the method that
            handles the messages).
    """

    messages: tuple[MessageDescription, ...]
    summary: str | None = None
    description: str | None = None


@dataclass(frozen=True, kw_only=True)
class RouteDescription:
    """What a handler says of its route; every field is optional.

    Attributes:
        title: A human name for the channel.
        summary: A short summary of the channel.
        description: CommonMark text, typically the handler's docstring.
        receive: What the application receives from the client (a
            ``receive`` operation), or ``None``.
        send: What the application sends to the client (a ``send``
            operation), or ``None``.
        query_parameters: Query parameters the handler reads from the query
            string itself, by name, as JSON schemas; they are described as
            optional. (Those planned through ``route.plan`` core describes.)
    """

    title: str | None = None
    summary: str | None = None
    description: str | None = None
    receive: OperationDescription | None = None
    send: OperationDescription | None = None
    query_parameters: Mapping[str, JSONSchema] = field(default_factory=dict)


@runtime_checkable
class DescribedRouteHandler(Protocol):
    """A route handler that describes its route (the optional half of the contract)."""

    def describe(self, route: BoundRoute) -> RouteDescription:
        """Describe the messages of ``route``, one of the routes this handler was bound to.

        Called at most once per route, after every route is bound.

        Raises:
            Exception: A failure propagates to whoever asked for the document;
                an annotation without a JSON-schema form should instead be a
                :class:`MessageDescription` with ``problem`` set.
        """
        ...


def own_docstring(obj: object) -> str | None:
    """The cleaned docstring ``obj`` itself declares, or ``None``.

    Unlike :func:`inspect.getdoc`, a class without a docstring of its own
    does not borrow its base class's.
    """
    doc = vars(obj).get("__doc__") if isinstance(obj, type) else getattr(obj, "__doc__", None)
    if not isinstance(doc, str) or not doc.strip():
        return None
    return inspect.cleandoc(doc)
