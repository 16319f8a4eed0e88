"""What a stream says of its route in the App's AsyncAPI document.

:func:`describe_stream` implements ``StreamHandler.describe`` (the optional
half of ws-core's route-handler contract): one ``send`` operation for what
the generator yields, its payload the JSON schema ``ws_codec.schema_for``
gives for the yield type and ``return_dto``, as encoded (the wire's shape). ``str`` and
``bytes`` items travel as they are (``text/plain``,
``application/octet-stream``); anything else as JSON or MessagePack. A stream
receives nothing, so it has no ``receive`` operation. The generator
function's docstring describes the channel.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ws_codec import CodecConfigurationError, schema_for
from ws_core import (
    BoundRoute,
    MessageDescription,
    OperationDescription,
    RouteDescription,
    own_docstring,
)
from ws_di import read_callable

if TYPE_CHECKING:
    from ws_stream.handler import StreamHandler

__all__ = ["describe_stream"]

_MEDIA_TYPES = {"json": "application/json", "msgpack": "application/vnd.msgpack"}


def describe_stream(handler: StreamHandler, route: BoundRoute) -> RouteDescription:
    """Describe what ``handler`` sends on ``route``.

    Raises:
        ConfigurationError: The yield annotation cannot be read (``bind`` has
            already reported that, so it does not happen for a bound route).
    """
    with route.configuring():
        item_type = read_callable(handler.fn).item_type()
    message = _message(item_type, handler)
    return RouteDescription(
        description=own_docstring(handler.fn),
        send=OperationDescription(messages=(message,)),
    )


def _message(item_type: Any, handler: StreamHandler) -> MessageDescription:
    if item_type is str:
        return MessageDescription(payload={"type": "string"}, content_type="text/plain")
    if item_type is bytes:
        return MessageDescription(
            payload={"type": "string", "format": "binary"},
            content_type="application/octet-stream",
        )
    content_type = _MEDIA_TYPES[handler.protocol]
    try:
        schema = schema_for(item_type, dto=handler.return_dto, direction="encode")
    except CodecConfigurationError as exc:
        return MessageDescription(content_type=content_type, problem=str(exc))
    return MessageDescription(payload=schema, content_type=content_type)
