"""ws-kit apps under test, written against the public API (``from ws_kit import ...``).

Routes: ``/lowlevel`` (receive_json/send_json loop), ``/lowlevel-iter``
(``iter_json``), ``/listener-dict``, ``/listener-struct`` (validated
``msgspec.Struct`` in and out), ``/listener-dto`` (DTO over a dataclass, camelCase
renames), ``/text``, ``/stream``, ``/setup`` and ``/setup-listener`` (three
dependencies each), ``/setup-thread`` (the sync one on a worker thread) and
``/setup-nodeps``.
"""

from collections.abc import AsyncGenerator
from typing import Any

from apps.common import STREAM, Message, MessageData, dep_a, dep_b, dep_c
from ws_kit import (
    DTO,
    App,
    DTOConfig,
    Provide,
    WebSocket,
    WebSocketDisconnect,
    websocket,
    websocket_listener,
    websocket_stream,
)

DEPENDENCIES = {
    "a": Provide(dep_a, sync_to_thread=False),
    "b": Provide(dep_b),
    "c": Provide(dep_c),
}
THREAD_DEPENDENCIES = {**DEPENDENCIES, "a": Provide(dep_a)}  # sync_to_thread=True: the default


@websocket("/lowlevel")
async def lowlevel(socket: WebSocket) -> None:
    await socket.accept()
    try:
        while True:
            data = await socket.receive_json()
            await socket.send_json(data)
    except WebSocketDisconnect:
        pass


@websocket("/lowlevel-iter")
async def lowlevel_iter(socket: WebSocket) -> None:
    await socket.accept()
    async for data in socket.iter_json():
        await socket.send_json(data)


@websocket_listener("/listener-dict")
async def listener_dict(data: dict[str, Any]) -> dict[str, Any]:
    return data


@websocket_listener("/listener-struct")
async def listener_struct(data: Message) -> Message:
    return data


class MessageDTO(DTO[MessageData]):
    config = DTOConfig(rename_strategy="camel")


@websocket_listener("/listener-dto", dto=MessageDTO, return_dto=MessageDTO)
async def listener_dto(data: MessageData) -> MessageData:
    return data


@websocket_listener("/text")
async def text_listener(data: str) -> str:
    return data


@websocket_stream("/stream")
async def stream() -> AsyncGenerator[dict[str, Any], None]:
    for item in STREAM.items:
        yield item


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


app = App(
    [
        lowlevel,
        lowlevel_iter,
        listener_dict,
        listener_struct,
        listener_dto,
        text_listener,
        stream,
        setup,
        setup_thread,
        setup_nodeps,
        setup_listener,
    ]
)
