"""What a listener says of its route in the App's AsyncAPI document.

:func:`describe_listener` implements ``ListenerRouteHandler.describe`` (the
optional half of ws-core's route-handler contract): a ``receive`` operation
for ``data`` and a ``send`` operation for the replies, each payload the JSON
schema ``ws_codec.schema_for`` gives for the annotation and the DTO that
shapes it, chosen as ``bind`` chooses it, in the message's direction (so the
schema is the wire's: renamed fields, excluded ones left out). ``str`` and
``bytes`` travel as they are (``text/plain``, ``application/octet-stream``);
anything else as JSON or MessagePack. A listener annotated ``-> None`` sends
nothing, so it has no ``send`` operation; ``-> X | None`` sends ``X``. The
docstrings describe the channel (the function's, or the class's) and the
receive operation (a class's ``on_receive``).
"""

from __future__ import annotations

import functools
import operator
import types
import typing
from typing import TYPE_CHECKING, Any, Literal

from ws_codec import DTO, CodecConfigurationError, WireProtocol, encoder_for, schema_for
from ws_core import (
    BoundRoute,
    MessageDescription,
    OperationDescription,
    RouteDescription,
    WebSocketMode,
    own_docstring,
)
from ws_di import read_callable
from ws_listener.options import FOLLOW_DTO

if TYPE_CHECKING:
    from ws_listener.handler import ListenerRouteHandler

__all__ = ["describe_listener"]

_MEDIA_TYPES: dict[WireProtocol, str] = {
    "json": "application/json",
    "msgpack": "application/vnd.msgpack",
}


def describe_listener(handler: ListenerRouteHandler, route: BoundRoute) -> RouteDescription:
    """Describe what ``handler`` receives and replies on ``route``.

    Raises:
        ConfigurationError: The annotations cannot be read (``bind`` has
            already reported that, so it does not happen for a bound route).
    """
    options = handler.options
    with route.configuring():
        info = read_callable(handler.fn)
        data = info.parameter("data")
        received = Any if data is None else data.resolved_annotation()
        replied = info.returns.resolved_annotation()
    receive = OperationDescription(
        messages=(_message(received, options.dto, options.protocol, "decode"),),
        description=own_docstring(handler.fn) if handler.listener_class is not None else None,
    )
    send = None
    if replied is not type(None):
        replied = _without_none(replied)
        return_dto = options.return_dto
        if return_dto is FOLLOW_DTO:
            return_dto = _follows(replied, options.dto, options.send_mode, options.protocol)
        send = OperationDescription(
            messages=(_message(replied, return_dto, options.protocol, "encode"),)
        )
    documented = handler.listener_class if handler.listener_class is not None else handler.fn
    return RouteDescription(description=own_docstring(documented), receive=receive, send=send)


def _message(
    annotation: Any,
    dto: type[DTO[Any]] | None,
    protocol: WireProtocol,
    direction: Literal["decode", "encode"],
) -> MessageDescription:
    if annotation is str:
        return MessageDescription(payload={"type": "string"}, content_type="text/plain")
    if annotation is bytes:
        return MessageDescription(
            payload={"type": "string", "format": "binary"},
            content_type="application/octet-stream",
        )
    content_type = _MEDIA_TYPES[protocol]
    try:
        schema = schema_for(annotation, dto=dto, direction=direction)
    except CodecConfigurationError as exc:
        return MessageDescription(content_type=content_type, problem=str(exc))
    return MessageDescription(payload=schema, content_type=content_type)


def _follows(
    annotation: Any, dto: type[DTO[Any]] | None, mode: WebSocketMode, protocol: WireProtocol
) -> type[DTO[Any]] | None:
    """The DTO replies follow by default: ``dto``, when the annotation holds its model."""
    if dto is None:
        return None
    try:
        encoder_for(annotation, mode=mode, protocol=protocol, dto=dto)
    except CodecConfigurationError:
        return None
    return dto


def _without_none(annotation: Any) -> Any:
    """``X`` for ``X | None``: a listener returning ``None`` sends nothing."""
    if typing.get_origin(annotation) not in (typing.Union, types.UnionType):
        return annotation
    members = [member for member in typing.get_args(annotation) if member is not type(None)]
    return functools.reduce(operator.or_, members)
