"""A handler kind written outside ws-kit, against ws-core's public contract only.

``Countdown`` sends the numbers from ``?start=`` down to 0 and describes its
route itself; ``describe_calls`` counts how often the App asked.
"""

import logging
from collections.abc import Mapping
from typing import Any

from ws_codec import CodecConfigurationError, schema_for
from ws_core import (
    BoundRoute,
    ConnectionHandler,
    HandlerBase,
    LayerOptions,
    MessageDescription,
    OperationDescription,
    RouteDescription,
    WebSocket,
)

logger = logging.getLogger("third_party")


class Countdown(HandlerBase):
    """Counts down from ``?start=`` (default 3), one message per number."""

    kind = "countdown"

    def __init__(self, path: str, *, item: Any = int, name: str = "countdown") -> None:
        super().__init__(paths=(path,), name=name, layer=LayerOptions(), logger=logger)
        self.item = item
        self.describe_calls = 0

    def bind(self, route: BoundRoute) -> ConnectionHandler:
        async def serve(socket: WebSocket, values: Mapping[str, Any]) -> None:
            await socket.accept()
            for number in range(int(socket.query_params.get("start", "3")), -1, -1):
                await socket.send_json(number)

        return serve

    def describe(self, route: BoundRoute) -> RouteDescription:
        self.describe_calls += 1
        try:
            message = MessageDescription(payload=schema_for(self.item), title="A number")
        except CodecConfigurationError as exc:
            message = MessageDescription(problem=str(exc))
        return RouteDescription(
            summary="A countdown.",
            send=OperationDescription(messages=(message,), summary="Each number, down to 0."),
            query_parameters={"start": {"type": "integer", "minimum": 0}},
        )


class Silent(HandlerBase):
    """A kind that does not describe itself: accepts and closes."""

    kind = "silent"

    def __init__(self, path: str) -> None:
        super().__init__(paths=(path,), name="silent", layer=LayerOptions(), logger=logger)

    def bind(self, route: BoundRoute) -> ConnectionHandler:
        async def serve(socket: WebSocket, values: Mapping[str, Any]) -> None:
            await socket.accept()

        return serve


class Described(Silent):
    """A kind that hands core a schema of its own making."""

    def __init__(self, path: str, schema: Mapping[str, Any]) -> None:
        super().__init__(path)
        self.schema = schema

    def describe(self, route: BoundRoute) -> RouteDescription:
        message = MessageDescription(payload=self.schema, name="custom")
        return RouteDescription(receive=OperationDescription(messages=(message,)))
