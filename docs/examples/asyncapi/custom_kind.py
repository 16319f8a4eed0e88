"""A handler kind of your own that describes its route, for the AsyncAPI document."""

import logging
from collections.abc import Mapping
from typing import Any

import anyio

from ws_codec import schema_for
from ws_core import (
    BoundRoute,
    ConnectionHandler,
    HandlerBase,
    LayerOptions,
    MessageDescription,
    OperationDescription,
    RouteDescription,
    WebSocket,
    own_docstring,
)
from ws_kit import App


class Heartbeat(HandlerBase):
    """Sends the seconds since the connection opened, once a second."""

    kind = "heartbeat"

    def __init__(self, path: str) -> None:
        logger = logging.getLogger(__name__)
        super().__init__(paths=(path,), name="heartbeat", layer=LayerOptions(), logger=logger)

    def bind(self, route: BoundRoute) -> ConnectionHandler:
        async def serve(socket: WebSocket, values: Mapping[str, Any]) -> None:
            await socket.accept()
            for second in range(int(socket.query_params.get("beats", "3"))):
                if second:
                    await anyio.sleep(1)
                await socket.send_json(second)

        return serve

    def describe(self, route: BoundRoute) -> RouteDescription:
        beat = MessageDescription(payload=schema_for(int), name="Beat", title="Seconds so far")
        return RouteDescription(
            description=own_docstring(type(self)),
            send=OperationDescription(messages=(beat,)),
            query_parameters={"beats": {"type": "integer", "minimum": 0}},
        )


app = App([Heartbeat("/heartbeat")])
