"""Litestar peers, built with its public API only.

Routes: ``/lowlevel`` (``@websocket`` loop), ``/listener-dict``,
``/listener-struct``, ``/listener-dto`` (``MsgspecDTO`` with camelCase renames),
``/text``, ``/stream``, ``/setup`` and ``/setup-listener`` (three dependencies),
``/setup-thread`` (the sync one on a worker thread) and ``/setup-nodeps``.
"""

from collections.abc import AsyncGenerator
from typing import Any

from litestar import Litestar, WebSocket, websocket, websocket_listener, websocket_stream
from litestar.di import Provide
from litestar.dto import DTOConfig, MsgspecDTO
from litestar.exceptions import WebSocketDisconnect

from apps.common import STREAM, Message, SnakeMessage, dep_a, dep_b, dep_c


@websocket("/lowlevel")
async def lowlevel(socket: WebSocket) -> None:
    await socket.accept()
    try:
        while True:
            data = await socket.receive_json()
            await socket.send_json(data)
    except WebSocketDisconnect:
        pass


@websocket_listener("/listener-dict")
async def listener_dict(data: dict[str, Any]) -> dict[str, Any]:
    return data


@websocket_listener("/listener-struct")
async def listener_struct(data: Message) -> Message:
    return data


class MessageDTO(MsgspecDTO[SnakeMessage]):
    config = DTOConfig(rename_strategy="camel")


@websocket_listener("/listener-dto", dto=MessageDTO, return_dto=MessageDTO)
async def listener_dto(data: SnakeMessage) -> SnakeMessage:
    return data


@websocket_listener("/text")
async def text_listener(data: str) -> str:
    return data


@websocket_stream("/stream")
async def stream() -> AsyncGenerator[dict[str, Any], None]:
    for item in STREAM.items:
        yield item


DEPENDENCIES = {
    "a": Provide(dep_a, sync_to_thread=False),
    "b": Provide(dep_b),
    "c": Provide(dep_c),
}
THREAD_DEPENDENCIES = {**DEPENDENCIES, "a": Provide(dep_a, sync_to_thread=True)}


@websocket("/setup", dependencies=DEPENDENCIES)
async def setup(socket: WebSocket, a: int, b: int, c: dict[str, int]) -> None:
    await socket.accept()
    await socket.close()


@websocket("/setup-thread", dependencies=THREAD_DEPENDENCIES)
async def setup_thread(socket: WebSocket, a: int, b: int, c: dict[str, int]) -> None:
    await socket.accept()
    await socket.close()


@websocket("/setup-nodeps")
async def setup_nodeps(socket: WebSocket) -> None:
    await socket.accept()
    await socket.close()


@websocket_listener("/setup-listener", dependencies=DEPENDENCIES)
async def setup_listener(data: str, a: int, b: int, c: dict[str, int]) -> None:
    return None


app = Litestar(
    route_handlers=[
        lowlevel,
        listener_dict,
        listener_struct,
        listener_dto,
        text_listener,
        stream,
        setup,
        setup_thread,
        setup_nodeps,
        setup_listener,
    ],
    logging_config=None,
    debug=False,
)
